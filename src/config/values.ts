/**
 * The value schemas, built once and used for flags (src/driver/options.ts), environment variables
 * (src/config/globals.ts) and the settings file (src/config/settings.ts), so that `--region`,
 * AWS_REGION and "region" in mcctl.json accept exactly the same values and say so the same way.
 *
 * Every message names the value cut short (quote) and reads after the name of where it came from:
 * `--region "eu west 1" is not an AWS region like eu-west-1`.
 */

import { en } from "zod/locales";
import * as z from "zod/mini";
import {
  AWS_REGION_PATTERN,
  controlCharacterProblem,
  ECS_NAME_PATTERN,
  FAMILY_REVISION_PATTERN,
  MAX_ECS_NAME_LENGTH,
  MAX_VALUE_LENGTH,
  quote,
  REVISION_NUMBER_PATTERN,
  SSH_USER_PATTERN,
  TASK_DEFINITION_ARN_PATTERN,
} from "../domain/formats.js";
import { isValidTag, validateImageReference } from "../domain/images.js";
import { LOG_RETENTION_DAYS, validateLogGroup } from "../domain/logs.js";
import { validateSecretPath } from "../domain/secrets.js";
import { parseDuration } from "../durations.js";
import { UsageError } from "../errors.js";

// mcctl validates with zod/mini rather than zod: the full build alone would double its start-up time.
// zod/mini ships without messages: the English ones are configured here, once, where the schemas of every
// value a person gives are built (flags, the environment and mcctl.json all parse through this module).
z.config(en());

/** How a value of any type is shown in a message: strings quoted and cut short. */
export function show(input: unknown): string {
  if (typeof input === "string") return quote(input);
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "an object";
  return String(input);
}

const typeError = (expected: string) => (issue: { input: unknown }) =>
  `must be ${expected}, got ${show(issue.input)}`;

/**
 * Any string mcctl accepts: on one line and at most `maxLength` characters. These checks come first
 * and stop the parse, so that a pattern never runs over 100 KB of input.
 */
export function text(maxLength = MAX_VALUE_LENGTH) {
  return z.string({ error: typeError("a string") }).check(
    z.superRefine((value, ctx) => {
      const problem = controlCharacterProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem, input: value, continue: false });
      else if (value.length > maxLength) {
        ctx.addIssue({
          code: "custom",
          message: `is ${value.length} characters long; at most ${maxLength} are accepted`,
          input: value,
          continue: false,
        });
      }
    }),
  );
}

/** A one-line string with at least one character. */
export function nonEmptyText(maxLength = MAX_VALUE_LENGTH) {
  return text(maxLength).check(z.minLength(1, { error: "is empty", abort: true }));
}

/** A string that must match `pattern`; `describe` says what it should have been. */
function matching(pattern: RegExp, describe: string, maxLength = MAX_VALUE_LENGTH) {
  return nonEmptyText(maxLength).check(
    z.regex(pattern, { error: (issue) => `${show(issue.input)} is not ${describe}` }),
  );
}

export const region = matching(AWS_REGION_PATTERN, "an AWS region like eu-west-1", 64);

/** ECS cluster and service names. */
export function ecsName(what: string) {
  return nonEmptyText(1024).check(
    z.superRefine((value, ctx) => {
      if (ECS_NAME_PATTERN.test(value)) return;
      const message =
        value.length > MAX_ECS_NAME_LENGTH
          ? `is ${value.length} characters long; an ECS ${what} name has at most ${MAX_ECS_NAME_LENGTH}`
          : `${quote(value)} is not an ECS ${what} name: letters, digits, hyphens and underscores only`;
      ctx.addIssue({ code: "custom", message, input: value });
    }),
  );
}

export const clusterName = ecsName("cluster");
export const serviceName = ecsName("service");
export const family = ecsName("task definition family");

/** One revision of a family: model-catalogue:3. */
export const familyRevision = nonEmptyText(1024).check(
  z.refine((value) => FAMILY_REVISION_PATTERN.test(value) && value.includes(":"), {
    error: (issue) => `${show(issue.input)} is not a task definition revision like model-catalogue:3`,
  }),
);

/** What ECS accepts to name a task definition: family (its latest ACTIVE revision), family:revision or an ARN. */
export const taskDefinitionReference = nonEmptyText(1024).check(
  z.refine((value) => FAMILY_REVISION_PATTERN.test(value) || TASK_DEFINITION_ARN_PATTERN.test(value), {
    error: (issue) =>
      `${show(issue.input)} is not a task definition: give FAMILY, FAMILY:REVISION or a task definition ARN`,
  }),
);

/** A revision to go back to: its number in the service's family, family:revision or an ARN. */
export const revisionReference = nonEmptyText(1024).check(
  z.refine(
    (value) =>
      REVISION_NUMBER_PATTERN.test(value) ||
      (FAMILY_REVISION_PATTERN.test(value) && value.includes(":")) ||
      TASK_DEFINITION_ARN_PATTERN.test(value),
    {
      error: (issue) =>
        `${show(issue.input)} is not a revision: give a number, FAMILY:REVISION or a task definition ARN`,
    },
  ),
);

/** A CloudWatch Logs group name: /ecs/model-catalogue. */
export const logGroup = nonEmptyText(512).check(
  z.superRefine((value, ctx) => {
    const problem = validateLogGroup(value);
    if (problem) ctx.addIssue({ code: "custom", message: `${show(value)} ${problem}`, input: value });
  }),
);

/** A retention CloudWatch Logs offers, in days. */
export const logRetention = z.number().check(
  z.refine((value) => (LOG_RETENTION_DAYS as readonly number[]).includes(value), {
    error: (issue) =>
      `${show(issue.input)} is not a retention CloudWatch Logs offers (${LOG_RETENTION_DAYS.join(", ")} days)`,
  }),
);

/** An SSM Parameter Store path for mcctl's secrets: /mcctl/model-catalogue. */
export const secretPath = nonEmptyText(1024).check(
  z.superRefine((value, ctx) => {
    const problem = validateSecretPath(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  }),
);

/** A KMS key ARN or key id (an alias cannot be named in the execution role's policy). */
export const kmsKey = matching(
  /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+|(mrk-)?[A-Za-z0-9-]{32,36})$/,
  "a KMS key ARN or key id (an alias cannot be used: the execution role's policy must name the key)",
  2048,
);

/** An IAM role name: letters, digits and +=,.@_- up to 64 characters. */
export const roleName = matching(/^[\w+=,.@-]{1,64}$/, "an IAM role name", 128);

/** An http(s) URL with a host and without credentials (they would be echoed and logged). */
export const httpUrl = nonEmptyText(2048).check(
  z.superRefine((value, ctx) => {
    const problem = httpUrlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  }),
);

function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${quote(value)} is not a URL like https://host:port/`;
  }
  if (url.username !== "" || url.password !== "") {
    return "contains a user name or password; give the URL without them";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `${quote(value)} is not an http:// or https:// URL`;
  }
  if (url.hostname === "") return `${quote(value)} has no host name`;
  return undefined;
}

/** A duration such as 90s, 15m, 1h30m or 200ms (a bare number is seconds), parsed into milliseconds. */
export function duration(bounds: { minMs: number; maxMs: number }) {
  return z.pipe(
    nonEmptyText(64),
    z.transform((value: string, ctx) => {
      const ms = parseDuration(value);
      const problem =
        ms === undefined
          ? `${quote(value)} is not a duration like 90s, 15m or 1h`
          : ms < bounds.minMs
            ? `${quote(value)} is too short: at least ${formatMs(bounds.minMs)}`
            : ms > bounds.maxMs
              ? `${quote(value)} is too long: at most ${formatMs(bounds.maxMs)}`
              : undefined;
      if (problem === undefined) return ms as number;
      ctx.issues.push({ code: "custom", message: problem, input: value });
      return z.NEVER;
    }),
  );
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The bounds of a wait: below a second nothing can finish; above a day setTimeout overflows soon. */
export const waitTimeout = duration({ minMs: 1000, maxMs: 24 * 3_600_000 });
/** How often to look: fast enough for tests and benchmarks, never a busy loop against the AWS API. */
export const pollInterval = duration({ minMs: 100, maxMs: 10 * 60_000 });

/** A whole number written as text (a flag, an environment variable), parsed. */
export function wholeNumberText(min: number, max: number) {
  return z.pipe(
    nonEmptyText(32),
    z.transform((value: string, ctx) => {
      const number = Number(value);
      if (/^\d+$/.test(value) && number >= min && number <= max) return number;
      ctx.issues.push({
        code: "custom",
        message: `${quote(value)} is not a whole number from ${min} to ${max}`,
        input: value,
      });
      return z.NEVER;
    }),
  );
}

/** A whole number in a JSON file. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
  const error = (issue: { input: unknown }) => `must be a whole number ${range}, got ${show(issue.input)}`;
  return z.int({ error }).check(z.minimum(min, { error }), z.maximum(max, { error }));
}

export const desiredCount = wholeNumberText(1, 1000);
/** How many times the SDK tries a call: more than 20 only stretches an outage into minutes per call. */
export const maxAttempts = wholeNumberText(1, 20);
/** MCCTL_AWS_*_TIMEOUT: one connection, one attempt or one call with its retries. */
export const awsTimeout = duration({ minMs: 1, maxMs: 3_600_000 });
export const retryMode = nonEmptyText(64).check(
  z.refine((value) => value === "standard" || value === "adaptive", {
    error: (issue) => `${show(issue.input)} is not a retry mode: use standard or adaptive`,
  }),
);

export const dockerTag = nonEmptyText(128).check(
  z.refine(isValidTag, {
    error: (issue) =>
      `${show(issue.input)} is not a Docker tag: up to 128 letters, digits, "_", "." and "-", e.g. 2.0.0-beta-11`,
  }),
);

export const imageReference = nonEmptyText(1024).check(
  z.superRefine((value, ctx) => {
    const problem = validateImageReference(value);
    if (problem) ctx.addIssue({ code: "custom", message: `is not a usable image: ${problem}` });
  }),
);

export const sshUser = matching(SSH_USER_PATTERN, "a user name like ec2-user", 64);

/** A file on this machine (settings file, ssh key). */
export const filePath = nonEmptyText(4096);
export const absolutePath = nonEmptyText(4096).check(
  z.startsWith("/", { error: (issue) => `${show(issue.input)} is not an absolute path (starting with /)` }),
);

/** An AWS shared-config profile: looked up by the SDK, which says when it does not exist. */
export const profileName = nonEmptyText(255);

export const heapSize = matching(/^[1-9]\d{0,6}[mg]$/, "a heap size like 2g or 1536m", 16);

export const port = wholeNumber(1, 65535);

/**
 * Parses `value` with `schema`; when it does not fit, a usage error whose one line starts with `label`
 * (the flag, variable or key it came from) and whose suggestion says what to do.
 */
export function parseValue<T extends z.ZodMiniType>(
  schema: T,
  value: unknown,
  label: string,
  suggestion?: string,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UsageError(`${label} ${parsed.error.issues[0]?.message ?? "is not valid"}`, {
    ...(suggestion ? { suggestion } : {}),
  });
}
