/**
 * Simulated Amazon ECS (EC2 launch type): clusters, container instances with CPU/memory/port accounting,
 * task definitions, services with a rolling-update scheduler, and tasks with a time-driven lifecycle.
 *
 * Each API method takes the SDK input type and returns the SDK response type (without `$metadata`).
 * State advances lazily on the shared `SimClock`: every method first processes what is due.
 */
import {
  AccessDeniedException,
  ClientException,
  type Cluster,
  ClusterNotFoundException,
  type ContainerInstance,
  type ContainerOverride,
  CreateClusterCommand,
  type CreateClusterCommandInput,
  type CreateClusterResponse,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  type CreateServiceResponse,
  DeleteClusterCommand,
  type DeleteClusterCommandInput,
  type DeleteClusterResponse,
  DeleteServiceCommand,
  type DeleteServiceCommandInput,
  type DeleteServiceResponse,
  DeleteTaskDefinitionsCommand,
  type DeleteTaskDefinitionsCommandInput,
  type DeleteTaskDefinitionsResponse,
  type Deployment,
  DeregisterContainerInstanceCommand,
  type DeregisterContainerInstanceCommandInput,
  type DeregisterContainerInstanceResponse,
  DeregisterTaskDefinitionCommand,
  type DeregisterTaskDefinitionCommandInput,
  type DeregisterTaskDefinitionResponse,
  DescribeClustersCommand,
  type DescribeClustersCommandInput,
  type DescribeClustersResponse,
  DescribeContainerInstancesCommand,
  type DescribeContainerInstancesCommandInput,
  type DescribeContainerInstancesResponse,
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  type DescribeServicesResponse,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandInput,
  type DescribeTaskDefinitionResponse,
  DescribeTasksCommand,
  type DescribeTasksCommandInput,
  type DescribeTasksResponse,
  ECSServiceException,
  type Failure,
  InvalidParameterException,
  ListContainerInstancesCommand,
  type ListContainerInstancesCommandInput,
  type ListContainerInstancesResponse,
  ListServicesCommand,
  type ListServicesCommandInput,
  type ListServicesResponse,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceResponse,
  ListTaskDefinitionsCommand,
  type ListTaskDefinitionsCommandInput,
  type ListTaskDefinitionsResponse,
  ListTasksCommand,
  type ListTasksCommandInput,
  type ListTasksResponse,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type RegisterTaskDefinitionResponse,
  type Service,
  ServiceNotActiveException,
  ServiceNotFoundException,
  StartTaskCommand,
  type StartTaskCommandInput,
  type StartTaskResponse,
  StopTaskCommand,
  type StopTaskCommandInput,
  type StopTaskResponse,
  type Tag,
  type Task,
  type TaskDefinition,
  type TaskOverride,
  type TaskStopCode,
  UpdateServiceCommand,
  type UpdateServiceCommandInput,
  type UpdateServiceResponse,
} from "@aws-sdk/client-ecs";
import { clone, compact, createSimContext, paginate, type SimContext } from "./core.js";
import { ImageRegistry, type RefusedImage } from "./ecs-images.js";
import {
  AwslogsDriver,
  type ContainerOutputOptions,
  type OutputLine,
  type ScriptedContainerOutput,
} from "./ecs-logs.js";
import {
  type ClusterState,
  type ContainerState,
  clusterNameOf,
  DEFAULT_AGENT_VERSION,
  type DeploymentState,
  defaultTaskTimings,
  EcsArns,
  ESSENTIAL_CONTAINER_EXITED,
  echoTaskDefinition,
  type InstanceState,
  type InstanceUsage,
  instanceAttributes,
  lastSegment,
  normalizeDeploymentConfiguration,
  notYetRunning,
  overriddenRequirements,
  type Requirements,
  renderContainerInstance,
  renderTask,
  rolloutReasons,
  type ServiceCounts,
  type ServiceState,
  serviceMessages,
  shortfalls,
  type TaskDefinitionState,
  type TaskFailureScript,
  type TaskLastStatus,
  type TaskState,
  type TaskTimings,
  taskDefinitionName,
  taskRequirements,
  usesAwsvpc,
} from "./ecs-model.js";
import {
  type PlacementFailureScript,
  PlacementFailures,
  type ScriptedPlacementFailure,
} from "./ecs-placement-failure.js";
import {
  executionRoleUnusable,
  passRoleDenial,
  resolveTaskSecrets,
  type SecretsDependencies,
  secretsMessages,
  secretsProblem,
} from "./ecs-secrets.js";
import { EcsTeardown } from "./ecs-teardown.js";
import { type ModeledExceptionClass, modeledError, type ServiceErrorProfile } from "./errors.js";
import type { LogsWriterView } from "./logs.js";

export {
  DEFAULT_PULL_SPEED_MIB_PER_S,
  imageNotFoundReason,
  modelCatalogueImageSizesMiB,
  noSpaceReason,
  qualifiedImage,
  type RefusedImage,
} from "./ecs-images.js";
export {
  type ContainerOutputOptions,
  defaultContainerOutput,
  type OutputLine,
  type ScriptedContainerOutput,
} from "./ecs-logs.js";
export { defaultTaskTimings, type TaskFailureScript, type TaskTimings, taskFailures } from "./ecs-model.js";

/** How a container's command ends (see `EcsSimulator.scriptCommandExit`). */
export interface CommandExitScript {
  /** The container's command (its override, else its definition's): a string matches its first word. */
  match: string | ((command: string[]) => boolean);
  /** Default 0. */
  exitCode?: number;
  /** How long it runs. Default `timings.oneOffCommandMs`. */
  afterMs?: number;
}

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

export interface AddContainerInstanceOptions {
  /** CPU units. Default 4096. */
  cpu?: number;
  /** Registered memory in MiB. Default 15360. */
  memoryMiB?: number;
  ec2InstanceId?: string;
  instanceType?: string;
  agentConnected?: boolean;
  status?: "ACTIVE" | "DRAINING" | "INACTIVE";
  /** Host TCP ports taken by the instance itself. Default [22, 2375, 2376, 51678, 51679]. */
  reservedPorts?: number[];
  /** The ECS container agent's version. Default "1.97.1"; before "1.22.0" it cannot take tasks with SSM secrets. */
  agentVersion?: string;
  /** The AMI the EC2 instance was launched from: the agent registers it as the attribute `ecs.ami-id`. */
  amiId?: string;
  /**
   * Attributes of the agent's default set it does not register, as its configuration turns them off, e.g.
   * `["ecs.capability.execution-role-awslogs"]` (ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=false) or
   * `["com.amazonaws.ecs.capability.logging-driver.awslogs"]` (ECS_AVAILABLE_LOGGING_DRIVERS without awslogs).
   */
  withoutAttributes?: string[];
}

/** Handle on a scripted task failure. */
export interface ScriptedTaskFailure {
  /** Tasks it has been applied to so far. */
  readonly applied: number;
  /** Tasks it will still apply to. */
  readonly remaining: number;
  cancel(): void;
}

class FailureScriptEntry implements ScriptedTaskFailure {
  applied = 0;
  cancelled = false;

  constructor(readonly script: TaskFailureScript) {}

  get remaining(): number {
    return this.cancelled ? 0 : Math.max(0, (this.script.times ?? 1) - this.applied);
  }

  cancel(): void {
    this.cancelled = true;
  }
}

type PlacementResult = { instance: InstanceState } | { instance?: undefined; detail: string };

/** Statuses in which a task holds its CPU, memory and host ports. */
const liveStatuses: readonly TaskLastStatus[] = [
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "STOPPING",
  "DEPROVISIONING",
];

export class EcsSimulator {
  /** How the fault injector builds ECS errors. */
  readonly errorProfile: ServiceErrorProfile;

  readonly #ctx: SimContext;
  readonly #arns: EcsArns;
  readonly #options: EcsSimulatorOptions;
  #timings: TaskTimings;

  readonly #clusters = new Map<string, ClusterState>();
  readonly #instances: InstanceState[] = [];
  readonly #taskDefinitions = new Map<string, TaskDefinitionState>();
  /** Family → last revision registered: deleted revisions are never reused. */
  readonly #lastRevision = new Map<string, number>();
  /** Keyed by `${clusterArn}|${serviceName}`. */
  readonly #services = new Map<string, ServiceState>();
  /** Keyed by task ARN, in creation order. */
  readonly #tasks = new Map<string, TaskState>();
  readonly #failureScripts: FailureScriptEntry[] = [];
  readonly #placementFailures = new PlacementFailures();
  readonly #commandExits: CommandExitScript[] = [];
  /** Image sizes, digests and refusals, and what each container instance has pulled (ecs-images.ts). */
  readonly #images = new ImageRegistry(() => this.#timings.imageCheckMs);
  readonly #awslogs: AwslogsDriver;
  /** DeregisterContainerInstance, DeleteCluster, ListTagsForResource, EC2 hosts going away (ecs-teardown.ts). */
  readonly #teardown: EcsTeardown;

  constructor(context: SimContext = createSimContext(), options: EcsSimulatorOptions = {}) {
    this.#ctx = context;
    this.#arns = new EcsArns(context.region, context.accountId);
    this.#options = options;
    this.#timings = { ...defaultTaskTimings, ...options.timings };
    this.errorProfile = {
      service: "ECS",
      iamPrefix: "ecs",
      BaseException: ECSServiceException,
      AccessDeniedException,
      resourceArn: (_command, input) => this.#resourceArnFor(input),
    };
    context.clock.onSettle(() => this.#reconcileAll());
    this.#awslogs = new AwslogsDriver(context, options.logs, () => this.#timings);
    this.#teardown = new EcsTeardown({
      ctx: context,
      clusters: this.#clusters,
      instances: this.#instances,
      services: this.#services,
      tasks: this.#tasks,
      sync: () => this.#sync(),
      error: (Exception, message) => this.#error(Exception, message),
      findCluster: (ref) => this.#findCluster(ref),
      activeCluster: (ref) => this.#activeCluster(ref),
      stopNow: (task, stopCode, reason) => this.#stopNow(task, stopCode, reason),
      reconcileAll: () => this.#reconcileAll(),
      renderCluster: (cluster) => this.#renderCluster(cluster),
      renderInstance: (instance) => this.#renderInstance(instance),
    });
  }

  // ===============================================================================================
  // Test setup and inspection

  get timings(): Readonly<TaskTimings> {
    return this.#timings;
  }

  /** Changes task timings from now on (already scheduled transitions keep their times). */
  setTimings(timings: Partial<TaskTimings>): void {
    this.#timings = { ...this.#timings, ...timings };
  }

  /** Creates (or re-creates with a new status) a cluster without going through the API. */
  addCluster(name: string, options: { status?: "ACTIVE" | "INACTIVE"; tags?: Tag[] } = {}): Cluster {
    this.#sync();
    const cluster = this.#clusters.get(name) ?? {
      name,
      arn: this.#arns.cluster(name),
      status: "ACTIVE",
      tags: [],
    };
    cluster.status = options.status ?? "ACTIVE";
    if (options.tags) cluster.tags = clone(options.tags);
    this.#clusters.set(name, cluster);
    return this.#renderCluster(cluster);
  }

  /** Registers an EC2 container instance in a cluster added before. */
  addContainerInstance(cluster: string, options: AddContainerInstanceOptions = {}): ContainerInstance {
    this.#sync();
    const owner = this.#findCluster(cluster);
    if (!owner)
      throw new Error(`simulated ECS: addContainerInstance: no cluster "${cluster}" (use addCluster first)`);
    const id = this.#ctx.ids.hex(32);
    const instance: InstanceState = {
      id,
      arn: this.#arns.containerInstance(owner.name, id),
      clusterArn: owner.arn,
      ec2InstanceId: options.ec2InstanceId ?? `i-${this.#ctx.ids.hex(17)}`,
      instanceType: options.instanceType ?? "m5.xlarge",
      status: options.status ?? "ACTIVE",
      agentConnected: options.agentConnected ?? true,
      cpu: options.cpu ?? 4096,
      memoryMiB: options.memoryMiB ?? 15360,
      reservedPorts: options.reservedPorts ?? [22, 2375, 2376, 51678, 51679],
      reservedUdpPorts: [],
      registeredAt: this.#ctx.clock.date(),
      version: 1,
      agentVersion: options.agentVersion ?? DEFAULT_AGENT_VERSION,
      ...(options.amiId ? { amiId: options.amiId } : {}),
      withoutAttributes: [...(options.withoutAttributes ?? [])],
      seq: this.#instances.length,
    };
    this.#instances.push(instance);
    this.#reconcileAll();
    return this.#renderInstance(instance);
  }

  /** Changes a container instance's agent connection or status (e.g. the agent disconnects). */
  setContainerInstanceState(
    containerInstance: string,
    state: { agentConnected?: boolean; status?: "ACTIVE" | "DRAINING" | "INACTIVE" },
  ): ContainerInstance {
    this.#sync();
    const instance = this.#instances.find(
      (i) => i.arn === containerInstance || i.id === lastSegment(containerInstance),
    );
    if (!instance) throw new Error(`simulated ECS: no container instance "${containerInstance}"`);
    instance.agentConnected = state.agentConnected ?? instance.agentConnected;
    instance.status = state.status ?? instance.status;
    instance.version += 1;
    this.#reconcileAll();
    return this.#renderInstance(instance);
  }

  /**
   * Updates (or downgrades) a container instance's agent, e.g. `setContainerInstanceAgentVersion(arn, "1.20.0")`:
   * its `versionInfo.agentVersion` and the capabilities it registers (an agent before 1.22.0 lacks the SSM
   * secrets one, so tasks with secrets are not placed there).
   */
  setContainerInstanceAgentVersion(containerInstance: string, agentVersion: string): ContainerInstance {
    this.#sync();
    const instance = this.#instances.find(
      (i) => i.arn === containerInstance || i.id === lastSegment(containerInstance),
    );
    if (!instance) throw new Error(`simulated ECS: no container instance "${containerInstance}"`);
    instance.agentVersion = agentVersion;
    instance.version += 1;
    this.#reconcileAll();
    return this.#renderInstance(instance);
  }

  /**
   * The agent stops registering one of its attributes (its configuration was changed and the agent restarted),
   * e.g. `removeContainerInstanceAttribute(arn, "ecs.capability.execution-role-awslogs")`: tasks that require it
   * are no longer placed there ("… is missing an attribute required by your task").
   */
  removeContainerInstanceAttribute(containerInstance: string, name: string): ContainerInstance {
    this.#sync();
    const instance = this.#instances.find(
      (i) => i.arn === containerInstance || i.id === lastSegment(containerInstance),
    );
    if (!instance) throw new Error(`simulated ECS: no container instance "${containerInstance}"`);
    if (!instance.withoutAttributes.includes(name)) instance.withoutAttributes.push(name);
    instance.version += 1;
    this.#reconcileAll();
    return this.#renderInstance(instance);
  }

  /**
   * The environment a task's container was started with (its `environment` and resolved `secrets`), e.g.
   * `containerEnvironment(taskArn, "mc").MC_DB_PASSWORD`: a secret's value as it was when the task was placed,
   * so a changed parameter reaches only tasks started after the change. Undefined for an unknown task or
   * container, and for a task whose secrets could not be fetched.
   */
  containerEnvironment(taskArn: string, containerName: string): Record<string, string> | undefined {
    this.#sync();
    const task = [...this.#tasks.values()].find((t) => t.arn === taskArn || t.id === lastSegment(taskArn));
    const environment = task?.containers.find((container) => container.name === containerName)?.environment;
    return environment && { ...environment };
  }

  /**
   * Makes the next matching task(s) fail, e.g. `scriptTaskFailure(taskFailures.cannotPullImage("metadata/registry:nope"))`.
   * Scripts are applied when a task is placed, first match first.
   */
  scriptTaskFailure(script: TaskFailureScript): ScriptedTaskFailure {
    const entry = new FailureScriptEntry({ ...script });
    this.#failureScripts.push(entry);
    return entry;
  }

  /**
   * Makes the next service placement find no container instance with room, and every placement in the `forMs`
   * after it; ECS's retries after that succeed (ecs-placement-failure.ts).
   */
  scriptPlacementFailure(script: PlacementFailureScript): ScriptedPlacementFailure {
    return this.#placementFailures.script(script);
  }

  /**
   * What a container prints to its awslogs stream in tasks of a family ("*": any family, or a predicate on the
   * task definition), instead of the default Model Catalogue / Elasticsearch lines of `mc` and `mc-es`:
   * `scriptContainerOutput("mc", "mc", ["INFO  up", { afterMs: 30_000, message: "WARN  slow" }])`, or
   * `(taskId) => lines`. Plain strings are printed when the container starts. The latest matching script wins.
   */
  scriptContainerOutput(
    match: string | ((taskDefinition: TaskDefinition) => boolean),
    container: string,
    lines: readonly OutputLine[] | ((taskId: string) => readonly OutputLine[]),
    options?: ContainerOutputOptions,
  ): ScriptedContainerOutput {
    return this.#awslogs.script(match, container, lines, options);
  }

  /**
   * An image's size in MiB, for a tag ("metadata/registry:2.0.11") or every tag of a repository
   * ("metadata/registry"): pulling it takes size / the instance's speed, plus `imageCheckMs`. Images of unknown
   * size are pulled at once (see `modelCatalogueImageSizesMiB` for realistic ones).
   */
  setImageSize(image: string, mib: number): void {
    this.#images.setSize(image, mib);
  }

  /**
   * The registry refuses the image: a task that needs it (and does not have it cached) stops before RUNNING,
   * TaskFailedToStart, with `reason` (default: the agent's "CannotPullContainerError: … not found") as its
   * stoppedReason and that container's reason.
   */
  refuseImage(image: string, reason?: string): RefusedImage {
    return this.#images.refuse(image, reason);
  }

  /** A new image is pushed under the tag (a floating tag such as ":2" moves): returns its new digest. */
  pushImage(image: string): string {
    return this.#images.push(image);
  }

  /** The digest the registry has for the tag now. */
  imageDigest(image: string): string {
    return this.#images.digestOf(image);
  }

  /** A container instance's download speed in MiB/s (default 50). */
  setPullSpeed(containerInstance: string, mibPerSecond: number): void {
    this.#images.setSpeed(this.#instanceByRef(containerInstance).arn, mibPerSecond);
  }

  /** The instance's Docker disk is full: pulls of images it does not have fail ("no space left on device"). */
  setDiskFull(containerInstance: string, full = true): void {
    this.#images.setDiskFull(this.#instanceByRef(containerInstance).arn, full);
  }

  /** The images a container instance has pulled, as the task definitions named them. */
  cachedImages(containerInstance: string): string[] {
    this.#sync();
    return this.#images.cached(this.#instanceByRef(containerInstance).arn);
  }

  /** The digest of the copy of `image` the instance has, if any. */
  cachedImageDigest(containerInstance: string, image: string): string | undefined {
    this.#sync();
    return this.#images.cachedDigest(this.#instanceByRef(containerInstance).arn, image);
  }

  /** Puts an image on an instance without a task (as if it was pulled before, or baked into its AMI). */
  preloadImage(containerInstance: string, image: string): void {
    this.#images.preload(this.#instanceByRef(containerInstance).arn, image);
  }

  /**
   * How containers running a command end: `scriptCommandExit({ match: "false", exitCode: 1 })`. Without a
   * script, a container whose command StartTask overrode exits 0 `oneOffCommandMs` after it started; other
   * commands run on. The latest matching script wins.
   */
  scriptCommandExit(script: CommandExitScript): void {
    this.#commandExits.push({ ...script });
  }

  /** The revision RegisterTaskDefinition would give `family` next (deleted revisions are never reused). */
  nextRevision(family: string): number {
    return (this.#lastRevision.get(family) ?? 0) + 1;
  }

  /** Current tasks (not yet purged), rendered like DescribeTasks, in creation order. */
  tasks(filter: { cluster?: string; serviceName?: string; lastStatus?: TaskLastStatus } = {}): Task[] {
    this.#sync();
    return [...this.#tasks.values()]
      .filter(
        (task) => filter.cluster === undefined || task.clusterArn === this.#findCluster(filter.cluster)?.arn,
      )
      .filter((task) => filter.serviceName === undefined || task.serviceName === filter.serviceName)
      .filter((task) => filter.lastStatus === undefined || task.lastStatus === filter.lastStatus)
      .map((task) => renderTask(task, this.#ctx.region));
  }

  // ===============================================================================================
  // API: clusters

  createCluster(input: CreateClusterCommandInput = {}): CreateClusterResponse {
    this.#sync();
    const name = input.clusterName ?? "default";
    const existing = this.#clusters.get(name);
    if (existing?.status === "ACTIVE") return { cluster: this.#renderCluster(existing) };
    const cluster: ClusterState = {
      name,
      arn: this.#arns.cluster(name),
      status: "ACTIVE",
      tags: input.tags ?? [],
    };
    this.#clusters.set(name, cluster);
    return { cluster: this.#renderCluster(cluster) };
  }

  describeClusters(input: DescribeClustersCommandInput = {}): DescribeClustersResponse {
    this.#sync();
    const clusters: Cluster[] = [];
    const failures: Failure[] = [];
    for (const ref of input.clusters ?? ["default"]) {
      const cluster = this.#findCluster(ref);
      if (cluster) clusters.push(this.#renderCluster(cluster, input.include?.includes("TAGS")));
      else failures.push({ arn: this.#arns.cluster(lastSegment(ref)), reason: "MISSING" });
    }
    return { clusters, failures };
  }

  /** Refused while container instances, services or tasks remain; the cluster is then INACTIVE (ecs-teardown.ts). */
  deleteCluster(input: DeleteClusterCommandInput): DeleteClusterResponse {
    return this.#teardown.deleteCluster(input);
  }

  /** The tags of a cluster or a service, by ARN (ecs-teardown.ts). */
  listTagsForResource(input: ListTagsForResourceCommandInput): ListTagsForResourceResponse {
    return this.#teardown.listTagsForResource(input);
  }

  /**
   * What ECS does when the EC2 instance behind container instances shuts down (their agent disconnects) or is
   * terminated (they are deregistered, INACTIVE, and their tasks stop: "Host EC2 (instance i-…) terminated.").
   * The EC2 simulator calls this; a test may too, for an instance EC2 does not know.
   */
  ec2InstanceStateChanged(ec2InstanceId: string, state: "shutting-down" | "terminated"): void {
    this.#teardown.ec2InstanceStateChanged(ec2InstanceId, state);
  }

  // ===============================================================================================
  // API: container instances

  listContainerInstances(input: ListContainerInstancesCommandInput = {}): ListContainerInstancesResponse {
    this.#sync();
    if (input.filter !== undefined)
      throw new Error("simulated ECS does not implement ListContainerInstances filter");
    const cluster = this.#activeCluster(input.cluster);
    // Without a status ECS lists every container instance but the INACTIVE (deregistered) ones.
    const arns = this.#instancesOf(cluster.arn)
      .filter((instance) =>
        input.status === undefined ? instance.status !== "INACTIVE" : instance.status === input.status,
      )
      .map((instance) => instance.arn);
    const { page, nextToken } = this.#paginate(arns, input, 100);
    return compact({ containerInstanceArns: page, nextToken });
  }

  describeContainerInstances(
    input: DescribeContainerInstancesCommandInput,
  ): DescribeContainerInstancesResponse {
    this.#sync();
    const cluster = this.#activeCluster(input.cluster);
    const refs = this.#nonEmptyList(input.containerInstances, "Container instances", 100);
    const containerInstances: ContainerInstance[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const instance = this.#instancesOf(cluster.arn).find((i) => i.id === lastSegment(ref));
      if (instance) containerInstances.push(this.#renderInstance(instance));
      else
        failures.push({
          arn: this.#arns.containerInstance(cluster.name, lastSegment(ref)),
          reason: "MISSING",
        });
    }
    return { containerInstances, failures };
  }

  /** Refused while tasks run on it, unless forced (its tasks then run on, orphaned); see ecs-teardown.ts. */
  deregisterContainerInstance(
    input: DeregisterContainerInstanceCommandInput,
  ): DeregisterContainerInstanceResponse {
    return this.#teardown.deregisterContainerInstance(input);
  }

  // ===============================================================================================
  // API: task definitions

  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): RegisterTaskDefinitionResponse {
    this.#sync();
    this.#validateTaskDefinition(input);
    const family = input.family ?? "";
    const revision = (this.#lastRevision.get(family) ?? 0) + 1;
    this.#lastRevision.set(family, revision);
    const arn = this.#arns.taskDefinition(`${family}:${revision}`);
    const definition = echoTaskDefinition(input, {
      arn,
      revision,
      registeredAt: this.#ctx.clock.date(),
      registeredBy: this.#ctx.principalArn,
    });
    const tags = input.tags ?? [];
    this.#taskDefinitions.set(arn, {
      arn,
      family,
      revision,
      status: "ACTIVE",
      definition,
      tags,
      requirements: taskRequirements(definition),
    });
    return { taskDefinition: clone(definition), tags: clone(tags) };
  }

  describeTaskDefinition(input: DescribeTaskDefinitionCommandInput): DescribeTaskDefinitionResponse {
    this.#sync();
    const taskDefinition = this.#findTaskDefinition(input.taskDefinition);
    if (!taskDefinition) throw this.#error(ClientException, "Unable to describe task definition.");
    const tags = input.include?.includes("TAGS") ? clone(taskDefinition.tags) : undefined;
    return compact({ taskDefinition: clone(taskDefinition.definition), tags });
  }

  listTaskDefinitions(input: ListTaskDefinitionsCommandInput = {}): ListTaskDefinitionsResponse {
    this.#sync();
    const status = input.status ?? "ACTIVE";
    const sorted = [...this.#taskDefinitions.values()]
      .filter((td) => input.familyPrefix === undefined || td.family === input.familyPrefix)
      .filter((td) => td.status === status)
      .sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
    if (input.sort === "DESC") sorted.reverse();
    const { page, nextToken } = this.#paginate(
      sorted.map((td) => td.arn),
      input,
      100,
    );
    return compact({ taskDefinitionArns: page, nextToken });
  }

  deregisterTaskDefinition(input: DeregisterTaskDefinitionCommandInput): DeregisterTaskDefinitionResponse {
    this.#sync();
    const name = taskDefinitionName(input.taskDefinition ?? "");
    if (!name.includes(":")) throw this.#error(ClientException, "Invalid revision number. Number: undefined");
    const taskDefinition = this.#findTaskDefinition(name);
    if (!taskDefinition) throw this.#error(ClientException, "Unable to describe task definition.");
    if (taskDefinition.status === "DELETE_IN_PROGRESS")
      return { taskDefinition: clone(taskDefinition.definition) };
    taskDefinition.status = "INACTIVE";
    taskDefinition.definition = {
      ...taskDefinition.definition,
      status: "INACTIVE",
      deregisteredAt: this.#ctx.clock.date(),
    };
    return { taskDefinition: clone(taskDefinition.definition) };
  }

  /**
   * Up to 10 "family:revision" or ARNs. An INACTIVE revision becomes DELETE_IN_PROGRESS (still described and
   * listed with that status) and is deleted `taskDefinitionDeletionMs` later, or once no task or deployment
   * uses it; after that it is unknown. An ACTIVE one is a failure: it must be deregistered first.
   */
  deleteTaskDefinitions(input: DeleteTaskDefinitionsCommandInput): DeleteTaskDefinitionsResponse {
    this.#sync();
    const refs = input.taskDefinitions ?? [];
    if (refs.length === 0) throw this.#error(ClientException, "Task definitions cannot be empty.");
    if (refs.length > 10) {
      throw this.#error(ClientException, "Task definitions cannot contain more than 10 elements.");
    }
    const taskDefinitions: TaskDefinition[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const name = taskDefinitionName(ref);
      if (!name.includes(":"))
        throw this.#error(ClientException, "Invalid revision number. Number: undefined");
      const arn = this.#arns.taskDefinition(name);
      const taskDefinition = this.#taskDefinitions.get(arn);
      if (!taskDefinition) {
        const reason =
          "The specified task definition does not exist. Specify a valid account, family, revision and try again.";
        failures.push({ arn, reason });
        continue;
      }
      if (taskDefinition.status === "ACTIVE") {
        const reason =
          "The specified task definition is still in ACTIVE status. Please deregister the target and try again.";
        failures.push({ arn, reason });
        continue;
      }
      if (taskDefinition.status === "INACTIVE") {
        taskDefinition.status = "DELETE_IN_PROGRESS";
        taskDefinition.deletableAt = this.#ctx.clock.now() + this.#timings.taskDefinitionDeletionMs;
        taskDefinition.definition = { ...taskDefinition.definition, status: "DELETE_IN_PROGRESS" };
        // Nothing to do in the event itself: the settle hook deletes what nothing uses any more.
        this.#ctx.clock.at(taskDefinition.deletableAt, `ECS task definition ${name} deletion`, () => {});
      }
      taskDefinitions.push(clone(taskDefinition.definition));
    }
    return { taskDefinitions, failures };
  }

  // ===============================================================================================
  // API: services

  createService(input: CreateServiceCommandInput): CreateServiceResponse {
    this.#sync();
    const cluster = this.#activeCluster(input.cluster);
    this.#assertEc2Only(input);
    const name = input.serviceName ?? "";
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,254}$/.test(name)) {
      throw this.#error(InvalidParameterException, "Service name must be specified and valid.");
    }
    const existing = this.#services.get(this.#serviceKey(cluster.arn, name));
    if (existing?.status === "ACTIVE") {
      if (input.clientToken !== undefined && input.clientToken === existing.clientToken) {
        return { service: this.#renderService(existing) };
      }
      throw this.#error(InvalidParameterException, "Creation of service was not idempotent.");
    }
    if (existing?.status === "DRAINING") {
      throw this.#error(InvalidParameterException, "Unable to Start a service that is still Draining.");
    }
    const taskDefinition = this.#taskDefinitionForService(input.taskDefinition);
    const desiredCount = this.#validDesiredCount(input.desiredCount ?? 0);
    const service = this.#newService(cluster, name, input, taskDefinition, desiredCount);
    this.#services.set(this.#serviceKey(cluster.arn, name), service);
    this.#startDeployment(service, taskDefinition.arn);
    this.#recordCounts(service);
    this.#wakeSchedulerLater(service);
    return { service: this.#renderService(service) };
  }

  describeServices(input: DescribeServicesCommandInput): DescribeServicesResponse {
    this.#sync();
    const cluster = this.#activeCluster(input.cluster);
    const refs = this.#nonEmptyList(input.services, "Services", 10);
    const services: Service[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const service = this.#services.get(this.#serviceKey(cluster.arn, lastSegment(ref)));
      if (service) services.push(this.#renderService(service));
      else failures.push({ arn: this.#arns.service(cluster.name, lastSegment(ref)), reason: "MISSING" });
    }
    return { services, failures };
  }

  updateService(input: UpdateServiceCommandInput): UpdateServiceResponse {
    this.#sync();
    const service = this.#activeService(input.cluster, input.service);
    const taskDefinition =
      input.taskDefinition === undefined ? undefined : this.#taskDefinitionForService(input.taskDefinition);
    if (input.desiredCount !== undefined) service.desiredCount = this.#validDesiredCount(input.desiredCount);
    service.deploymentConfiguration = normalizeDeploymentConfiguration(
      input.deploymentConfiguration,
      service.deploymentConfiguration,
    );
    const primary = this.#primary(service);
    const changesTaskDefinition =
      taskDefinition !== undefined && taskDefinition.arn !== primary.taskDefinitionArn;
    if (changesTaskDefinition || input.forceNewDeployment) {
      this.#startDeployment(service, taskDefinition?.arn ?? primary.taskDefinitionArn);
    }
    this.#wakeSchedulerLater(service);
    return { service: this.#renderService(service) };
  }

  deleteService(input: DeleteServiceCommandInput): DeleteServiceResponse {
    this.#sync();
    const service = this.#activeService(input.cluster, input.service);
    if (service.desiredCount > 0 && !input.force) {
      throw this.#error(
        InvalidParameterException,
        "The service cannot be stopped while it is scaled above 0.",
      );
    }
    service.desiredCount = 0;
    service.status = "DRAINING";
    this.#wakeSchedulerLater(service);
    return { service: this.#renderService(service) };
  }

  listServices(input: ListServicesCommandInput = {}): ListServicesResponse {
    this.#sync();
    const cluster = this.#activeCluster(input.cluster);
    const arns = [...this.#services.values()]
      .filter((service) => service.clusterArn === cluster.arn && service.status !== "INACTIVE")
      .map((service) => service.arn);
    const { page, nextToken } = this.#paginate(arns, input, 10);
    return compact({ serviceArns: page, nextToken });
  }

  // ===============================================================================================
  // API: tasks

  listTasks(input: ListTasksCommandInput = {}): ListTasksResponse {
    this.#sync();
    const cluster = this.#activeCluster(input.cluster);
    if (input.serviceName !== undefined) this.#existingService(cluster, input.serviceName);
    const desiredStatus = input.desiredStatus ?? "RUNNING";
    const instanceId =
      input.containerInstance === undefined ? undefined : lastSegment(input.containerInstance);
    if (input.launchType !== undefined && input.launchType !== "EC2") return { taskArns: [] };
    const arns = [...this.#tasks.values()]
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
    const { page, nextToken } = this.#paginate(arns, input, 100);
    return compact({ taskArns: page, nextToken });
  }

  describeTasks(input: DescribeTasksCommandInput): DescribeTasksResponse {
    this.#sync();
    const cluster = this.#activeCluster(input.cluster);
    const refs = this.#nonEmptyList(input.tasks, "Tasks", 100);
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const task = this.#tasks.get(this.#arns.task(cluster.name, lastSegment(ref)));
      if (task) tasks.push(renderTask(task, this.#ctx.region, input.include?.includes("TAGS")));
      else failures.push({ arn: this.#arns.task(cluster.name, lastSegment(ref)), reason: "MISSING" });
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
    this.#sync();
    const cluster = this.#activeCluster(input.cluster);
    const taskDefinition = this.#taskDefinitionForService(input.taskDefinition);
    const refs = this.#nonEmptyList(input.containerInstances, "Container instances", 10);
    if (input.networkConfiguration !== undefined || usesAwsvpc(taskDefinition.definition)) {
      throw new Error("simulated ECS: StartTask supports bridge, host and none network modes only");
    }
    const requirements = overriddenRequirements(taskDefinition.definition, input.overrides);
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const instance = this.#instancesOf(cluster.arn).find((i) => i.id === lastSegment(ref));
      const reason = instance ? this.#cannotStartOn(instance, requirements) : "MISSING";
      if (!instance || reason) {
        const arn = instance?.arn ?? this.#arns.containerInstance(cluster.name, lastSegment(ref));
        failures.push({ arn, reason });
        continue;
      }
      const task = this.#createTask({
        clusterArn: cluster.arn,
        taskDefinition,
        instance,
        group: input.group ?? `family:${taskDefinition.family}`,
        startedBy: input.startedBy,
        ...(input.overrides ? { overrides: input.overrides } : {}),
        tags: input.tags ?? [],
      });
      tasks.push(renderTask(task, this.#ctx.region, true));
    }
    return { tasks, failures };
  }

  /** Why StartTask cannot place a task on this instance, in ECS's `failures` wording; undefined if it can. */
  #cannotStartOn(instance: InstanceState, requirements: Requirements): string | undefined {
    if (instance.status === "INACTIVE") return "INACTIVE";
    if (instance.status === "DRAINING") {
      throw new Error("simulated ECS: StartTask on a DRAINING container instance is not modelled");
    }
    if (!instance.agentConnected) return "AGENT";
    const missing = this.#shortfalls(instance, requirements)[0];
    const reasons: Record<string, string> = {
      [shortfalls.attribute]: "ATTRIBUTE",
      [shortfalls.memory]: "RESOURCE:MEMORY",
      [shortfalls.cpu]: "RESOURCE:CPU",
      [shortfalls.ports]: "RESOURCE:PORTS",
    };
    return missing === undefined ? undefined : reasons[missing];
  }

  stopTask(input: StopTaskCommandInput): StopTaskResponse {
    this.#sync();
    const cluster = this.#activeCluster(input.cluster);
    const task = this.#tasks.get(this.#arns.task(cluster.name, lastSegment(input.task ?? "")));
    if (!task) throw this.#error(InvalidParameterException, "The referenced task was not found.");
    this.#requestStop(task, "UserInitiated", input.reason ?? "Task stopped by user");
    const service = this.#serviceOf(task);
    if (service) {
      this.#recordCounts(service);
      this.#wakeSchedulerLater(service);
    }
    return { task: renderTask(task, this.#ctx.region) };
  }

  // ===============================================================================================
  // Service scheduler

  /** A scheduler pass over every service (after each simulated event), then the counts as they now are. */
  #reconcileAll(): void {
    for (const service of this.#services.values()) {
      this.#reconcile(service);
      this.#recordCounts(service);
    }
    this.#deleteUnusedTaskDefinitions();
  }

  /** ECS's periodic check: a DELETE_IN_PROGRESS revision no task and no deployment uses any more is deleted. */
  #deleteUnusedTaskDefinitions(): void {
    const now = this.#ctx.clock.now();
    for (const taskDefinition of this.#taskDefinitions.values()) {
      if (taskDefinition.status !== "DELETE_IN_PROGRESS" || now < (taskDefinition.deletableAt ?? now))
        continue;
      const usedByTask = [...this.#tasks.values()].some(
        (task) => task.taskDefinition === taskDefinition && task.lastStatus !== "STOPPED",
      );
      // A deleted (INACTIVE) service is terminated: it holds no revision back.
      const usedByDeployment = [...this.#services.values()].some(
        (service) =>
          service.status !== "INACTIVE" &&
          service.deployments.some(
            (deployment) =>
              deployment.status !== "INACTIVE" && deployment.taskDefinitionArn === taskDefinition.arn,
          ),
      );
      if (!usedByTask && !usedByDeployment) this.#taskDefinitions.delete(taskDefinition.arn);
    }
  }

  /**
   * The scheduler acts on an API call's change `schedulerDelayMs` later, not inside the call. Until then it
   * leaves the service alone; a further call within the delay is picked up on the same pass.
   */
  #wakeSchedulerLater(service: ServiceState): void {
    const now = this.#ctx.clock.now();
    if (service.schedulerDueAt !== undefined && service.schedulerDueAt > now) return;
    service.schedulerDueAt = now + this.#timings.schedulerDelayMs;
    // Nothing to do in the event itself: the settle hook runs the scheduler after it.
    this.#ctx.clock.at(service.schedulerDueAt, `ECS service ${service.name} scheduler`, () => {});
  }

  /** One scheduler pass: stop what is surplus or superseded, launch what is missing, update rollout state. */
  #reconcile(service: ServiceState): void {
    if (service.status === "INACTIVE") return;
    if (service.schedulerDueAt !== undefined) {
      if (this.#ctx.clock.now() < service.schedulerDueAt) return;
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
    const primary = this.#primary(service);
    const live = this.#liveTasks(service).filter((task) => task.deploymentId === primary.id);
    const surplus = live.length - service.desiredCount;
    if (surplus <= 0) return [];
    const victims = [...live].sort(stopOrder).slice(0, surplus);
    for (const task of victims) this.#requestStop(task, "ServiceSchedulerInitiated", scalingReason(task));
    return victims;
  }

  /** Rolling update: stop tasks of older deployments as far as minimumHealthyPercent allows. */
  #stopSupersededTasks(service: ServiceState): TaskState[] {
    const primary = this.#primary(service);
    const live = this.#liveTasks(service);
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
    for (const task of victims) this.#requestStop(task, "ServiceSchedulerInitiated", scalingReason(task));
    return victims;
  }

  /** Start PRIMARY tasks up to the desired count, within maximumPercent and the cluster's free resources. */
  #launchMissingTasks(service: ServiceState): TaskState[] {
    const primary = this.#primary(service);
    if (service.status !== "ACTIVE" || primary.rolloutState === "FAILED") return [];
    const live = this.#liveTasks(service);
    const primaryLive = live.filter((task) => task.deploymentId === primary.id).length;
    const { maximumPercent } = service.deploymentConfiguration;
    const maxTotal = Math.floor((service.desiredCount * maximumPercent) / 100);
    const wanted = Math.min(service.desiredCount - primaryLive, maxTotal - live.length);
    const taskDefinition = this.#taskDefinitionByArn(primary.taskDefinitionArn);
    const started: TaskState[] = [];
    // ECS assumes the execution role before it places the task: a role IAM has not shown it yet fails the
    // launch (a service event, no task) and the scheduler tries again later.
    const unusableRole =
      wanted > 0 ? executionRoleUnusable(taskDefinition.definition, this.#options) : undefined;
    if (unusableRole) {
      this.#emit(service, secretsMessages.unableToAssumeRole(service.name, unusableRole), {
        throttled: true,
      });
      this.#schedulePlacementRetry(service);
      return [];
    }
    for (let i = 0; i < wanted; i++) {
      const placement = this.#place(service.clusterArn, taskDefinition.requirements);
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
    this.#ctx.clock.after(this.#timings.placementRetryMs, `ECS service ${service.name} retry`, wakeUp);
  }

  /** Old deployments without unstopped tasks become INACTIVE (and disappear from DescribeServices). */
  #retireDrainedDeployments(service: ServiceState): void {
    for (const deployment of service.deployments) {
      if (deployment.status !== "ACTIVE") continue;
      if (this.#unstoppedTasks(service).some((task) => task.deploymentId === deployment.id)) continue;
      deployment.status = "INACTIVE";
      deployment.updatedAt = this.#ctx.clock.date();
    }
  }

  /** Steady = exactly the desired number of tasks, all PRIMARY and RUNNING, nothing else left stopping. */
  #updateSteadyState(service: ServiceState): void {
    const primary = this.#primary(service);
    const unstopped = this.#unstoppedTasks(service);
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
    if (service.status !== "DRAINING" || this.#unstoppedTasks(service).length > 0) return;
    service.status = "INACTIVE";
  }

  #place(clusterArn: string, requirements: Requirements): PlacementResult {
    const candidates = this.#instancesOf(clusterArn).filter((i) => i.status === "ACTIVE" && i.agentConnected);
    if (candidates.length === 0) return { detail: serviceMessages.noContainerInstances };
    if (this.#placementFailures.refuses(this.#ctx.clock.now())) {
      return {
        detail: serviceMessages.closestMatching((candidates[0] as InstanceState).id, shortfalls.memory),
      };
    }
    const evaluated = candidates.map((instance) => ({
      instance,
      missing: this.#shortfalls(instance, requirements),
    }));
    const fitting = evaluated.filter((e) => e.missing.length === 0).map((e) => e.instance);
    if (fitting.length > 0) {
      const load = (instance: InstanceState) => this.#tasksOn(instance).length;
      return { instance: fitting.sort((a, b) => load(a) - load(b) || a.seq - b.seq)[0] as InstanceState };
    }
    const closest = evaluated.reduce((best, e) => (e.missing.length < best.missing.length ? e : best));
    return { detail: serviceMessages.closestMatching(closest.instance.id, closest.missing[0] ?? "") };
  }

  #shortfalls(instance: InstanceState, requirements: Requirements): string[] {
    const usage = this.#usage(instance);
    const missing: string[] = [];
    // Every attribute the definition requires must be one the instance's agent registered.
    const attributes = instanceAttributes(instance, this.#ctx.region).map((attribute) => attribute.name);
    const lacking = requirements.attributes.filter((name) => !attributes.includes(name));
    if (lacking.length > 0) missing.push(shortfalls.attribute);
    if (instance.memoryMiB - usage.memoryMiB < requirements.memoryMiB) missing.push(shortfalls.memory);
    if (instance.cpu - usage.cpu < requirements.cpu) missing.push(shortfalls.cpu);
    const taken = (port: number, protocol: "tcp" | "udp") =>
      (protocol === "tcp" ? instance.reservedPorts : instance.reservedUdpPorts).includes(port) ||
      usage.ports.some((claim) => claim.port === port && claim.protocol === protocol);
    if (requirements.ports.some((claim) => taken(claim.port, claim.protocol))) missing.push(shortfalls.ports);
    return missing;
  }

  #startDeployment(service: ServiceState, taskDefinitionArn: string, reason?: string): DeploymentState {
    const now = this.#ctx.clock.date();
    for (const deployment of service.deployments) {
      if (deployment.status !== "PRIMARY") continue;
      deployment.status = "ACTIVE";
      deployment.updatedAt = now;
    }
    const id = `ecs-svc/${this.#ctx.ids.digits(19)}`;
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
    deployment.updatedAt = this.#ctx.clock.date();
    service.lastCompleted = { deploymentId: deployment.id, taskDefinitionArn: deployment.taskDefinitionArn };
    this.#emit(service, serviceMessages.deploymentCompleted(service.name, deployment.id));
  }

  /** A task of `deployment` stopped before reaching RUNNING: count it, and trip the circuit breaker if due. */
  #recordFailedStart(service: ServiceState, deployment: DeploymentState): void {
    deployment.failedTasks += 1;
    deployment.consecutiveFailures += 1;
    deployment.updatedAt = this.#ctx.clock.date();
    if (deployment.status !== "PRIMARY" || deployment.rolloutState !== "IN_PROGRESS") return;
    if (!this.#circuitBreakerEnabled(service)) return;
    if (deployment.consecutiveFailures < this.#circuitBreakerThreshold(service)) return;
    deployment.rolloutState = "FAILED";
    deployment.rolloutStateReason = rolloutReasons.circuitBreakerFailed;
    this.#emit(service, serviceMessages.deploymentFailed(service.name, deployment.id));
    const target = service.lastCompleted;
    if (service.deploymentConfiguration.deploymentCircuitBreaker.rollback && target) {
      this.#startDeployment(
        service,
        target.taskDefinitionArn,
        rolloutReasons.rollingBack(target.deploymentId),
      );
    }
  }

  #circuitBreakerEnabled(service: ServiceState): boolean {
    return (
      this.#options.circuitBreaker?.enabled || service.deploymentConfiguration.deploymentCircuitBreaker.enable
    );
  }

  #circuitBreakerThreshold(service: ServiceState): number {
    return (
      this.#options.circuitBreaker?.threshold ??
      Math.min(200, Math.max(3, Math.ceil(service.desiredCount / 2)))
    );
  }

  #emit(service: ServiceState, message: string, options: { throttled?: boolean } = {}): void {
    const now = this.#ctx.clock.now();
    if (options.throttled) {
      const last = service.recentMessages.get(message);
      if (last !== undefined && now - last < this.#timings.repeatedEventIntervalMs) return;
      service.recentMessages.set(message, now);
    }
    service.events.unshift({ id: this.#ctx.ids.uuid(), createdAt: new Date(now), message });
    service.events.splice(100);
  }

  // ===============================================================================================
  // Task lifecycle (resources held until STOPPED), as "Amazon ECS task lifecycle" describes it:
  //   bridge / host / none:  PENDING → RUNNING → STOPPING → STOPPED
  //   awsvpc:                PROVISIONING → PENDING → ACTIVATING → RUNNING → STOPPING → DEPROVISIONING → STOPPED

  #launchTask(
    service: ServiceState,
    deployment: DeploymentState,
    taskDefinition: TaskDefinitionState,
    instance: InstanceState,
  ): TaskState {
    return this.#createTask({
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

  #createTask(placement: {
    clusterArn: string;
    taskDefinition: TaskDefinitionState;
    instance: InstanceState;
    serviceName?: string;
    deploymentId?: string;
    group: string;
    startedBy: string | undefined;
    overrides?: TaskOverride;
    tags: Tag[];
  }): TaskState {
    const { taskDefinition, instance, overrides } = placement;
    const id = this.#ctx.ids.hex(32);
    const clusterName = clusterNameOf(placement.clusterArn);
    const now = this.#ctx.clock.date();
    // The agent fetches the secrets as soon as it gets the task, before pulling images: a failure to do so
    // stops the task before any scripted failure could strike.
    const secrets = resolveTaskSecrets(
      taskDefinition.definition,
      {
        taskId: id,
        region: this.#ctx.region,
        accountId: this.#ctx.accountId,
        requestId: () => this.#ctx.ids.uuid(),
      },
      this.#options,
    );
    const task: TaskState = {
      id,
      arn: this.#arns.task(clusterName, id),
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
          arn: this.#arns.container(clusterName, id, this.#ctx.ids.uuid()),
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
      failure: secrets.failure ?? this.#takeFailureScript(taskDefinition),
      requirements: overriddenRequirements(taskDefinition.definition, overrides),
      ...(overrides ? { overrides: clone(overrides) } : {}),
      tags: clone(placement.tags),
    };
    this.#tasks.set(task.arn, task);
    if (task.lastStatus === "PROVISIONING") {
      this.#after(task, this.#timings.provisioningMs, "PENDING", () => this.#toPending(task));
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
    task.pullStartedAt = this.#ctx.clock.date();
    const { failure } = task;
    if (failure?.stage === "PENDING") {
      this.#after(task, this.#timings.pendingMs, "failed", () => this.#fail(task, failure));
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
      task.pullStoppedAt = this.#ctx.clock.date();
      this.#images.store(task.instance.arn, plan.pulled);
      for (const container of task.containers) container.imageDigest = this.#images.digestOf(container.image);
      if (usesAwsvpc(task.taskDefinition.definition)) {
        this.#after(task, this.#timings.pendingMs, "ACTIVATING", () => this.#toActivating(task));
      } else {
        this.#after(task, this.#timings.pendingMs, "RUNNING", () => this.#toRunning(task));
      }
    };
    if (plan.durationMs > 0) this.#after(task, plan.durationMs, "images pulled", pulled);
    else pulled();
  }

  /** awsvpc: containers started, task networking being configured. */
  #toActivating(task: TaskState): void {
    if (task.lastStatus !== "PENDING" || !this.#startContainers(task)) return;
    this.#setStatus(task, "ACTIVATING");
    this.#after(task, this.#timings.activatingMs, "RUNNING", () => this.#toRunning(task));
  }

  #toRunning(task: TaskState): void {
    if (task.lastStatus !== "PENDING" && task.lastStatus !== "ACTIVATING") return;
    // An awsvpc task's containers started when it went ACTIVATING.
    if (task.lastStatus === "PENDING" && !this.#startContainers(task)) return;
    this.#setStatus(task, "RUNNING");
    task.startedAt = this.#ctx.clock.date();
    for (const container of task.containers) {
      container.lastStatus = "RUNNING";
      // The awslogs driver may have named a stream after the container id already.
      container.runtimeId ??= this.#ctx.ids.hex(64);
    }
    const deployment = this.#deploymentOf(task);
    if (deployment) deployment.consecutiveFailures = 0;
    const { failure } = task;
    if (failure?.stage === "RUNNING") {
      const runFor = failure.afterMs ?? this.#timings.runningFailureMs;
      this.#after(task, runFor, "failed", () => this.#fail(task, failure));
    }
    for (const container of task.containers) this.#runCommand(task, container);
  }

  /** A container whose command ends (a one-off command, or a scripted exit) exits; an essential one stops the task. */
  #runCommand(task: TaskState, container: ContainerState): void {
    const command = container.override?.command ?? container.definition.command;
    if (!command) return;
    const script = this.#commandExits.findLast((entry) =>
      typeof entry.match === "string" ? command[0] === entry.match : entry.match([...command]),
    );
    if (!script && !container.override?.command) return;
    const exitCode = script?.exitCode ?? 0;
    const runFor = script?.afterMs ?? this.#timings.oneOffCommandMs;
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
    this.#beginStopping(task, this.#timings.failedStoppingMs);
    const service = this.#serviceOf(task);
    const deployment = this.#deploymentOf(task);
    if (!startedBefore && service && deployment) this.#recordFailedStart(service, deployment);
  }

  #requestStop(task: TaskState, stopCode: TaskStopCode, reason: string): void {
    if (task.desiredStatus === "STOPPED") return;
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    this.#beginStopping(task, this.#timings.stoppingMs);
  }

  #beginStopping(task: TaskState, stoppingMs: number): void {
    task.desiredStatus = "STOPPED";
    task.stoppingAt = this.#ctx.clock.date();
    this.#setStatus(task, "STOPPING");
    this.#after(task, stoppingMs, "containers stopped", () => this.#containersStopped(task));
  }

  /** The containers are gone; an awsvpc task still has its network interface to give back. */
  #containersStopped(task: TaskState): void {
    if (task.lastStatus !== "STOPPING") return;
    task.executionStoppedAt = this.#ctx.clock.date();
    this.#awslogs.stopAll(task);
    for (const container of task.containers) {
      if (container.lastStatus === "RUNNING") container.exitCode = 143;
      container.lastStatus = "STOPPED";
    }
    if (usesAwsvpc(task.taskDefinition.definition)) {
      this.#setStatus(task, "DEPROVISIONING");
      this.#after(task, this.#timings.deprovisioningMs, "STOPPED", () => this.#toStopped(task));
    } else {
      this.#toStopped(task);
    }
  }

  /**
   * The task's containers are gone at once (its host was terminated): STOPPED now,
   * whatever it was doing; what it held on the instance is free.
   */
  #stopNow(task: TaskState, stopCode: TaskStopCode, reason: string): void {
    if (task.lastStatus === "STOPPED") return;
    const now = this.#ctx.clock.date();
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
    const service = this.#serviceOf(task);
    if (service) this.#recordCounts(service);
  }

  #toStopped(task: TaskState): void {
    // A task stopped at once (#stopNow) may still have its DEPROVISIONING step scheduled.
    if (task.lastStatus === "STOPPED") return;
    this.#setStatus(task, "STOPPED");
    task.stoppedAt = this.#ctx.clock.date();
    this.#after(task, this.#timings.stoppedTaskRetentionMs, "purged", () => this.#tasks.delete(task.arn));
  }

  #setStatus(task: TaskState, status: TaskLastStatus): void {
    task.lastStatus = status;
    task.version += 1;
    task.instance.version += 1;
  }

  #after(task: TaskState, delayMs: number, what: string, run: () => void): void {
    this.#ctx.clock.after(delayMs, `ECS task ${task.id} ${what}`, run);
  }

  #takeFailureScript(taskDefinition: TaskDefinitionState): TaskFailureScript | undefined {
    const entry = this.#failureScripts.find(
      (e) =>
        e.remaining > 0 && (e.script.match === undefined || e.script.match(clone(taskDefinition.definition))),
    );
    if (!entry) return undefined;
    entry.applied += 1;
    return entry.script;
  }

  // ===============================================================================================
  // Lookups and validation

  #sync(): void {
    this.#ctx.clock.advance();
  }

  #error<E extends Error>(Exception: ModeledExceptionClass<E>, message: string): E {
    return modeledError(Exception, message, this.#ctx.ids);
  }

  /** A container instance by ARN or id (test setup: not found is the test's mistake). */
  #instanceByRef(ref: string): InstanceState {
    const instance = this.#instances.find((i) => i.arn === ref || i.id === lastSegment(ref));
    if (!instance) throw new Error(`simulated ECS: no container instance "${ref}"`);
    return instance;
  }

  #findCluster(ref: string): ClusterState | undefined {
    return this.#clusters.get(lastSegment(ref));
  }

  #activeCluster(ref = "default"): ClusterState {
    const cluster = this.#findCluster(ref);
    if (!cluster) throw this.#error(ClusterNotFoundException, "Cluster not found.");
    if (cluster.status !== "ACTIVE")
      throw this.#error(ClusterNotFoundException, "The referenced cluster was inactive.");
    return cluster;
  }

  #serviceKey(clusterArn: string, name: string): string {
    return `${clusterArn}|${name}`;
  }

  #existingService(cluster: ClusterState, ref: string): ServiceState {
    const service = this.#services.get(this.#serviceKey(cluster.arn, lastSegment(ref)));
    if (!service) throw this.#error(ServiceNotFoundException, "Service not found.");
    return service;
  }

  #activeService(clusterRef: string | undefined, ref: string | undefined): ServiceState {
    const service = this.#existingService(this.#activeCluster(clusterRef), ref ?? "");
    if (service.status !== "ACTIVE") throw this.#error(ServiceNotActiveException, "Service was not ACTIVE.");
    return service;
  }

  #newService(
    cluster: ClusterState,
    name: string,
    input: CreateServiceCommandInput,
    taskDefinition: TaskDefinitionState,
    desiredCount: number,
  ): ServiceState {
    return {
      name,
      arn: this.#arns.service(cluster.name, name),
      clusterArn: cluster.arn,
      status: "ACTIVE",
      desiredCount,
      taskDefinitionArn: taskDefinition.arn,
      deploymentConfiguration: normalizeDeploymentConfiguration(input.deploymentConfiguration),
      createdAt: this.#ctx.clock.date(),
      clientToken: input.clientToken,
      deployments: [],
      events: [],
      steady: false,
      retryScheduled: false,
      schedulerDueAt: undefined,
      countHistory: [],
      recentMessages: new Map(),
      lastCompleted: undefined,
      echo: {
        loadBalancers: input.loadBalancers ?? [],
        serviceRegistries: input.serviceRegistries ?? [],
        placementConstraints: input.placementConstraints ?? [],
        placementStrategy: input.placementStrategy ?? [],
        roleArn: input.role,
        healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
        enableECSManagedTags: input.enableECSManagedTags ?? false,
        propagateTags: input.propagateTags ?? "NONE",
        enableExecuteCommand: input.enableExecuteCommand ?? false,
        tags: input.tags,
      },
    };
  }

  #assertEc2Only(input: CreateServiceCommandInput): void {
    const unsupported =
      (input.launchType !== undefined && input.launchType !== "EC2") ||
      input.capacityProviderStrategy !== undefined ||
      (input.schedulingStrategy !== undefined && input.schedulingStrategy !== "REPLICA") ||
      (input.deploymentController?.type !== undefined && input.deploymentController.type !== "ECS");
    if (unsupported) {
      throw new Error(
        "simulated ECS supports only REPLICA services with launchType EC2 and the ECS deployment controller",
      );
    }
  }

  #validDesiredCount(count: number): number {
    if (!Number.isInteger(count) || count < 0) {
      throw this.#error(InvalidParameterException, "Desired count must be a non-negative integer.");
    }
    return count;
  }

  #nonEmptyList(values: string[] | undefined, what: string, max: number): string[] {
    if (!values || values.length === 0)
      throw this.#error(InvalidParameterException, `${what} cannot be empty.`);
    if (values.length > max) {
      throw this.#error(InvalidParameterException, `${what} cannot contain more than ${max} elements.`);
    }
    return values;
  }

  #paginate<T>(items: readonly T[], input: { maxResults?: number; nextToken?: string }, defaultMax: number) {
    return paginate(items, input, {
      defaultMax,
      invalidToken: (message) => this.#error(InvalidParameterException, message),
    });
  }

  #validateTaskDefinition(input: RegisterTaskDefinitionCommandInput): void {
    this.#validateContainers(input);
    const problem = secretsProblem(input, this.#options);
    if (problem) throw this.#error(ClientException, problem);
    const denied = passRoleDenial(input, this.#options, this.#ctx.principalArn);
    if (denied) throw this.#error(AccessDeniedException, denied);
  }

  #validateContainers(input: RegisterTaskDefinitionCommandInput): void {
    if (!input.family || !/^[A-Za-z0-9_-]{1,255}$/.test(input.family)) {
      throw this.#error(ClientException, "Family contains invalid characters or is empty.");
    }
    const containers = input.containerDefinitions ?? [];
    if (containers.length === 0) throw this.#error(ClientException, "Container list cannot be empty.");
    for (const container of containers) {
      if (!container.name || !container.image) {
        throw this.#error(ClientException, "Container.name and Container.image should not be null or empty.");
      }
      const hasMemory = container.memory != null || container.memoryReservation != null;
      if (!hasMemory && !input.memory) {
        throw this.#error(
          ClientException,
          `Invalid setting for container '${container.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
        );
      }
    }
  }

  #revisionsOf(family: string): TaskDefinitionState[] {
    return [...this.#taskDefinitions.values()].filter((td) => td.family === family);
  }

  /** "family" (latest ACTIVE revision), "family:rev" or an ARN. */
  #findTaskDefinition(ref: string | undefined): TaskDefinitionState | undefined {
    if (!ref) return undefined;
    const name = taskDefinitionName(ref);
    if (name.includes(":")) return this.#taskDefinitions.get(this.#arns.taskDefinition(name));
    return this.#revisionsOf(name)
      .filter((td) => td.status === "ACTIVE")
      .sort((a, b) => b.revision - a.revision)[0];
  }

  #taskDefinitionForService(ref: string | undefined): TaskDefinitionState {
    const taskDefinition = this.#findTaskDefinition(ref);
    if (!taskDefinition) throw this.#error(InvalidParameterException, "TaskDefinition not found.");
    if (taskDefinition.status !== "ACTIVE")
      throw this.#error(InvalidParameterException, "TaskDefinition is inactive");
    return taskDefinition;
  }

  #taskDefinitionByArn(arn: string): TaskDefinitionState {
    const taskDefinition = this.#taskDefinitions.get(arn);
    if (!taskDefinition) throw new Error(`simulated ECS: unknown task definition ${arn}`);
    return taskDefinition;
  }

  #primary(service: ServiceState): DeploymentState {
    const primary = service.deployments[0];
    if (!primary) throw new Error(`simulated ECS: service ${service.name} has no deployment`);
    return primary;
  }

  #serviceOf(task: TaskState): ServiceState | undefined {
    return task.serviceName === undefined
      ? undefined
      : this.#services.get(this.#serviceKey(task.clusterArn, task.serviceName));
  }

  #deploymentOf(task: TaskState): DeploymentState | undefined {
    return this.#serviceOf(task)?.deployments.find((deployment) => deployment.id === task.deploymentId);
  }

  /** The service's tasks ECS accounts for: an orphaned one (ecs-teardown.ts) is replaced, not counted. */
  #tasksOfService(service: ServiceState): TaskState[] {
    return [...this.#tasks.values()].filter(
      (task) => task.clusterArn === service.clusterArn && task.serviceName === service.name && !task.orphaned,
    );
  }

  /** Tasks the scheduler counts: desired RUNNING (not asked to stop). */
  #liveTasks(service: ServiceState): TaskState[] {
    return this.#tasksOfService(service).filter((task) => task.desiredStatus === "RUNNING");
  }

  /** Tasks still holding resources: anything not STOPPED, including STOPPING. */
  #unstoppedTasks(service: ServiceState): TaskState[] {
    return this.#tasksOfService(service).filter((task) => task.lastStatus !== "STOPPED");
  }

  #instancesOf(clusterArn: string): InstanceState[] {
    return this.#instances.filter((instance) => instance.clusterArn === clusterArn);
  }

  /** Tasks holding resources on an instance (reserved at placement, released at STOPPED), as ECS accounts them. */
  #tasksOn(instance: InstanceState): TaskState[] {
    return [...this.#tasks.values()].filter(
      (task) => task.instance === instance && liveStatuses.includes(task.lastStatus) && !task.orphaned,
    );
  }

  #usage(instance: InstanceState): InstanceUsage {
    const tasks = this.#tasksOn(instance);
    return {
      cpu: tasks.reduce((total, task) => total + task.requirements.cpu, 0),
      memoryMiB: tasks.reduce((total, task) => total + task.requirements.memoryMiB, 0),
      ports: tasks.flatMap((task) => task.requirements.ports),
      runningTasks: tasks.filter((task) => task.lastStatus === "RUNNING").length,
      pendingTasks: tasks.filter((task) => notYetRunning.includes(task.lastStatus)).length,
    };
  }

  #resourceArnFor(input: unknown): string {
    const fields = (input ?? {}) as Record<string, unknown>;
    const text = (key: string) => (typeof fields[key] === "string" ? (fields[key] as string) : undefined);
    const clusterName = lastSegment(text("cluster") ?? "default");
    const service = text("service") ?? text("serviceName");
    if (service !== undefined) return this.#arns.service(clusterName, lastSegment(service));
    const taskDefinition = text("taskDefinition");
    if (taskDefinition !== undefined) return this.#arns.taskDefinition(taskDefinitionName(taskDefinition));
    const task = text("task");
    if (task !== undefined) return this.#arns.task(clusterName, lastSegment(task));
    if (text("cluster") !== undefined) return this.#arns.cluster(clusterName);
    return "*";
  }

  // ===============================================================================================
  // Rendering

  /** As DescribeClusters renders it; the tags only when asked for (`include: ["TAGS"]`), as ECS does. */
  #renderCluster(cluster: ClusterState, withTags = false): Cluster {
    const tasks = [...this.#tasks.values()].filter(
      (task) => task.clusterArn === cluster.arn && !task.orphaned,
    );
    const services = [...this.#services.values()].filter((service) => service.clusterArn === cluster.arn);
    return {
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      status: cluster.status,
      registeredContainerInstancesCount: this.#instancesOf(cluster.arn).filter((i) => i.status !== "INACTIVE")
        .length,
      runningTasksCount: tasks.filter((task) => task.lastStatus === "RUNNING").length,
      pendingTasksCount: tasks.filter((task) => notYetRunning.includes(task.lastStatus)).length,
      activeServicesCount: services.filter((service) => service.status === "ACTIVE").length,
      statistics: [],
      ...(withTags ? { tags: clone(cluster.tags) } : {}),
      settings: [{ name: "containerInsights", value: "disabled" }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
    };
  }

  #renderInstance(instance: InstanceState): ContainerInstance {
    return renderContainerInstance(instance, this.#usage(instance), this.#ctx.region);
  }

  /** The service's task counts now. */
  #countsOf(service: ServiceState): ServiceCounts {
    const counts: ServiceCounts = { running: 0, pending: 0, deployments: {} };
    for (const task of this.#tasksOfService(service)) {
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
  #recordCounts(service: ServiceState): void {
    const counts = this.#countsOf(service);
    const last = service.countHistory.at(-1);
    if (last && JSON.stringify(last.counts) === JSON.stringify(counts)) return;
    service.countHistory.push({ at: this.#ctx.clock.now(), counts });
  }

  /** The counts DescribeServices reports now: those noted `serviceCountsLagMs` ago. */
  #reportedCounts(service: ServiceState): ServiceCounts {
    const asOf = this.#ctx.clock.now() - this.#timings.serviceCountsLagMs;
    let index = -1;
    for (let i = 0; i < service.countHistory.length; i++) {
      if ((service.countHistory[i]?.at ?? Number.POSITIVE_INFINITY) <= asOf) index = i;
    }
    if (index === -1) return { running: 0, pending: 0, deployments: {} };
    // Time only moves forward: what came before the entry in use is never shown again.
    service.countHistory.splice(0, index);
    return service.countHistory[0]?.counts ?? { running: 0, pending: 0, deployments: {} };
  }

  #renderService(service: ServiceState): Service {
    const tasks = this.#tasksOfService(service);
    const counts = this.#reportedCounts(service);
    return compact({
      serviceArn: service.arn,
      serviceName: service.name,
      clusterArn: service.clusterArn,
      status: service.status,
      desiredCount: service.desiredCount,
      runningCount: counts.running,
      pendingCount: counts.pending,
      launchType: "EC2",
      taskDefinition: service.taskDefinitionArn,
      deploymentConfiguration: clone(service.deploymentConfiguration),
      deployments: service.deployments
        .filter((deployment) => deployment.status !== "INACTIVE")
        .map((deployment) => this.#renderDeployment(service, deployment, tasks, counts)),
      events: clone(service.events),
      createdAt: service.createdAt,
      schedulingStrategy: "REPLICA",
      deploymentController: { type: "ECS" },
      createdBy: this.#ctx.principalArn,
      ...clone(service.echo),
    } satisfies Service);
  }

  #renderDeployment(
    service: ServiceState,
    deployment: DeploymentState,
    tasks: TaskState[],
    counts: ServiceCounts,
  ): Deployment {
    const live = tasks.filter(
      (task) => task.deploymentId === deployment.id && task.desiredStatus === "RUNNING",
    ).length;
    const own = counts.deployments[deployment.id] ?? { running: 0, pending: 0 };
    return {
      id: deployment.id,
      status: deployment.status,
      taskDefinition: deployment.taskDefinitionArn,
      desiredCount: deployment.status === "PRIMARY" ? service.desiredCount : live,
      pendingCount: own.pending,
      runningCount: own.running,
      failedTasks: deployment.failedTasks,
      createdAt: deployment.createdAt,
      updatedAt: deployment.updatedAt,
      launchType: "EC2",
      rolloutState: deployment.rolloutState,
      rolloutStateReason: deployment.rolloutStateReason,
    };
  }
}

/** Which tasks the scheduler stops first: not-yet-running ones, then the newest. */
function stopOrder(a: TaskState, b: TaskState): number {
  const rank = (task: TaskState) => (task.lastStatus === "RUNNING" ? 1 : 0);
  return rank(a) - rank(b) || b.createdAt.getTime() - a.createdAt.getTime();
}

function containerOverride(
  overrides: TaskOverride | undefined,
  name: string | undefined,
): { override?: ContainerOverride } {
  const override = overrides?.containerOverrides?.find((candidate) => candidate.name === name);
  return override ? { override: clone(override) } : {};
}

function idsOf(tasks: TaskState[]): string[] {
  return tasks.map((task) => task.id);
}

function scalingReason(task: TaskState): string {
  return `Scaling activity initiated by (deployment ${task.deploymentId})`;
}

/** The ECS commands the simulator answers: operation name → [SDK command class, EcsSimulator method]. */
export const ecsCommands = {
  CreateCluster: [CreateClusterCommand, "createCluster"],
  DescribeClusters: [DescribeClustersCommand, "describeClusters"],
  DeleteCluster: [DeleteClusterCommand, "deleteCluster"],
  ListTagsForResource: [ListTagsForResourceCommand, "listTagsForResource"],
  ListContainerInstances: [ListContainerInstancesCommand, "listContainerInstances"],
  DescribeContainerInstances: [DescribeContainerInstancesCommand, "describeContainerInstances"],
  DeregisterContainerInstance: [DeregisterContainerInstanceCommand, "deregisterContainerInstance"],
  RegisterTaskDefinition: [RegisterTaskDefinitionCommand, "registerTaskDefinition"],
  DescribeTaskDefinition: [DescribeTaskDefinitionCommand, "describeTaskDefinition"],
  ListTaskDefinitions: [ListTaskDefinitionsCommand, "listTaskDefinitions"],
  DeregisterTaskDefinition: [DeregisterTaskDefinitionCommand, "deregisterTaskDefinition"],
  DeleteTaskDefinitions: [DeleteTaskDefinitionsCommand, "deleteTaskDefinitions"],
  CreateService: [CreateServiceCommand, "createService"],
  DescribeServices: [DescribeServicesCommand, "describeServices"],
  UpdateService: [UpdateServiceCommand, "updateService"],
  DeleteService: [DeleteServiceCommand, "deleteService"],
  ListServices: [ListServicesCommand, "listServices"],
  ListTasks: [ListTasksCommand, "listTasks"],
  DescribeTasks: [DescribeTasksCommand, "describeTasks"],
  StartTask: [StartTaskCommand, "startTask"],
  StopTask: [StopTaskCommand, "stopTask"],
} as const satisfies Record<string, readonly [unknown, keyof EcsSimulator]>;

export type EcsCommandName = keyof typeof ecsCommands;

/** The SDK input type of an ECS operation the simulator implements, e.g. `EcsInput<"UpdateService">`. */
export type EcsInput<N extends EcsCommandName> = EcsSimulator[(typeof ecsCommands)[N][1]] extends (
  input: infer I,
) => unknown
  ? I
  : never;

/** Operation name → SDK input type, for every ECS operation the simulator implements. */
export type EcsInputs = { [N in EcsCommandName]: EcsInput<N> };
