import type { LogConfiguration, TaskDefinition } from "@aws-sdk/client-ecs";
import { GROUPS, VARIABLES, variableSpec } from "../domain/environment.js";
import { awslogsGroupOf } from "../domain/logs.js";
import { ES_CONTAINER, ES_VOLUME, MC_CONTAINER } from "../domain/task-definition.js";
import type { Settings } from "./settings.js";

/**
 * mcctl.json is the one description of the deployment. These functions keep it in step with what a
 * command did: the inputs a registration used, the images an upgrade put in service, the revision a
 * rollback went back to. Each returns the whole file as it must be afterwards; nothing is merged
 * behind the operator's back, and the plan shows the difference (`diffSettings`) before it is saved.
 */

/** The keys that describe what the task definition holds; a command that decides them replaces them whole. */
type DescribedKeys = "taskFamily" | "mc" | "es" | "environment" | "features" | "logs";

/** The file after a registration (or setup) from these inputs: their description replaces the old one. */
export function withInputs(file: Settings, described: Pick<Settings, DescribedKeys>): Settings {
  // The inputs decided every secret again (given, or left unset on purpose): none waits to be asked for.
  const { deleted: _deleted, ...secrets } = file.secrets ?? {};
  const { secrets: _secrets, ...rest } = file;
  return {
    ...rest,
    ...described,
    features: { ...file.features, ...described.features },
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
}

/** The file once SSM holds these secrets again: no longer listed as deleted (setup need not ask for them). */
export function withSecretsStored(file: Settings, stored: readonly string[]): Settings {
  const deleted = (file.secrets?.deleted ?? []).filter((name) => !stored.includes(name));
  if (deleted.length === (file.secrets?.deleted?.length ?? 0)) return file;
  const { deleted: _before, ...secrets } = file.secrets ?? {};
  const { secrets: _secrets, ...rest } = file;
  const after = deleted.length > 0 ? { ...secrets, deleted } : secrets;
  return Object.keys(after).length > 0 ? { ...rest, secrets: after } : rest;
}

/** "family:revision", the way mcctl.json names the revision it describes. */
export function revisionName(taskDefinition: Pick<TaskDefinition, "family" | "revision">): string {
  return `${taskDefinition.family}:${taskDefinition.revision}`;
}

export interface AdoptedRevision {
  settings: Settings;
  /** Variables of the revision that mcctl.json cannot hold (unknown to mcctl): they stay only in ECS. */
  skipped: string[];
}

/**
 * The file describing an existing revision, for a rollback: its images, resources and non-secret
 * environment (false for each variable of a configured group that it leaves unset, so no default or
 * question brings one in later). Its secrets stay where they are (SSM, or an older revision's plain text).
 */
export function adoptRevision(file: Settings, revision: TaskDefinition): AdoptedRevision {
  const containers = revision.containerDefinitions ?? [];
  const mc = containers.find((container) => container.name === MC_CONTAINER);
  const es = containers.find((container) => container.name === ES_CONTAINER);
  const values = new Map((mc?.environment ?? []).map((entry) => [entry.name ?? "", entry.value ?? ""]));
  // A secret referenced from SSM is set too, though its value is not in the revision.
  for (const secret of mc?.secrets ?? []) values.set(secret.name ?? "", "");
  const configured = new Set(
    GROUPS.filter(
      (group) =>
        !group.optional || VARIABLES.some((spec) => spec.group === group.id && values.has(spec.name)),
    ).map((group) => group.id),
  );
  const environment: Record<string, string | boolean> = {};
  for (const spec of VARIABLES) {
    if (!configured.has(spec.group)) continue;
    const value = values.get(spec.name);
    if (value === undefined) environment[spec.name] = false;
    else if (spec.isSwitch) environment[spec.name] = true;
    else if (!spec.secret) environment[spec.name] = value;
  }
  const dataPath = revision.volumes?.find((volume) => volume.name === ES_VOLUME)?.host?.sourcePath;
  const heapSize = es?.environment?.find((entry) => entry.name === "ES_HEAP_SIZE")?.value;
  const settings: Settings = {
    ...file,
    taskFamily: revision.family,
    mc: {
      ...file.mc,
      ...defined({
        image: mc?.image,
        memory: mc?.memory,
        cpu: mc?.cpu,
        hostPort: mc?.portMappings?.[0]?.hostPort,
      }),
    },
    es: {
      ...file.es,
      ...defined({ image: es?.image, memory: es?.memory, cpu: es?.cpu, dataPath, heapSize }),
    },
    environment,
    logs: loggingOf(mc?.logConfiguration, file.logs),
    features: {
      ...file.features,
      mail: configured.has("mail"),
      assets: configured.has("assets"),
      google: configured.has("google"),
    },
    taskDefinition: revisionName(revision),
  };
  const skipped = [...values.keys()].filter((name) => variableSpec(name) === undefined).sort();
  return { settings, skipped };
}

/** How a revision logs, as mcctl.json says it: the group it writes to, or the wiki's syslog. */
function loggingOf(configuration: LogConfiguration | undefined, file: Settings["logs"]): Settings["logs"] {
  const awslogs = awslogsGroupOf(configuration);
  if (awslogs) return { ...file, driver: "awslogs", group: awslogs.group };
  const { group: _group, retentionDays: _retention, ...rest } = file ?? {};
  return { ...rest, driver: "syslog" };
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export interface SettingsChange {
  /** Dotted path, e.g. "environment.METADATA_HOST" or "mc.image". */
  key: string;
  before?: unknown;
  after?: unknown;
}

/** What saving `after` over `before` changes in mcctl.json, key by key (it never holds a secret). */
export function diffSettings(before: Settings, after: Settings): SettingsChange[] {
  const left = flatten(before);
  const right = flatten(after);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  return keys
    .filter((key) => JSON.stringify(left.get(key)) !== JSON.stringify(right.get(key)))
    .map((key) => ({
      key,
      ...(left.has(key) ? { before: left.get(key) } : {}),
      ...(right.has(key) ? { after: right.get(key) } : {}),
    }));
}

function flatten(value: unknown, prefix = "", into = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (prefix) {
    into.set(prefix, value);
  }
  return into;
}

/** The deployment's database as the environment (else mcctl.json) names it. */
export function deploymentJdbcUrl(settings: Settings, env: NodeJS.ProcessEnv): string | undefined {
  const fromFile = settings.environment?.METADATA_JDBC_URL;
  return env.METADATA_JDBC_URL || (typeof fromFile === "string" ? fromFile : undefined);
}

/** The deployment's S3 bucket as the environment, else mcctl.json (or its older setup.bucket), names it. */
export function deploymentBucket(
  settings: Settings,
  env: NodeJS.ProcessEnv,
): { name: string; source: string } | undefined {
  const fromEnv = env.MC_S3_BUCKET;
  if (fromEnv) return { name: fromEnv, source: "MC_S3_BUCKET (environment)" };
  const fromFile = settings.environment?.MC_S3_BUCKET;
  if (typeof fromFile === "string")
    return { name: fromFile, source: "environment.MC_S3_BUCKET in mcctl.json" };
  const legacy = settings.setup?.bucket;
  return legacy ? { name: legacy, source: "setup.bucket in mcctl.json" } : undefined;
}

/**
 * mcctl.json after `destroy`: the ids of what is gone (the revision, the instance, its security group)
 * are forgotten, every answer stays, so that `mcctl setup` builds the deployment again from them. The
 * names of the secrets it deleted are remembered (never their values): setup asks for each again
 * instead of taking its absence for "deliberately unset".
 */
export function forgetDestroyed(
  file: Settings,
  gone: {
    instance: boolean;
    securityGroups: readonly string[];
    databases?: readonly string[];
    secrets?: readonly string[];
  },
): Settings {
  const { taskDefinition: _revision, ...kept } = file;
  const deleted = [...new Set([...(file.secrets?.deleted ?? []), ...(gone.secrets ?? [])])].sort();
  const rest = deleted.length > 0 ? { ...kept, secrets: { ...file.secrets, deleted } } : kept;
  const instance = { ...file.setup?.instance };
  if (gone.instance) delete instance.instanceId;
  if (instance.securityGroupId && gone.securityGroups.includes(instance.securityGroupId)) {
    delete instance.securityGroupId;
  }
  if (!file.setup) return rest;
  const { instance: _before, ...setup } = file.setup;
  if (setup.database?.replaced) {
    // Instances a restore replaced are forgotten once destroy deleted them; the others stay listed.
    const { replaced, ...database } = setup.database;
    const left = replaced.filter((id) => !(gone.databases ?? []).includes(id));
    setup.database = left.length > 0 ? { ...database, replaced: left } : database;
  }
  return { ...rest, setup: Object.keys(instance).length > 0 ? { ...setup, instance } : setup };
}
