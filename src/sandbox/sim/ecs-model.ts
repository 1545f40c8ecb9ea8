/**
 * Internal state of the simulated ECS, its ARNs, and ECS's wording for service events. The behaviour lives in
 * the parts ecs.ts wires together (ecs-clusters.ts, ecs-task-definitions.ts, ecs-services.ts, ecs-scheduler.ts,
 * ecs-task-lifecycle.ts, ecs-tasks.ts, ecs-teardown.ts).
 */
import type {
  ContainerDefinition,
  ContainerOverride,
  DeploymentConfiguration,
  Service,
  ServiceEvent,
  Tag,
  TaskDefinition,
  TaskOverride,
  TaskStopCode,
} from "@aws-sdk/client-ecs";
import type { TaskFailureScript } from "./ecs-task-scripts.js";

/**
 * A task's `lastStatus`. Which of them a task passes through depends on its network mode (Amazon ECS Developer
 * Guide, "Amazon ECS task lifecycle"): PROVISIONING (the elastic network interface is provisioned),
 * ACTIVATING and DEPROVISIONING (the interface is detached and deleted) are for `awsvpc` tasks. A bridge, host
 * or none mode task on EC2 goes PENDING → RUNNING → STOPPING → STOPPED.
 */
export type TaskLastStatus =
  | "PROVISIONING"
  | "PENDING"
  | "ACTIVATING"
  | "RUNNING"
  | "STOPPING"
  | "DEPROVISIONING"
  | "STOPPED";

/** Statuses before RUNNING: counted as pending by services, clusters and container instances. */
export const notYetRunning: readonly TaskLastStatus[] = ["PROVISIONING", "PENDING", "ACTIVATING"];

/** Whether tasks of this definition get their own network interface (and the awsvpc lifecycle steps). */
export function usesAwsvpc(definition: TaskDefinition): boolean {
  return definition.networkMode === "awsvpc";
}

export interface ClusterState {
  name: string;
  arn: string;
  status: "ACTIVE" | "INACTIVE";
  tags: Tag[];
}

export interface InstanceState {
  id: string;
  arn: string;
  clusterArn: string;
  ec2InstanceId: string;
  instanceType: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  agentConnected: boolean;
  cpu: number;
  memoryMiB: number;
  reservedPorts: number[];
  reservedUdpPorts: number[];
  registeredAt: Date;
  version: number;
  /** The ECS container agent's version, e.g. "1.97.1": which capabilities the instance registers with. */
  agentVersion: string;
  /** The AMI of the EC2 instance, when known (the `ecs.ami-id` attribute). */
  amiId?: string;
  /** Attributes of the default set this agent does not register (its configuration turned them off). */
  withoutAttributes: string[];
  /** Registration order; ties in placement go to the earlier instance. */
  seq: number;
}

export interface PortClaim {
  port: number;
  protocol: "tcp" | "udp";
}

/** What a task reserves on its container instance from placement until it is STOPPED, and what it needs of it. */
export interface Requirements {
  cpu: number;
  memoryMiB: number;
  ports: PortClaim[];
  /** `requiresAttributes` names the container instance must have (e.g. the SSM secrets capability). */
  attributes: string[];
}

/** What a container instance's tasks hold of it and how many run or are about to. */
export interface InstanceUsage {
  cpu: number;
  memoryMiB: number;
  ports: PortClaim[];
  runningTasks: number;
  pendingTasks: number;
}

export interface TaskDefinitionState {
  arn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";
  /** DELETE_IN_PROGRESS: when ECS may delete it, once nothing uses it any more. */
  deletableAt?: number;
  definition: TaskDefinition;
  tags: Tag[];
  requirements: Requirements;
}

export interface DeploymentState {
  id: string;
  status: "PRIMARY" | "ACTIVE" | "INACTIVE";
  taskDefinitionArn: string;
  failedTasks: number;
  /** Tasks that failed to start since a task of this deployment last reached RUNNING (circuit breaker). */
  consecutiveFailures: number;
  createdAt: Date;
  updatedAt: Date;
  rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  rolloutStateReason: string;
}

export interface NormalizedDeploymentConfiguration {
  maximumPercent: number;
  minimumHealthyPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
}

/** A service's task counts at one moment; DescribeServices shows them `serviceCountsLagMs` later. */
export interface ServiceCounts {
  running: number;
  pending: number;
  /** Keyed by deployment id. */
  deployments: Record<string, { running: number; pending: number }>;
}

export interface ServiceState {
  name: string;
  arn: string;
  clusterArn: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  taskDefinitionArn: string;
  deploymentConfiguration: NormalizedDeploymentConfiguration;
  createdAt: Date;
  clientToken: string | undefined;
  /** Newest first; the PRIMARY deployment is always the first. */
  deployments: DeploymentState[];
  /** Newest first, at most 100, like DescribeServices. */
  events: ServiceEvent[];
  /** Whether the last reconciliation found the service steady (to emit "reached a steady state" once). */
  steady: boolean;
  /** Whether a placement retry is scheduled. */
  retryScheduled: boolean;
  /** When the scheduler next looks at the service after an API call changed it; it leaves it alone until then. */
  schedulerDueAt: number | undefined;
  /** Counts whenever they changed, oldest first (pruned to the one DescribeServices currently shows). */
  countHistory: Array<{ at: number; counts: ServiceCounts }>;
  /** Throttled event messages and when they were last emitted. */
  recentMessages: Map<string, number>;
  lastCompleted: { deploymentId: string; taskDefinitionArn: string } | undefined;
  /** Request fields echoed back as they were given. */
  echo: Pick<
    Service,
    | "loadBalancers"
    | "serviceRegistries"
    | "placementConstraints"
    | "placementStrategy"
    | "roleArn"
    | "healthCheckGracePeriodSeconds"
    | "enableECSManagedTags"
    | "propagateTags"
    | "enableExecuteCommand"
    | "tags"
  >;
}

export interface ContainerState {
  name: string;
  image: string;
  arn: string;
  runtimeId: string | undefined;
  lastStatus: "PENDING" | "RUNNING" | "STOPPED";
  exitCode: number | undefined;
  reason: string | undefined;
  definition: ContainerDefinition;
  /** StartTask's override for this container (command, memory…). */
  override?: ContainerOverride;
  /** The image's digest once pulled (DescribeTasks `imageDigest`). */
  imageDigest?: string;
  /**
   * The environment the container starts with: its `environment` plus its `secrets`, resolved when the task
   * was placed (undefined when fetching the secrets failed).
   */
  environment: Record<string, string> | undefined;
}

export interface TaskState {
  id: string;
  arn: string;
  clusterArn: string;
  instance: InstanceState;
  taskDefinition: TaskDefinitionState;
  serviceName: string | undefined;
  deploymentId: string | undefined;
  group: string;
  startedBy: string | undefined;
  lastStatus: TaskLastStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  createdAt: Date;
  connectivityAt: Date;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  executionStoppedAt?: Date;
  stopCode?: TaskStopCode;
  stoppedReason?: string;
  containers: ContainerState[];
  version: number;
  failure: TaskFailureScript | undefined;
  /** What it reserves on its instance: its definition's, or with StartTask's overrides applied. */
  requirements: Requirements;
  /** StartTask's overrides, as given. */
  overrides?: TaskOverride;
  tags: Tag[];
  /**
   * Its container instance was deregistered with `force` while it ran: it goes on running on the host until
   * the EC2 instance is terminated (or it stops on its own), but ECS no longer accounts for it.
   */
  orphaned?: boolean;
}

/** ARNs in the current (long) ECS format. */
export class EcsArns {
  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  cluster(name: string): string {
    return this.#arn(`cluster/${name}`);
  }

  service(clusterName: string, name: string): string {
    return this.#arn(`service/${clusterName}/${name}`);
  }

  task(clusterName: string, id: string): string {
    return this.#arn(`task/${clusterName}/${id}`);
  }

  container(clusterName: string, taskId: string, uuid: string): string {
    return this.#arn(`container/${clusterName}/${taskId}/${uuid}`);
  }

  containerInstance(clusterName: string, id: string): string {
    return this.#arn(`container-instance/${clusterName}/${id}`);
  }

  taskDefinition(familyAndRevision: string): string {
    return this.#arn(`task-definition/${familyAndRevision}`);
  }

  #arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:${resource}`;
  }
}

/** The name or id in a name/id/ARN reference: everything after the last "/". */
export function lastSegment(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

/** "family", "family:3" or a task definition ARN → "family" / "family:3". */
export function taskDefinitionName(ref: string): string {
  const marker = ":task-definition/";
  const at = ref.indexOf(marker);
  return ref.startsWith("arn:") && at !== -1 ? ref.slice(at + marker.length) : ref;
}

export function clusterNameOf(clusterArn: string): string {
  return lastSegment(clusterArn);
}

export function normalizeDeploymentConfiguration(
  given: DeploymentConfiguration | undefined,
  base: NormalizedDeploymentConfiguration = {
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    deploymentCircuitBreaker: { enable: false, rollback: false },
  },
): NormalizedDeploymentConfiguration {
  return {
    maximumPercent: given?.maximumPercent ?? base.maximumPercent,
    minimumHealthyPercent: given?.minimumHealthyPercent ?? base.minimumHealthyPercent,
    deploymentCircuitBreaker: {
      enable: given?.deploymentCircuitBreaker?.enable ?? base.deploymentCircuitBreaker.enable,
      rollback: given?.deploymentCircuitBreaker?.rollback ?? base.deploymentCircuitBreaker.rollback,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Service event messages, in ECS's wording

const troubleshooting =
  "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";

export const serviceMessages = {
  started: (service: string, taskIds: string[]) =>
    `(service ${service}) has started ${taskIds.length} tasks: ${taskIds.map((id) => `(task ${id})`).join(" ")}.`,
  stopped: (service: string, taskIds: string[]) =>
    `(service ${service}) has stopped ${taskIds.length} running tasks: ${taskIds.map((id) => `(task ${id})`).join(" ")}.`,
  steadyState: (service: string) => `(service ${service}) has reached a steady state.`,
  deploymentCompleted: (service: string, deploymentId: string) =>
    `(service ${service}) (deployment ${deploymentId}) deployment completed.`,
  deploymentFailed: (service: string, deploymentId: string) =>
    `(service ${service}) (deployment ${deploymentId}) deployment failed: tasks failed to start.`,
  /** `detail`: "The closest matching (container-instance …) has insufficient memory available." */
  unableToPlace: (service: string, detail: string) =>
    `(service ${service}) was unable to place a task because no container instance met all of its requirements. ${detail} ${troubleshooting}`,
  noContainerInstances: "Reason: No Container Instances were found in your cluster.",
  closestMatching: (containerInstanceId: string, shortfall: string) =>
    `The closest matching (container-instance ${containerInstanceId}) ${shortfall}.`,
} as const;

/** Why a container instance cannot take a task, in the order ECS reports them. */
export const shortfalls = {
  attribute: "is missing an attribute required by your task",
  memory: "has insufficient memory available",
  cpu: "has insufficient CPU units available",
  ports: "is already using a port required by your task",
} as const;

export const rolloutReasons = {
  inProgress: (deploymentId: string) => `ECS deployment ${deploymentId} in progress.`,
  completed: (deploymentId: string) => `ECS deployment ${deploymentId} completed.`,
  circuitBreakerFailed: "ECS deployment circuit breaker: tasks failed to start.",
  rollingBack: (deploymentId: string) =>
    `ECS deployment circuit breaker: rolling back to deploymentId ${deploymentId}.`,
} as const;
