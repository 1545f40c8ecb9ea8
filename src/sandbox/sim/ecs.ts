/**
 * Simulated Amazon ECS (EC2 launch type): clusters, container instances with CPU/memory/port accounting,
 * task definitions, services with a rolling-update scheduler, and tasks with a time-driven lifecycle.
 *
 * Each API method takes the SDK input type and returns the SDK response type (without `$metadata`).
 * State advances lazily on the shared `SimClock`: every method first processes what is due.
 *
 * `EcsSimulator` is what the rest of the simulated AWS and the tests see. Parts sharing one `EcsState`
 * (ecs-state.ts) do the work: clusters and container instances (ecs-clusters.ts), task definitions
 * (ecs-task-definitions.ts), services (ecs-services.ts) and their scheduler (ecs-scheduler.ts), tasks
 * (ecs-tasks.ts) and their lifecycle (ecs-task-lifecycle.ts), and teardown (ecs-teardown.ts).
 */
import type * as Ecs from "@aws-sdk/client-ecs";
import { AccessDeniedException, ECSServiceException } from "@aws-sdk/client-ecs";
import { createSimContext, type SimContext } from "./core.js";
import { type AddContainerInstanceOptions, EcsClusters } from "./ecs-clusters.js";
import { ImageRegistry, type RefusedImage } from "./ecs-images.js";
import {
  AwslogsDriver,
  type ContainerOutputOptions,
  type OutputLine,
  type ScriptedContainerOutput,
} from "./ecs-logs.js";
import type { TaskLastStatus } from "./ecs-model.js";
import type { PlacementFailureScript, ScriptedPlacementFailure } from "./ecs-placement-failure.js";
import { ServiceScheduler } from "./ecs-scheduler.js";
import { EcsServices } from "./ecs-services.js";
import { type EcsSimulatorOptions, EcsState } from "./ecs-state.js";
import { EcsTaskDefinitions } from "./ecs-task-definitions.js";
import { TaskLifecycle } from "./ecs-task-lifecycle.js";
import {
  type CommandExitScript,
  type ScriptedTaskFailure,
  type TaskFailureScript,
  TaskScripts,
} from "./ecs-task-scripts.js";
import { EcsTasks } from "./ecs-tasks.js";
import { EcsTeardown } from "./ecs-teardown.js";
import type { TaskTimings } from "./ecs-timings.js";
import type { ServiceErrorProfile } from "./errors.js";

export type { AddContainerInstanceOptions } from "./ecs-clusters.js";
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
export type { EcsSimulatorOptions } from "./ecs-state.js";
export {
  type CommandExitScript,
  type ScriptedTaskFailure,
  type TaskFailureScript,
  taskFailures,
} from "./ecs-task-scripts.js";
export { defaultTaskTimings, type TaskTimings } from "./ecs-timings.js";

export class EcsSimulator {
  /** How the fault injector builds ECS errors. */
  readonly errorProfile: ServiceErrorProfile;

  readonly #state: EcsState;
  /** Image sizes, digests and refusals, and what each container instance has pulled (ecs-images.ts). */
  readonly #images: ImageRegistry;
  readonly #awslogs: AwslogsDriver;
  readonly #scripts = new TaskScripts();
  readonly #clusters: EcsClusters;
  readonly #taskDefinitions: EcsTaskDefinitions;
  readonly #scheduler: ServiceScheduler;
  readonly #services: EcsServices;
  readonly #tasks: EcsTasks;
  /** DeregisterContainerInstance, DeleteCluster, ListTagsForResource, EC2 hosts going away (ecs-teardown.ts). */
  readonly #teardown: EcsTeardown;

  constructor(context: SimContext = createSimContext(), options: EcsSimulatorOptions = {}) {
    const state = new EcsState(context, options);
    this.#state = state;
    this.#images = new ImageRegistry(() => state.timings.imageCheckMs);
    this.errorProfile = {
      service: "ECS",
      iamPrefix: "ecs",
      BaseException: ECSServiceException,
      AccessDeniedException,
      resourceArn: (_command, input) => state.resourceArnFor(input),
    };
    context.clock.onSettle(() => this.#scheduler.reconcileAll());
    this.#awslogs = new AwslogsDriver(context, options.logs, () => state.timings);
    const lifecycle = new TaskLifecycle(
      state,
      { images: this.#images, awslogs: this.#awslogs, scripts: this.#scripts },
      {
        failedToStart: (service, deployment) => this.#scheduler.recordFailedStart(service, deployment),
        countsChanged: (service) => this.#scheduler.recordCounts(service),
      },
    );
    this.#scheduler = new ServiceScheduler(state, lifecycle);
    const reconcileAll = () => this.#scheduler.reconcileAll();
    this.#clusters = new EcsClusters(state, reconcileAll);
    this.#taskDefinitions = new EcsTaskDefinitions(state);
    this.#services = new EcsServices(state, this.#scheduler);
    this.#tasks = new EcsTasks(state, lifecycle, this.#scheduler);
    this.#teardown = new EcsTeardown({
      ctx: context,
      clusters: state.clusters,
      instances: state.instances,
      services: state.services,
      tasks: state.tasks,
      sync: () => state.sync(),
      error: (Exception, message) => state.error(Exception, message),
      findCluster: (ref) => state.findCluster(ref),
      activeCluster: (ref) => state.activeCluster(ref),
      stopNow: (task, stopCode, reason) => lifecycle.stopNow(task, stopCode, reason),
      reconcileAll,
      renderCluster: (cluster) => this.#clusters.renderCluster(cluster),
      renderInstance: (instance) => this.#clusters.renderInstance(instance),
    });
  }

  // ===============================================================================================
  // Test setup and inspection

  get timings(): Readonly<TaskTimings> {
    return this.#state.timings;
  }

  /** Changes task timings from now on (already scheduled transitions keep their times). */
  setTimings(timings: Partial<TaskTimings>): void {
    this.#state.timings = { ...this.#state.timings, ...timings };
  }

  /** Creates (or re-creates with a new status) a cluster without going through the API. */
  addCluster(name: string, options: { status?: "ACTIVE" | "INACTIVE"; tags?: Ecs.Tag[] } = {}): Ecs.Cluster {
    return this.#clusters.addCluster(name, options);
  }

  /** Registers an EC2 container instance in a cluster added before. */
  addContainerInstance(cluster: string, options: AddContainerInstanceOptions = {}): Ecs.ContainerInstance {
    return this.#clusters.addContainerInstance(cluster, options);
  }

  /** Changes a container instance's agent connection or status (e.g. the agent disconnects). */
  setContainerInstanceState(
    containerInstance: string,
    state: { agentConnected?: boolean; status?: "ACTIVE" | "DRAINING" | "INACTIVE" },
  ): Ecs.ContainerInstance {
    return this.#clusters.setContainerInstanceState(containerInstance, state);
  }

  /**
   * Updates (or downgrades) a container instance's agent, e.g. `setContainerInstanceAgentVersion(arn, "1.20.0")`:
   * its `versionInfo.agentVersion` and the capabilities it registers (an agent before 1.22.0 lacks the SSM
   * secrets one, so tasks with secrets are not placed there).
   */
  setContainerInstanceAgentVersion(containerInstance: string, agentVersion: string): Ecs.ContainerInstance {
    return this.#clusters.setContainerInstanceAgentVersion(containerInstance, agentVersion);
  }

  /**
   * The agent stops registering one of its attributes (its configuration was changed and the agent restarted),
   * e.g. `removeContainerInstanceAttribute(arn, "ecs.capability.execution-role-awslogs")`: tasks that require it
   * are no longer placed there ("… is missing an attribute required by your task").
   */
  removeContainerInstanceAttribute(containerInstance: string, name: string): Ecs.ContainerInstance {
    return this.#clusters.removeContainerInstanceAttribute(containerInstance, name);
  }

  /**
   * The environment a task's container was started with (its `environment` and resolved `secrets`), e.g.
   * `containerEnvironment(taskArn, "mc").MC_DB_PASSWORD`: a secret's value as it was when the task was placed,
   * so a changed parameter reaches only tasks started after the change. Undefined for an unknown task or
   * container, and for a task whose secrets could not be fetched.
   */
  containerEnvironment(taskArn: string, containerName: string): Record<string, string> | undefined {
    return this.#tasks.containerEnvironment(taskArn, containerName);
  }

  /**
   * Makes the next matching task(s) fail, e.g. `scriptTaskFailure(taskFailures.cannotPullImage("metadata/registry:nope"))`.
   * Scripts are applied when a task is placed, first match first.
   */
  scriptTaskFailure(script: TaskFailureScript): ScriptedTaskFailure {
    return this.#scripts.scriptTaskFailure(script);
  }

  /** The next service placement, and every one in `forMs` after it, finds no room (ecs-placement-failure.ts). */
  scriptPlacementFailure(script: PlacementFailureScript): ScriptedPlacementFailure {
    return this.#state.placementFailures.script(script);
  }

  /**
   * What a container prints to its awslogs stream in tasks of a family ("*": any family, or a predicate on the
   * task definition), instead of the default Model Catalogue / Elasticsearch lines of `mc` and `mc-es`:
   * `scriptContainerOutput("mc", "mc", ["INFO  up", { afterMs: 30_000, message: "WARN  slow" }])`, or
   * `(taskId) => lines`. Plain strings are printed when the container starts. The latest matching script wins.
   */
  scriptContainerOutput(
    match: string | ((taskDefinition: Ecs.TaskDefinition) => boolean),
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
    this.#images.setSpeed(this.#state.instanceByRef(containerInstance).arn, mibPerSecond);
  }

  /** The instance's Docker disk is full: pulls of images it does not have fail ("no space left on device"). */
  setDiskFull(containerInstance: string, full = true): void {
    this.#images.setDiskFull(this.#state.instanceByRef(containerInstance).arn, full);
  }

  /** The images a container instance has pulled, as the task definitions named them. */
  cachedImages(containerInstance: string): string[] {
    this.#state.sync();
    return this.#images.cached(this.#state.instanceByRef(containerInstance).arn);
  }

  /** The digest of the copy of `image` the instance has, if any. */
  cachedImageDigest(containerInstance: string, image: string): string | undefined {
    this.#state.sync();
    return this.#images.cachedDigest(this.#state.instanceByRef(containerInstance).arn, image);
  }

  /** Puts an image on an instance without a task (as if it was pulled before, or baked into its AMI). */
  preloadImage(containerInstance: string, image: string): void {
    this.#images.preload(this.#state.instanceByRef(containerInstance).arn, image);
  }

  /**
   * How containers running a command end: `scriptCommandExit({ match: "false", exitCode: 1 })`. Without a
   * script, a container whose command StartTask overrode exits 0 `oneOffCommandMs` after it started; other
   * commands run on. The latest matching script wins.
   */
  scriptCommandExit(script: CommandExitScript): void {
    this.#scripts.scriptCommandExit(script);
  }

  /** The revision RegisterTaskDefinition would give `family` next (deleted revisions are never reused). */
  nextRevision(family: string): number {
    return this.#taskDefinitions.nextRevision(family);
  }

  /** Current tasks (not yet purged), rendered like DescribeTasks, in creation order. */
  tasks(filter: { cluster?: string; serviceName?: string; lastStatus?: TaskLastStatus } = {}): Ecs.Task[] {
    return this.#tasks.tasks(filter);
  }

  // ===============================================================================================
  // API: clusters and container instances (ecs-clusters.ts, ecs-teardown.ts)

  createCluster(input: Ecs.CreateClusterCommandInput = {}): Ecs.CreateClusterResponse {
    return this.#clusters.createCluster(input);
  }

  describeClusters(input: Ecs.DescribeClustersCommandInput = {}): Ecs.DescribeClustersResponse {
    return this.#clusters.describeClusters(input);
  }

  /** Refused while container instances, services or tasks remain; the cluster is then INACTIVE (ecs-teardown.ts). */
  deleteCluster(input: Ecs.DeleteClusterCommandInput): Ecs.DeleteClusterResponse {
    return this.#teardown.deleteCluster(input);
  }

  /** The tags of a cluster or a service, by ARN (ecs-teardown.ts). */
  listTagsForResource(input: Ecs.ListTagsForResourceCommandInput): Ecs.ListTagsForResourceResponse {
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

  listContainerInstances(
    input: Ecs.ListContainerInstancesCommandInput = {},
  ): Ecs.ListContainerInstancesResponse {
    return this.#clusters.listContainerInstances(input);
  }

  describeContainerInstances(
    input: Ecs.DescribeContainerInstancesCommandInput,
  ): Ecs.DescribeContainerInstancesResponse {
    return this.#clusters.describeContainerInstances(input);
  }

  /** Refused while tasks run on it, unless forced (its tasks then run on, orphaned); see ecs-teardown.ts. */
  deregisterContainerInstance(
    input: Ecs.DeregisterContainerInstanceCommandInput,
  ): Ecs.DeregisterContainerInstanceResponse {
    return this.#teardown.deregisterContainerInstance(input);
  }

  // ===============================================================================================
  // API: task definitions (ecs-task-definitions.ts)

  registerTaskDefinition(input: Ecs.RegisterTaskDefinitionCommandInput): Ecs.RegisterTaskDefinitionResponse {
    return this.#taskDefinitions.registerTaskDefinition(input);
  }

  describeTaskDefinition(input: Ecs.DescribeTaskDefinitionCommandInput): Ecs.DescribeTaskDefinitionResponse {
    return this.#taskDefinitions.describeTaskDefinition(input);
  }

  listTaskDefinitions(input: Ecs.ListTaskDefinitionsCommandInput = {}): Ecs.ListTaskDefinitionsResponse {
    return this.#taskDefinitions.listTaskDefinitions(input);
  }

  deregisterTaskDefinition(
    input: Ecs.DeregisterTaskDefinitionCommandInput,
  ): Ecs.DeregisterTaskDefinitionResponse {
    return this.#taskDefinitions.deregisterTaskDefinition(input);
  }

  /** An INACTIVE revision is DELETE_IN_PROGRESS, then deleted once nothing uses it; an ACTIVE one is a failure. */
  deleteTaskDefinitions(input: Ecs.DeleteTaskDefinitionsCommandInput): Ecs.DeleteTaskDefinitionsResponse {
    return this.#taskDefinitions.deleteTaskDefinitions(input);
  }

  // ===============================================================================================
  // API: services (ecs-services.ts; the scheduler that runs their tasks: ecs-scheduler.ts)

  createService(input: Ecs.CreateServiceCommandInput): Ecs.CreateServiceResponse {
    return this.#services.createService(input);
  }

  describeServices(input: Ecs.DescribeServicesCommandInput): Ecs.DescribeServicesResponse {
    return this.#services.describeServices(input);
  }

  updateService(input: Ecs.UpdateServiceCommandInput): Ecs.UpdateServiceResponse {
    return this.#services.updateService(input);
  }

  deleteService(input: Ecs.DeleteServiceCommandInput): Ecs.DeleteServiceResponse {
    return this.#services.deleteService(input);
  }

  listServices(input: Ecs.ListServicesCommandInput = {}): Ecs.ListServicesResponse {
    return this.#services.listServices(input);
  }

  // ===============================================================================================
  // API: tasks (ecs-tasks.ts; their lifecycle: ecs-task-lifecycle.ts)

  listTasks(input: Ecs.ListTasksCommandInput = {}): Ecs.ListTasksResponse {
    return this.#tasks.listTasks(input);
  }

  describeTasks(input: Ecs.DescribeTasksCommandInput): Ecs.DescribeTasksResponse {
    return this.#tasks.describeTasks(input);
  }

  /** A task on each of the named container instances, outside any service; `failures` for those that cannot. */
  startTask(input: Ecs.StartTaskCommandInput): Ecs.StartTaskResponse {
    return this.#tasks.startTask(input);
  }

  stopTask(input: Ecs.StopTaskCommandInput): Ecs.StopTaskResponse {
    return this.#tasks.stopTask(input);
  }
}
