import { z } from "zod";
import { UsageError } from "../errors.js";
import { parseDuration } from "../operations/durations.js";

/** A duration flag such as --timeout 15m, parsed into milliseconds. */
export function durationOption(flag: string, fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: "custom", message: `${flag} ${text} is not a duration like 90s, 15m or 1h` });
        return z.NEVER;
      }
      return ms;
    });
}

export const familyOption = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,255}$/, "--family may contain only letters, digits, - and _")
  .optional();

/** Parses a command's options with its schema; a bad flag value is a usage error (exit 2). */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join("; "));
  return parsed.data;
}
