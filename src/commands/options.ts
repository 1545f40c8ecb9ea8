import * as z from "zod/mini";
import {
  CREATE_SERVICE_DEFAULTS,
  RESTART_DEFAULTS,
  SETUP_DEFAULTS,
  UPGRADE_DEFAULTS,
} from "../config/defaults.js";
import * as values from "../config/values.js";
import { UsageError } from "../errors.js";
import "../zod-messages.js";

/**
 * What each command flag that takes a value accepts, by commander's attribute name. A flag means the
 * same in every command (--timeout is always a duration), so one table serves them all: src/cli.ts
 * checks every value with it before a command runs, and the command schemas below are built from it.
 */
export const FLAG_VALUES = {
  family: values.family,
  taskDefinition: values.taskDefinitionReference,
  timeout: values.waitTimeout,
  pollInterval: values.pollInterval,
  count: values.desiredCount,
  healthUrl: values.httpUrl,
  to: values.revisionReference,
  tag: values.dockerTag,
  esTag: values.dockerTag,
  image: values.imageReference,
  sshKey: values.filePath,
  sshUser: values.sshUser,
  kmsKey: values.kmsKey,
  snapshotTimeout: values.waitTimeout,
} as const;

export type ValueFlag = keyof typeof FLAG_VALUES;

/** `pollInterval` → `--poll-interval`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/**
 * Fails with a usage error naming the first flag whose value does not fit, before the command loads
 * anything else or calls AWS. `options` is what commander parsed, defaults included.
 */
export function checkFlagValues(command: string, options: Record<string, unknown>): void {
  for (const [key, schema] of Object.entries(FLAG_VALUES)) {
    const value = options[key];
    if (value === undefined || typeof value === "boolean") continue;
    values.parseValue(schema, value, flagName(key), `See \`mcctl ${command} --help\`.`);
  }
}

/** An on/off flag with its default. */
export const flag = (fallback: boolean) => z._default(z.boolean(), fallback);

export const optionalText = z.optional(values.nonEmptyText());

/** A flag's schema with the default commander also shows in --help (parsed like a given value). */
function withDefault<T extends z.ZodMiniType<unknown, string>>(schema: T, fallback: string) {
  return z.pipe(z._default(z.string(), fallback), schema);
}

/** A duration flag such as --timeout 15m, parsed into milliseconds. */
export function durationOption(name: "--timeout" | "--poll-interval", fallback: string) {
  return withDefault(name === "--poll-interval" ? values.pollInterval : values.waitTimeout, fallback);
}

export const familyOption = z.optional(FLAG_VALUES.family);
export const kmsKeyOption = z.optional(FLAG_VALUES.kmsKey);
export const taskDefinitionOption = z.optional(FLAG_VALUES.taskDefinition);
export const healthUrlOption = z.optional(FLAG_VALUES.healthUrl);
export const revisionOption = z.optional(FLAG_VALUES.to);
export const tagOption = z.optional(FLAG_VALUES.tag);
export const imageOption = z.optional(FLAG_VALUES.image);
export const sshKeyOption = z.optional(FLAG_VALUES.sshKey);
export const sshUserOption = withDefault(FLAG_VALUES.sshUser, UPGRADE_DEFAULTS.sshUser);
export const countOption = withDefault(FLAG_VALUES.count, String(RESTART_DEFAULTS.count));

/** The waits of each command, with the defaults of src/config/defaults.ts. */
export const setupWaitOptions = {
  timeout: durationOption("--timeout", SETUP_DEFAULTS.timeout),
  pollInterval: durationOption("--poll-interval", SETUP_DEFAULTS.pollInterval),
};
export const createServiceWaitOptions = {
  timeout: durationOption("--timeout", CREATE_SERVICE_DEFAULTS.timeout),
  pollInterval: durationOption("--poll-interval", CREATE_SERVICE_DEFAULTS.pollInterval),
};
export const restartWaitOptions = {
  timeout: durationOption("--timeout", RESTART_DEFAULTS.timeout),
  pollInterval: durationOption("--poll-interval", RESTART_DEFAULTS.pollInterval),
};

const MAX_PROBLEMS = 3;

/**
 * Parses a command's options with its schema; a bad flag value is a usage error (exit 2) on one line,
 * naming each bad flag (at most three) with its value cut short.
 */
export function parseOptions<T extends z.ZodMiniType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join(".");
    if (seen.has(key)) continue;
    seen.add(key);
    // Messages written before the value schemas existed already start with their flag.
    problems.push(
      key === "" || issue.message.startsWith("-") ? issue.message : `${flagName(key)} ${issue.message}`,
    );
  }
  const shown = problems.slice(0, MAX_PROBLEMS).join("; ");
  const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : "";
  throw new UsageError(`${shown}${more}`);
}

/** Flags shared by every command that ends with the restart sequence (restart, upgrade, rollback). */
export const RestartFlagsSchema = z.object({
  ...restartWaitOptions,
  healthUrl: healthUrlOption,
  checkHealth: flag(false),
  dryRun: flag(false),
});
export type RestartFlags = z.output<typeof RestartFlagsSchema>;
