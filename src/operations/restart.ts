import type { Service } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import { cleanupLimits, withCallLimits } from "../aws/limits.js";
import type { RestartPhase } from "../domain/restart-sequence.js";
import { shortRevision } from "../domain/task-revision.js";
import { InterruptedError, McctlError } from "../errors.js";
import { waitForHealthy } from "./health.js";
import type { Reporter, WaitReporter } from "./reporter.js";
import type { RoleChange } from "./role-propagation.js";
import { isServiceGone, ServiceMonitor, waitFor, waitForSteady } from "./service-monitor.js";
import { timeoutError } from "./timeouts.js";

export type { RestartPhase } from "../domain/restart-sequence.js";

/** What the plan decided; nothing here is looked up or asked during the restart itself. */
export interface RestartRequest {
  cluster: string;
  service: string;
  /** Desired count to restore to when the service is already at 0. */
  countWhenStopped: number;
  /** Point the service at this revision while it is scaled down (upgrade, rollback). */
  taskDefinitionArn?: string | undefined;
  /** Wait until this URL answers HTTP 200 once the service is steady (resolved by the plan). */
  healthUrl?: string | undefined;
  /** --timeout, as the operator gave it (timeouts say it). */
  timeoutMs: number;
  /**
   * When the restart must be over (epoch ms): with --yes the command's deadline, which counted the plan
   * too; left out, `timeoutMs` from the moment the restart starts.
   */
  deadline?: number | undefined;
  pollIntervalMs: number;
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP: the wait stops and a service at 0 gets its count back. */
  signal?: AbortSignal | undefined;
  /** Called as each phase starts, with the state a signal handler needs to say what it does. */
  onPhase?: (phase: RestartPhase, state: RestartState) => void;
  /** The role mcctl created or changed in this run: its propagation failures are not failures (role-propagation.ts). */
  roleChange?: RoleChange | undefined;
}

/** How long the calls that put the desired count back may take after an interrupt or a timeout. */
const RESTORE_BUDGET_MS = 60_000;

export interface RestartState {
  cluster: string;
  service: string;
  /** The desired count the service must end with. */
  targetCount: number;
  /**
   * True from just before mcctl asks for desired count 0 until the count is asked back: a scale-down
   * whose answer was lost may still have been applied, so it counts as done.
   */
  scaledDown: boolean;
  previousTaskDefinition?: string | undefined;
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
 * What to say on the first and the second interrupt of a restart, from the state it is in: the
 * command's signal handler shows these, the restart itself does the restoring.
 */
export class RestartWatch {
  private state: RestartState | undefined;

  constructor(private readonly service: string) {}

  readonly onPhase = (_phase: RestartPhase, state: RestartState) => {
    this.state = state;
  };

  /** Said at the first interrupt: what mcctl does about it. */
  first(): string {
    return this.state?.scaledDown
      ? `Interrupted: restoring the desired count of ${this.service} to ${this.state.targetCount}…`
      : "Interrupted: stopping the wait; the service keeps its desired count.";
  }

  /** Said at a second interrupt, just before exiting: what the operator must do by hand. */
  second(): string {
    return this.state?.scaledDown
      ? `Quit before the desired count was restored: ${this.service} may be left at 0. Restore it: ${restoreCommand(this.state)}`
      : "Quit.";
  }
}

/**
 * The wiki's restart, done properly: scale to 0, wait until every task is STOPPED (a STOPPING task
 * still holds host port 80 and the Elasticsearch volume), scale back, wait until steady, and (when
 * asked) until the application answers. Whatever ends it while the service is at 0 — a failure, a
 * timeout, an interrupt — puts the desired count back before the error travels on, so the service is
 * never left at 0 silently.
 */
export async function restartService(
  ecs: EcsApi,
  reporter: Reporter,
  request: RestartRequest,
): Promise<RestartResult> {
  const deadline = request.deadline ?? Date.now() + request.timeoutMs;
  // A call that hangs ends with the command's time or with Ctrl-C, like every wait.
  return withCallLimits({ signal: request.signal, deadline }, () =>
    reporter.wait(`Restarting ${request.service}`, async (progress) => {
      const monitor = new ServiceMonitor(ecs, request.cluster, request.service, progress, request.roleChange);
      const result = await runRestart(ecs, monitor, request, deadline, progress);
      return {
        value: result,
        done: `${request.service} is steady with ${result.targetCount} task(s) on ${shortRevision(result.taskDefinition)}`,
      };
    }),
  );
}

async function runRestart(
  ecs: EcsApi,
  monitor: ServiceMonitor,
  request: RestartRequest,
  deadline: number,
  progress: WaitReporter,
): Promise<RestartResult> {
  const before = await ecs.describeService(request.cluster, request.service);
  if (before?.status !== "ACTIVE") {
    throw new McctlError(
      `service ${request.service} does not exist or is not ACTIVE in cluster ${request.cluster}`,
      { suggestion: "Check --service and --cluster, or create it with `mcctl create-service`." },
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
  throwIfAborted(request.signal);

  try {
    phase("scaling-down");
    state.scaledDown = true;
    await ecs.updateService({
      cluster: request.cluster,
      service: request.service,
      desiredCount: 0,
      ...(request.taskDefinitionArn ? { taskDefinition: request.taskDefinitionArn } : {}),
    });

    phase("waiting-for-stop");
    await waitFor(
      monitor,
      (snapshot) =>
        snapshot.activeTasks.length === 0 &&
        (snapshot.service.runningCount ?? 0) === 0 &&
        (snapshot.service.pendingCount ?? 0) === 0,
      {
        deadline,
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
      progress,
    );
    phase("scaling-up");
    await scaleBackUp(ecs, state);
  } catch (error) {
    // The restore must reach AWS after an interrupt or once the time is up: it gets limits of its own.
    throw await withCallLimits(cleanupLimits(RESTORE_BUDGET_MS), () =>
      restoreAfterFailure(ecs, state, error, progress),
    );
  }

  phase("waiting-for-steady");
  const steady = await waitForSteady(
    monitor,
    {
      deadline,
      pollIntervalMs: request.pollIntervalMs,
      signal: request.signal,
      onTimeout: (snapshot) =>
        timeoutError(
          `${request.service} to become steady`,
          request.timeoutMs,
          snapshot,
          "ECS keeps trying to start the task; follow it with `mcctl status`.",
        ),
    },
    progress,
  );
  if (request.healthUrl) {
    phase("checking-health");
    const url = request.healthUrl;
    const healthStarted = Date.now();
    await waitForHealthy({
      url,
      deadline,
      intervalMs: request.pollIntervalMs,
      signal: request.signal,
      onAttempt: (outcome) =>
        progress.progress(`Waiting for ${url} to answer HTTP 200 (last: ${outcome})`, healthStarted),
    });
  }
  return {
    service: steady.service,
    targetCount: state.targetCount,
    taskDefinition: steady.service.taskDefinition,
    stoppedTasks: known.length,
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
}

async function scaleBackUp(ecs: EcsApi, state: RestartState): Promise<void> {
  // Asking for the same desired count twice is harmless, so a restore after a lost answer is safe.
  await ecs.updateService({
    cluster: state.cluster,
    service: state.service,
    desiredCount: state.targetCount,
  });
  state.scaledDown = false;
}

/**
 * Puts the desired count back after a failure or an interrupt while at 0, and returns the error to
 * throw: the original one, saying the count was restored, or one that gives the command to restore it.
 */
async function restoreAfterFailure(
  ecs: EcsApi,
  state: RestartState,
  error: unknown,
  progress: WaitReporter,
): Promise<unknown> {
  if (!state.scaledDown) return error;
  try {
    await scaleBackUp(ecs, state);
  } catch (restoreError) {
    if (isServiceGone(restoreError)) return serviceGone(state, error);
    return new McctlError(
      `${messageOf(error)}; then restoring the desired count to ${state.targetCount} failed (${(restoreError as Error).message}): ${state.service} may be left at desired count 0`,
      { suggestion: `Restore it now: ${restoreCommand(state)}`, cause: error, exitCode: exitCodeOf(error) },
    );
  }
  progress.line(`Desired count of ${state.service} restored to ${state.targetCount}.`);
  if (error instanceof InterruptedError) {
    return new InterruptedError(
      `${error.message}; the desired count of ${state.service} was restored to ${state.targetCount}`,
      {
        suggestion: "ECS is starting the task again; follow it with `mcctl status`.",
        exitCode: error.exitCode,
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
  return new McctlError(`${messageOf(error)}; the desired count was restored to ${state.targetCount}`, {
    cause: error,
  });
}

/** Deleted during the restart: saying "may be left at 0" or offering update-service would be false. */
function serviceGone(state: RestartState, error: unknown): McctlError {
  const gone = `service ${state.service} no longer exists in cluster ${state.cluster}`;
  const said = messageOf(error);
  return new McctlError(
    `${isServiceGone(error) ? gone : `${said}; then ${gone}`}: there is no desired count to restore`,
    {
      suggestion: "Someone deleted it during the restart; create it again with `mcctl create-service`.",
      cause: error,
      exitCode: exitCodeOf(error),
    },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function exitCodeOf(error: unknown) {
  return error instanceof McctlError ? error.exitCode : undefined;
}
