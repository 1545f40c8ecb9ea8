import type { IamApi } from "../aws/iam.js";
import type { SsmApi } from "../aws/ssm.js";
import {
  AWS_MANAGED_KEY,
  ECS_TASKS_TRUST_POLICY,
  EXECUTION_ROLE_POLICY_NAME,
  STORED_IN_SSM,
} from "../domain/secrets.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { McctlError } from "../errors.js";
import type { PlannedSecret, SecretStorePlan } from "../plan/secrets.js";
import type { Reporter } from "./reporter.js";

export interface WrittenSecret {
  variable: string;
  parameter: string;
  action: PlannedSecret["action"];
  /** The version before (undefined for a new parameter) and the one SSM gave it now. */
  before?: number | undefined;
  after: number;
}

/** Tags of every parameter and role mcctl creates. */
export const SECRET_TAGS: Readonly<Record<string, string>> = MCCTL_TAGS;

/**
 * Carries out a confirmed secret store plan: the execution role first (created, given the managed
 * execution policy and read access to exactly the path), then each new or changed SecureString. Runs
 * before the task definition that references them is registered, so that no revision ever names a
 * parameter or role that does not exist. Asks nothing.
 */
export async function applySecretStore(
  aws: { ssm: SsmApi; iam: IamApi },
  reporter: Reporter,
  plan: SecretStorePlan,
): Promise<WrittenSecret[]> {
  await ensureExecutionRole(aws.iam, reporter, plan.role);
  const written: WrittenSecret[] = [];
  for (const secret of plan.secrets) {
    const value = plan.values.get(secret.variable);
    if (value === undefined || secret.action === "keep") continue;
    if (value === STORED_IN_SSM) throw new Error(`refusing to write the placeholder of ${secret.variable}`);
    const after = await aws.ssm.putSecureString({
      name: secret.parameter,
      value,
      // Named even for the AWS-managed key, so that moving back from a customer key re-encrypts.
      keyId: plan.store.kmsKeyArn ?? AWS_MANAGED_KEY,
      overwrite: secret.action === "update" || secret.action === "rekey",
      tags: { ...SECRET_TAGS },
      description: `Model Catalogue ${secret.variable}, written by mcctl`,
    });
    written.push({
      variable: secret.variable,
      parameter: secret.parameter,
      action: secret.action,
      before: secret.version,
      after,
    });
    reporter.success(
      secret.action === "update"
        ? `Replaced ${secret.variable} in SSM (${secret.parameter}, version ${secret.version} → ${after})`
        : secret.action === "rekey"
          ? `Re-encrypted ${secret.variable} with ${plan.store.kmsKeyArn ?? AWS_MANAGED_KEY} (${secret.parameter}, version ${secret.version} → ${after})`
          : `Stored ${secret.variable} in SSM as a SecureString (${secret.parameter}, version ${after})`,
    );
  }
  return written;
}

async function ensureExecutionRole(iam: IamApi, reporter: Reporter, role: SecretStorePlan["role"]) {
  if (!role.managed) return;
  if (role.create) {
    await iam.createRole({
      name: role.name,
      trustPolicy: ECS_TASKS_TRUST_POLICY,
      description: "Lets ECS read Model Catalogue's secrets from SSM Parameter Store (made by mcctl)",
      tags: { ...SECRET_TAGS },
    });
    reporter.success(`Created IAM role ${role.name} (ECS task execution)`);
  }
  if (role.attachManagedPolicy) {
    await iam.attachPolicy(role.name, role.managedPolicyArn);
    reporter.success(`Attached ${role.managedPolicyArn.split("/").pop()} to ${role.name}`);
  }
  if (role.putPolicy) {
    await iam.putInlinePolicy(role.name, EXECUTION_ROLE_POLICY_NAME, role.policy);
    reporter.success(`Allowed ${role.name} to read ${describeResources(role.policy)}`);
  }
}

function describeResources(policy: SecretStorePlan["role"]["policy"]): string {
  const resources = policy.Statement.flatMap((statement) =>
    statement.Resource === undefined
      ? []
      : Array.isArray(statement.Resource)
        ? statement.Resource
        : [statement.Resource],
  );
  if (resources.length === 0) throw new McctlError("the execution role's policy names no resource");
  return resources.join(" and ");
}
