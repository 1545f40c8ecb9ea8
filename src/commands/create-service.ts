import * as z from "zod/mini";
import { withCallLimits } from "../aws/limits.js";
import { diffSettings } from "../config/deployment.js";
import { saveSettings } from "../config/settings.js";
import {
  applyDeadline,
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  requireConfirmable,
} from "../context.js";
import { DEFAULT_TASK_SETTINGS } from "../domain/task-definition.js";
import { createService } from "../operations/create-service.js";
import { lookUpTarget } from "../plan/account.js";
import { planCreateService } from "../plan/create-service.js";
import { withInterruptTrap } from "../ui/interrupt.js";
import { printDryRunEnd, printSettingsChanges, printTarget } from "../ui/plan.js";
import { terminalReporter } from "../ui/reporter.js";
import "../zod-messages.js";
import { printFailureLogsAfter } from "./failure-logs.js";
import {
  createServiceWaitOptions,
  familyOption,
  flag,
  parseOptions,
  taskDefinitionOption,
} from "./options.js";

export const CreateServiceOptionsSchema = z.object({
  family: familyOption,
  taskDefinition: taskDefinitionOption,
  dryRun: flag(false),
  wait: flag(true),
  ...createServiceWaitOptions,
});
export type CreateServiceOptions = z.output<typeof CreateServiceOptionsSchema>;

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  const options = parseOptions(CreateServiceOptionsSchema, rawOptions);
  await runCreateService(await createContext(globals, { timeoutMs: options.timeout }), options);
}

export async function runCreateService(context: CommandContext, options: CreateServiceOptions) {
  const { output, cluster, service, settings } = context;
  const family = options.family ?? settings.settings.taskFamily ?? DEFAULT_TASK_SETTINGS.family;
  await requireConfirmable(context, !options.dryRun);

  const target = await lookUpTarget(context.aws);
  const ecs = await context.aws.ecs();
  const plan = await planCreateService(ecs, {
    cluster,
    service,
    family,
    taskDefinition: options.taskDefinition,
  });
  const revision = `${plan.taskDefinition.family}:${plan.taskDefinition.revision}`;
  const settingsAfter = { ...settings.settings, region: target.region, cluster, service, taskFamily: family };
  printTarget(output, target);
  output.info(
    `Create service ${service} in cluster ${cluster}: ${revision}, 1 task, EC2; deployments stop the old task before starting the new one (port 80).`,
  );
  output.info(
    `Fits on: ${plan.fittingInstances.map((fit) => `${fit.instance.ec2InstanceId ?? "instance"} (${fit.freeCpu} CPU, ${fit.freeMemoryMiB} MiB free)`).join(", ")}`,
  );
  for (const note of plan.placementNotes) output.warn(note);
  printSettingsChanges(output, diffSettings(settings.settings, settingsAfter), settings.path);
  if (options.dryRun) {
    output.result({ dryRun: true, createService: plan.input }, JSON.stringify(plan.input, null, 2));
    printDryRunEnd(output);
    return { dryRun: true, service, cluster, taskDefinition: revision };
  }
  await confirmChange(
    context,
    `Create service ${service} in cluster ${cluster}, account ${target.account}, ${target.region}?`,
  );

  // Apply: nothing more is asked; --timeout counts from here (with --yes, from the start).
  let exists = false;
  const messages = {
    first: () =>
      exists
        ? `Interrupted: no longer waiting; service ${service} exists and ECS keeps starting its task.`
        : `Interrupted before ECS confirmed service ${service}: check with \`mcctl status\` whether it exists.`,
    second: () => "Quit.",
  };
  const deadline = applyDeadline(context, options.timeout);
  const created = await withInterruptTrap(output, messages, (signal) =>
    // A hung call ends with --timeout or Ctrl-C, like the wait itself.
    withCallLimits({ signal, deadline }, () =>
      createService(ecs, terminalReporter(output), {
        input: plan.input,
        wait: options.wait,
        timeoutMs: options.timeout,
        deadline,
        pollIntervalMs: options.pollInterval,
        signal,
        onCreated: () => {
          exists = true;
          return saveSettings(settings.path, settingsAfter);
        },
      }),
    ).catch(async (error: unknown) => {
      await printFailureLogsAfter(context, error);
      throw error;
    }),
  );
  const result = {
    dryRun: false,
    cluster,
    service,
    serviceArn: created.serviceArn,
    taskDefinition: revision,
    steady: options.wait,
  };
  output.result(
    result,
    `${service} ${created.serviceArn}${options.wait ? " (steady)" : " (not waited for: --no-wait)"}`,
  );
  return result;
}
