/**
 * The read-only half of storing secrets: where they go (path, key, execution role), which exist in SSM
 * already (names and versions), which a registration creates, replaces or moves out of plain text, and
 * whether the container instances' agents can fetch them. Nothing here changes AWS.
 */

import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { awsErrorName } from "../aws/errors.js";
import type { IamApi } from "../aws/iam.js";
import type { SsmApi, StoredParameter } from "../aws/ssm.js";
import type { Settings } from "../config/settings.js";
import {
  AWS_MANAGED_KEY,
  agentSecretsProblem,
  defaultExecutionRoleName,
  defaultSecretPath,
  EXECUTION_ROLE_POLICY_NAME,
  executionRolePolicy,
  kmsKeyArn,
  MIN_SECRETS_AGENT_VERSION,
  type PolicyDocument,
  parameterArn,
  parameterName,
  partitionOf,
  plainSecretValues,
  roleArn,
  SECRET_VARIABLES,
  type SecretStore,
  STORED_IN_SSM,
  samePolicy,
  taskExecutionManagedPolicyArn,
  trustsEcsTasks,
} from "../domain/secrets.js";
import { taggedByMcctl } from "../domain/tags.js";
import { MC_CONTAINER, type SecretWiring } from "../domain/task-definition.js";
import { hasCause, McctlError, UsageError } from "../errors.js";
import type { Target } from "./account.js";
import { clusterInstances } from "./placement.js";

/** What a registration does with one secret variable. */
/** "rekey": the same value written again with the key the store names now (its version changes). */
export type SecretAction = "create" | "update" | "migrate" | "rekey" | "keep";

export interface PlannedSecret {
  variable: string;
  parameter: string;
  action: SecretAction;
  /** The parameter's SSM version now; undefined when it does not exist yet. */
  version?: number | undefined;
  /** When SSM last changed it. */
  lastModified?: Date | undefined;
  /** Where a migrated value comes from: "model-catalogue:7". */
  from?: string | undefined;
}

export interface PlannedRole {
  name: string;
  arn: string;
  /** mcctl made it and keeps its policies right; false for a role named in mcctl.json, used as it is. */
  managed: boolean;
  create: boolean;
  attachManagedPolicy: boolean;
  putPolicy: boolean;
  policy: PolicyDocument;
  managedPolicyArn: string;
}

export interface SecretStorePlan {
  store: SecretStore;
  secrets: PlannedSecret[];
  /** Parameters under the path that the new revision no longer references (kept; `secrets rm` deletes). */
  unused: string[];
  role: PlannedRole;
  wiring: SecretWiring;
  /** The values to write, by variable. Used by the apply, never printed. */
  values: ReadonlyMap<string, string>;
  /** Said in the plan; nothing to refuse. */
  notes: string[];
}

/** Whether applying the plan writes anything: a parameter or the execution role. */
export function secretStoreChanges(plan: SecretStorePlan): boolean {
  const role = plan.role;
  return (
    plan.secrets.some((secret) => secret.action !== "keep") ||
    role.create ||
    role.attachManagedPolicy ||
    role.putPolicy
  );
}

/** The store as mcctl.json and --kms-key describe it, in the caller's account, partition and region. */
export function resolveSecretStore(
  settings: Settings,
  family: string,
  target: Target,
  kmsKeyFlag?: string | undefined,
): SecretStore {
  const where = { partition: partitionOf(target.arn), region: target.region, account: target.account };
  const key = kmsKeyFlag ?? settings.secrets?.kmsKey;
  let keyArn: string | undefined;
  if (key !== undefined) {
    const resolved = kmsKeyArn(key, where);
    if ("problem" in resolved) {
      throw new UsageError(resolved.problem, {
        suggestion: "Find the key's ARN with `aws kms describe-key --key-id alias/<name>`.",
      });
    }
    keyArn = resolved.arn;
  }
  return { ...where, path: settings.secrets?.path ?? defaultSecretPath(family), kmsKeyArn: keyArn };
}

/** mcctl's parameters under the store's path, by variable: names and versions, never values. */
export type StoredSecrets = ReadonlyMap<string, StoredParameter>;

export async function readStoredSecrets(ssm: SsmApi, store: SecretStore): Promise<StoredSecrets> {
  const stored = new Map<string, StoredParameter>();
  for (const parameter of await ssm.describePath(store.path)) {
    const variable = SECRET_VARIABLES.find((name) => parameterName(store, name) === parameter.name);
    if (variable) stored.set(variable, parameter);
  }
  return stored;
}

/**
 * What the gathering of inputs may take as already known: the secrets SSM holds (as STORED_IN_SSM) and,
 * for a deployment not yet moved, the plain values of the baseline revision (to be migrated).
 */
export function knownSecrets(
  stored: StoredSecrets,
  baseline: TaskDefinition | undefined,
): Record<string, string> {
  const known: Record<string, string> = { ...plainSecretValues(baseline, MC_CONTAINER) };
  for (const variable of stored.keys()) known[variable] = STORED_IN_SSM;
  return known;
}

export interface SecretStoreRequest {
  store: SecretStore;
  stored: StoredSecrets;
  /** The resolved environment of the mc container, secrets included (STORED_IN_SSM for kept ones). */
  environment: Readonly<Record<string, string>>;
  /** Secrets taken from what was known rather than typed or set in the environment. */
  kept: readonly string[];
  /** The revision plain values were taken from ("family:7"), when there were any. */
  plainFrom?: string | undefined;
  family: string;
  cluster: string;
  /** mcctl.json's execution role, used as it is. */
  executionRole?: string | undefined;
}

/**
 * Decides every secret's fate and the execution role. Reads SSM (a replaced secret's current value, to
 * tell a real change from the same value set again), IAM and the cluster's container instances.
 */
export async function planSecretStore(
  aws: { ssm: SsmApi; iam: IamApi; ecs: EcsApi },
  request: SecretStoreRequest,
): Promise<SecretStorePlan> {
  const { store, stored } = request;
  const secrets: PlannedSecret[] = [];
  const values = new Map<string, string>();
  for (const variable of SECRET_VARIABLES) {
    const value = request.environment[variable];
    if (value === undefined) continue;
    const existing = stored.get(variable);
    const base = {
      variable,
      parameter: parameterName(store, variable),
      version: existing?.version,
      lastModified: existing?.lastModified,
    };
    if (existing && existing.type !== "SecureString") {
      // SSM cannot turn it into a SecureString, and a secret must not be kept unencrypted.
      throw new McctlError(
        `${base.parameter} is a ${existing.type} parameter, not an encrypted SecureString, so mcctl will not keep ${variable} in it`,
        {
          suggestion: `Set the ${variable} environment variable, delete the parameter (aws ssm delete-parameter --name ${base.parameter}) and run the command again: mcctl stores it as a SecureString.`,
        },
      );
    }
    const rekey = existing !== undefined && !sameKey(existing.keyId, store.kmsKeyArn);
    if (value === STORED_IN_SSM) {
      if (rekey) {
        // Written with another key than the one the store names now: the role may decrypt only that one.
        values.set(variable, await readToReencrypt(aws.ssm, base.parameter));
        secrets.push({ ...base, action: "rekey" });
      } else {
        secrets.push({ ...base, action: "keep" });
      }
      continue;
    }
    if (!existing) {
      const migrated = request.kept.includes(variable);
      secrets.push({
        ...base,
        action: migrated ? "migrate" : "create",
        from: migrated ? request.plainFrom : undefined,
      });
      values.set(variable, value);
      continue;
    }
    // Setting the same value again is not a change: no new version, no restart needed.
    const same = (await readForComparison(aws.ssm, base.parameter)) === value;
    secrets.push({ ...base, action: same ? (rekey ? "rekey" : "keep") : "update" });
    if (!same || rekey) values.set(variable, value);
  }
  const unused = [...stored.keys()].filter((variable) => request.environment[variable] === undefined);
  const notes: string[] = [];
  const role = await planExecutionRole(aws.iam, store, request);
  if (!role.managed) {
    notes.push(
      `mcctl uses execution role ${role.name} as it is: it must allow ssm:GetParameters on ${parameterArn(store, "*")}${store.kmsKeyArn ? `, kms:Decrypt on ${store.kmsKeyArn}` : ""} and, for the containers' output in CloudWatch Logs, logs:CreateLogStream and logs:PutLogEvents (AmazonECSTaskExecutionRolePolicy allows both)`,
    );
  }
  if (secrets.length > 0) notes.push(...(await checkAgents(aws.ecs, request.cluster)));
  return {
    store,
    secrets,
    unused: unused.map((variable) => parameterName(store, variable)),
    role,
    wiring: { executionRoleArn: role.arn, valueFrom: (variable) => parameterArn(store, variable) },
    values,
    notes,
  };
}

/** SSM names the AWS-managed key by alias and a customer key by id or ARN: compare what they name. */
function sameKey(stored: string | undefined, wanted: string | undefined): boolean {
  const name = (key: string | undefined) => {
    const id = key ?? AWS_MANAGED_KEY;
    return id.startsWith("alias/") || id.includes(":alias/") ? id : (id.split("/").pop() ?? id);
  };
  return name(stored) === name(wanted);
}

async function readToReencrypt(ssm: SsmApi, name: string): Promise<string> {
  const value = await ssm.readSecureString(name);
  if (value === undefined) throw new McctlError(`${name} disappeared from SSM while mcctl was planning`);
  return value;
}

/** A value read only to compare it; an operator who may write but not read gets a new version. */
async function readForComparison(ssm: SsmApi, name: string): Promise<string | undefined> {
  try {
    return await ssm.readSecureString(name);
  } catch (error) {
    if (hasCause(error, (cause) => /AccessDenied/.test(awsErrorName(cause) ?? ""))) return undefined;
    throw error;
  }
}

async function planExecutionRole(
  iam: IamApi,
  store: SecretStore,
  request: Pick<SecretStoreRequest, "family" | "executionRole">,
): Promise<PlannedRole> {
  const policy = executionRolePolicy(store);
  const managedPolicyArn = taskExecutionManagedPolicyArn(store.partition);
  const name = request.executionRole ?? defaultExecutionRoleName(request.family);
  const found = await iam.findRole(name);
  const unchanged = { create: false, attachManagedPolicy: false, putPolicy: false, policy, managedPolicyArn };
  if (request.executionRole !== undefined) {
    if (!found) {
      throw new McctlError(`execution role ${name} (mcctl.json "secrets.executionRole") does not exist`, {
        suggestion: `Create it, or remove "executionRole" from mcctl.json so that mcctl creates ${defaultExecutionRoleName(request.family)}.`,
      });
    }
    requireEcsTrust(found.name, found.trustPolicy);
    return { name, arn: found.arn, managed: false, ...unchanged };
  }
  if (!found) {
    return {
      ...unchanged,
      name,
      arn: roleArn(store, name),
      managed: true,
      create: true,
      attachManagedPolicy: true,
      putPolicy: true,
    };
  }
  if (!taggedByMcctl(found.tags)) {
    throw new McctlError(`IAM role ${name} exists but mcctl did not create it, so mcctl will not change it`, {
      suggestion: `To use it as it is, add "secrets": {"executionRole": "${name}"} to mcctl.json.`,
    });
  }
  requireEcsTrust(found.name, found.trustPolicy);
  const [attached, inline] = await Promise.all([
    iam.attachedPolicyArns(name),
    iam.inlinePolicy(name, EXECUTION_ROLE_POLICY_NAME),
  ]);
  return {
    ...unchanged,
    name,
    arn: found.arn,
    managed: true,
    attachManagedPolicy: !attached.includes(managedPolicyArn),
    putPolicy: !samePolicy(inline, policy),
  };
}

function requireEcsTrust(name: string, trustPolicy: unknown): void {
  if (trustsEcsTasks(trustPolicy)) return;
  throw new McctlError(
    `IAM role ${name} does not let ECS tasks assume it, so tasks could not read their secrets`,
    {
      suggestion: `Add ecs-tasks.amazonaws.com to its trust policy: aws iam update-assume-role-policy --role-name ${name} --policy-document file://trust.json`,
    },
  );
}

/**
 * Refuses (before any change) when a container instance runs an agent too old to fetch secrets: the new
 * revision's task would fail to start there. An agent that reports no version is only named.
 */
async function checkAgents(ecs: EcsApi, cluster: string): Promise<string[]> {
  const instances = await clusterInstances(ecs, cluster);
  const label = (instance: (typeof instances)[number]) =>
    `${instance.ec2InstanceId ?? instance.containerInstanceArn?.split("/").pop() ?? "?"} (agent ${instance.versionInfo?.agentVersion ?? "unknown"})`;
  const tooOld = instances.filter(
    (instance) => agentSecretsProblem(instance.versionInfo?.agentVersion) === "too-old",
  );
  if (tooOld.length > 0) {
    const first = tooOld[0]?.containerInstanceArn?.split("/").pop() ?? "<id>";
    throw new McctlError(
      `container instance ${tooOld.map(label).join(", ")} in cluster ${cluster} runs an ECS agent older than ${MIN_SECRETS_AGENT_VERSION}, which cannot fetch secrets from SSM Parameter Store; nothing was changed`,
      {
        suggestion: `Update the agent first: aws ecs update-container-agent --cluster ${cluster} --container-instance ${first} (or replace the instance with one from the current ECS-optimized AMI), then run the command again.`,
      },
    );
  }
  return instances
    .filter((instance) => agentSecretsProblem(instance.versionInfo?.agentVersion) === "unknown")
    .map(
      (instance) =>
        `container instance ${label(instance)} reports no agent version mcctl can read; secrets need agent ${MIN_SECRETS_AGENT_VERSION} or later`,
    );
}
