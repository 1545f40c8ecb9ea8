import { chmod, readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";
import { isSecretVariable, variableSpec } from "../domain/environment.js";
import { UsageError } from "../errors.js";

const positiveInt = z.number().int().positive();

const ContainerSchema = z
  .object({
    image: z.string().min(1),
    memory: positiveInt,
    cpu: z.number().int().nonnegative(),
  })
  .partial();

const EnvironmentSchema = z.record(z.string(), z.union([z.string(), z.boolean()])).superRefine((env, ctx) => {
  for (const [name, value] of Object.entries(env)) {
    const spec = variableSpec(name);
    if (!spec) {
      ctx.addIssue({ code: "custom", path: [name], message: "is not a variable Model Catalogue reads" });
    } else if (isSecretVariable(name)) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `is a secret and must not be stored in the settings file; set the ${name} environment variable instead`,
      });
    } else if (typeof value === "boolean" && !spec.isSwitch) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: "must be a string (only on/off switches take true/false)",
      });
    } else if (typeof value === "string") {
      const problem = spec.validate(value);
      if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
    }
  }
});

/**
 * The settings file: everything mcctl asked once and will need again. Never a secret.
 * Switch variables are stored as booleans so that "no" is remembered without sending the variable.
 */
export const SettingsSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must look like eu-west-1"),
    cluster: z.string().min(1),
    service: z.string().min(1),
    taskFamily: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, "may contain only letters, digits, - and _"),
    mc: ContainerSchema.extend({ hostPort: z.number().int().min(1).max(65535) })
      .partial()
      .strict(),
    es: ContainerSchema.extend({
      dataPath: z.string().startsWith("/"),
      heapSize: z.string().regex(/^\d+[mg]$/),
    })
      .partial()
      .strict(),
    environment: EnvironmentSchema,
    /** Answers to the optional feature questions (mail, S3 assets, Google login). */
    features: z.object({ mail: z.boolean(), assets: z.boolean(), google: z.boolean() }).partial().strict(),
  })
  .partial()
  .strict();

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
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(update)) {
    const previous = merged[key];
    merged[key] =
      isPlainObject(previous) && isPlainObject(value) ? { ...previous, ...value } : (value as unknown);
  }
  return merged as Settings;
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
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
