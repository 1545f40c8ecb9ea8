/**
 * The service scheduler of the simulated ECS: after each simulated event (and `schedulerDelayMs` after an API
 * call changed a service) it stops surplus and superseded tasks, launches missing ones within the deployment
 * configuration's limits and the cluster's room, rolls deployments forward, trips the circuit breaker, and
 * notes the service's counts and events.
 */
import {
  type DeploymentState,
  type InstanceState,
  notYetRunning,
  rolloutReasons,
  type ServiceCounts,
  type ServiceState,
  serviceMessages,
  type TaskDefinitionState,
  type TaskState,
} from "./ecs-model.js";
import { placeTask } from "./ecs-placement.js";
import { executionRoleUnusable, secretsMessages } from "./ecs-secrets.js";
import type { EcsState } from "./ecs-state.js";
import { deleteUnusedTaskDefinitions } from "./ecs-task-definitions.js";
import type { TaskLifecycle } from "./ecs-task-lifecycle.js";

export class ServiceScheduler {
  readonly #state: EcsState;
  readonly #lifecycle: TaskLifecycle;

  constructor(state: EcsState, lifecycle: TaskLifecycle) {
    this.#state = state;
    this.#lifecycle = lifecycle;
  }

  /** A scheduler pass over every service (after each simulated event), then the counts as they now are. */
  reconcileAll(): void {
    for (const service of this.#state.services.values()) {
      this.#reconcile(service);
      this.recordCounts(service);
    }
    deleteUnusedTaskDefinitions(this.#state);
  }

  /**
   * The scheduler acts on an API call's change `schedulerDelayMs` later, not inside the call. Until then it
   * leaves the service alone; a further call within the delay is picked up on the same pass.
   */
  wakeSchedulerLater(service: ServiceState): void {
    const now = this.#state.ctx.clock.now();
    if (service.schedulerDueAt !== undefined && service.schedulerDueAt > now) return;
    service.schedulerDueAt = now + this.#state.timings.schedulerDelayMs;
    // Nothing to do in the event itself: the settle hook runs the scheduler after it.
    this.#state.ctx.clock.at(service.schedulerDueAt, `ECS service ${service.name} scheduler`, () => {});
  }

  /** One scheduler pass: stop what is surplus or superseded, launch what is missing, update rollout state. */
  #reconcile(service: ServiceState): void {
    if (service.status === "INACTIVE") return;
    if (service.schedulerDueAt !== undefined) {
      if (this.#state.ctx.clock.now() < service.schedulerDueAt) return;
      service.schedulerDueAt = undefined;
    }
    const stopped = [...this.#stopSurplusTasks(service), ...this.#stopSupersededTasks(service)];
    if (stopped.length > 0) this.#emit(service, serviceMessages.stopped(service.name, idsOf(stopped)));
    const started = this.#launchMissingTasks(service);
    if (started.length > 0) this.#emit(service, serviceMessages.started(service.name, idsOf(started)));
    this.#retireDrainedDeployments(service);
    this.#updateSteadyState(service);
    this.#finishDraining(service);
  }

  /** Scale-in: the PRIMARY deployment has more live tasks than desired. Not-yet-running and newest go first. */
  #stopSurplusTasks(service: ServiceState): TaskState[] {
    const primary = this.#state.primary(service);
    const live = this.#state.liveTasks(service).filter((task) => task.deploymentId === primary.id);
    const surplus = live.length - service.desiredCount;
    if (surplus <= 0) return [];
    const victims = [...live].sort(stopOrder).slice(0, surplus);
    for (const task of victims)
      this.#lifecycle.requestStop(task, "ServiceSchedulerInitiated", scalingReason(task));
    return victims;
  }

  /** Rolling update: stop tasks of older deployments as far as minimumHealthyPercent allows. */
  #stopSupersededTasks(service: ServiceState): TaskState[] {
    const primary = this.#state.primary(service);
    const live = this.#state.liveTasks(service);
    const old = live.filter((task) => task.deploymentId !== primary.id).sort(stopOrder);
    const { minimumHealthyPercent } = service.deploymentConfiguration;
    const minHealthy = Math.ceil((service.desiredCount * minimumHealthyPercent) / 100);
    let healthy = live.filter((task) => task.lastStatus === "RUNNING").length;
    const victims: TaskState[] = [];
    for (const task of old) {
      if (task.lastStatus === "RUNNING") {
        if (healthy - 1 < minHealthy) break;
        healthy -= 1;
      }
      victims.push(task);
    }
    for (const task of victims)
      this.#lifecycle.requestStop(task, "ServiceSchedulerInitiated", scalingReason(task));
    return victims;
  }

  /** Start PRIMARY tasks up to the desired count, within maximumPercent and the cluster's free resources. */
  #launchMissingTasks(service: ServiceState): TaskState[] {
    const primary = this.#state.primary(service);
    if (service.status !== "ACTIVE" || primary.rolloutState === "FAILED") return [];
    const live = this.#state.liveTasks(service);
    const primaryLive = live.filter((task) => task.deploymentId === primary.id).length;
    const { maximumPercent } = service.deploymentConfiguration;
    const maxTotal = Math.floor((service.desiredCount * maximumPercent) / 100);
    const wanted = Math.min(service.desiredCount - primaryLive, maxTotal - live.length);
    const taskDefinition = this.#state.taskDefinitionByArn(primary.taskDefinitionArn);
    const started: TaskState[] = [];
    // ECS assumes the execution role before it places the task: a role IAM has not shown it yet fails the
    // launch (a service event, no task) and the scheduler tries again later.
    const unusableRole =
      wanted > 0 ? executionRoleUnusable(taskDefinition.definition, this.#state.options) : undefined;
    if (unusableRole) {
      this.#emit(service, secretsMessages.unableToAssumeRole(service.name, unusableRole), {
        throttled: true,
      });
      this.#schedulePlacementRetry(service);
      return [];
    }
    for (let i = 0; i < wanted; i++) {
      const placement = placeTask(this.#state, service.clusterArn, taskDefinition.requirements);
      if (!placement.instance) {
        const message = serviceMessages.unableToPlace(service.name, placement.detail);
        this.#emit(service, message, { throttled: true });
        this.#schedulePlacementRetry(service);
        break;
      }
      started.push(this.#launchTask(service, primary, taskDefinition, placement.instance));
    }
    if (started.length > 0) service.recentMessages.clear();
    return started;
  }

  /** Nothing else may happen while a service waits for room: wake the scheduler up (reconciliation follows). */
  #schedulePlacementRetry(service: ServiceState): void {
    if (service.retryScheduled) return;
    service.retryScheduled = true;
    const wakeUp = () => {
      service.retryScheduled = false;
    };
    this.#state.ctx.clock.after(
      this.#state.timings.placementRetryMs,
      `ECS service ${service.name} retry`,
      wakeUp,
    );
  }

  /** Old deployments without unstopped tasks become INACTIVE (and disappear from DescribeServices). */
  #retireDrainedDeployments(service: ServiceState): void {
    for (const deployment of service.deployments) {
      if (deployment.status !== "ACTIVE") continue;
      if (this.#state.unstoppedTasks(service).some((task) => task.deploymentId === deployment.id)) continue;
      deployment.status = "INACTIVE";
      deployment.updatedAt = this.#state.ctx.clock.date();
    }
  }

  /** Steady = exactly the desired number of tasks, all PRIMARY and RUNNING, nothing else left stopping. */
  #updateSteadyState(service: ServiceState): void {
    const primary = this.#state.primary(service);
    const unstopped = this.#state.unstoppedTasks(service);
    const steady =
      service.status === "ACTIVE" &&
      unstopped.length === service.desiredCount &&
      unstopped.every(
        (task) =>
          task.deploymentId === primary.id &&
          task.lastStatus === "RUNNING" &&
          task.desiredStatus === "RUNNING",
      );
    if (!steady) {
      service.steady = false;
      return;
    }
    if (primary.rolloutState === "IN_PROGRESS") this.#completeDeployment(service, primary);
    if (!service.steady) {
      service.steady = true;
      this.#emit(service, serviceMessages.steadyState(service.name));
    }
  }

  #finishDraining(service: ServiceState): void {
    if (service.status !== "DRAINING" || this.#state.unstoppedTasks(service).length > 0) return;
    service.status = "INACTIVE";
  }

  startDeployment(service: ServiceState, taskDefinitionArn: string, reason?: string): DeploymentState {
    const now = this.#state.ctx.clock.date();
    for (const deployment of service.deployments) {
      if (deployment.status !== "PRIMARY") continue;
      deployment.status = "ACTIVE";
      deployment.updatedAt = now;
    }
    const id = `ecs-svc/${this.#state.ctx.ids.digits(19)}`;
    const deployment: DeploymentState = {
      id,
      status: "PRIMARY",
      taskDefinitionArn,
      failedTasks: 0,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: reason ?? rolloutReasons.inProgress(id),
    };
    service.deployments.unshift(deployment);
    service.taskDefinitionArn = taskDefinitionArn;
    service.steady = false;
    return deployment;
  }

  #completeDeployment(service: ServiceState, deployment: DeploymentState): void {
    deployment.rolloutState = "COMPLETED";
    deployment.rolloutStateReason = rolloutReasons.completed(deployment.id);
    deployment.updatedAt = this.#state.ctx.clock.date();
    service.lastCompleted = { deploymentId: deployment.id, taskDefinitionArn: deployment.taskDefinitionArn };
    this.#emit(service, serviceMessages.deploymentCompleted(service.name, deployment.id));
  }

  /** A task of `deployment` stopped before reaching RUNNING: count it, and trip the circuit breaker if due. */
  recordFailedStart(service: ServiceState, deployment: DeploymentState): void {
    deployment.failedTasks += 1;
    deployment.consecutiveFailures += 1;
    deployment.updatedAt = this.#state.ctx.clock.date();
    if (deployment.status !== "PRIMARY" || deployment.rolloutState !== "IN_PROGRESS") return;
    if (!this.#circuitBreakerEnabled(service)) return;
    if (deployment.consecutiveFailures < this.#circuitBreakerThreshold(service)) return;
    deployment.rolloutState = "FAILED";
    deployment.rolloutStateReason = rolloutReasons.circuitBreakerFailed;
    this.#emit(service, serviceMessages.deploymentFailed(service.name, deployment.id));
    const target = service.lastCompleted;
    if (service.deploymentConfiguration.deploymentCircuitBreaker.rollback && target) {
      this.startDeployment(
        service,
        target.taskDefinitionArn,
        rolloutReasons.rollingBack(target.deploymentId),
      );
    }
  }

  #circuitBreakerEnabled(service: ServiceState): boolean {
    return (
      this.#state.options.circuitBreaker?.enabled ||
      service.deploymentConfiguration.deploymentCircuitBreaker.enable
    );
  }

  #circuitBreakerThreshold(service: ServiceState): number {
    return (
      this.#state.options.circuitBreaker?.threshold ??
      Math.min(200, Math.max(3, Math.ceil(service.desiredCount / 2)))
    );
  }

  #emit(service: ServiceState, message: string, options: { throttled?: boolean } = {}): void {
    const now = this.#state.ctx.clock.now();
    if (options.throttled) {
      const last = service.recentMessages.get(message);
      if (last !== undefined && now - last < this.#state.timings.repeatedEventIntervalMs) return;
      service.recentMessages.set(message, now);
    }
    service.events.unshift({ id: this.#state.ctx.ids.uuid(), createdAt: new Date(now), message });
    service.events.splice(100);
  }

  #launchTask(
    service: ServiceState,
    deployment: DeploymentState,
    taskDefinition: TaskDefinitionState,
    instance: InstanceState,
  ): TaskState {
    return this.#lifecycle.createTask({
      clusterArn: service.clusterArn,
      taskDefinition,
      instance,
      serviceName: service.name,
      deploymentId: deployment.id,
      group: `service:${service.name}`,
      startedBy: deployment.id,
      tags: [],
    });
  }

  /** The service's task counts now. */
  #countsOf(service: ServiceState): ServiceCounts {
    const counts: ServiceCounts = { running: 0, pending: 0, deployments: {} };
    for (const task of this.#state.tasksOfService(service)) {
      const running = task.lastStatus === "RUNNING" ? 1 : 0;
      const pending = notYetRunning.includes(task.lastStatus) ? 1 : 0;
      if (running + pending === 0) continue;
      counts.running += running;
      counts.pending += pending;
      if (task.deploymentId === undefined) continue;
      const own = counts.deployments[task.deploymentId] ?? { running: 0, pending: 0 };
      own.running += running;
      own.pending += pending;
      counts.deployments[task.deploymentId] = own;
    }
    return counts;
  }

  /** Notes the counts if they changed since last noted (DescribeServices shows them `serviceCountsLagMs` later). */
  recordCounts(service: ServiceState): void {
    const counts = this.#countsOf(service);
    const last = service.countHistory.at(-1);
    if (last && JSON.stringify(last.counts) === JSON.stringify(counts)) return;
    service.countHistory.push({ at: this.#state.ctx.clock.now(), counts });
  }
}

/** Which tasks the scheduler stops first: not-yet-running ones, then the newest. */
function stopOrder(a: TaskState, b: TaskState): number {
  const rank = (task: TaskState) => (task.lastStatus === "RUNNING" ? 1 : 0);
  return rank(a) - rank(b) || b.createdAt.getTime() - a.createdAt.getTime();
}

function idsOf(tasks: TaskState[]): string[] {
  return tasks.map((task) => task.id);
}

function scalingReason(task: TaskState): string {
  return `Scaling activity initiated by (deployment ${task.deploymentId})`;
}
