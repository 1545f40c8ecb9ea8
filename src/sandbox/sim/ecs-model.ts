/**
 * Internal state of the simulated ECS and the pure functions that turn it into API shapes. The
 * behaviour (scheduler, task lifecycle, API methods) lives in ecs.ts.
 */
import type {
  Attribute,
  Container,
  ContainerDefinition,
  ContainerInstance,
  ContainerOverride,
  DeploymentConfiguration,
  NetworkBinding,
  PortMapping,
  RegisterTaskDefinitionRequest,
  Resource,
  Service,
  ServiceEvent,
  Tag,
  Task,
  TaskDefinition,
  TaskOverride,
  TaskStopCode,
} from "@aws-sdk/client-ecs";
import { compact } from "./core.js";

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

/** Lifecycle timings of simulated tasks and of the service scheduler, in milliseconds of (fake) time. */
export interface TaskTimings {
  /** awsvpc only: PROVISIONING → PENDING (the network interface is attached). */
  provisioningMs: number;
  /**
   * Starting the containers once their images are there: PENDING lasts the image pull (ecs-images.ts; nothing for
   * images of unknown size) plus this (for awsvpc PENDING → ACTIVATING). Also PENDING → failure for a scripted
   * PENDING failure.
   */
  pendingMs: number;
  /**
   * The agent asking the registry for an image's manifest (ECS_IMAGE_PULL_BEHAVIOR=default asks on every start,
   * even when the image is cached); also how long a refused pull takes to fail. Only for images of known size.
   */
  imageCheckMs: number;
  /** A container whose command was overridden (a one-off command) runs this long, then exits 0. */
  oneOffCommandMs: number;
  /** awsvpc only: ACTIVATING → RUNNING (task networking configured). */
  activatingMs: number;
  /** STOPPING → STOPPED (awsvpc: → DEPROVISIONING) for a stop requested by the service scheduler or StopTask (SIGTERM grace, teardown). */
  stoppingMs: number;
  /** STOPPING → STOPPED (awsvpc: → DEPROVISIONING) after a task failed (an essential container exited, the image could not be pulled). */
  failedStoppingMs: number;
  /** awsvpc only: DEPROVISIONING → STOPPED (the network interface is detached and deleted). */
  deprovisioningMs: number;
  /**
   * How long after CreateService, UpdateService, DeleteService or StopTask the service scheduler acts on the
   * service. The call itself changes only what it sets (desired count, deployments, the stopped task); which
   * tasks start or stop is decided on the scheduler's next pass. Calls within the delay are picked up together.
   */
  schedulerDelayMs: number;
  /**
   * How far the service's counts (runningCount / pendingCount, also per deployment) trail the tasks:
   * DescribeServices reports the counts as they were this long ago, while DescribeTasks is current.
   */
  serviceCountsLagMs: number;
  /** Time a task stays RUNNING before a scripted RUNNING-stage failure, unless the script says otherwise. */
  runningFailureMs: number;
  /** How long STOPPED tasks stay visible to ListTasks / DescribeTasks. */
  stoppedTaskRetentionMs: number;
  /** While a service cannot place a task, the scheduler tries again this often (even if nothing else happens). */
  placementRetryMs: number;
  /** An identical throttled service event (e.g. "unable to place a task") is not repeated within this window. */
  repeatedEventIntervalMs: number;
  /**
   * DeleteTaskDefinitions: how long a revision stays DELETE_IN_PROGRESS before ECS's periodic check deletes it
   * (at the earliest; never while a task or a deployment still uses it).
   */
  taskDefinitionDeletionMs: number;
  /**
   * awslogs: the log driver ships a container's output in batches this often (Docker's awslogs driver: every
   * 5 s), so an event's `ingestionTime` is the next batch after its timestamp, or the container's exit.
   */
  awslogsFlushMs: number;
  /** The default and scripted `everyMinute` output lines come this often while a container runs. */
  containerOutputIntervalMs: number;
}

export const defaultTaskTimings: Readonly<TaskTimings> = {
  provisioningMs: 2_000,
  pendingMs: 10_000,
  imageCheckMs: 500,
  oneOffCommandMs: 1_000,
  activatingMs: 1_000,
  stoppingMs: 20_000,
  failedStoppingMs: 1_000,
  deprovisioningMs: 2_000,
  schedulerDelayMs: 1_000,
  serviceCountsLagMs: 1_000,
  runningFailureMs: 5_000,
  stoppedTaskRetentionMs: 60 * 60_000,
  placementRetryMs: 30_000,
  repeatedEventIntervalMs: 5 * 60_000,
  taskDefinitionDeletionMs: 60_000,
  awslogsFlushMs: 5_000,
  containerOutputIntervalMs: 60_000,
};

/** A scripted task failure (see `EcsSimulator.scriptTaskFailure` and `taskFailures`). */
export interface TaskFailureScript {
  /** Which task definitions it applies to. Default: every task. */
  match?: (taskDefinition: TaskDefinition) => boolean;
  /** PENDING: the task never reaches RUNNING (e.g. image pull fails). RUNNING: it dies after running a while. */
  stage: "PENDING" | "RUNNING";
  /** Default: TaskFailedToStart for PENDING, EssentialContainerExited for RUNNING. */
  stopCode?: TaskStopCode;
  stoppedReason: string;
  /**
   * Per-container outcome; containers not listed are stopped without an exit code of their own. `lastLines`:
   * what the container prints just before it exits (written to its awslogs stream).
   */
  containers?: Array<{ name: string; exitCode?: number; reason?: string; lastLines?: string[] }>;
  /** How many tasks fail this way. Default 1; `Infinity` for all. */
  times?: number;
  /** RUNNING stage only: how long the task runs before failing. Default `timings.runningFailureMs`. */
  afterMs?: number;
}

/**
 * What ECS says when an essential container stops: the task's `stoppedReason` (Amazon ECS Developer Guide,
 * "Checking stopped tasks for errors"); the container's own `reason` and `exitCode` say why.
 */
export const ESSENTIAL_CONTAINER_EXITED = "Essential container in task exited";

/** Ready-made failure scripts with ECS's wording. */
export const taskFailures = {
  /**
   * The image (e.g. "metadata/registry:nope") does not exist. CannotPullContainerError is the container
   * agent's error prefix ("Stopped tasks error codes"); the task stops before RUNNING (TaskFailedToStart).
   */
  cannotPullImage(image: string, container = "mc"): TaskFailureScript {
    const ref = image.split("/")[0]?.includes(".") ? image : `docker.io/${image}`;
    const reason = `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${ref}: not found`;
    return {
      stage: "PENDING",
      stopCode: "TaskFailedToStart",
      stoppedReason: reason,
      containers: [{ name: container, reason }],
    };
  },
  /**
   * The container exceeded its hard memory limit and was OOM-killed (SIGKILL, exit code 137). The OOM
   * message is the container's `reason` ("How do I troubleshoot OutOfMemory errors in Amazon ECS?": the
   * container's details show it); the task itself stopped because an essential container exited.
   */
  outOfMemory(container = "mc"): TaskFailureScript {
    return {
      stage: "RUNNING",
      stopCode: "EssentialContainerExited",
      stoppedReason: ESSENTIAL_CONTAINER_EXITED,
      containers: [
        { name: container, exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
      ],
    };
  },
  /**
   * An essential container exited on its own (e.g. the application crashed at startup): no `reason`, only its
   * exit code; its last output line says why (awslogs), by default "ERROR Unable to connect to database".
   */
  essentialContainerExited(
    container = "mc",
    exitCode = 1,
    lastLines: string[] = ["ERROR Unable to connect to database"],
  ): TaskFailureScript {
    return {
      stage: "RUNNING",
      stopCode: "EssentialContainerExited",
      stoppedReason: ESSENTIAL_CONTAINER_EXITED,
      containers: [{ name: container, exitCode, lastLines }],
    };
  },
} as const;

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
// Task definitions

/** The task definition as RegisterTaskDefinition/DescribeTaskDefinition return it. */
export function echoTaskDefinition(
  input: RegisterTaskDefinitionRequest,
  meta: { arn: string; revision: number; registeredAt: Date; registeredBy: string },
): TaskDefinition {
  return compact({
    ...input,
    tags: undefined,
    taskDefinitionArn: meta.arn,
    containerDefinitions: (input.containerDefinitions ?? []).map((c) => echoContainer(c, input.networkMode)),
    revision: meta.revision,
    volumes: input.volumes ?? [],
    status: "ACTIVE",
    requiresAttributes: requiredAttributes(input),
    placementConstraints: input.placementConstraints ?? [],
    compatibilities: ["EC2"],
    registeredAt: meta.registeredAt,
    registeredBy: meta.registeredBy,
  } satisfies TaskDefinition & { tags: undefined });
}

function echoContainer(container: ContainerDefinition, networkMode: string | undefined): ContainerDefinition {
  return compact({
    ...container,
    cpu: container.cpu ?? 0,
    portMappings: (container.portMappings ?? []).map((mapping) => echoPortMapping(mapping, networkMode)),
    essential: container.essential ?? true,
    environment: container.environment ?? [],
    mountPoints: container.mountPoints ?? [],
    volumesFrom: container.volumesFrom ?? [],
  });
}

function echoPortMapping(mapping: PortMapping, networkMode: string | undefined): PortMapping {
  const hostPortDefault = networkMode === "host" || networkMode === "awsvpc" ? mapping.containerPort : 0;
  return { ...mapping, hostPort: mapping.hostPort ?? hostPortDefault, protocol: mapping.protocol ?? "tcp" };
}

function requiredAttributes(input: RegisterTaskDefinitionRequest): Attribute[] {
  const names = new Set<string>();
  for (const container of input.containerDefinitions ?? []) {
    const driver = container.logConfiguration?.logDriver;
    if (driver) {
      names.add(`com.amazonaws.ecs.capability.logging-driver.${driver}`);
      names.add("com.amazonaws.ecs.capability.docker-remote-api.1.18");
      if (driver === "awslogs") names.add("com.amazonaws.ecs.capability.docker-remote-api.1.19");
    }
    if (container.memoryReservation !== undefined && container.memoryReservation !== null) {
      names.add("com.amazonaws.ecs.capability.docker-remote-api.1.21");
    }
  }
  if (input.taskRoleArn) names.add("com.amazonaws.ecs.capability.task-iam-role");
  const containers = input.containerDefinitions ?? [];
  if (containers.some((container) => (container.secrets ?? []).length > 0)) names.add(SSM_SECRETS_ATTRIBUTE);
  if (input.executionRoleArn && containers.some((c) => c.logConfiguration?.logDriver === "awslogs")) {
    names.add("ecs.capability.execution-role-awslogs");
  }
  if (input.networkMode === "awsvpc") names.add("ecs.capability.task-eni");
  return [...names].map((name) => ({ name }));
}

/** CPU units, MiB and host ports a task of this definition reserves on an EC2 container instance. */
export function taskRequirements(definition: TaskDefinition): Requirements {
  const containers = definition.containerDefinitions ?? [];
  const cpu = parseUnits(definition.cpu, "vcpu") ?? sum(containers.map((c) => c.cpu ?? 0));
  const memoryMiB =
    parseUnits(definition.memory, "gb") ?? sum(containers.map((c) => c.memoryReservation ?? c.memory ?? 0));
  const ports =
    definition.networkMode === "awsvpc"
      ? []
      : containers.flatMap((c) =>
          (c.portMappings ?? [])
            .filter((mapping) => (mapping.hostPort ?? 0) > 0)
            .map(
              (mapping): PortClaim => ({ port: mapping.hostPort ?? 0, protocol: mapping.protocol ?? "tcp" }),
            ),
        );
  const attributes = (definition.requiresAttributes ?? []).flatMap((attribute) => attribute.name ?? []);
  return { cpu, memoryMiB, ports, attributes };
}

/**
 * What a task started with overrides reserves: a container override's `cpu`, `memory` and `memoryReservation`
 * replace the definition's, and the task override's `cpu` / `memory` the task-level values.
 */
export function overriddenRequirements(
  definition: TaskDefinition,
  overrides: TaskOverride | undefined,
): Requirements {
  if (!overrides) return taskRequirements(definition);
  const containerOverrides = overrides.containerOverrides ?? [];
  return taskRequirements({
    ...definition,
    cpu: overrides.cpu ?? definition.cpu,
    memory: overrides.memory ?? definition.memory,
    containerDefinitions: (definition.containerDefinitions ?? []).map((container) => {
      const override = containerOverrides.find((o) => o.name === container.name);
      if (!override) return container;
      return {
        ...container,
        cpu: override.cpu ?? container.cpu,
        memory: override.memory ?? container.memory,
        memoryReservation: override.memoryReservation ?? container.memoryReservation,
      };
    }),
  });
}

/** "1024" → 1024; "1 vCPU" / "2 GB" → ×1024. */
function parseUnits(value: string | undefined, unit: "vcpu" | "gb"): number | undefined {
  if (value === undefined || value === null || value.trim() === "") return undefined;
  const number = Number.parseFloat(value);
  return value.toLowerCase().includes(unit) ? Math.round(number * 1024) : number;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

// ---------------------------------------------------------------------------------------------------
// Container instances

/**
 * The capability a task definition with SSM `secrets` requires (its `requiresAttributes`), which container
 * agents register from version 1.22.0 on ("Retrieve Systems Manager parameters through Amazon ECS
 * environment variables"). An instance with an older agent cannot take such a task.
 */
export const SSM_SECRETS_ATTRIBUTE = "ecs.capability.secrets.ssm.environment-variables";
export const SSM_SECRETS_MIN_AGENT = "1.22.0";
export const DEFAULT_AGENT_VERSION = "1.97.1";

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export const EXECUTION_ROLE_AWSLOGS_ATTRIBUTE = "ecs.capability.execution-role-awslogs";
/** Secrets Manager secrets in environment variables: agents register it from 1.23.0 on. */
const ASM_SECRETS_ATTRIBUTE = "ecs.capability.secrets.asm.environment-variables";
const ASM_SECRETS_MIN_AGENT = "1.23.0";

/** The Docker Remote API versions the agent reports for a current Docker (ECS asks for 1.18, 1.19, 1.21…). */
const DOCKER_API_VERSIONS = Array.from({ length: 28 }, (_, index) => `1.${17 + index}`);
/** ecs-init's default ECS_AVAILABLE_LOGGING_DRIVERS on the ECS-optimized AMI. */
const LOGGING_DRIVERS = ["json-file", "syslog", "awslogs", "fluentd", "none"];

/**
 * The attributes the agent registers the instance with: the default set of an ECS-optimized AMI for its
 * agent's version (aws/amazon-ecs-agent `agent/app/agent_capability.go`; ecs-init's defaults, which turn on
 * ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE, task IAM roles and these log drivers), less what the instance's
 * own configuration turned off (`withoutAttributes`).
 */
export function instanceAttributes(instance: InstanceState, region: string): Attribute[] {
  const atLeast = (minimum: string) => compareVersions(instance.agentVersion, minimum) >= 0;
  const capability = (name: string) => ({ name: `com.amazonaws.ecs.capability.${name}` });
  const attributes: Attribute[] = [
    { name: "ecs.os-type", value: "linux" },
    { name: "ecs.os-family", value: "LINUX" },
    { name: "ecs.cpu-architecture", value: "x86_64" },
    { name: "ecs.instance-type", value: instance.instanceType },
    ...(instance.amiId ? [{ name: "ecs.ami-id", value: instance.amiId }] : []),
    { name: "ecs.availability-zone", value: `${region}a` },
    ...DOCKER_API_VERSIONS.map((version) => capability(`docker-remote-api.${version}`)),
    ...LOGGING_DRIVERS.map((driver) => capability(`logging-driver.${driver}`)),
    capability("privileged-container"),
    capability("ecr-auth"),
    capability("task-iam-role"),
    capability("task-iam-role-network-host"),
    { name: "ecs.capability.execution-role-ecr-pull" },
    { name: EXECUTION_ROLE_AWSLOGS_ATTRIBUTE },
    { name: "ecs.capability.container-health-check" },
    { name: "ecs.capability.task-eni" },
    ...(atLeast(SSM_SECRETS_MIN_AGENT) ? [{ name: SSM_SECRETS_ATTRIBUTE }] : []),
    ...(atLeast(ASM_SECRETS_MIN_AGENT) ? [{ name: ASM_SECRETS_ATTRIBUTE }] : []),
  ];
  return attributes.filter((attribute) => !instance.withoutAttributes.includes(attribute.name ?? ""));
}

export interface InstanceUsage {
  cpu: number;
  memoryMiB: number;
  ports: PortClaim[];
  runningTasks: number;
  pendingTasks: number;
}

export function renderContainerInstance(
  instance: InstanceState,
  usage: InstanceUsage,
  region: string,
): ContainerInstance {
  const portsOf = (protocol: "tcp" | "udp") =>
    usage.ports.filter((p) => p.protocol === protocol).map((p) => p.port);
  return {
    containerInstanceArn: instance.arn,
    ec2InstanceId: instance.ec2InstanceId,
    version: instance.version,
    versionInfo: {
      agentVersion: instance.agentVersion,
      agentHash: "4e3f8a21",
      dockerVersion: "DockerVersion: 25.0.8",
    },
    remainingResources: resources({
      cpu: instance.cpu - usage.cpu,
      memoryMiB: instance.memoryMiB - usage.memoryMiB,
      ports: unique([...instance.reservedPorts, ...portsOf("tcp")]),
      udpPorts: unique([...instance.reservedUdpPorts, ...portsOf("udp")]),
    }),
    registeredResources: resources({
      cpu: instance.cpu,
      memoryMiB: instance.memoryMiB,
      ports: instance.reservedPorts,
      udpPorts: instance.reservedUdpPorts,
    }),
    status: instance.status,
    agentConnected: instance.agentConnected,
    runningTasksCount: usage.runningTasks,
    pendingTasksCount: usage.pendingTasks,
    attributes: instanceAttributes(instance, region),
    registeredAt: instance.registeredAt,
    attachments: [],
    tags: [],
  };
}

function resources(values: {
  cpu: number;
  memoryMiB: number;
  ports: number[];
  udpPorts: number[];
}): Resource[] {
  const base = { doubleValue: 0, longValue: 0, integerValue: 0 };
  return [
    { ...base, name: "CPU", type: "INTEGER", integerValue: values.cpu },
    { ...base, name: "MEMORY", type: "INTEGER", integerValue: values.memoryMiB },
    { ...base, name: "PORTS", type: "STRINGSET", stringSetValue: values.ports.map(String) },
    { ...base, name: "PORTS_UDP", type: "STRINGSET", stringSetValue: values.udpPorts.map(String) },
  ];
}

function unique(values: number[]): number[] {
  return [...new Set(values)];
}

// ---------------------------------------------------------------------------------------------------
// Tasks

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
