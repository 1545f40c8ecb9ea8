import * as z from "zod/mini";
import { diffSettings } from "../config/deployment.js";
import { saveSettings } from "../config/settings.js";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { switchRevision } from "../operations/switch-revision.js";
import { lookUpTarget } from "../plan/account.js";
import { planRollback } from "../plan/rollback.js";
import { renderChanges } from "../ui/diff.js";
import { printDryRunEnd, printSettingsChanges, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import "../zod-messages.js";
import { parseOptions, RestartFlagsSchema, revisionOption } from "./options.js";
import { underRestartTrap } from "./restart-sequence.js";

export const RollbackOptionsSchema = z.extend(RestartFlagsSchema, { to: revisionOption });
export type RollbackOptions = z.output<typeof RollbackOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  const options = parseOptions(RollbackOptionsSchema, rawOptions);
  await runRollback(await createContext(globals, { timeoutMs: options.timeout }), options);
}

export async function runRollback(context: CommandContext, options: RollbackOptions) {
  const { output, cluster, service, settings } = context;
  await requireConfirmable(context, !options.dryRun);

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
  for (const [index, step] of plan.steps.entries()) output.info(`  ${index + 1}. ${step}`);
  printSettingsChanges(output, diffSettings(settings.settings, plan.settingsAfter), settings.path);
  if (plan.skipped.length > 0) {
    output.warn(
      `${plan.to} sets ${plan.skipped.join(", ")}, which mcctl does not know: mcctl.json cannot hold them, and a later register-task leaves them out.`,
    );
  }
  if (options.dryRun) {
    output.result(
      { dryRun: true, from: plan.from, to: plan.to, changes: plan.changes },
      "dry run: nothing was changed",
    );
    printDryRunEnd(output);
    return { dryRun: true, from: plan.from, to: plan.to };
  }
  await confirmChange(
    context,
    `${title} ${service} to ${plan.to} in account ${target.account}, ${target.region}? Model Catalogue is unavailable until the new task has started.`,
  );

  // Apply: nothing more is asked; --timeout counts from here (with --yes, from the start).
  const result = await underRestartTrap(context, options, plan.healthUrl, (run) =>
    switchRevision(ecs, terminalReporter(output), {
      ...run,
      current: plan.current,
      target: { existingArn: plan.target.taskDefinitionArn as string },
      verb: plan.verb,
      rollbackOnFailure: false,
    }),
  );
  await saveSettings(settings.path, plan.settingsAfter);
  output.result(
    { dryRun: false, from: result.from, to: result.to },
    `${service} now runs ${result.to} (was ${result.from})`,
  );
  return { dryRun: false, from: result.from, to: result.to };
}
