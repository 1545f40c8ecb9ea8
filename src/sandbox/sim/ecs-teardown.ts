/**
 * What `mcctl destroy` asks of the simulated ECS: DeregisterContainerInstance, DeleteCluster and
 * ListTagsForResource, and what ECS does when the EC2 instance under a container instance shuts down or is
 * terminated. `EcsSimulator` (ecs.ts) owns one `EcsTeardown` and answers those operations through it, handing it
 * its state and helpers (`EcsTeardownHost`).
 *
 * - A deregistered container instance is INACTIVE: ListContainerInstances no longer lists it (DescribeContainerInstances
 *   still describes it). Without `force` ECS refuses while tasks run or are pending on it; with `force` its tasks
 *   "remain running until you terminate the instance or the tasks stop through some other means", orphaned: "no
 *   longer monitored or accounted for by Amazon ECS", and their services start another copy elsewhere (ECS
 *   Developer Guide, deregister_container_instance; API reference, DeregisterContainerInstance `force`).
 * - An EC2 instance shutting down disconnects its agent; once it is terminated ECS deregisters the container
 *   instance, and its tasks (orphaned ones too) stop with stopCode TerminationNotice, "Host EC2 (instance i-…)
 *   terminated.".
 * - DeleteCluster refuses while container instances are ACTIVE or DRAINING, tasks are not STOPPED (orphaned tasks,
 *   which ECS no longer accounts for, do not count), or services are ACTIVE or DRAINING (checked in that order); a
 *   deleted cluster is INACTIVE (DescribeClusters still describes it; CreateCluster revives the name).
 */
import {
  type Cluster,
  ClusterContainsContainerInstancesException,
  ClusterContainsServicesException,
  ClusterContainsTasksException,
  ClusterNotFoundException,
  type ContainerInstance,
  type DeleteClusterCommandInput,
  type DeleteClusterResponse,
  type DeregisterContainerInstanceCommandInput,
  type DeregisterContainerInstanceResponse,
  InvalidParameterException,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceResponse,
  ServiceNotFoundException,
  type TaskStopCode,
} from "@aws-sdk/client-ecs";
import { clone, type SimContext } from "./core.js";
import {
  type ClusterState,
  type InstanceState,
  lastSegment,
  notYetRunning,
  type ServiceState,
  type TaskState,
} from "./ecs-model.js";
import type { ModeledExceptionClass } from "./errors.js";

/** What `EcsTeardown` needs of the simulator that owns it. */
export interface EcsTeardownHost {
  readonly ctx: SimContext;
  readonly clusters: ReadonlyMap<string, ClusterState>;
  readonly instances: readonly InstanceState[];
  readonly services: ReadonlyMap<string, ServiceState>;
  readonly tasks: ReadonlyMap<string, TaskState>;
  /** Runs what is due. */
  sync(): void;
  error<E extends Error>(Exception: ModeledExceptionClass<E>, message: string): E;
  findCluster(ref: string): ClusterState | undefined;
  /** The cluster, or ClusterNotFoundException when it is unknown or INACTIVE. */
  activeCluster(ref?: string): ClusterState;
  /** Moves a task to STOPPED at once (its containers are gone), freeing what it held on its instance. */
  stopNow(task: TaskState, stopCode: TaskStopCode, reason: string): void;
  /** A scheduler pass over every service (after tasks stopped or an instance went away). */
  reconcileAll(): void;
  renderCluster(cluster: ClusterState): Cluster;
  renderInstance(instance: InstanceState): ContainerInstance;
}

/** What ECS says about tasks on a container instance whose EC2 instance was terminated. */
export const hostTerminatedReason = (ec2InstanceId: string) =>
  `Host EC2 (instance ${ec2InstanceId}) terminated.`;

export class EcsTeardown {
  readonly #host: EcsTeardownHost;

  constructor(host: EcsTeardownHost) {
    this.#host = host;
  }

  deregisterContainerInstance(
    input: DeregisterContainerInstanceCommandInput,
  ): DeregisterContainerInstanceResponse {
    const host = this.#host;
    host.sync();
    const cluster = host.activeCluster(input.cluster);
    const id = lastSegment(input.containerInstance ?? "");
    const instance = host.instances.find(
      (candidate) => candidate.clusterArn === cluster.arn && candidate.id === id,
    );
    if (!instance) {
      throw host.error(InvalidParameterException, "The referenced container instance was not found.");
    }
    if (instance.status === "INACTIVE") return { containerInstance: host.renderInstance(instance) };
    const live = this.#tasksOn(instance);
    const busy = live.some(
      (task) => task.lastStatus === "RUNNING" || notYetRunning.includes(task.lastStatus),
    );
    if (busy && !input.force) {
      throw host.error(InvalidParameterException, "Found running tasks on the instance.");
    }
    // Forced: its tasks go on as they were, orphaned, until the host is terminated (ec2InstanceStateChanged);
    // their services no longer count them. Otherwise only tasks already stopping can be left, and they finish
    // stopping as they would have.
    if (input.force) for (const task of live) task.orphaned = true;
    instance.status = "INACTIVE";
    instance.version += 1;
    host.reconcileAll();
    return { containerInstance: host.renderInstance(instance) };
  }

  deleteCluster(input: DeleteClusterCommandInput): DeleteClusterResponse {
    const host = this.#host;
    host.sync();
    const cluster = host.activeCluster(input.cluster ?? "");
    if (
      host.instances.some((instance) => instance.clusterArn === cluster.arn && instance.status !== "INACTIVE")
    ) {
      throw host.error(
        ClusterContainsContainerInstancesException,
        "The Cluster cannot be deleted while Container Instances are active or draining.",
      );
    }
    // The order of the last two checks is not documented: a DRAINING service whose tasks are still stopping is
    // told about its tasks (a service becomes INACTIVE once its last task is STOPPED).
    // Orphaned tasks are no longer accounted for: only deregistering the instances is asked of the caller.
    const tasks = [...host.tasks.values()].filter((task) => !task.orphaned);
    if (tasks.some((task) => task.clusterArn === cluster.arn && task.lastStatus !== "STOPPED")) {
      throw host.error(
        ClusterContainsTasksException,
        "The Cluster cannot be deleted while Tasks are active.",
      );
    }
    const services = [...host.services.values()];
    if (services.some((service) => service.clusterArn === cluster.arn && service.status !== "INACTIVE")) {
      throw host.error(
        ClusterContainsServicesException,
        "The Cluster cannot be deleted while Services are active.",
      );
    }
    cluster.status = "INACTIVE";
    return { cluster: host.renderCluster(cluster) };
  }

  /** Tags of a cluster or a service (the resources mcctl tags). */
  listTagsForResource(input: ListTagsForResourceCommandInput): ListTagsForResourceResponse {
    const host = this.#host;
    host.sync();
    const arn = input.resourceArn ?? "";
    const match = /^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:(cluster|service)\/(.+)$/.exec(arn);
    if (!match) {
      throw new Error(
        `simulated ECS does not implement ListTagsForResource for "${arn}" (clusters and services only)`,
      );
    }
    const [, kind, path = ""] = match;
    if (kind === "cluster") {
      const cluster = host.findCluster(path);
      if (!cluster || cluster.arn !== arn) throw host.error(ClusterNotFoundException, "Cluster not found.");
      return { tags: clone(cluster.tags) };
    }
    const service = [...host.services.values()].find((candidate) => candidate.arn === arn);
    if (!service) throw host.error(ServiceNotFoundException, "Service not found.");
    return { tags: clone(service.echo.tags ?? []) };
  }

  /**
   * The EC2 instance behind container instances is shutting down (their agent disconnects) or terminated (ECS
   * deregisters them and their tasks stop).
   */
  ec2InstanceStateChanged(ec2InstanceId: string, state: "shutting-down" | "terminated"): void {
    const host = this.#host;
    host.sync();
    const orphans = [...host.tasks.values()].filter(
      (task) =>
        task.orphaned && task.instance.ec2InstanceId === ec2InstanceId && task.lastStatus !== "STOPPED",
    );
    // The host is gone, and with it what ran on it.
    if (state === "terminated") {
      for (const task of orphans)
        host.stopNow(task, "TerminationNotice", hostTerminatedReason(ec2InstanceId));
    }
    const registered = host.instances.filter(
      (instance) => instance.ec2InstanceId === ec2InstanceId && instance.status !== "INACTIVE",
    );
    for (const instance of registered) {
      instance.agentConnected = false;
      if (state === "terminated") {
        for (const task of this.#tasksOn(instance)) {
          host.stopNow(task, "TerminationNotice", hostTerminatedReason(ec2InstanceId));
        }
        instance.status = "INACTIVE";
      }
      instance.version += 1;
    }
    if (registered.length > 0 || orphans.length > 0) host.reconcileAll();
  }

  /** Tasks on the instance that are not STOPPED yet. */
  #tasksOn(instance: InstanceState): TaskState[] {
    return [...this.#host.tasks.values()].filter(
      (task) => task.instance === instance && task.lastStatus !== "STOPPED",
    );
  }
}
