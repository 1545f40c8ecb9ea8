import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { diffSettings, revisionName } from "../config/deployment.js";
import { type Settings, saveSettings } from "../config/settings.js";
import type { CommandContext } from "../context.js";
import type { RegistrationPlan } from "../plan/registration.js";

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
