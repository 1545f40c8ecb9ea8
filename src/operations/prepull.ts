import type { Task } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { cleanupLimits, withCallLimits } from "../aws/limits.js";
import { PREPULL_STARTED_BY, prepullCommands, prepullFailures } from "../domain/prepull.js";
import { MCCTL_TAGS } from "../domain/tags.js";
import { shortRevision } from "../domain/task-revision.js";
import { formatDuration } from "../durations.js";
import { McctlError } from "../errors.js";
import type { PrepullPlan } from "../plan/prepull.js";
import { poll } from "../queries/poll.js";
import type { Reporter } from "./reporter.js";

export interface PrepullRequest {
  /** The service, as the messages name it ("mc still runs model-catalogue:3"). */
  service: string;
  from: string;
  deadline: number;
  timeoutMs: number;
  pollIntervalMs: number;
  signal?: AbortSignal | undefined;
  watch?: PrepullWatch | undefined;
}

/** How long stopping the one-off tasks and deregistering their revision may take after an interrupt. */
const CLEANUP_BUDGET_MS = 30_000;

/** What the interrupt trap says while the pre-pull runs: nothing of the service has changed yet. */
export class PrepullWatch {
  active = false;

  first(): string {
    return "Interrupted: stopping the pre-pull task(s); the service is untouched.";
  }

  second(): string {
    return `Quit during the pre-pull: the service is untouched; a one-off task started by ${PREPULL_STARTED_BY} may still be pulling (it exits by itself).`;
  }
}

/**
 * Registers the one-off revision, starts it on every host, and waits until each task has STOPPED with
 * exit code 0 on every container: the images are then on the hosts. A refusal, a failed pull, a timeout
 * or an interrupt ends it with the one-off tasks stopped and the service untouched. The revision is
 * deregistered at the end, whatever happened (`destroy` finds any left over).
 */
export async function prepullImages(
  ecs: EcsApi,
  reporter: Reporter,
  plan: PrepullPlan,
  request: PrepullRequest,
): Promise<void> {
  const untouched = `nothing was stopped: ${request.service} still runs ${request.from}`;
  if (request.watch) request.watch.active = true;
  const started: Task[] = [];
  const seenStopped = new Set<string | undefined>();
  let revision: string | undefined;
  try {
    await withCallLimits({ signal: request.signal, deadline: request.deadline }, async () => {
      const registered = await ecs.registerTaskDefinition(plan.registration);
      revision = registered.taskDefinitionArn;
      for (const host of plan.hosts) {
        const outcome = await ecs.startTask({
          cluster: plan.cluster,
          taskDefinition: revision ?? "",
          containerInstanceArn: host.containerInstanceArn,
          startedBy: PREPULL_STARTED_BY,
          commands: prepullCommands(plan.registration),
          tags: { ...MCCTL_TAGS },
        });
        if ("failure" in outcome) {
          throw new McctlError(
            `ECS did not start the pre-pull on ${host.label}: ${outcome.failure}; ${untouched}`,
            {
              suggestion: "Run `mcctl upgrade --no-prepull` to pull during the outage instead.",
            },
          );
        }
        started.push(outcome.task);
      }
      const stopped = await reporter.wait(`Pulling ${plan.images.join(", ")}`, async (progress) => {
        const since = Date.now();
        const tasks = await poll({
          deadline: request.deadline,
          intervalMs: request.pollIntervalMs,
          signal: request.signal,
          onRetry: (error) => progress.retrying?.(error),
          onTimeout: () =>
            new McctlError(
              `timed out after ${formatDuration(request.timeoutMs)} waiting for the pre-pull; ${untouched}`,
              { suggestion: "Run the upgrade again with a longer --timeout, or with --no-prepull." },
            ),
          attempt: async () => {
            const described = await ecs.describeTasks(
              plan.cluster,
              started.map((task) => task.taskArn ?? ""),
            );
            for (const task of described) if (task.lastStatus === "STOPPED") seenStopped.add(task.taskArn);
            const waiting = described.filter((task) => task.lastStatus !== "STOPPED");
            progress.progress(
              `${described.length - waiting.length} of ${started.length} pre-pull task(s) stopped`,
              since,
            );
            return waiting.length === 0 ? described : undefined;
          },
        });
        return { value: tasks, done: `images on ${plan.hosts.length} container instance(s)` };
      });
      const failures = stopped.flatMap((task) => {
        const host = plan.hosts.find(
          (candidate) => candidate.containerInstanceArn === task.containerInstanceArn,
        );
        return prepullFailures(task).map(
          (failure) => `${failure.image} on ${host?.label ?? "?"}: ${failure.reason}`,
        );
      });
      if (failures.length > 0) {
        throw new McctlError(`the pre-pull failed: ${failures.join("; ")}; ${untouched}`, {
          suggestion:
            "Check the tag (and that the registry has it and the host has disk space), then run the upgrade again.",
        });
      }
      reporter.success(`pre-pulled ${plan.images.join(", ")} with ${shortRevision(revision)}`);
    });
  } catch (error) {
    const running = started.filter((task) => !seenStopped.has(task.taskArn));
    await stopLeftovers(ecs, reporter, plan.cluster, running);
    throw error;
  } finally {
    if (request.watch) request.watch.active = false;
    if (revision) await deregister(ecs, reporter, revision);
  }
}

/** After a failure or an interrupt: the one-off tasks that may still run are asked to stop. */
async function stopLeftovers(ecs: EcsApi, reporter: Reporter, cluster: string, tasks: readonly Task[]) {
  await withCallLimits(cleanupLimits(CLEANUP_BUDGET_MS), async () => {
    for (const task of tasks) {
      try {
        await ecs.stopTask(cluster, task.taskArn ?? "", "mcctl upgrade: pre-pull interrupted");
        reporter.info(`stopped the pre-pull task ${task.taskArn?.split("/").pop()}`);
      } catch (error) {
        reporter.warn(`could not stop the pre-pull task ${task.taskArn}: ${(error as Error).message}`);
      }
    }
  });
}

async function deregister(ecs: EcsApi, reporter: Reporter, revision: string) {
  await withCallLimits(cleanupLimits(CLEANUP_BUDGET_MS), async () => {
    try {
      await ecs.deregisterTaskDefinition(revision);
    } catch (error) {
      reporter.warn(
        `could not deregister ${shortRevision(revision)} (\`mcctl destroy\` removes it): ${(error as Error).message}`,
      );
    }
  });
}
