import * as z from "zod/mini";
import { mergeSettings, saveSettings } from "../config/settings.js";
import { gatherTaskInputs, resolveTaskSettings } from "../config/task-inputs.js";
import {
  type CommandContext,
  confirmationImpossible,
  confirmChange,
  createContext,
  type GlobalOptions,
  withConfirmationCheck,
} from "../context.js";
import { buildTaskDefinition, redactTaskDefinition } from "../domain/task-definition.js";
import { registerIfChanged, secretsOfLatestRevision } from "../operations/task-registration.js";
import { reportFindings } from "../ui/findings.js";
import "../zod-messages.js";
import { familyOption, flag, parseOptions } from "./options.js";

export const RegisterTaskOptionsSchema = z.object({
  family: familyOption,
  dryRun: flag(false),
  force: flag(false),
});
export type RegisterTaskOptions = z.output<typeof RegisterTaskOptionsSchema>;

export interface RegisterTaskResult {
  family: string;
  revision?: number;
  taskDefinitionArn?: string;
  registered: boolean;
  dryRun: boolean;
}

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runRegisterTask(await createContext(globals), parseOptions(RegisterTaskOptionsSchema, rawOptions));
}

export async function runRegisterTask(
  context: CommandContext,
  options: RegisterTaskOptions,
): Promise<RegisterTaskResult> {
  const { output, settings } = context;
  const env = options.dryRun ? context.env : await withKnownSecrets(context, options.family);
  const inputs = await withConfirmationCheck(context, !options.dryRun, () =>
    gatherTaskInputs(
      {
        settings: settings.settings,
        env,
        interactive: context.interactive,
        familyFlag: options.family,
        region: context.aws.config.region,
      },
      context.ask,
    ),
  );
  reportFindings(output, inputs.findings);
  const input = buildTaskDefinition(inputs.task, inputs.environment);
  const family = inputs.task.family;

  if (options.dryRun) {
    output.result(redactTaskDefinition(input), JSON.stringify(redactTaskDefinition(input), null, 2));
    output.hint("dry run: nothing was registered and no answer was saved");
    return { family, registered: false, dryRun: true };
  }

  if (Object.keys(inputs.answers).length > 0) {
    await saveSettings(settings.path, mergeSettings(settings.settings, inputs.answers));
    output.hint(`answers saved to ${settings.path} (secrets are never saved)`);
  }

  const ecs = await context.aws.ecs();
  const registration = await registerIfChanged(ecs, output, input, {
    force: options.force,
    confirm: (name) => confirmChange(context, `Register a new revision of ${name}?`),
  });
  const result = { ...registration, dryRun: false };
  output.result(
    result,
    registration.registered
      ? `${family}:${registration.revision}\n${registration.taskDefinitionArn}`
      : `${family}:${registration.revision} is up to date`,
  );
  return result;
}

/**
 * The environment, plus the secrets of the family's newest revision for those it does not set: changing
 * MC_NAME should not mean typing the database password again. A variable that is set wins.
 */
export async function withKnownSecrets(
  context: CommandContext,
  familyFlag: string | undefined,
): Promise<NodeJS.ProcessEnv> {
  if (confirmationImpossible(context)) return context.env;
  const family = resolveTaskSettings(context.settings.settings, context.env, familyFlag).family;
  const known = await secretsOfLatestRevision(await context.aws.ecs(), family);
  const reused = Object.keys(known.values).filter((name) => !context.env[name]);
  if (reused.length > 0) {
    context.output.hint(
      `keeping ${reused.join(", ")} from ${known.revision} (set the variable to change it)`,
    );
  }
  return { ...known.values, ...context.env };
}
