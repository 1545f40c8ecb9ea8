import * as z from "zod/mini";
import { UsageError } from "../errors.js";
import { parseDuration } from "../operations/durations.js";
import "../zod-messages.js";

/** An on/off flag with its default. */
export const flag = (fallback: boolean) => z._default(z.boolean(), fallback);

export const optionalText = z.optional(z.string().check(z.minLength(1)));

/** A duration flag such as --timeout 15m, parsed into milliseconds. */
export function durationOption(name: string, fallback: string) {
  return z.pipe(
    z._default(z.string(), fallback),
    z.transform((text: string, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.issues.push({
          code: "custom",
          message: `${name} ${text} is not a duration like 90s, 15m or 1h`,
          input: text,
        });
        return z.NEVER;
      }
      return ms;
    }),
  );
}

export const familyOption = z.optional(
  z.string().check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, "--family may contain only letters, digits, - and _")),
);

/** Parses a command's options with its schema; a bad flag value is a usage error (exit 2). */
export function parseOptions<T extends z.ZodMiniType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join("; "));
  return parsed.data;
}

/** Flags shared by every command that ends with the restart sequence (restart, upgrade, rollback). */
export const RestartFlagsSchema = z.object({
  timeout: durationOption("--timeout", "15m"),
  pollInterval: durationOption("--poll-interval", "3s"),
  healthUrl: z.optional(z.url({ protocol: /^https?$/, error: "--health-url must be an http(s) URL" })),
  checkHealth: flag(false),
  dryRun: flag(false),
});
export type RestartFlags = z.output<typeof RestartFlagsSchema>;
