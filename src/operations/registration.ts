import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import type { IamApi } from "../aws/iam.js";
import type { LogsApi } from "../aws/logs.js";
import type { SsmApi } from "../aws/ssm.js";
import type { LogGroupPlan } from "../plan/logs.js";
import type { SecretStorePlan } from "../plan/secrets.js";
import { ensureLogGroup } from "./logs.js";
import type { Reporter } from "./reporter.js";
import { executionRoleChange, type RoleChange, registerRevision } from "./role-propagation.js";
import { applySecretStore, type WrittenSecret } from "./secrets.js";

/** What applying a registration needs of its plan (src/plan/registration.ts). */
export interface RegistrationSteps {
  secrets: SecretStorePlan;
  logGroup: LogGroupPlan;
  /** Whether the secret store plan writes anything (a parameter, the execution role). */
  storeSecrets: boolean;
  register: boolean;
  input: RegisterTaskDefinitionCommandInput;
  baseline?: TaskDefinition | undefined;
}

export interface RegistrationOutcome {
  /** The revision registered now, or the baseline when nothing had to be registered. */
  revision?: TaskDefinition | undefined;
  written: WrittenSecret[];
  /** The execution role created or changed now: a restart that follows tolerates its propagation. */
  roleChange?: RoleChange | undefined;
}

/**
 * Carries out a confirmed registration: the secrets first (role and parameters) and the log group, so
 * that no revision ever names a parameter or group that does not exist, then the new revision when there
 * is one (waiting, within a bound, for a role created or changed now to reach ECS). Asks nothing.
 */
export async function applyRegistration(
  aws: { ecs: EcsApi; ssm: SsmApi; iam: IamApi; logs: LogsApi },
  reporter: Reporter,
  steps: RegistrationSteps,
  signal?: AbortSignal,
): Promise<RegistrationOutcome> {
  const written = steps.storeSecrets ? await applySecretStore(aws, reporter, steps.secrets) : [];
  const roleChange = steps.storeSecrets ? executionRoleChange(steps.secrets) : undefined;
  await ensureLogGroup(aws.logs, reporter, steps.logGroup);
  const revision = steps.register
    ? await registerRevision(aws.ecs, reporter, steps.input, { roleChange, signal })
    : steps.baseline;
  return { revision, written, roleChange };
}
