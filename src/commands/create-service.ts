import * as z from "zod/mini";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  withConfirmationCheck,
} from "../context.js";
import { DEFAULT_TASK_SETTINGS } from "../domain/task-definition.js";
import { planCreateService } from "../operations/create-service.js";
import { ServiceMonitor, waitForSteady } from "../operations/service-monitor.js";
import { timeoutError } from "../operations/timeouts.js";
import { withProgress } from "../ui/progress.js";
import "../zod-messages.js";
import { durationOption, familyOption, flag, optionalText, parseOptions } from "./options.js";

export const CreateServiceOptionsSchema = z.object({
  family: familyOption,
  taskDefinition: optionalText,
  dryRun: flag(false),
  wait: flag(true),
  timeout: durationOption("--timeout", "10m"),
  pollInterval: durationOption("--poll-interval", "3s"),
});
export type CreateServiceOptions = z.input<typeof CreateServiceOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runCreateService(await createContext(globals), rawOptions);
}

export async function runCreateService(context: CommandContext, rawOptions: CreateServiceOptions) {
  const options = parseOptions(CreateServiceOptionsSchema, rawOptions);
  const { output, cluster, service } = context;
  const family = options.family ?? context.settings.settings.taskFamily ?? DEFAULT_TASK_SETTINGS.family;
  const deadline = Date.now() + options.timeout;

  // Without a terminal or --yes the change could never be confirmed: say so before calling AWS.
  await withConfirmationCheck(context, !options.dryRun, async () => undefined);
  const ecs = await context.aws.ecs();
  const plan = await planCreateService(ecs, {
    cluster,
    service,
    family,
    taskDefinition: options.taskDefinition,
  });
  const revision = `${plan.taskDefinition.family}:${plan.taskDefinition.revision}`;
  output.info(
    `Service ${service} in cluster ${cluster}${context.aws.config.region ? ` (${context.aws.config.region})` : ""}: ` +
      `${revision}, 1 task, EC2, deployments stop the old task before starting the new one (port 80).`,
  );
  output.info(
    `Fits on: ${plan.fittingInstances.map((fit) => `${fit.instance.ec2InstanceId ?? "instance"} (${fit.freeCpu} CPU, ${fit.freeMemoryMiB} MiB free)`).join(", ")}`,
  );

  if (options.dryRun) {
    output.result({ dryRun: true, createService: plan.input }, JSON.stringify(plan.input, null, 2));
    output.hint("dry run: nothing was created");
    return { dryRun: true, service, cluster, taskDefinition: revision };
  }

  await confirmChange(context, `Create service ${service} in cluster ${cluster}?`);
  const created = await ecs.createService(plan.input);
  output.success(`Created service ${service} (${created.serviceArn})`);

  let steady = false;
  if (options.wait) {
    await withProgress(output, `Waiting for ${service} to become steady`, async (reporter) => {
      const watcher = new ServiceMonitor(ecs, cluster, service, reporter);
      watcher.ignoreEvents(created.events);
      await waitForSteady(
        watcher,
        {
          deadline,
          pollIntervalMs: options.pollInterval,
          onTimeout: (snapshot) =>
            timeoutError(
              `service ${service} to become steady`,
              options.timeout,
              snapshot,
              `ECS keeps trying on its own; follow it with \`aws ecs describe-services --cluster ${cluster} --services ${service}\`.`,
            ),
        },
        reporter,
      );
      return `Service ${service} is steady: 1 task running ${revision}`;
    });
    steady = true;
  }

  const result = {
    dryRun: false,
    cluster,
    service,
    serviceArn: created.serviceArn,
    taskDefinition: revision,
    steady,
  };
  output.result(
    result,
    `${service} ${created.serviceArn}${steady ? " (steady)" : " (not waited for: --no-wait)"}`,
  );
  return result;
}
