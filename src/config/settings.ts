import { chmod, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import * as z from "zod/mini";
import { isSecretVariable, variableSpec } from "../domain/environment.js";
import { oneLine, quote, quoteName } from "../domain/formats.js";
import { UsageError } from "../errors.js";
import { DEFAULT_SETTINGS_PATH } from "./defaults.js";
import * as values from "./values.js";

export { DEFAULT_SETTINGS_PATH };

/** A settings file is a few hundred bytes; anything near this size is some other file. */
const MAX_SETTINGS_BYTES = 1024 * 1024;

/** Names of AWS resources setup remembers (bucket, instance, subnet…): ASCII, no spaces, one line. */
const resourceName = values.nonEmptyText(1024).check(
  z.regex(/^[\x21-\x7E]+$/, {
    error: (issue) => `${values.show(issue.input)} is not an AWS resource name`,
  }),
);

const secretName = z.string().check(
  z.refine((name) => isSecretVariable(name), {
    error: (issue) => `${values.show(issue.input)} is not a secret Model Catalogue reads`,
  }),
);

const containerShape = {
  image: z.optional(values.imageReference),
  memory: z.optional(values.wholeNumber(1)),
  cpu: z.optional(values.wholeNumber(0)),
};

const flagValue = z.boolean({ error: (issue) => `must be true or false, got ${values.show(issue.input)}` });

const EnvironmentSchema = z
  .record(
    z.string(),
    z.union([z.string(), z.boolean()], {
      error: (issue) => `must be a string or true/false, got ${values.show(issue.input)}`,
    }),
  )
  .check(
    z.superRefine((env, ctx) => {
      const problem = (name: string, message: string) =>
        ctx.addIssue({ code: "custom", path: [name], message });
      for (const [name, value] of Object.entries(env)) {
        const spec = variableSpec(name);
        if (!spec) {
          problem(name, "is not a variable Model Catalogue reads");
        } else if (value === false) {
          // false: deliberately left unset (for switches: off). Allowed for secrets: it holds no secret.
        } else if (isSecretVariable(name)) {
          problem(
            name,
            `is a secret and must not be stored in the settings file; set the ${name} environment variable instead`,
          );
        } else if (value === true && !spec.isSwitch) {
          problem(name, "must be a string, or false to leave it unset (only on/off switches take true)");
        } else if (typeof value === "string") {
          const invalid = spec.validate(value);
          if (invalid) problem(name, invalid);
        }
      }
    }),
  );

/**
 * The settings file: everything mcctl asked once and will need again. Never a secret.
 * Switch variables are stored as booleans so that "no" is remembered without sending the variable.
 */
export const SettingsSchema = z.strictObject({
  /**
   * Written by a command run with --sandbox: the file describes the sandbox account, and a command without
   * --sandbox refuses it (src/config/sandbox-mode.ts).
   */
  sandbox: z.optional(z.literal(true)),
  region: z.optional(values.region),
  cluster: z.optional(values.clusterName),
  service: z.optional(values.serviceName),
  taskFamily: z.optional(values.family),
  /**
   * The revision this file describes ("family:revision"): the one mcctl last registered from it or put in
   * service. Secrets are taken from it, and a registration compares with it.
   */
  taskDefinition: z.optional(values.familyRevision),
  mc: z.optional(
    z.strictObject({
      ...containerShape,
      hostPort: z.optional(values.port),
    }),
  ),
  es: z.optional(
    z.strictObject({
      ...containerShape,
      dataPath: z.optional(values.absolutePath),
      heapSize: z.optional(values.heapSize),
    }),
  ),
  environment: z.optional(EnvironmentSchema),
  /** Answers to the optional feature questions (mail, S3 assets, Google login). */
  features: z.optional(
    z.strictObject({
      mail: z.optional(flagValue),
      assets: z.optional(flagValue),
      google: z.optional(flagValue),
      /** Whether the advanced questions (JVM, search batching, welcome texts) were wanted. */
      advanced: z.optional(flagValue),
    }),
  ),
  /** Where the containers' output goes: CloudWatch Logs (default) or the wiki's syslog / json-file. */
  logs: z.optional(
    z.strictObject({
      driver: z.optional(
        z.enum(["awslogs", "syslog"], {
          error: (issue) => `must be "awslogs" or "syslog", got ${values.show(issue.input)}`,
        }),
      ),
      /** Default /ecs/<family>. */
      group: z.optional(values.logGroup),
      /** Default 30. */
      retentionDays: z.optional(values.logRetention),
    }),
  ),
  /** Where the secrets live (never their values): SSM path, customer KMS key, execution role. */
  secrets: z.optional(
    z.strictObject({
      /** Default /mcctl/<family>. */
      path: z.optional(values.secretPath),
      /** A customer KMS key ARN or id; the AWS-managed key (alias/aws/ssm) when absent. */
      kmsKey: z.optional(values.kmsKey),
      /** An execution role to use as it is, instead of the one mcctl creates and keeps up to date. */
      executionRole: z.optional(values.roleName),
      /**
       * The secrets whose parameters `destroy` deleted (names only): the next registration asks for each
       * again, or lists it as missing, rather than leaving it unset.
       */
      deleted: z.optional(z.array(secretName)),
    }),
  ),
  /** Answers of `mcctl setup`, so that a re-run finds (and never duplicates) what it created. */
  setup: z.optional(
    z.strictObject({
      /** Older files named the bucket here; it is environment.MC_S3_BUCKET now (read, never written). */
      bucket: z.optional(resourceName),
      database: z.optional(
        z.strictObject({
          identifier: z.optional(resourceName),
          /** false: the instance already existed; setup never creates or changes it. */
          create: z.optional(flagValue),
          instanceClass: z.optional(resourceName),
          engineVersion: z.optional(resourceName),
          storageGiB: z.optional(values.wholeNumber(20, 65536)),
          masterUsername: z.optional(resourceName),
          databaseName: z.optional(resourceName),
          /**
           * Instances a restore replaced: kept (they hold the data written before the restore) until
           * `destroy` or `restore --delete-old` deletes them, never silently.
           */
          replaced: z.optional(z.array(resourceName)),
        }),
      ),
      instance: z.optional(
        z.strictObject({
          type: z.optional(resourceName),
          /** A key pair name, or false for none (no SSH). */
          keyPair: z.optional(
            z.union([values.nonEmptyText(255), z.literal(false)], {
              error: (issue) => `must be a key pair name or false, got ${values.show(issue.input)}`,
            }),
          ),
          instanceProfile: z.optional(resourceName),
          subnetId: z.optional(resourceName),
          securityGroupId: z.optional(resourceName),
          instanceId: z.optional(resourceName),
        }),
      ),
    }),
  ),
});

export type Settings = z.infer<typeof SettingsSchema>;

export interface LoadedSettings {
  path: string;
  exists: boolean;
  settings: Settings;
}

/**
 * Reads and validates the settings file. A missing file is a first run, but a file the operator named
 * (`explicit`) in a directory that does not exist is a mistyped path: ignoring it would quietly use
 * other values, and saving the answers would fail at the end.
 */
export async function loadSettings(
  path: string,
  options: { explicit?: boolean } = {},
): Promise<LoadedSettings> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      if (options.explicit && !(await exists(dirname(path)))) {
        throw new UsageError(`settings file ${showPath(path)} (--config): its directory does not exist`, {
          suggestion: "Check the path given to --config.",
        });
      }
      return { path, exists: false, settings: {} };
    }
    throw new UsageError(
      `cannot read settings file ${showPath(path)}: ${oneLine((error as Error).message)}`,
      {
        suggestion: "Check the path given to --config and its permissions.",
      },
    );
  }
  if (text.length > MAX_SETTINGS_BYTES) {
    throw new UsageError(
      `settings file ${showPath(path)} is ${text.length} characters long; it cannot be one`,
      {
        suggestion: "Check the path given to --config.",
      },
    );
  }
  return { path, exists: true, settings: parseSettings(text, path) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * For the commands that never create the settings file: a --config naming a file that does not exist
 * is a mistyped path, not a first run.
 */
export async function requireSettingsFile(path: string): Promise<void> {
  if (await exists(path)) return;
  throw new UsageError(`settings file ${showPath(path)} (--config) does not exist`, {
    suggestion: "Check the path given to --config; only setup and register-task create the file.",
  });
}

export function parseSettings(text: string, path: string): Settings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${showPath(path)} is not valid JSON: ${oneLine((error as Error).message)}`, {
      suggestion: `Fix the file or move it away to start over.`,
    });
  }
  const parsed = SettingsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new UsageError(`${showPath(path)}: ${describeIssues(parsed.error.issues)}`, {
      suggestion: "Correct the named keys (see README: The settings file).",
    });
  }
  return parsed.data;
}

const MAX_PROBLEMS = 3;

/** The problems on one line, the first three of them, each naming its key. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const problems = issues.map((issue) => {
    const key = issue.path.map((segment) => quoteName(String(segment))).join(".");
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys.slice(0, MAX_PROBLEMS).map(quoteName).join(", ");
      const unknown = issue.keys.length === 1 ? `unknown key ${keys}` : `unknown keys ${keys}`;
      return key === "" ? unknown : `${key} has ${unknown}`;
    }
    const message =
      issue.code === "invalid_type" && issue.message.startsWith("Invalid input")
        ? `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${values.show(issue.input)}`
        : issue.message;
    return key === "" ? message : `${key} ${message}`;
  });
  const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : "";
  return `${problems.slice(0, MAX_PROBLEMS).join("; ")}${more}`;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: "an object",
  record: "an object",
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
};

/** Paths are echoed as they are when plain, quoted and cut short otherwise. */
function showPath(path: string): string {
  return /^[\x21-\x7E]{1,120}$/.test(path) ? path : quote(path);
}

/** Deep-merges `update` into `base`; plain objects merge, everything else is replaced. */
export function mergeSettings(base: Settings, update: Settings): Settings {
  return mergeObjects(base as Record<string, unknown>, update as Record<string, unknown>) as Settings;
}

function mergeObjects(
  base: Record<string, unknown>,
  update: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(update)) {
    const previous = merged[key];
    merged[key] = isPlainObject(previous) && isPlainObject(value) ? mergeObjects(previous, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Writes atomically with mode 0600: the file names hosts, buckets and user names an operator may not
 * want other local users to read, even though secrets never reach it.
 */
export async function saveSettings(path: string, settings: Settings): Promise<void> {
  const checked = SettingsSchema.parse(settings);
  // node:crypto loads some twenty modules: only a run that saves pays for them.
  const { randomUUID } = await import("node:crypto");
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
