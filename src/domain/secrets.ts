/**
 * Where Model Catalogue's secrets live: SSM Parameter Store SecureStrings under one path per deployment,
 * referenced from the task definition (`secrets`/`valueFrom`) and read at task start by an execution role
 * that may read exactly that path. Pure: names, ARNs and policy documents, never a value.
 */
import type { ContainerDefinition, TaskDefinition } from "@aws-sdk/client-ecs";
import { isSecretVariable, VARIABLES } from "./environment.js";
import { quote } from "./formats.js";
import type { SecretWiring } from "./task-definition.js";

/** The secret variables Model Catalogue reads, in the order they are listed. */
export const SECRET_VARIABLES: readonly string[] = VARIABLES.filter((spec) => spec.secret).map(
  (spec) => spec.name,
);

/** Secrets a deployment may do without: only these may be removed (`mcctl secrets rm`). */
export const OPTIONAL_SECRETS: readonly string[] = VARIABLES.filter(
  (spec) => spec.secret && !spec.required,
).map((spec) => spec.name);

/**
 * Stands for "the value SSM holds" among the resolved variables, so that the rules see the secret as set
 * without mcctl reading it. A NUL can never be in a real value (every value is checked for one), so this
 * can never be mistaken for, or written as, a secret.
 */
export const STORED_IN_SSM = "\u0000stored in SSM\u0000";

/** The key SSM encrypts a SecureString with when none is named. */
export const AWS_MANAGED_KEY = "alias/aws/ssm";

/** ECS agents before this version cannot fetch `secrets` from Parameter Store on the EC2 launch type. */
export const MIN_SECRETS_AGENT_VERSION = "1.22.0";

export const EXECUTION_ROLE_POLICY_NAME = "mcctl-read-secrets";
export const ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";
const MAX_ROLE_NAME_LENGTH = 64;
/** SSM's limit on a parameter's whole name; the path leaves room for the longest variable name. */
const MAX_PATH_LENGTH = 1011 - Math.max(...SECRET_VARIABLES.map((name) => name.length)) - 1;

/** Where the parameters live and what protects them: the parts of an ARN, the path and the key. */
export interface SecretStore {
  partition: string;
  region: string;
  account: string;
  /** "/mcctl/model-catalogue": no trailing slash. */
  path: string;
  /** A customer KMS key's ARN; undefined for the AWS-managed key (alias/aws/ssm). */
  kmsKeyArn?: string | undefined;
}

export function defaultSecretPath(family: string): string {
  return `/mcctl/${family}`;
}

/** Undefined when SSM accepts the path for mcctl's parameters, otherwise what is wrong with it. */
export function validateSecretPath(path: string): string | undefined {
  if (!path.startsWith("/")) return `parameter path ${quote(path)} must start with "/"`;
  if (path.length > 1 && path.endsWith("/")) return `parameter path ${quote(path)} must not end with "/"`;
  if (path.length > MAX_PATH_LENGTH)
    return `parameter path is ${path.length} characters long; at most ${MAX_PATH_LENGTH}`;
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(path)) {
    return `parameter path ${quote(path)} may only hold letters, digits, _ . - between single slashes`;
  }
  if (/^\/(aws|ssm)/i.test(path)) return `parameter path ${quote(path)} is reserved by AWS (/aws, /ssm)`;
  return undefined;
}

export function parameterName(store: Pick<SecretStore, "path">, variable: string): string {
  return `${store.path}/${variable}`;
}

/** The wiring a task definition gets before any role or parameter exists (offline dry runs). */
export function placeholderWiring(
  family: string,
  settings: { path?: string | undefined; executionRole?: string | undefined } | undefined,
  region = "<region>",
): SecretWiring {
  const store: SecretStore = {
    partition: "aws",
    region,
    account: "<account>",
    path: settings?.path ?? defaultSecretPath(family),
  };
  return {
    executionRoleArn: roleArn(store, settings?.executionRole ?? defaultExecutionRoleName(family)),
    valueFrom: (variable) => parameterArn(store, variable),
  };
}

/** The parameter's ARN, as a task definition's `valueFrom` names it. */
export function parameterArn(store: SecretStore, variable: string): string {
  return `arn:${store.partition}:ssm:${store.region}:${store.account}:parameter${parameterName(store, variable)}`;
}

/** "arn:aws-cn:sts::…" → "aws-cn"; the ARNs mcctl builds must be in the caller's partition. */
export function partitionOf(arn: string): string {
  return /^arn:(aws[a-z-]*):/.exec(arn)?.[1] ?? "aws";
}

/**
 * A customer key as the execution role's policy must name it: its ARN. A bare key id is completed in the
 * account and region; an alias is refused, because an IAM policy cannot grant kms:Decrypt through one.
 */
export function kmsKeyArn(
  key: string,
  where: Pick<SecretStore, "partition" | "region" | "account">,
): { arn: string } | { problem: string } {
  if (/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(key)) return { arn: key };
  if (/^(mrk-)?[A-Za-z0-9-]{32,36}$/.test(key))
    return { arn: `arn:${where.partition}:kms:${where.region}:${where.account}:key/${key}` };
  if (/^(arn:aws[a-z-]*:kms:[^:]*:\d{12}:)?alias\//.test(key)) {
    return {
      problem: `KMS key ${quote(key)} is an alias; give the key's ARN or id (the execution role's policy must name the key itself)`,
    };
  }
  return { problem: `KMS key ${quote(key)} is not a key ARN or key id` };
}

/** mcctl's execution role for a family: "mcctl-model-catalogue-execution", shortened to IAM's 64 characters. */
export function defaultExecutionRoleName(family: string): string {
  const name = `mcctl-${family}-execution`;
  if (name.length <= MAX_ROLE_NAME_LENGTH) return name;
  const suffix = `-${shortHash(family)}-execution`;
  return `mcctl-${family.slice(0, MAX_ROLE_NAME_LENGTH - "mcctl-".length - suffix.length)}${suffix}`;
}

export function roleArn(where: Pick<SecretStore, "partition" | "account">, name: string): string {
  return `arn:${where.partition}:iam::${where.account}:role/${name}`;
}

export function taskExecutionManagedPolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`;
}

export interface PolicyDocument {
  Version: string;
  Statement: Array<{
    Sid?: string;
    Effect: string;
    Principal?: unknown;
    Action: string | string[];
    Resource?: string | string[];
  }>;
}

/** Lets ECS tasks (their agent) assume the role. */
export const ECS_TASKS_TRUST_POLICY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: ECS_TASKS_SERVICE }, Action: "sts:AssumeRole" }],
};

/** Reading exactly this deployment's parameters, and decrypting with its customer key when it has one. */
export function executionRolePolicy(store: SecretStore): PolicyDocument {
  const parameters = `arn:${store.partition}:ssm:${store.region}:${store.account}:parameter${store.path}/*`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadMcctlSecrets", Effect: "Allow", Action: "ssm:GetParameters", Resource: parameters },
      ...(store.kmsKeyArn
        ? [{ Sid: "DecryptMcctlSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: store.kmsKeyArn }]
        : []),
    ],
  };
}

/** Whether a trust policy lets ECS tasks assume the role. */
export function trustsEcsTasks(policy: unknown): boolean {
  const statements = (policy as Partial<PolicyDocument> | undefined)?.Statement;
  return (Array.isArray(statements) ? statements : []).some((statement) => {
    const service = (statement.Principal as { Service?: unknown } | undefined)?.Service;
    const services = Array.isArray(service) ? service : [service];
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    return (
      statement.Effect === "Allow" &&
      services.includes(ECS_TASKS_SERVICE) &&
      actions.includes("sts:AssumeRole")
    );
  });
}

/** Policies compare by meaning, not by the order IAM happens to return keys in. */
export function samePolicy(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * Undefined when the agent version can fetch secrets; otherwise why not. An agent that reports no
 * version, or one mcctl cannot read, is "unknown": it is not refused, only named.
 */
export function agentSecretsProblem(version: string | undefined): "too-old" | "unknown" | undefined {
  const parsed = parseVersion(version);
  if (!parsed) return "unknown";
  const minimum = parseVersion(MIN_SECRETS_AGENT_VERSION) as number[];
  for (let index = 0; index < 3; index++) {
    const [have, need] = [parsed[index] as number, minimum[index] as number];
    if (have !== need) return have > need ? undefined : "too-old";
  }
  return undefined;
}

/** How a task definition's `mc` container receives each secret variable. */
export type SecretDelivery = { kind: "plain" } | { kind: "reference"; valueFrom: string };

/**
 * The secret variables of a revision and how each is delivered: plain text in `environment` (what
 * mcctl did before secrets moved to SSM) or a `secrets` reference. Never the value itself.
 */
export function secretDeliveries(
  taskDefinition: Pick<TaskDefinition, "containerDefinitions"> | undefined,
): Map<string, SecretDelivery> {
  const deliveries = new Map<string, SecretDelivery>();
  for (const container of taskDefinition?.containerDefinitions ?? []) {
    for (const entry of container.environment ?? []) {
      if (entry.name && entry.value !== undefined && isSecretVariable(entry.name))
        deliveries.set(entry.name, { kind: "plain" });
    }
    for (const secret of container.secrets ?? []) {
      if (secret.name && secret.valueFrom)
        deliveries.set(secret.name, { kind: "reference", valueFrom: secret.valueFrom });
    }
  }
  return deliveries;
}

/** Names of the secret variables a revision holds in plain text, in any container. */
export function plainTextSecrets(taskDefinition: Pick<TaskDefinition, "containerDefinitions">): string[] {
  return [...secretDeliveries(taskDefinition)]
    .filter(([, delivery]) => delivery.kind === "plain")
    .map(([name]) => name)
    .sort();
}

/** The plain values of a revision's secret variables: the source of a migration to SSM. Never shown. */
export function plainSecretValues(
  taskDefinition: Pick<TaskDefinition, "containerDefinitions"> | undefined,
  container: string,
): Record<string, string> {
  const definition: ContainerDefinition | undefined = taskDefinition?.containerDefinitions?.find(
    (candidate) => candidate.name === container,
  );
  const values: Record<string, string> = {};
  for (const entry of definition?.environment ?? []) {
    if (entry.name && entry.value && isSecretVariable(entry.name)) values[entry.name] = entry.value;
  }
  return values;
}

/**
 * A revision's input with the named secrets of one container moved from plain `environment` values to
 * `secrets` references, and the execution role that reads them. Everything else is kept as it was.
 */
export function withSecretReferences<
  T extends {
    containerDefinitions?: ContainerDefinition[] | undefined;
    executionRoleArn?: string | undefined;
  },
>(input: T, container: string, names: readonly string[], wiring: SecretWiring): T {
  if (names.length === 0) return input;
  const moved = new Set(names);
  return {
    ...input,
    executionRoleArn: wiring.executionRoleArn,
    containerDefinitions: (input.containerDefinitions ?? []).map((definition) => {
      if (definition.name !== container) return definition;
      const environment = (definition.environment ?? []).filter((entry) => !moved.has(entry.name ?? ""));
      const kept = (definition.secrets ?? []).filter((secret) => !moved.has(secret.name ?? ""));
      const secrets = [...kept, ...names.map((name) => ({ name, valueFrom: wiring.valueFrom(name) }))].sort(
        (a, b) => ((a.name ?? "") < (b.name ?? "") ? -1 : 1),
      );
      const { environment: _old, ...rest } = definition;
      return { ...rest, ...(environment.length > 0 ? { environment } : {}), secrets };
    }),
  };
}

function parseVersion(version: string | undefined): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version ?? "");
  return match ? match.slice(1, 4).map(Number) : undefined;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/** Eight hex digits of FNV-1a: enough to keep two long family names' role names apart. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (const char of text) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
