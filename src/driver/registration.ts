import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import type { IamApi } from "../aws/iam.js";
import type { LogsApi } from "../aws/logs.js";
import type { SsmApi } from "../aws/ssm.js";
import { diffSettings, revisionName } from "../config/deployment.js";
import { type Settings, saveSettings } from "../config/settings.js";
import type { CommandContext } from "../context.js";
import { ensureLogGroup } from "../operations/logs.js";
import { executionRoleChange, type RoleChange, registerRevision } from "../operations/role-propagation.js";
import { applySecretStore } from "../operations/secrets.js";
import type { LogGroupPlan } from "../plan/logs.js";
import type { RegistrationPlan } from "../plan/registration.js";
import { type SecretStorePlan, secretStoreChanges } from "../plan/secrets.js";
import { describeSecretStoreStep } from "../ui/secrets.js";
import type { Step } from "./verb.js";

/**
 * mcctl.json after a registration (register-task, secrets set, secrets rm): the inputs, the region, and
 * the revision it now describes ("family:(new revision)" in a plan, before the number is known).
 */
export function settingsAfterRegistration(
  plan: RegistrationPlan,
  region: string,
  revision?: Pick<TaskDefinition, "family" | "revision"> | undefined,
): Settings {
  const after = { ...plan.settingsAfter, region };
  if (revision) return { ...after, taskDefinition: revisionName(revision) };
  return plan.register ? { ...after, taskDefinition: `${plan.family}:(new revision)` } : after;
}

/** Whether saving would change mcctl.json. */
export function registrationChangesSettings(context: CommandContext, plan: RegistrationPlan, region: string) {
  return diffSettings(context.settings.settings, settingsAfterRegistration(plan, region)).length > 0;
}

/** Saves mcctl.json after an applied registration, when it changes; says what the file describes. */
export async function saveRegisteredSettings(
  context: CommandContext,
  plan: RegistrationPlan,
  region: string,
  revision: TaskDefinition | undefined,
): Promise<void> {
  if (!plan.register && !registrationChangesSettings(context, plan, region)) return;
  const path = context.settings.path;
  const after = settingsAfterRegistration(plan, region, plan.register ? revision : undefined);
  await saveSettings(path, after);
  context.output.hint(
    `${path} describes ${after.taskDefinition ?? plan.family} (secrets are in SSM, never in this file)`,
  );
}

/** How a command names the steps of its registration. */
export interface RegistrationStepTitles {
  secretStore(plan: SecretStorePlan): string;
  logGroup(plan: Extract<LogGroupPlan, { kind: "create" | "retention" }>): string;
  register(plan: RegistrationPlan): string;
  save(path: string): string;
}

/** The titles of secrets set and secrets rm. */
const SECRET_STEP_TITLES: RegistrationStepTitles = {
  secretStore: describeSecretStoreStep,
  logGroup: (plan) =>
    plan.kind === "create"
      ? `create log group ${plan.group} (kept ${plan.retentionDays} days)`
      : `keep the events of log group ${plan.group} ${plan.retentionDays} days`,
  register: (plan) => `register a new revision of ${plan.family}`,
  save: (path) => `save ${path} (the revision it describes and the secrets left out; never a value)`,
};

/**
 * The steps of an applied registration (register-task, secrets set, secrets rm), in the order that never lets a
 * revision name a parameter or log group that does not exist: the secret store (role and parameters),
 * the log group, the new revision (waiting, within a bound, for a role changed now to reach ECS), then
 * mcctl.json. `revision()` is the revision registered, else the baseline; `roleChange()` the execution
 * role changed by the steps, for a restart that follows.
 */
export function registrationSteps(
  context: CommandContext,
  aws: { ecs: EcsApi; ssm: SsmApi; iam: IamApi; logs: LogsApi },
  plan: RegistrationPlan,
  region: string,
  titles: RegistrationStepTitles = SECRET_STEP_TITLES,
): { steps: Step[]; revision(): TaskDefinition | undefined; roleChange(): RoleChange | undefined } {
  let revision = plan.baseline?.taskDefinition;
  let roleChange: RoleChange | undefined;
  const steps: Step[] = [];
  if (secretStoreChanges(plan.secrets)) {
    steps.push({
      title: titles.secretStore(plan.secrets),
      run: async ({ reporter }) => {
        await applySecretStore(aws, reporter, plan.secrets);
        roleChange = executionRoleChange(plan.secrets);
      },
    });
  }
  const logGroup = plan.logGroup;
  if (logGroup.kind === "create" || logGroup.kind === "retention") {
    steps.push({
      title: titles.logGroup(logGroup),
      run: ({ reporter }) => ensureLogGroup(aws.logs, reporter, logGroup),
    });
  }
  if (plan.register) {
    steps.push({
      title: titles.register(plan),
      run: async ({ reporter, signal }) => {
        revision = await registerRevision(aws.ecs, reporter, plan.input, { roleChange, signal });
      },
    });
  }
  if (plan.register || registrationChangesSettings(context, plan, region)) {
    steps.push({
      title: titles.save(context.settings.path),
      run: () => saveRegisteredSettings(context, plan, region, revision),
    });
  }
  return { steps, revision: () => revision, roleChange: () => roleChange };
}
