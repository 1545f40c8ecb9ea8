import * as z from "zod/mini";
import { mergeSettings, saveSettings } from "../config/settings.js";
import { gatherTaskInputs } from "../config/task-inputs.js";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  withConfirmationCheck,
} from "../context.js";
import { buildTaskDefinition, redactTaskDefinition } from "../domain/task-definition.js";
import { diffTaskDefinitions } from "../domain/task-definition-diff.js";
import { renderChanges } from "../ui/diff.js";
import * as prompts from "../ui/prompts.js";
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
  ask: prompts.Asker = prompts,
): Promise<RegisterTaskResult> {
  const { output, settings } = context;
  const inputs = await withConfirmationCheck(context, !options.dryRun, () =>
    gatherTaskInputs(
      {
        settings: settings.settings,
        env: context.env,
        interactive: context.interactive,
        familyFlag: options.family,
        region: context.aws.config.region,
      },
      ask,
    ),
  );
  for (const finding of inputs.findings) {
    output.warn(`${finding.variable}: ${finding.message}`);
    if (finding.suggestion) output.hint(`suggested: ${finding.suggestion}`);
  }
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
  const current = await ecs.findLatestTaskDefinition(family);
  if (current) {
    const changes = diffTaskDefinitions(current, input);
    if (changes.length === 0 && !options.force) {
      const result = {
        family,
        revision: current.revision,
        taskDefinitionArn: current.taskDefinitionArn,
        registered: false,
        dryRun: false,
      };
      output.result(result, `No changes: ${family}:${current.revision} is up to date; nothing registered.`);
      return result;
    }
    output.info(`Changes from ${family}:${current.revision}:`);
    output.info(changes.length > 0 ? renderChanges(changes, output.style) : "  (none; --force)");
  } else {
    output.info(`Family ${family} has no revision yet: this registers revision 1.`);
  }

  await confirmChange(context, `Register a new revision of ${family}?`);
  const registered = await ecs.registerTaskDefinition(input);
  const result = {
    family,
    revision: registered.revision,
    taskDefinitionArn: registered.taskDefinitionArn,
    registered: true,
    dryRun: false,
  };
  output.result(result, `${family}:${registered.revision}\n${registered.taskDefinitionArn}`);
  return result;
}
