import type { Service, ServiceEvent, Task } from "@aws-sdk/client-ecs";
import type { EcsApi } from "../aws/ecs.js";
import {
  adviceForEvent,
  adviceForFailure,
  describeStoppedTask,
  isFailedTask,
  isSteady,
  primaryDeployment,
  taskId,
} from "../domain/service-state.js";
import { hasCause, McctlError } from "../errors.js";
import { poll } from "../queries/poll.js";
import type { WaitReporter } from "./reporter.js";
import {
  isPropagationEvent,
  isPropagationFailure,
  PROPAGATION_NOTICE,
  type RoleChange,
} from "./role-propagation.js";

export interface ServiceSnapshot {
  service: Service;
  /** Every task of the service that has not reached STOPPED yet (including STOPPING ones). */
  activeTasks: Task[];
}

/** The service was deleted while mcctl watched it: there is no desired count left to restore. */
export class ServiceGoneError extends McctlError {
  constructor(service: string, cluster: string) {
    super(`service ${service} no longer exists in cluster ${cluster}`, {
      suggestion: "Someone deleted it while mcctl was waiting; create it again with `mcctl create-service`.",
    });
  }
}

/** Whether `error` says the service is gone: seen by a wait, or refused by ECS as not found or not active. */
export function isServiceGone(error: unknown): boolean {
  return hasCause(
    error,
    (cause) =>
      cause instanceof ServiceGoneError ||
      cause.name === "ServiceNotFoundException" ||
      cause.name === "ServiceNotActiveException",
  );
}

/**
 * Watches one ECS service with at most three calls a poll (DescribeServices, ListTasks,
 * DescribeTasks). Tasks are remembered once seen and described until they reach STOPPED, because
 * ListTasks stops listing a task as soon as it is told to stop — while it still holds host port 80.
 */
export class ServiceMonitor {
  private readonly seenEvents = new Set<string>();
  private readonly tracked = new Map<string, Task>();
  private readonly reportedStops = new Set<string>();
  private propagationSaid = false;
  /** Tasks that stopped without being asked to, newest last. */
  readonly failures: { task: Task; description: string }[] = [];

  /**
   * `roleChange`: the role mcctl created or changed in this run. While IAM may still be showing it to ECS,
   * tasks that fail for want of it are replaced by the service and are not failures (role-propagation.ts).
   */
  constructor(
    private readonly ecs: EcsApi,
    readonly cluster: string,
    readonly service: string,
    private readonly reporter: WaitReporter,
    private readonly roleChange?: RoleChange | undefined,
  ) {}

  /** Events from before the change mcctl made: not news, so not shown. */
  ignoreEvents(events: readonly ServiceEvent[] | undefined): void {
    for (const event of events ?? []) if (event.id) this.seenEvents.add(event.id);
  }

  /** Remember tasks the caller already knows about, so their stop is seen even if it is quick. */
  track(tasks: readonly Task[]): void {
    for (const task of tasks) if (task.taskArn) this.tracked.set(task.taskArn, task);
  }

  async poll(): Promise<ServiceSnapshot> {
    const service = await this.ecs.describeService(this.cluster, this.service);
    if (!service || service.status === "INACTIVE") {
      throw new ServiceGoneError(this.service, this.cluster);
    }
    this.reportNewEvents(service.events ?? []);
    for (const arn of await this.ecs.listServiceTasks(this.cluster, this.service, "RUNNING")) {
      if (!this.tracked.has(arn)) this.tracked.set(arn, { taskArn: arn });
    }
    const unfinished = [...this.tracked.values()]
      .filter((task) => task.lastStatus !== "STOPPED")
      .map((task) => task.taskArn as string);
    if (unfinished.length > 0) {
      for (const task of await this.ecs.describeTasks(this.cluster, unfinished)) {
        if (task.taskArn) this.tracked.set(task.taskArn, task);
        if (task.lastStatus === "STOPPED") this.reportStop(task);
      }
    }
    const activeTasks = [...this.tracked.values()].filter((task) => task.lastStatus !== "STOPPED");
    return { service, activeTasks };
  }

  private reportNewEvents(events: readonly ServiceEvent[]): void {
    // ECS lists events newest first; show them in the order they happened.
    const fresh = [...events].reverse().filter((event) => event.id && !this.seenEvents.has(event.id));
    for (const event of fresh) {
      this.seenEvents.add(event.id as string);
      this.reporter.line(`event: ${event.message ?? ""}`);
      if (isPropagationEvent(event.message ?? "", this.roleChange, event.createdAt?.getTime())) {
        this.sayPropagation("ECS tries again on its own");
        continue;
      }
      const advice = adviceForEvent(event.message ?? "");
      if (advice) this.reporter.line(`  likely cause: ${advice}`);
    }
  }

  private reportStop(task: Task): void {
    const arn = task.taskArn as string;
    if (this.reportedStops.has(arn)) return;
    this.reportedStops.add(arn);
    const description = describeStoppedTask(task);
    this.reporter.line(`task ${taskId(arn)} stopped: ${description}`);
    if (!isFailedTask(task)) return;
    if (isPropagationFailure(task, this.roleChange)) {
      this.sayPropagation("not counted as a failure; the service starts another task");
      return;
    }
    this.failures.push({ task, description });
  }

  /** Under a failure the role change explains: the notice once, then only what happens to the failure. */
  private sayPropagation(outcome: string): void {
    const role = this.roleChange?.name ?? "";
    this.reporter.line(
      this.propagationSaid
        ? `  ${outcome} (role ${role})`
        : `  ${PROPAGATION_NOTICE} (role ${role}): ${outcome}`,
    );
    this.propagationSaid = true;
  }
}

export interface WaitOptions {
  /** Absolute time (Date.now()) after which the wait gives up. */
  deadline: number;
  pollIntervalMs: number;
  signal?: AbortSignal | undefined;
  /** What is being waited for, for the spinner: "Waiting for mc to stop". */
  label: string;
  /** Builds the timeout error; the caller knows which command finishes the job. */
  onTimeout(snapshot: ServiceSnapshot | undefined): McctlError;
}

/**
 * Polls until `isDone` holds. Transient AWS errors are retried until the deadline; everything
 * else (and `check` throwing) ends the wait at once.
 */
export async function waitFor(
  monitor: ServiceMonitor,
  isDone: (snapshot: ServiceSnapshot) => boolean,
  options: WaitOptions,
  reporter: WaitReporter,
  check?: (snapshot: ServiceSnapshot) => void,
): Promise<ServiceSnapshot> {
  const started = Date.now();
  let last: ServiceSnapshot | undefined;
  return poll({
    deadline: options.deadline,
    intervalMs: options.pollIntervalMs,
    signal: options.signal,
    attempt: async () => {
      last = await monitor.poll();
      check?.(last);
      if (isDone(last)) return last;
      reporter.progress(`${options.label}: ${summarize(last)}`, started);
      return undefined;
    },
    onRetry: (error) => reporter.retrying?.(error),
    onTimeout: () => options.onTimeout(last),
  });
}

/**
 * What a wait on a service is waiting on, counted: "1 task stopping (DEACTIVATING), 0 running",
 * "1 task starting (PENDING), 0 of 1 running, 2 deployments". Tasks in transit come first, each group with
 * the ECS statuses its tasks are in; the running count is ECS's, against the desired count when there is one.
 */
export function summarize(snapshot: ServiceSnapshot): string {
  const { service, activeTasks } = snapshot;
  const stopping = activeTasks.filter((task) => task.desiredStatus === "STOPPED");
  const starting = activeTasks.filter(
    (task) =>
      task.desiredStatus !== "STOPPED" && task.lastStatus !== undefined && task.lastStatus !== "RUNNING",
  );
  const running = service.runningCount ?? 0;
  const desired = service.desiredCount ?? 0;
  const parts: string[] = [];
  if (stopping.length > 0) parts.push(`${countTasks(stopping.length)} stopping (${statuses(stopping)})`);
  if (starting.length > 0) parts.push(`${countTasks(starting.length)} starting (${statuses(starting)})`);
  else if ((service.pendingCount ?? 0) > 0) parts.push(`${countTasks(service.pendingCount ?? 0)} pending`);
  parts.push(desired > 0 ? `${running} of ${desired} running` : `${running} running`);
  const deployments = service.deployments?.length ?? 0;
  if (deployments > 1) parts.push(`${deployments} deployments`);
  return parts.join(", ");
}

const countTasks = (count: number) => `${count} ${count === 1 ? "task" : "tasks"}`;

/** "DEACTIVATING" when the tasks share their last status, else "1 DEACTIVATING, 1 STOPPING". */
function statuses(tasks: readonly Task[]): string {
  const counts = new Map<string, number>();
  for (const task of tasks) {
    const status = task.lastStatus ?? "not described yet";
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  if (counts.size === 1) return [...counts.keys()].join("");
  return [...counts].map(([status, count]) => `${count} ${status}`).join(", ");
}

const STEADY_CONFIRMATIONS = 2;

export interface SteadyWaitOptions extends Omit<WaitOptions, "label"> {
  /** Stop waiting after this many tasks failed to start or crashed (default 2). */
  maxFailures?: number;
}

/**
 * Waits until the service is steady, failing fast when tasks of the service's revision keep failing.
 * (ECS's deployment circuit breaker is not used: see README, "Why no circuit breaker".)
 */
export function waitForSteady(
  monitor: ServiceMonitor,
  options: SteadyWaitOptions,
  reporter: WaitReporter,
): Promise<ServiceSnapshot> {
  const maxFailures = options.maxFailures ?? 2;
  // A task that crashes right after starting looks steady for a moment: believe it on the second look.
  let steadyPolls = 0;
  return waitFor(
    monitor,
    (snapshot) => {
      steadyPolls = isSteady(snapshot.service, snapshot.activeTasks) ? steadyPolls + 1 : 0;
      return steadyPolls >= STEADY_CONFIRMATIONS;
    },
    { ...options, label: `Waiting for ${monitor.service} to become steady` },
    reporter,
    (snapshot) => {
      const primary = primaryDeployment(snapshot.service);
      const failures = monitor.failures.filter(
        (failure) => !primary?.taskDefinition || failure.task.taskDefinitionArn === primary.taskDefinition,
      );
      if (failures.length >= maxFailures) {
        throw deploymentFailed(monitor, failures);
      }
    },
  );
}

/** A deployment whose tasks died: the error keeps them, so that their last log lines can be shown. */
export class DeploymentFailedError extends McctlError {
  constructor(
    message: string,
    readonly stoppedTasks: readonly Task[],
    options: { suggestion?: string | undefined },
  ) {
    super(message, options);
    this.name = "DeploymentFailedError";
  }
}

function deploymentFailed(
  monitor: ServiceMonitor,
  failures: readonly { task: Task; description: string }[],
): McctlError {
  const unique = [...new Set(failures.map((failure) => failure.description))];
  const advice = unique.map(adviceForFailure).find((text) => text !== undefined);
  return new DeploymentFailedError(
    `the deployment of ${monitor.service} is failing: ${unique.join(" | ")}`,
    failures.map((failure) => failure.task),
    {
      suggestion:
        advice ?? "Check the service events and the container logs, fix the cause, then run `mcctl restart`.",
    },
  );
}
