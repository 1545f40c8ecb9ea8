import { diffSettings } from "../config/deployment.js";
import { saveSettings } from "../config/settings.js";
import type { CommandContext } from "../context.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import { RestartSequence } from "../driver/restart-sequence.js";
import type { ChangingVerb } from "../driver/verb.js";
import { type RevisionSwitchResult, switchRevision } from "../operations/switch-revision.js";
import { lookUpTarget } from "../plan/account.js";
import { planRollback } from "../plan/rollback.js";
import { renderChanges } from "../ui/diff.js";
import { printSettingsChanges, printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("rollback").flags;
export const options = optionsSchema(FLAGS);
export const RollbackOptionsSchema = options;
export type RollbackOptions = OptionsOf<typeof FLAGS>;

/** Points the service at an older ACTIVE revision (or the one --to names) and restarts onto it. */
export const verb = {
  async plan(context, options) {
    const { output, cluster, service, settings } = context;
    const target = await lookUpTarget(context.aws);
    const ecs = await context.aws.ecs();
    const plan = await planRollback(ecs, settings.settings, { cluster, service, ...options });
    const title = plan.verb === "roll back" ? "Roll back" : "Switch";
    printTarget(output, target);
    output.info(`${title} ${service} in cluster ${cluster}: ${plan.from} → ${plan.to}`);
    output.info(
      plan.changes.length > 0
        ? renderChanges(plan.changes, output.style)
        : "  (no differences in the task definition)",
    );
    printSettingsChanges(output, diffSettings(settings.settings, plan.settingsAfter), settings.path);
    if (plan.skipped.length > 0) {
      output.warn(
        `${plan.to} sets ${plan.skipped.join(", ")}, which mcctl does not know: mcctl.json cannot hold them, and a later register-task leaves them out.`,
      );
    }
    const sequence = new RestartSequence<RevisionSwitchResult>(context, options, plan.healthUrl);
    return {
      title: `${plan.verb === "roll back" ? "Rollback" : "Switch"} of ${service} (${plan.from}) in cluster ${cluster}:`,
      steps: [
        sequence.step(`${plan.verb} ${service} to ${plan.to}`, plan.steps, (run, { reporter }) =>
          switchRevision(ecs, reporter, {
            ...run,
            current: plan.current,
            target: { existingArn: plan.target.taskDefinitionArn as string },
            verb: plan.verb,
            rollbackOnFailure: false,
          }),
        ),
        {
          title: `save ${settings.path} (describing ${plan.to})`,
          run: () => saveSettings(settings.path, plan.settingsAfter),
        },
      ],
      question: `${title} ${service} to ${plan.to} in account ${target.account}, ${target.region}? Model Catalogue is unavailable until the new task has started.`,
      summary: { from: plan.from, to: plan.to, changes: plan.changes },
      interrupts: sequence.watch,
      outcome: () => {
        const { from, to } = sequence.result;
        return {
          value: { dryRun: false as const, from, to },
          json: { dryRun: false, from, to },
          message: `${service} now runs ${to} (was ${from})`,
        };
      },
    };
  },
} satisfies ChangingVerb<RollbackOptions, { dryRun: false; from: string; to: string }>;

export function runRollback(context: CommandContext, options: RollbackOptions) {
  return drive(context, verb, options);
}
