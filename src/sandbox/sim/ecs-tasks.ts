/**
 * Tasks in the simulated ECS: ListTasks, DescribeTasks, StartTask (a task on named container instances, outside
 * any service) and StopTask, and what a test inspects of them. Their lifecycle is ecs-task-lifecycle.ts's.
 */
import {
  type Container,
  type ContainerDefinition,
  type DescribeTasksCommandInput,
  type DescribeTasksResponse,
  type Failure,
  InvalidParameterException,
  type ListTasksCommandInput,
  type ListTasksResponse,
  type NetworkBinding,
  type StartTaskCommandInput,
  type StartTaskResponse,
  type StopTaskCommandInput,
  type StopTaskResponse,
  type Task,
} from "@aws-sdk/client-ecs";
import { compact } from "./core.js";
import {
  type ContainerState,
  lastSegment,
  type TaskLastStatus,
  type TaskState,
  usesAwsvpc,
} from "./ecs-model.js";
import { cannotStartOn } from "./ecs-placement.js";
import type { ServiceScheduler } from "./ecs-scheduler.js";
import type { EcsState } from "./ecs-state.js";
import { overriddenRequirements } from "./ecs-task-definitions.js";
import type { TaskLifecycle } from "./ecs-task-lifecycle.js";

export class EcsTasks {
  readonly #state: EcsState;
  readonly #lifecycle: TaskLifecycle;
  readonly #scheduler: ServiceScheduler;

  constructor(state: EcsState, lifecycle: TaskLifecycle, scheduler: ServiceScheduler) {
    this.#state = state;
    this.#lifecycle = lifecycle;
    this.#scheduler = scheduler;
  }

  /** Current tasks (not yet purged), rendered like DescribeTasks, in creation order. */
  tasks(filter: { cluster?: string; serviceName?: string; lastStatus?: TaskLastStatus } = {}): Task[] {
    this.#state.sync();
    return [...this.#state.tasks.values()]
      .filter(
        (task) =>
          filter.cluster === undefined || task.clusterArn === this.#state.findCluster(filter.cluster)?.arn,
      )
      .filter((task) => filter.serviceName === undefined || task.serviceName === filter.serviceName)
      .filter((task) => filter.lastStatus === undefined || task.lastStatus === filter.lastStatus)
      .map((task) => renderTask(task, this.#state.ctx.region));
  }

  /** The environment a task's container was started with: secrets resolved when the task was placed. */
  containerEnvironment(taskArn: string, containerName: string): Record<string, string> | undefined {
    this.#state.sync();
    const task = [...this.#state.tasks.values()].find(
      (t) => t.arn === taskArn || t.id === lastSegment(taskArn),
    );
    const environment = task?.containers.find((container) => container.name === containerName)?.environment;
    return environment && { ...environment };
  }

  listTasks(input: ListTasksCommandInput = {}): ListTasksResponse {
    this.#state.sync();
    const cluster = this.#state.activeCluster(input.cluster);
    if (input.serviceName !== undefined) this.#state.existingService(cluster, input.serviceName);
    const desiredStatus = input.desiredStatus ?? "RUNNING";
    const instanceId =
      input.containerInstance === undefined ? undefined : lastSegment(input.containerInstance);
    if (input.launchType !== undefined && input.launchType !== "EC2") return { taskArns: [] };
    const arns = [...this.#state.tasks.values()]
      // An orphaned task is no longer accounted for (ecs-teardown.ts); DescribeTasks still describes it.
      .filter((task) => !task.orphaned)
      .filter((task) => task.clusterArn === cluster.arn && task.desiredStatus === desiredStatus)
      .filter(
        (task) => input.serviceName === undefined || task.serviceName === lastSegment(input.serviceName),
      )
      .filter((task) => instanceId === undefined || task.instance.id === instanceId)
      .filter((task) => input.family === undefined || task.taskDefinition.family === input.family)
      .filter((task) => input.startedBy === undefined || task.startedBy === input.startedBy)
      .map((task) => task.arn);
    const { page, nextToken } = this.#state.paginate(arns, input, 100);
    return compact({ taskArns: page, nextToken });
  }

  describeTasks(input: DescribeTasksCommandInput): DescribeTasksResponse {
    this.#state.sync();
    const cluster = this.#state.activeCluster(input.cluster);
    const refs = this.#state.nonEmptyList(input.tasks, "Tasks", 100);
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const task = this.#state.tasks.get(this.#state.arns.task(cluster.name, lastSegment(ref)));
      if (task) tasks.push(renderTask(task, this.#state.ctx.region, input.include?.includes("TAGS")));
      else failures.push({ arn: this.#state.arns.task(cluster.name, lastSegment(ref)), reason: "MISSING" });
    }
    return { tasks, failures };
  }

  /**
   * Starts a task on each of the named container instances (up to 10), outside any service. An instance that
   * cannot take it is a `failures` entry with ECS's reason ("API failure reasons"): MISSING, INACTIVE, AGENT,
   * ATTRIBUTE, RESOURCE:MEMORY / RESOURCE:CPU / RESOURCE:PORTS. Overrides (command, memory, cpu) are applied;
   * a command override is a one-off command (see `scriptCommandExit`).
   */
  startTask(input: StartTaskCommandInput): StartTaskResponse {
    this.#state.sync();
    const cluster = this.#state.activeCluster(input.cluster);
    const taskDefinition = this.#state.taskDefinitionForService(input.taskDefinition);
    const refs = this.#state.nonEmptyList(input.containerInstances, "Container instances", 10);
    if (input.networkConfiguration !== undefined || usesAwsvpc(taskDefinition.definition)) {
      throw new Error("simulated ECS: StartTask supports bridge, host and none network modes only");
    }
    const requirements = overriddenRequirements(taskDefinition.definition, input.overrides);
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const instance = this.#state.instancesOf(cluster.arn).find((i) => i.id === lastSegment(ref));
      const reason = instance ? cannotStartOn(this.#state, instance, requirements) : "MISSING";
      if (!instance || reason) {
        const arn = instance?.arn ?? this.#state.arns.containerInstance(cluster.name, lastSegment(ref));
        failures.push({ arn, reason });
        continue;
      }
      const task = this.#lifecycle.createTask({
        clusterArn: cluster.arn,
        taskDefinition,
        instance,
        group: input.group ?? `family:${taskDefinition.family}`,
        startedBy: input.startedBy,
        ...(input.overrides ? { overrides: input.overrides } : {}),
        tags: input.tags ?? [],
      });
      tasks.push(renderTask(task, this.#state.ctx.region, true));
    }
    return { tasks, failures };
  }

  stopTask(input: StopTaskCommandInput): StopTaskResponse {
    this.#state.sync();
    const cluster = this.#state.activeCluster(input.cluster);
    const task = this.#state.tasks.get(this.#state.arns.task(cluster.name, lastSegment(input.task ?? "")));
    if (!task) throw this.#state.error(InvalidParameterException, "The referenced task was not found.");
    this.#lifecycle.requestStop(task, "UserInitiated", input.reason ?? "Task stopped by user");
    const service = this.#state.serviceOf(task);
    if (service) {
      this.#scheduler.recordCounts(service);
      this.#scheduler.wakeSchedulerLater(service);
    }
    return { task: renderTask(task, this.#state.ctx.region) };
  }
}

export function renderTask(task: TaskState, region: string, withTags = false): Task {
  const { requirements } = task;
  return compact({
    attachments: [],
    attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
    availabilityZone: `${region}a`,
    clusterArn: task.clusterArn,
    connectivity: "CONNECTED",
    connectivityAt: task.connectivityAt,
    containerInstanceArn: task.instance.arn,
    containers: task.containers.map((container) => renderContainer(container, task)),
    cpu: String(requirements.cpu),
    createdAt: task.createdAt,
    desiredStatus: task.desiredStatus,
    enableExecuteCommand: false,
    executionStoppedAt: task.executionStoppedAt,
    group: task.group,
    healthStatus: "UNKNOWN",
    lastStatus: task.lastStatus,
    launchType: "EC2",
    memory: String(requirements.memoryMiB),
    overrides: {
      ...task.overrides,
      containerOverrides: task.containers.map((container) => ({
        name: container.name,
        ...container.override,
      })),
      inferenceAcceleratorOverrides: [],
    },
    pullStartedAt: task.pullStartedAt,
    pullStoppedAt: task.pullStoppedAt,
    startedAt: task.startedAt,
    startedBy: task.startedBy,
    stopCode: task.stopCode,
    stoppedAt: task.stoppedAt,
    stoppedReason: task.stoppedReason,
    stoppingAt: task.stoppingAt,
    tags: withTags ? task.tags.map((tag) => ({ ...tag })) : [],
    taskArn: task.arn,
    taskDefinitionArn: task.taskDefinition.arn,
    version: task.version,
  } satisfies Task);
}

function renderContainer(container: ContainerState, task: TaskState): Container {
  const { definition } = container;
  return compact({
    containerArn: container.arn,
    taskArn: task.arn,
    name: container.name,
    image: container.image,
    imageDigest: container.imageDigest,
    runtimeId: container.runtimeId,
    lastStatus: container.lastStatus,
    exitCode: container.exitCode,
    reason: container.reason,
    networkBindings: container.lastStatus === "RUNNING" ? networkBindings(definition) : [],
    networkInterfaces: [],
    healthStatus: "UNKNOWN",
    cpu: String(definition.cpu ?? 0),
    memory: optionalString(container.override?.memory ?? definition.memory),
    memoryReservation: optionalString(container.override?.memoryReservation ?? definition.memoryReservation),
  } satisfies Container);
}

function optionalString(value: number | undefined): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

function networkBindings(definition: ContainerDefinition): NetworkBinding[] {
  return (definition.portMappings ?? [])
    .filter((mapping) => (mapping.hostPort ?? 0) > 0)
    .map((mapping) => ({
      bindIP: "0.0.0.0",
      containerPort: mapping.containerPort,
      hostPort: mapping.hostPort,
      protocol: mapping.protocol ?? "tcp",
    }));
}
