import * as z from "zod/mini";
import type { EcsApi } from "../aws/ecs.js";
import {
  type CommandContext,
  confirmChange,
  createContext,
  type GlobalOptions,
  withConfirmationCheck,
} from "../context.js";
import { MC_CONTAINER } from "../domain/task-definition.js";
import { McctlError, UsageError } from "../errors.js";
import { appUrl, waitForHealthy } from "../operations/health.js";
import {
  type RestartResult,
  type RestartState,
  restartService,
  restoreCommand,
} from "../operations/restart.js";
import { ServiceMonitor } from "../operations/service-monitor.js";
import { trapInterrupts } from "../ui/interrupt.js";
import { withProgress } from "../ui/progress.js";
import "../zod-messages.js";
import { durationOption, flag, parseOptions } from "./options.js";

export const DEFAULT_POLL_INTERVAL = "3s";

/** Flags shared by every command that ends with the restart sequence. */
export const RestartFlagsSchema = z.object({
  timeout: durationOption("--timeout", "15m"),
  pollInterval: durationOption("--poll-interval", DEFAULT_POLL_INTERVAL),
  healthUrl: z.optional(z.url({ protocol: /^https?$/, error: "--health-url must be an http(s) URL" })),
  checkHealth: flag(false),
  dryRun: flag(false),
});
export type RestartFlags = z.output<typeof RestartFlagsSchema>;

export const RestartOptionsSchema = z.extend(RestartFlagsSchema, {
  count: z._default(
    z.coerce.number().check(z.int(), z.minimum(1, "--count must be a whole number, at least 1")),
    1,
  ),
});

export async function run(globals: GlobalOptions, rawOptions: Record<string, unknown>): Promise<void> {
  await runRestart(await createContext(globals), parseOptions(RestartOptionsSchema, rawOptions));
}

export async function runRestart(context: CommandContext, options: z.output<typeof RestartOptionsSchema>) {
  const { output, cluster, service } = context;
  const deadline = Date.now() + options.timeout;
  await withConfirmationCheck(context, !options.dryRun, async () => undefined);
  const ecs = await context.aws.ecs();
  const current = await ecs.describeService(cluster, service);
  if (current?.status !== "ACTIVE") {
    throw new McctlError(`service ${service} does not exist or is not ACTIVE in cluster ${cluster}`, {
      suggestion: "Check --service and --cluster, or create it with `mcctl create-service`.",
    });
  }
  const desired = current.desiredCount ?? 0;
  const target = desired > 0 ? desired : options.count;
  const plan = [
    `1. set the desired count of ${service} from ${desired} to 0`,
    "2. wait until every task is STOPPED (a stopping task still holds port 80)",
    `3. set the desired count back to ${target}`,
    "4. wait until the service is steady" +
      (options.healthUrl || options.checkHealth ? ", then until the app answers HTTP 200" : ""),
  ];
  output.info(`Restart of ${service} in cluster ${cluster}:\n${plan.map((line) => `  ${line}`).join("\n")}`);
  if (options.dryRun) {
    output.result(
      { dryRun: true, cluster, service, from: desired, to: target, plan },
      "dry run: nothing was changed",
    );
    return { dryRun: true as const };
  }
  await confirmChange(
    context,
    `Restart ${service}? Model Catalogue is unavailable until the new task has started.`,
  );
  const result = await performRestart(context, ecs, { ...options, deadline });
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
  return result;
}

export interface RestartRun extends RestartFlags {
  deadline: number;
  count?: number;
  /** Point the service at this revision while it is at 0 (upgrade, rollback). */
  taskDefinitionArn?: string;
}

/**
 * The restart sequence under a spinner, with Ctrl-C handling: the first Ctrl-C puts the desired
 * count back (when mcctl had set it to 0), a second one quits at once and prints how to do it by hand.
 */
export async function performRestart(
  context: CommandContext,
  ecs: EcsApi,
  run: RestartRun,
): Promise<RestartResult> {
  const { output, cluster, service } = context;
  let state: RestartState | undefined;
  const trap = trapInterrupts(output, {
    first: () =>
      state?.scaledDown
        ? `Interrupted: restoring the desired count of ${service} to ${state.targetCount}…`
        : "Interrupted: stopping the wait; the service keeps its desired count.",
    second: () =>
      state?.scaledDown
        ? `Quit before the desired count was restored: ${service} may be left at 0. Restore it: ${restoreCommand(state)}`
        : "Quit.",
  });
  try {
    let result: RestartResult | undefined;
    await withProgress(output, `Restarting ${service}`, async (reporter) => {
      const monitor = new ServiceMonitor(ecs, cluster, service, reporter);
      result = await restartService(
        ecs,
        monitor,
        {
          cluster,
          service,
          countWhenStopped: run.count ?? 1,
          taskDefinitionArn: run.taskDefinitionArn,
          deadline: run.deadline,
          timeoutMs: run.timeout,
          pollIntervalMs: run.pollInterval,
          signal: trap.signal,
          healthCheck: await healthCheckFor(ecs, run, reporter.progress, cluster, service),
          onPhase: (_phase, current) => {
            state = current;
          },
        },
        reporter,
      );
      return `${service} is steady with ${result.targetCount} task(s) on ${shortRevision(result.taskDefinition)}`;
    });
    return result as RestartResult;
  } finally {
    trap.dispose();
  }
}

async function healthCheckFor(
  ecs: EcsApi,
  run: RestartRun,
  progress: (text: string) => void,
  cluster: string,
  service: string,
): Promise<((signal?: AbortSignal) => Promise<void>) | undefined> {
  if (!run.healthUrl && !run.checkHealth) return undefined;
  let url = run.healthUrl;
  if (!url) {
    const current = await ecs.describeService(cluster, service);
    const reference = run.taskDefinitionArn ?? current?.taskDefinition;
    const taskDefinition = reference ? await ecs.describeTaskDefinition(reference) : undefined;
    const container = taskDefinition?.containerDefinitions?.find(
      (definition) => definition.name === MC_CONTAINER,
    );
    url = appUrl(container?.environment);
    if (!url) {
      throw new UsageError("--check-health needs METADATA_HOST in the task definition", {
        suggestion: "Pass --health-url http://host/ instead.",
      });
    }
  }
  const healthUrl = url;
  return (signal) =>
    waitForHealthy({
      url: healthUrl,
      deadline: run.deadline,
      intervalMs: run.pollInterval,
      signal,
      onAttempt: (outcome) => progress(`Waiting for ${healthUrl} to answer HTTP 200 (last: ${outcome})`),
    });
}

export function shortRevision(taskDefinitionArn: string | undefined): string {
  return taskDefinitionArn?.split("/").pop() ?? "(unknown revision)";
}
