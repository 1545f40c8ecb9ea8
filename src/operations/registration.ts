import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import type { IamApi } from "../aws/iam.js";
import type { LogsApi } from "../aws/logs.js";
import type { SsmApi } from "../aws/ssm.js";
import { ensureLogGroup, type LogGroupPlan } from "./logs.js";
import type { Reporter } from "./reporter.js";
import { applySecretStore, type SecretStorePlan, type WrittenSecret } from "./secrets.js";

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
}

/**
 * Carries out a confirmed registration: the secrets first (role and parameters) and the log group, so
 * that no revision ever names a parameter or group that does not exist, then the new revision when there
 * is one. Asks nothing.
 */
export async function applyRegistration(
  aws: { ecs: EcsApi; ssm: SsmApi; iam: IamApi; logs: LogsApi },
  reporter: Reporter,
  steps: RegistrationSteps,
): Promise<RegistrationOutcome> {
  const written = steps.storeSecrets ? await applySecretStore(aws, reporter, steps.secrets) : [];
  await ensureLogGroup(aws.logs, reporter, steps.logGroup);
  const revision = steps.register ? await aws.ecs.registerTaskDefinition(steps.input) : steps.baseline;
  return { revision, written };
}
