import type { Service } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { InterruptedError, McctlError } from "../errors.js";
import { type ServiceMonitor, type WaitReporter, waitFor, waitForSteady } from "./service-monitor.js";
import { timeoutError } from "./timeouts.js";

export type RestartPhase =
  | "scaling-down"
  | "waiting-for-stop"
  | "scaling-up"
  | "waiting-for-steady"
  | "checking-health"
  | "done";

export interface RestartRequest {
  cluster: string;
  service: string;
  /** Desired count to restore to when the service is already at 0. */
  countWhenStopped: number;
  /** Point the service at this revision while it is scaled down (upgrade, rollback). */
  taskDefinitionArn?: string;
  /** Absolute end of the whole command (Date.now() based) and the --timeout it came from. */
  deadline: number;
  timeoutMs: number;
  pollIntervalMs: number;
  signal?: AbortSignal;
  /** Polled after the service is steady, when given. */
  healthCheck?: (signal?: AbortSignal) => Promise<void>;
  /** Tells the caller which phase is running, e.g. to pick the Ctrl-C message. */
  onPhase?: (phase: RestartPhase, state: RestartState) => void;
}

export interface RestartState {
  cluster: string;
  service: string;
  /** The desired count the service must end with. */
  targetCount: number;
  /** True while mcctl has the service at 0 and has not asked for `targetCount` again. */
  scaledDown: boolean;
  previousTaskDefinition?: string;
}

export interface RestartResult {
  service: Service;
  targetCount: number;
  taskDefinition: string | undefined;
  stoppedTasks: number;
}

/** The command an operator can paste to put the desired count back by hand. */
export function restoreCommand(state: Pick<RestartState, "cluster" | "service" | "targetCount">): string {
  return `aws ecs update-service --cluster ${state.cluster} --service ${state.service} --desired-count ${state.targetCount}`;
}

/**
 * The wiki's restart, done properly: scale to 0, wait until every task is STOPPED (a STOPPING task
 * still holds host port 80 and the Elasticsearch volume), scale back, wait until steady.
 * If anything interrupts it while the service is at 0, the desired count is put back before the
 * error travels on, so the service is never left at 0 silently.
 */
export async function restartService(
  ecs: EcsApi,
  monitor: ServiceMonitor,
  request: RestartRequest,
  reporter: WaitReporter,
): Promise<RestartResult> {
  const before = await ecs.describeService(request.cluster, request.service);
  if (before?.status !== "ACTIVE") {
    throw new McctlError(
      `service ${request.service} does not exist or is not ACTIVE in cluster ${request.cluster}`,
      {
        suggestion: "Check --service and --cluster, or create it with `mcctl create-service`.",
      },
    );
  }
  const state: RestartState = {
    cluster: request.cluster,
    service: request.service,
    targetCount: (before.desiredCount ?? 0) > 0 ? (before.desiredCount as number) : request.countWhenStopped,
    scaledDown: false,
    previousTaskDefinition: before.taskDefinition,
  };
  const phase = (name: RestartPhase) => request.onPhase?.(name, state);
  monitor.ignoreEvents(before.events);
  const known = await ecs.listServiceTasks(request.cluster, request.service, "RUNNING");
  if (known.length > 0) monitor.track(await ecs.describeTasks(request.cluster, known));

  phase("scaling-down");
  await ecs.updateService({
    cluster: request.cluster,
    service: request.service,
    desiredCount: 0,
    ...(request.taskDefinitionArn ? { taskDefinition: request.taskDefinitionArn } : {}),
  });
  state.scaledDown = true;

  try {
    phase("waiting-for-stop");
    await waitFor(
      monitor,
      (snapshot) =>
        snapshot.activeTasks.length === 0 &&
        (snapshot.service.runningCount ?? 0) === 0 &&
        (snapshot.service.pendingCount ?? 0) === 0,
      {
        deadline: request.deadline,
        pollIntervalMs: request.pollIntervalMs,
        signal: request.signal,
        label: `Waiting for the tasks of ${request.service} to stop`,
        onTimeout: (snapshot) =>
          timeoutError(
            `the tasks of ${request.service} to stop`,
            request.timeoutMs,
            snapshot,
            "ECS starts the new task as soon as the old one has stopped; follow it with `mcctl status`.",
          ),
      },
      reporter,
    );
    phase("scaling-up");
    await scaleBackUp(ecs, state);
  } catch (error) {
    throw await restoreAfterFailure(ecs, state, error, reporter);
  }

  phase("waiting-for-steady");
  const steady = await waitForSteady(
    monitor,
    {
      deadline: request.deadline,
      pollIntervalMs: request.pollIntervalMs,
      signal: request.signal,
      onTimeout: (snapshot) =>
        timeoutError(
          `${request.service} to become steady`,
          request.timeoutMs,
          snapshot,
          `ECS keeps trying to start the task; follow it with \`mcctl status\`.`,
        ),
    },
    reporter,
  );
  if (request.healthCheck) {
    phase("checking-health");
    await request.healthCheck(request.signal);
  }
  phase("done");
  return {
    service: steady.service,
    targetCount: state.targetCount,
    taskDefinition: steady.service.taskDefinition,
    stoppedTasks: known.length,
  };
}

async function scaleBackUp(ecs: EcsApi, state: RestartState): Promise<void> {
  await ecs.updateService({
    cluster: state.cluster,
    service: state.service,
    desiredCount: state.targetCount,
  });
  state.scaledDown = false;
}

/**
 * Puts the desired count back after a failure or Ctrl-C while at 0, and returns the error to throw:
 * the original one, saying the count was restored, or one that gives the command to restore it.
 */
async function restoreAfterFailure(
  ecs: EcsApi,
  state: RestartState,
  error: unknown,
  reporter: WaitReporter,
): Promise<unknown> {
  if (!state.scaledDown) return error;
  try {
    await scaleBackUp(ecs, state);
  } catch (restoreError) {
    return new McctlError(
      `the service ${state.service} was left at desired count 0: restoring it to ${state.targetCount} failed (${(restoreError as Error).message})`,
      { suggestion: `Restore it now: ${restoreCommand(state)}`, cause: error },
    );
  }
  reporter.line(`Desired count of ${state.service} restored to ${state.targetCount}.`);
  if (error instanceof InterruptedError) {
    return new InterruptedError(
      `interrupted; the desired count of ${state.service} was restored to ${state.targetCount}`,
      {
        suggestion: "ECS is starting the task again; follow it with `mcctl status`.",
      },
    );
  }
  if (error instanceof McctlError) {
    return new McctlError(`${error.message}; the desired count was restored to ${state.targetCount}`, {
      suggestion: error.suggestion,
      exitCode: error.exitCode,
      cause: error.cause,
    });
  }
  return error;
}
