/**
 * What the parts of the simulated ECS share (ecs.ts wires them together): the clusters, container instances,
 * task definitions, services and tasks, the timings in force, and the lookups and checks API calls start with.
 */

import {
  ClusterNotFoundException,
  InvalidParameterException,
  ServiceNotActiveException,
  ServiceNotFoundException,
} from "@aws-sdk/client-ecs";
import { paginate, type SimContext } from "./core.js";
import {
  type ClusterState,
  type DeploymentState,
  EcsArns,
  type InstanceState,
  type InstanceUsage,
  lastSegment,
  notYetRunning,
  type ServiceState,
  type TaskDefinitionState,
  type TaskLastStatus,
  type TaskState,
  taskDefinitionName,
} from "./ecs-model.js";
import { PlacementFailures } from "./ecs-placement-failure.js";
import type { SecretsDependencies } from "./ecs-secrets.js";
import { defaultTaskTimings, type TaskTimings } from "./ecs-timings.js";
import { type ModeledExceptionClass, modeledError } from "./errors.js";
import type { LogsWriterView } from "./logs.js";

export interface EcsSimulatorOptions extends SecretsDependencies {
  timings?: Partial<TaskTimings>;
  circuitBreaker?: {
    /** Apply the deployment circuit breaker to every service, whatever its deploymentConfiguration says. */
    enabled?: boolean;
    /** Consecutive failed task starts that fail a deployment. Default: ECS's ceil(desired / 2) within [3, 200]. */
    threshold?: number;
  };
  /** CloudWatch Logs, where containers with the awslogs log driver write (none: their output goes nowhere). */
  logs?: LogsWriterView;
}

/** Statuses in which a task holds its CPU, memory and host ports. */
const liveStatuses: readonly TaskLastStatus[] = [
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "STOPPING",
  "DEPROVISIONING",
];

export class EcsState {
  readonly ctx: SimContext;
  readonly arns: EcsArns;
  readonly options: EcsSimulatorOptions;
  /** Replaced by `EcsSimulator.setTimings`: already scheduled transitions keep their times. */
  timings: TaskTimings;

  readonly clusters = new Map<string, ClusterState>();
  readonly instances: InstanceState[] = [];
  readonly taskDefinitions = new Map<string, TaskDefinitionState>();
  /** Family → last revision registered: deleted revisions are never reused. */
  readonly lastRevision = new Map<string, number>();
  /** Keyed by `${clusterArn}|${serviceName}`. */
  readonly services = new Map<string, ServiceState>();
  /** Keyed by task ARN, in creation order. */
  readonly tasks = new Map<string, TaskState>();
  /** Placements scripted to find no room (ecs-placement-failure.ts). */
  readonly placementFailures = new PlacementFailures();

  constructor(context: SimContext, options: EcsSimulatorOptions) {
    this.ctx = context;
    this.arns = new EcsArns(context.region, context.accountId);
    this.options = options;
    this.timings = { ...defaultTaskTimings, ...options.timings };
  }

  /** Runs what is due. */
  sync(): void {
    this.ctx.clock.advance();
  }

  error<E extends Error>(Exception: ModeledExceptionClass<E>, message: string): E {
    return modeledError(Exception, message, this.ctx.ids);
  }

  /** A container instance by ARN or id (test setup: not found is the test's mistake). */
  instanceByRef(ref: string): InstanceState {
    const instance = this.instances.find((i) => i.arn === ref || i.id === lastSegment(ref));
    if (!instance) throw new Error(`simulated ECS: no container instance "${ref}"`);
    return instance;
  }

  findCluster(ref: string): ClusterState | undefined {
    return this.clusters.get(lastSegment(ref));
  }

  activeCluster(ref = "default"): ClusterState {
    const cluster = this.findCluster(ref);
    if (!cluster) throw this.error(ClusterNotFoundException, "Cluster not found.");
    if (cluster.status !== "ACTIVE")
      throw this.error(ClusterNotFoundException, "The referenced cluster was inactive.");
    return cluster;
  }

  serviceKey(clusterArn: string, name: string): string {
    return `${clusterArn}|${name}`;
  }

  existingService(cluster: ClusterState, ref: string): ServiceState {
    const service = this.services.get(this.serviceKey(cluster.arn, lastSegment(ref)));
    if (!service) throw this.error(ServiceNotFoundException, "Service not found.");
    return service;
  }

  activeService(clusterRef: string | undefined, ref: string | undefined): ServiceState {
    const service = this.existingService(this.activeCluster(clusterRef), ref ?? "");
    if (service.status !== "ACTIVE") throw this.error(ServiceNotActiveException, "Service was not ACTIVE.");
    return service;
  }

  nonEmptyList(values: string[] | undefined, what: string, max: number): string[] {
    if (!values || values.length === 0)
      throw this.error(InvalidParameterException, `${what} cannot be empty.`);
    if (values.length > max) {
      throw this.error(InvalidParameterException, `${what} cannot contain more than ${max} elements.`);
    }
    return values;
  }

  paginate<T>(items: readonly T[], input: { maxResults?: number; nextToken?: string }, defaultMax: number) {
    return paginate(items, input, {
      defaultMax,
      invalidToken: (message) => this.error(InvalidParameterException, message),
    });
  }

  #revisionsOf(family: string): TaskDefinitionState[] {
    return [...this.taskDefinitions.values()].filter((td) => td.family === family);
  }

  /** "family" (latest ACTIVE revision), "family:rev" or an ARN. */
  findTaskDefinition(ref: string | undefined): TaskDefinitionState | undefined {
    if (!ref) return undefined;
    const name = taskDefinitionName(ref);
    if (name.includes(":")) return this.taskDefinitions.get(this.arns.taskDefinition(name));
    return this.#revisionsOf(name)
      .filter((td) => td.status === "ACTIVE")
      .sort((a, b) => b.revision - a.revision)[0];
  }

  taskDefinitionForService(ref: string | undefined): TaskDefinitionState {
    const taskDefinition = this.findTaskDefinition(ref);
    if (!taskDefinition) throw this.error(InvalidParameterException, "TaskDefinition not found.");
    if (taskDefinition.status !== "ACTIVE")
      throw this.error(InvalidParameterException, "TaskDefinition is inactive");
    return taskDefinition;
  }

  taskDefinitionByArn(arn: string): TaskDefinitionState {
    const taskDefinition = this.taskDefinitions.get(arn);
    if (!taskDefinition) throw new Error(`simulated ECS: unknown task definition ${arn}`);
    return taskDefinition;
  }

  primary(service: ServiceState): DeploymentState {
    const primary = service.deployments[0];
    if (!primary) throw new Error(`simulated ECS: service ${service.name} has no deployment`);
    return primary;
  }

  serviceOf(task: TaskState): ServiceState | undefined {
    return task.serviceName === undefined
      ? undefined
      : this.services.get(this.serviceKey(task.clusterArn, task.serviceName));
  }

  deploymentOf(task: TaskState): DeploymentState | undefined {
    return this.serviceOf(task)?.deployments.find((deployment) => deployment.id === task.deploymentId);
  }

  /** The service's tasks ECS accounts for: an orphaned one (ecs-teardown.ts) is replaced, not counted. */
  tasksOfService(service: ServiceState): TaskState[] {
    return [...this.tasks.values()].filter(
      (task) => task.clusterArn === service.clusterArn && task.serviceName === service.name && !task.orphaned,
    );
  }

  /** Tasks the scheduler counts: desired RUNNING (not asked to stop). */
  liveTasks(service: ServiceState): TaskState[] {
    return this.tasksOfService(service).filter((task) => task.desiredStatus === "RUNNING");
  }

  /** Tasks still holding resources: anything not STOPPED, including STOPPING. */
  unstoppedTasks(service: ServiceState): TaskState[] {
    return this.tasksOfService(service).filter((task) => task.lastStatus !== "STOPPED");
  }

  instancesOf(clusterArn: string): InstanceState[] {
    return this.instances.filter((instance) => instance.clusterArn === clusterArn);
  }

  /** Tasks holding resources on an instance (reserved at placement, released at STOPPED), as ECS accounts them. */
  tasksOn(instance: InstanceState): TaskState[] {
    return [...this.tasks.values()].filter(
      (task) => task.instance === instance && liveStatuses.includes(task.lastStatus) && !task.orphaned,
    );
  }

  usage(instance: InstanceState): InstanceUsage {
    const tasks = this.tasksOn(instance);
    return {
      cpu: tasks.reduce((total, task) => total + task.requirements.cpu, 0),
      memoryMiB: tasks.reduce((total, task) => total + task.requirements.memoryMiB, 0),
      ports: tasks.flatMap((task) => task.requirements.ports),
      runningTasks: tasks.filter((task) => task.lastStatus === "RUNNING").length,
      pendingTasks: tasks.filter((task) => notYetRunning.includes(task.lastStatus)).length,
    };
  }

  /** The resource a call's input names, for the fault injector's AccessDeniedException messages. */
  resourceArnFor(input: unknown): string {
    const fields = (input ?? {}) as Record<string, unknown>;
    const text = (key: string) => (typeof fields[key] === "string" ? (fields[key] as string) : undefined);
    const clusterName = lastSegment(text("cluster") ?? "default");
    const service = text("service") ?? text("serviceName");
    if (service !== undefined) return this.arns.service(clusterName, lastSegment(service));
    const taskDefinition = text("taskDefinition");
    if (taskDefinition !== undefined) return this.arns.taskDefinition(taskDefinitionName(taskDefinition));
    const task = text("task");
    if (task !== undefined) return this.arns.task(clusterName, lastSegment(task));
    if (text("cluster") !== undefined) return this.arns.cluster(clusterName);
    return "*";
  }
}
