import type { CommandContext } from "../context.js";
import { shortRevision } from "../domain/task-revision.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import { RestartSequence } from "../driver/restart-sequence.js";
import type { ChangingVerb } from "../driver/verb.js";
import { type RestartResult, restartService } from "../operations/restart.js";
import { lookUpTarget } from "../plan/account.js";
import { planRestart } from "../plan/restart.js";
import { printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("restart").flags;
export const options = optionsSchema(FLAGS);
export const RestartOptionsSchema = options;
export type RestartOptions = OptionsOf<typeof FLAGS>;

/** Scale to 0, wait until every task has stopped, scale back, wait until steady: the wiki's restart. */
export const verb = {
  async plan(context, options) {
    const { output, cluster, service } = context;
    const target = await lookUpTarget(context.aws);
    const ecs = await context.aws.ecs();
    const plan = await planRestart(ecs, { cluster, service, ...options });
    printTarget(output, target);
    const sequence = new RestartSequence<RestartResult>(context, options, plan.healthUrl);
    return {
      title: `Restart of ${service} (${plan.revision}) in cluster ${cluster}:`,
      steps: [
        sequence.step(`restart ${service}`, plan.steps, (run, { reporter }) =>
          restartService(ecs, reporter, { ...run, countWhenStopped: options.count }),
        ),
      ],
      question: `Restart ${service} in account ${target.account}, ${target.region}? Model Catalogue is unavailable until the new task has started.`,
      summary: { cluster, service, from: plan.desired, to: plan.targetCount, plan: plan.steps },
      interrupts: sequence.watch,
      outcome: () => {
        const result = sequence.result;
        return {
          value: { ...result, dryRun: false as const },
          json: {
            dryRun: false,
            cluster,
            service,
            desiredCount: result.targetCount,
            taskDefinition: result.taskDefinition,
          },
          message: `${service} restarted: ${result.targetCount} task(s) running ${shortRevision(result.taskDefinition)}`,
        };
      },
    };
  },
} satisfies ChangingVerb<RestartOptions>;

export function runRestart(context: CommandContext, options: RestartOptions) {
  return drive(context, verb, options);
}
