/**
 * Clusters and the EC2 container instances registered in them, in the simulated ECS: CreateCluster,
 * DescribeClusters, ListContainerInstances and DescribeContainerInstances, and the test set-up that adds them
 * or changes what an instance's agent reports (DeleteCluster and DeregisterContainerInstance: ecs-teardown.ts).
 */
import type {
  Cluster,
  ContainerInstance,
  CreateClusterCommandInput,
  CreateClusterResponse,
  DescribeClustersCommandInput,
  DescribeClustersResponse,
  DescribeContainerInstancesCommandInput,
  DescribeContainerInstancesResponse,
  Failure,
  ListContainerInstancesCommandInput,
  ListContainerInstancesResponse,
  Resource,
  Tag,
} from "@aws-sdk/client-ecs";
import { clone, compact } from "./core.js";
import { DEFAULT_AGENT_VERSION, instanceAttributes } from "./ecs-instance-attributes.js";
import {
  type ClusterState,
  type InstanceState,
  type InstanceUsage,
  lastSegment,
  notYetRunning,
} from "./ecs-model.js";
import type { EcsState } from "./ecs-state.js";

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

export class EcsClusters {
  readonly #state: EcsState;
  /** A scheduler pass over every service: an instance came, went or changed. */
  readonly #reconcileAll: () => void;

  constructor(state: EcsState, reconcileAll: () => void) {
    this.#state = state;
    this.#reconcileAll = reconcileAll;
  }

  /** Creates (or re-creates with a new status) a cluster without going through the API. */
  addCluster(name: string, options: { status?: "ACTIVE" | "INACTIVE"; tags?: Tag[] } = {}): Cluster {
    this.#state.sync();
    const cluster = this.#state.clusters.get(name) ?? {
      name,
      arn: this.#state.arns.cluster(name),
      status: "ACTIVE",
      tags: [],
    };
    cluster.status = options.status ?? "ACTIVE";
    if (options.tags) cluster.tags = clone(options.tags);
    this.#state.clusters.set(name, cluster);
    return this.renderCluster(cluster);
  }

  /** Registers an EC2 container instance in a cluster added before. */
  addContainerInstance(cluster: string, options: AddContainerInstanceOptions = {}): ContainerInstance {
    this.#state.sync();
    const owner = this.#state.findCluster(cluster);
    if (!owner)
      throw new Error(`simulated ECS: addContainerInstance: no cluster "${cluster}" (use addCluster first)`);
    const id = this.#state.ctx.ids.hex(32);
    const instance: InstanceState = {
      id,
      arn: this.#state.arns.containerInstance(owner.name, id),
      clusterArn: owner.arn,
      ec2InstanceId: options.ec2InstanceId ?? `i-${this.#state.ctx.ids.hex(17)}`,
      instanceType: options.instanceType ?? "m5.xlarge",
      status: options.status ?? "ACTIVE",
      agentConnected: options.agentConnected ?? true,
      cpu: options.cpu ?? 4096,
      memoryMiB: options.memoryMiB ?? 15360,
      reservedPorts: options.reservedPorts ?? [22, 2375, 2376, 51678, 51679],
      reservedUdpPorts: [],
      registeredAt: this.#state.ctx.clock.date(),
      version: 1,
      agentVersion: options.agentVersion ?? DEFAULT_AGENT_VERSION,
      ...(options.amiId ? { amiId: options.amiId } : {}),
      withoutAttributes: [...(options.withoutAttributes ?? [])],
      seq: this.#state.instances.length,
    };
    this.#state.instances.push(instance);
    this.#reconcileAll();
    return this.renderInstance(instance);
  }

  /** Changes a container instance's agent connection or status (e.g. the agent disconnects). */
  setContainerInstanceState(
    containerInstance: string,
    state: { agentConnected?: boolean; status?: "ACTIVE" | "DRAINING" | "INACTIVE" },
  ): ContainerInstance {
    this.#state.sync();
    const instance = this.#state.instanceByRef(containerInstance);
    instance.agentConnected = state.agentConnected ?? instance.agentConnected;
    instance.status = state.status ?? instance.status;
    instance.version += 1;
    this.#reconcileAll();
    return this.renderInstance(instance);
  }

  /** Updates (or downgrades) a container instance's agent: the capabilities it registers follow its version. */
  setContainerInstanceAgentVersion(containerInstance: string, agentVersion: string): ContainerInstance {
    this.#state.sync();
    const instance = this.#state.instanceByRef(containerInstance);
    instance.agentVersion = agentVersion;
    instance.version += 1;
    this.#reconcileAll();
    return this.renderInstance(instance);
  }

  /** The agent stops registering one of its attributes: tasks that require it are no longer placed there. */
  removeContainerInstanceAttribute(containerInstance: string, name: string): ContainerInstance {
    this.#state.sync();
    const instance = this.#state.instanceByRef(containerInstance);
    if (!instance.withoutAttributes.includes(name)) instance.withoutAttributes.push(name);
    instance.version += 1;
    this.#reconcileAll();
    return this.renderInstance(instance);
  }

  createCluster(input: CreateClusterCommandInput = {}): CreateClusterResponse {
    this.#state.sync();
    const name = input.clusterName ?? "default";
    const existing = this.#state.clusters.get(name);
    if (existing?.status === "ACTIVE") return { cluster: this.renderCluster(existing) };
    const cluster: ClusterState = {
      name,
      arn: this.#state.arns.cluster(name),
      status: "ACTIVE",
      tags: input.tags ?? [],
    };
    this.#state.clusters.set(name, cluster);
    return { cluster: this.renderCluster(cluster) };
  }

  describeClusters(input: DescribeClustersCommandInput = {}): DescribeClustersResponse {
    this.#state.sync();
    const clusters: Cluster[] = [];
    const failures: Failure[] = [];
    for (const ref of input.clusters ?? ["default"]) {
      const cluster = this.#state.findCluster(ref);
      if (cluster) clusters.push(this.renderCluster(cluster, input.include?.includes("TAGS")));
      else failures.push({ arn: this.#state.arns.cluster(lastSegment(ref)), reason: "MISSING" });
    }
    return { clusters, failures };
  }

  listContainerInstances(input: ListContainerInstancesCommandInput = {}): ListContainerInstancesResponse {
    this.#state.sync();
    if (input.filter !== undefined)
      throw new Error("simulated ECS does not implement ListContainerInstances filter");
    const cluster = this.#state.activeCluster(input.cluster);
    // Without a status ECS lists every container instance but the INACTIVE (deregistered) ones.
    const arns = this.#state
      .instancesOf(cluster.arn)
      .filter((instance) =>
        input.status === undefined ? instance.status !== "INACTIVE" : instance.status === input.status,
      )
      .map((instance) => instance.arn);
    const { page, nextToken } = this.#state.paginate(arns, input, 100);
    return compact({ containerInstanceArns: page, nextToken });
  }

  describeContainerInstances(
    input: DescribeContainerInstancesCommandInput,
  ): DescribeContainerInstancesResponse {
    this.#state.sync();
    const cluster = this.#state.activeCluster(input.cluster);
    const refs = this.#state.nonEmptyList(input.containerInstances, "Container instances", 100);
    const containerInstances: ContainerInstance[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const instance = this.#state.instancesOf(cluster.arn).find((i) => i.id === lastSegment(ref));
      if (instance) containerInstances.push(this.renderInstance(instance));
      else
        failures.push({
          arn: this.#state.arns.containerInstance(cluster.name, lastSegment(ref)),
          reason: "MISSING",
        });
    }
    return { containerInstances, failures };
  }

  /** As DescribeClusters renders it; the tags only when asked for (`include: ["TAGS"]`), as ECS does. */
  renderCluster(cluster: ClusterState, withTags = false): Cluster {
    const tasks = [...this.#state.tasks.values()].filter(
      (task) => task.clusterArn === cluster.arn && !task.orphaned,
    );
    const services = [...this.#state.services.values()].filter(
      (service) => service.clusterArn === cluster.arn,
    );
    return {
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      status: cluster.status,
      registeredContainerInstancesCount: this.#state
        .instancesOf(cluster.arn)
        .filter((i) => i.status !== "INACTIVE").length,
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

  renderInstance(instance: InstanceState): ContainerInstance {
    return renderContainerInstance(instance, this.#state.usage(instance), this.#state.ctx.region);
  }
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
