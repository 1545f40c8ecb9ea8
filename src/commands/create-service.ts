import { withCallLimits } from "../aws/limits.js";
import { diffSettings } from "../config/deployment.js";
import { saveSettings } from "../config/settings.js";
import { applyDeadline, type CommandContext } from "../context.js";
import { DEFAULT_TASK_SETTINGS } from "../domain/task-definition.js";
import { verbNamed } from "../driver/catalogue.js";
import { drive } from "../driver/drive.js";
import { type OptionsOf, optionsSchema } from "../driver/options.js";
import type { ChangingVerb } from "../driver/verb.js";
import { createService } from "../operations/create-service.js";
import { lookUpTarget } from "../plan/account.js";
import { planCreateService } from "../plan/create-service.js";
import { printSettingsChanges, printTarget } from "../ui/plan.js";

const FLAGS = verbNamed("create-service").flags;
export const options = optionsSchema(FLAGS);
export const CreateServiceOptionsSchema = options;
export type CreateServiceOptions = OptionsOf<typeof FLAGS>;

export interface CreateServiceResult {
  dryRun: false;
  cluster: string;
  service: string;
  serviceArn: string | undefined;
  taskDefinition: string;
  steady: boolean;
}

/** The ECS service (desired count 1) from the latest revision, or --task-definition; then wait until steady. */
export const verb = {
  async plan(context, options) {
    const { output, cluster, service, settings } = context;
    const family = options.family ?? settings.settings.taskFamily ?? DEFAULT_TASK_SETTINGS.family;
    const target = await lookUpTarget(context.aws);
    const ecs = await context.aws.ecs();
    const plan = await planCreateService(ecs, {
      cluster,
      service,
      family,
      taskDefinition: options.taskDefinition,
    });
    const revision = `${plan.taskDefinition.family}:${plan.taskDefinition.revision}`;
    const settingsAfter = {
      ...settings.settings,
      region: target.region,
      cluster,
      service,
      taskFamily: family,
    };
    const settingsChanges = diffSettings(settings.settings, settingsAfter);
    printTarget(output, target);
    output.info(
      `Fits on: ${plan.fittingInstances.map((fit) => `${fit.instance.ec2InstanceId ?? "instance"} (${fit.freeCpu} CPU, ${fit.freeMemoryMiB} MiB free)`).join(", ")}`,
    );
    for (const note of plan.placementNotes) output.warn(note);
    printSettingsChanges(output, settingsChanges, settings.path);

    // The service exists once ECS answered: what the interrupt trap says depends on it.
    let exists = false;
    let serviceArn: string | undefined;
    return {
      title: `Creation of service ${service} in cluster ${cluster}:`,
      steps: [
        {
          title: `create service ${service} from ${revision}${options.wait ? ", then wait until it is steady" : " (--no-wait: not waited for)"}`,
          details: [
            "1 task, EC2; deployments stop the old task before starting the new one (port 80)",
            `save mcctl.json (${settings.path}) as soon as ECS has the service, before any wait`,
          ],
          run: async ({ reporter, signal }) => {
            // --timeout counts from here (with --yes, from the start).
            const deadline = applyDeadline(context, options.timeout);
            // A hung call ends with --timeout or Ctrl-C, like the wait itself.
            const created = await withCallLimits({ signal, deadline }, () =>
              createService(ecs, reporter, {
                input: plan.input,
                wait: options.wait,
                timeoutMs: options.timeout,
                deadline,
                pollIntervalMs: options.pollInterval,
                signal,
                onCreated: async () => {
                  exists = true;
                  await saveSettings(settings.path, settingsAfter);
                },
              }),
            );
            serviceArn = created.serviceArn;
          },
        },
      ],
      question: `Create service ${service} in cluster ${cluster}, account ${target.account}, ${target.region}?`,
      summary: { service, cluster, taskDefinition: revision, createService: plan.input },
      interrupts: {
        first: () =>
          exists
            ? `Interrupted: no longer waiting; service ${service} exists and ECS keeps starting its task.`
            : `Interrupted before ECS confirmed service ${service}: check with \`mcctl status\` whether it exists.`,
        second: () => "Quit.",
      },
      outcome: () => {
        const result: CreateServiceResult = {
          dryRun: false,
          cluster,
          service,
          serviceArn,
          taskDefinition: revision,
          steady: options.wait,
        };
        return {
          value: result,
          json: { ...result },
          message: `${service} ${serviceArn}${options.wait ? " (steady)" : " (not waited for: --no-wait)"}`,
        };
      },
    };
  },
} satisfies ChangingVerb<CreateServiceOptions, CreateServiceResult>;

export function runCreateService(context: CommandContext, options: CreateServiceOptions) {
  return drive(context, verb, options);
}
