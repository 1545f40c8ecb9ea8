import * as z from "zod/mini";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { shortRevision } from "../domain/task-revision.js";
import { restartService } from "../operations/restart.js";
import { lookUpTarget } from "../plan/account.js";
import { planRestart } from "../plan/restart.js";
import { printDryRunEnd, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import "../zod-messages.js";
import { countOption, parseOptions, RestartFlagsSchema } from "./options.js";
import { underRestartTrap } from "./restart-sequence.js";

export const RestartOptionsSchema = z.extend(RestartFlagsSchema, { count: countOption });
export type RestartOptions = z.output<typeof RestartOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  const options = parseOptions(RestartOptionsSchema, rawOptions);
  await runRestart(await createContext(globals, { timeoutMs: options.timeout }), options);
}

export async function runRestart(context: CommandContext, options: RestartOptions) {
  const { output, cluster, service } = context;
  await requireConfirmable(context, !options.dryRun);

  const target = await lookUpTarget(context.aws);
  const ecs = await context.aws.ecs();
  const plan = await planRestart(ecs, { cluster, service, ...options });
  printTarget(output, target);
  output.info(`Restart of ${service} (${plan.revision}) in cluster ${cluster}:`);
  for (const [index, step] of plan.steps.entries()) output.info(`  ${index + 1}. ${step}`);
  if (options.dryRun) {
    output.result(
      { dryRun: true, cluster, service, from: plan.desired, to: plan.targetCount, plan: plan.steps },
      "dry run: nothing was changed",
    );
    printDryRunEnd(output);
    return { dryRun: true as const };
  }
  await confirmChange(
    context,
    `Restart ${service} in account ${target.account}, ${target.region}? Model Catalogue is unavailable until the new task has started.`,
  );

  // Apply: nothing more is asked; --timeout counts from here (with --yes, from the start).
  const result = await underRestartTrap(context, options, plan.healthUrl, (run) =>
    restartService(ecs, terminalReporter(output), { ...run, countWhenStopped: options.count }),
  );
  output.result(
    {
      dryRun: false,
      cluster,
      service,
      desiredCount: result.targetCount,
      taskDefinition: result.taskDefinition,
    },
    `${service} restarted: ${result.targetCount} task(s) running ${shortRevision(result.taskDefinition)}`,
  );
  return { ...result, dryRun: false as const };
}
