/**
 * The life of a task in the simulated ECS, from placement to purge, as "Amazon ECS task lifecycle" describes it
 * (resources are held until STOPPED):
 *   bridge / host / none:  PENDING → RUNNING → STOPPING → STOPPED
 *   awsvpc:                PROVISIONING → PENDING → ACTIVATING → RUNNING → STOPPING → DEPROVISIONING → STOPPED
 * with the image pull (ecs-images.ts), the secrets (ecs-secrets.ts), the awslogs driver (ecs-logs.ts), and the
 * failures and command exits a test scripts.
 */
import type { ContainerOverride, Tag, TaskOverride, TaskStopCode } from "@aws-sdk/client-ecs";
import { clone } from "./core.js";
import type { ImageRegistry } from "./ecs-images.js";
import type { AwslogsDriver } from "./ecs-logs.js";
import {
  type ContainerState,
  clusterNameOf,
  type DeploymentState,
  type InstanceState,
  type ServiceState,
  type TaskDefinitionState,
  type TaskLastStatus,
  type TaskState,
  usesAwsvpc,
} from "./ecs-model.js";
import { resolveTaskSecrets } from "./ecs-secrets.js";
import type { EcsState } from "./ecs-state.js";
import { overriddenRequirements } from "./ecs-task-definitions.js";
import { ESSENTIAL_CONTAINER_EXITED, type TaskFailureScript, type TaskScripts } from "./ecs-task-scripts.js";

/** What the task lifecycle tells the service scheduler (ecs-scheduler.ts). */
export interface TaskLifecycleHooks {
  /** A task of the deployment stopped before it reached RUNNING. */
  failedToStart(service: ServiceState, deployment: DeploymentState): void;
  /** A task of the service stopped at once: its counts changed. */
  countsChanged(service: ServiceState): void;
}

/** Where a new task goes and what it is started with. */
export interface TaskPlacement {
  clusterArn: string;
  taskDefinition: TaskDefinitionState;
  instance: InstanceState;
  serviceName?: string;
  deploymentId?: string;
  group: string;
  startedBy: string | undefined;
  overrides?: TaskOverride;
  tags: Tag[];
}

export class TaskLifecycle {
  readonly #state: EcsState;
  /** Image sizes, digests and refusals, and what each container instance has pulled. */
  readonly #images: ImageRegistry;
  readonly #awslogs: AwslogsDriver;
  readonly #hooks: TaskLifecycleHooks;
  readonly #scripts: TaskScripts;

  constructor(
    state: EcsState,
    parts: { images: ImageRegistry; awslogs: AwslogsDriver; scripts: TaskScripts },
    hooks: TaskLifecycleHooks,
  ) {
    this.#state = state;
    this.#images = parts.images;
    this.#awslogs = parts.awslogs;
    this.#scripts = parts.scripts;
    this.#hooks = hooks;
  }

  /** A task is placed: it starts its lifecycle on the instance. */
  createTask(placement: TaskPlacement): TaskState {
    const { taskDefinition, instance, overrides } = placement;
    const id = this.#state.ctx.ids.hex(32);
    const clusterName = clusterNameOf(placement.clusterArn);
    const now = this.#state.ctx.clock.date();
    // The agent fetches the secrets as soon as it gets the task, before pulling images: a failure to do so
    // stops the task before any scripted failure could strike.
    const secrets = resolveTaskSecrets(
      taskDefinition.definition,
      {
        taskId: id,
        region: this.#state.ctx.region,
        accountId: this.#state.ctx.accountId,
        requestId: () => this.#state.ctx.ids.uuid(),
      },
      this.#state.options,
    );
    const task: TaskState = {
      id,
      arn: this.#state.arns.task(clusterName, id),
      clusterArn: placement.clusterArn,
      instance,
      taskDefinition,
      serviceName: placement.serviceName,
      deploymentId: placement.deploymentId,
      group: placement.group,
      startedBy: placement.startedBy,
      lastStatus: usesAwsvpc(taskDefinition.definition) ? "PROVISIONING" : "PENDING",
      desiredStatus: "RUNNING",
      createdAt: now,
      connectivityAt: now,
      containers: (taskDefinition.definition.containerDefinitions ?? []).map(
        (definition): ContainerState => ({
          name: definition.name ?? "",
          image: definition.image ?? "",
          arn: this.#state.arns.container(clusterName, id, this.#state.ctx.ids.uuid()),
          runtimeId: undefined,
          lastStatus: "PENDING",
          exitCode: undefined,
          reason: undefined,
          definition,
          ...containerOverride(overrides, definition.name),
          environment: secrets.failure ? undefined : secrets.environments.get(definition.name ?? ""),
        }),
      ),
      version: 1,
      failure: secrets.failure ?? this.#scripts.takeFailureScript(taskDefinition.definition),
      requirements: overriddenRequirements(taskDefinition.definition, overrides),
      ...(overrides ? { overrides: clone(overrides) } : {}),
      tags: clone(placement.tags),
    };
    this.#state.tasks.set(task.arn, task);
    if (task.lastStatus === "PROVISIONING") {
      this.#after(task, this.#state.timings.provisioningMs, "PENDING", () => this.#toPending(task));
    } else {
      this.#pull(task);
    }
    return task;
  }

  /** awsvpc: the network interface is attached. */
  #toPending(task: TaskState): void {
    if (task.lastStatus !== "PROVISIONING") return;
    this.#setStatus(task, "PENDING");
    this.#pull(task);
  }

  /**
   * PENDING: the agent pulls the images (ecs-images.ts), then starts the containers `pendingMs` later; or the
   * pull fails (a refused image, a full disk), or a scripted PENDING failure strikes after `pendingMs`.
   */
  #pull(task: TaskState): void {
    task.pullStartedAt = this.#state.ctx.clock.date();
    const { failure } = task;
    if (failure?.stage === "PENDING") {
      this.#after(task, this.#state.timings.pendingMs, "failed", () => this.#fail(task, failure));
      return;
    }
    const plan = this.#images.plan(
      task.instance.arn,
      task.containers.map((container) => container.image),
    );
    const pullFailure = plan.failure;
    if (pullFailure) {
      const container = task.containers.find((c) => c.image === pullFailure.image);
      const script: TaskFailureScript = {
        stage: "PENDING",
        stopCode: "TaskFailedToStart",
        stoppedReason: pullFailure.reason,
        containers: container ? [{ name: container.name, reason: pullFailure.reason }] : [],
      };
      this.#after(task, plan.durationMs, "pull failed", () => this.#fail(task, script));
      return;
    }
    const pulled = () => {
      if (task.lastStatus !== "PENDING") return;
      task.pullStoppedAt = this.#state.ctx.clock.date();
      this.#images.store(task.instance.arn, plan.pulled);
      for (const container of task.containers) container.imageDigest = this.#images.digestOf(container.image);
      if (usesAwsvpc(task.taskDefinition.definition)) {
        this.#after(task, this.#state.timings.pendingMs, "ACTIVATING", () => this.#toActivating(task));
      } else {
        this.#after(task, this.#state.timings.pendingMs, "RUNNING", () => this.#toRunning(task));
      }
    };
    if (plan.durationMs > 0) this.#after(task, plan.durationMs, "images pulled", pulled);
    else pulled();
  }

  /** awsvpc: containers started, task networking being configured. */
  #toActivating(task: TaskState): void {
    if (task.lastStatus !== "PENDING" || !this.#startContainers(task)) return;
    this.#setStatus(task, "ACTIVATING");
    this.#after(task, this.#state.timings.activatingMs, "RUNNING", () => this.#toRunning(task));
  }

  #toRunning(task: TaskState): void {
    if (task.lastStatus !== "PENDING" && task.lastStatus !== "ACTIVATING") return;
    // An awsvpc task's containers started when it went ACTIVATING.
    if (task.lastStatus === "PENDING" && !this.#startContainers(task)) return;
    this.#setStatus(task, "RUNNING");
    task.startedAt = this.#state.ctx.clock.date();
    for (const container of task.containers) {
      container.lastStatus = "RUNNING";
      // The awslogs driver may have named a stream after the container id already.
      container.runtimeId ??= this.#state.ctx.ids.hex(64);
    }
    const deployment = this.#state.deploymentOf(task);
    if (deployment) deployment.consecutiveFailures = 0;
    const { failure } = task;
    if (failure?.stage === "RUNNING") {
      const runFor = failure.afterMs ?? this.#state.timings.runningFailureMs;
      this.#after(task, runFor, "failed", () => this.#fail(task, failure));
    }
    for (const container of task.containers) this.#runCommand(task, container);
  }

  /** A container whose command ends (a one-off command, or a scripted exit) exits; an essential one stops the task. */
  #runCommand(task: TaskState, container: ContainerState): void {
    const command = container.override?.command ?? container.definition.command;
    if (!command) return;
    const script = this.#scripts.commandExit(command);
    if (!script && !container.override?.command) return;
    const exitCode = script?.exitCode ?? 0;
    const runFor = script?.afterMs ?? this.#state.timings.oneOffCommandMs;
    this.#after(task, runFor, `container ${container.name} exited`, () => {
      if (container.lastStatus !== "RUNNING" || task.lastStatus === "STOPPED") return;
      // Another essential container already ended the task: this one still exits on its own, with its code.
      if (task.desiredStatus === "STOPPED" || container.definition.essential === false) {
        this.#awslogs.exit(task, container.name, undefined);
        container.lastStatus = "STOPPED";
        container.exitCode = exitCode;
        return;
      }
      this.#fail(task, {
        stage: "RUNNING",
        stopCode: "EssentialContainerExited",
        stoppedReason: ESSENTIAL_CONTAINER_EXITED,
        containers: [{ name: container.name, exitCode }],
      });
    });
  }

  /**
   * The containers start (PENDING ends): the log driver sets up their streams. False, and the task failing,
   * when it cannot (an awslogs group that does not exist).
   */
  #startContainers(task: TaskState): boolean {
    const failure = this.#awslogs.start(task);
    if (failure) this.#fail(task, failure);
    return failure === undefined;
  }

  /** A scripted failure strikes: the named containers stop with their exit codes, then the whole task stops. */
  #fail(task: TaskState, failure: TaskFailureScript): void {
    if (task.desiredStatus === "STOPPED") return;
    const startedBefore = task.lastStatus === "RUNNING";
    for (const outcome of failure.containers ?? []) {
      const container = task.containers.find((c) => c.name === outcome.name);
      if (!container) continue;
      this.#awslogs.exit(task, container.name, outcome.lastLines);
      container.lastStatus = "STOPPED";
      container.exitCode = outcome.exitCode;
      container.reason = outcome.reason;
    }
    task.stopCode =
      failure.stopCode ?? (failure.stage === "PENDING" ? "TaskFailedToStart" : "EssentialContainerExited");
    task.stoppedReason = failure.stoppedReason;
    this.#beginStopping(task, this.#state.timings.failedStoppingMs);
    const service = this.#state.serviceOf(task);
    const deployment = this.#state.deploymentOf(task);
    if (!startedBefore && service && deployment) this.#hooks.failedToStart(service, deployment);
  }

  requestStop(task: TaskState, stopCode: TaskStopCode, reason: string): void {
    if (task.desiredStatus === "STOPPED") return;
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    this.#beginStopping(task, this.#state.timings.stoppingMs);
  }

  #beginStopping(task: TaskState, stoppingMs: number): void {
    task.desiredStatus = "STOPPED";
    task.stoppingAt = this.#state.ctx.clock.date();
    this.#setStatus(task, "STOPPING");
    this.#after(task, stoppingMs, "containers stopped", () => this.#containersStopped(task));
  }

  /** The containers are gone; an awsvpc task still has its network interface to give back. */
  #containersStopped(task: TaskState): void {
    if (task.lastStatus !== "STOPPING") return;
    task.executionStoppedAt = this.#state.ctx.clock.date();
    this.#awslogs.stopAll(task);
    for (const container of task.containers) {
      if (container.lastStatus === "RUNNING") container.exitCode = 143;
      container.lastStatus = "STOPPED";
    }
    if (usesAwsvpc(task.taskDefinition.definition)) {
      this.#setStatus(task, "DEPROVISIONING");
      this.#after(task, this.#state.timings.deprovisioningMs, "STOPPED", () => this.#toStopped(task));
    } else {
      this.#toStopped(task);
    }
  }

  /**
   * The task's containers are gone at once (its host was terminated): STOPPED now,
   * whatever it was doing; what it held on the instance is free.
   */
  stopNow(task: TaskState, stopCode: TaskStopCode, reason: string): void {
    if (task.lastStatus === "STOPPED") return;
    const now = this.#state.ctx.clock.date();
    if (task.desiredStatus !== "STOPPED") {
      task.desiredStatus = "STOPPED";
      task.stopCode = stopCode;
      task.stoppedReason = reason;
    }
    task.stoppingAt ??= now;
    task.executionStoppedAt ??= now;
    this.#awslogs.stopAll(task);
    for (const container of task.containers) {
      if (container.lastStatus === "RUNNING") container.exitCode = 143;
      container.lastStatus = "STOPPED";
    }
    this.#toStopped(task);
    const service = this.#state.serviceOf(task);
    if (service) this.#hooks.countsChanged(service);
  }

  #toStopped(task: TaskState): void {
    // A task stopped at once (stopNow) may still have its DEPROVISIONING step scheduled.
    if (task.lastStatus === "STOPPED") return;
    this.#setStatus(task, "STOPPED");
    task.stoppedAt = this.#state.ctx.clock.date();
    this.#after(task, this.#state.timings.stoppedTaskRetentionMs, "purged", () =>
      this.#state.tasks.delete(task.arn),
    );
  }

  #setStatus(task: TaskState, status: TaskLastStatus): void {
    task.lastStatus = status;
    task.version += 1;
    task.instance.version += 1;
  }

  #after(task: TaskState, delayMs: number, what: string, run: () => void): void {
    this.#state.ctx.clock.after(delayMs, `ECS task ${task.id} ${what}`, run);
  }
}

function containerOverride(
  overrides: TaskOverride | undefined,
  name: string | undefined,
): { override?: ContainerOverride } {
  const override = overrides?.containerOverrides?.find((candidate) => candidate.name === name);
  return override ? { override: clone(override) } : {};
}
