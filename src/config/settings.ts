import { randomUUID } from "node:crypto";
import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import * as z from "zod/mini";
import { isSecretVariable, variableSpec } from "../domain/environment.js";
import { UsageError } from "../errors.js";
import "../zod-messages.js";

const positiveInt = z.int().check(z.positive());
const nonEmpty = z.string().check(z.minLength(1));

const containerShape = {
  image: z.optional(nonEmpty),
  memory: z.optional(positiveInt),
  cpu: z.optional(z.int().check(z.nonnegative())),
};

const EnvironmentSchema = z.record(z.string(), z.union([z.string(), z.boolean()])).check(
  z.superRefine((env, ctx) => {
    const problem = (name: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [name], message, input: env[name] });
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
  region: z.optional(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must look like eu-west-1"))),
  cluster: z.optional(nonEmpty),
  service: z.optional(nonEmpty),
  taskFamily: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, "may contain only letters, digits, - and _")),
  ),
  /**
   * The revision this file describes ("family:revision"): the one mcctl last registered from it or put in
   * service. Secrets are taken from it, and a registration compares with it.
   */
  taskDefinition: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{1,255}:\d+$/, "must look like model-catalogue:3")),
  ),
  mc: z.optional(
    z.strictObject({
      ...containerShape,
      hostPort: z.optional(z.int().check(z.minimum(1), z.maximum(65535))),
    }),
  ),
  es: z.optional(
    z.strictObject({
      ...containerShape,
      dataPath: z.optional(z.string().check(z.startsWith("/"))),
      heapSize: z.optional(z.string().check(z.regex(/^\d+[mg]$/, "must look like 2g or 1536m"))),
    }),
  ),
  environment: z.optional(EnvironmentSchema),
  /** Answers to the optional feature questions (mail, S3 assets, Google login). */
  features: z.optional(
    z.strictObject({
      mail: z.optional(z.boolean()),
      assets: z.optional(z.boolean()),
      google: z.optional(z.boolean()),
      /** Whether the advanced questions (JVM, search batching, welcome texts) were wanted. */
      advanced: z.optional(z.boolean()),
    }),
  ),
  /** Answers of `mcctl setup`, so that a re-run finds (and never duplicates) what it created. */
  setup: z.optional(
    z.strictObject({
      /** Older files named the bucket here; it is environment.MC_S3_BUCKET now (read, never written). */
      bucket: z.optional(nonEmpty),
      database: z.optional(
        z.strictObject({
          identifier: z.optional(nonEmpty),
          /** false: the instance already existed; setup never creates or changes it. */
          create: z.optional(z.boolean()),
          instanceClass: z.optional(nonEmpty),
          engineVersion: z.optional(nonEmpty),
          storageGiB: z.optional(z.int().check(z.minimum(20), z.maximum(65536))),
          masterUsername: z.optional(nonEmpty),
          databaseName: z.optional(nonEmpty),
        }),
      ),
      instance: z.optional(
        z.strictObject({
          type: z.optional(nonEmpty),
          /** A key pair name, or false for none (no SSH). */
          keyPair: z.optional(z.union([nonEmpty, z.literal(false)])),
          instanceProfile: z.optional(nonEmpty),
          subnetId: z.optional(nonEmpty),
          securityGroupId: z.optional(nonEmpty),
          instanceId: z.optional(nonEmpty),
        }),
      ),
    }),
  ),
});

export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS_PATH = "mcctl.json";

export interface LoadedSettings {
  path: string;
  exists: boolean;
  settings: Settings;
}

export async function loadSettings(path: string): Promise<LoadedSettings> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { path, exists: false, settings: {} };
    throw new UsageError(`cannot read settings file ${path}: ${(error as Error).message}`);
  }
  return { path, exists: true, settings: parseSettings(text, path) };
}

export function parseSettings(text: string, path: string): Settings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`, {
      suggestion: `Fix the file or move it away to start over.`,
    });
  }
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.map(String).join(".") || "(top level)";
      return `${key} ${issue.message}`;
    });
    throw new UsageError(`${path}: ${problems.join("; ")}`, {
      suggestion: "Correct the named keys (see README: The settings file).",
    });
  }
  return parsed.data;
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
  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
