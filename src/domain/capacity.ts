/**
 * Whether a task can be placed on an ECS container instance, as the ECS scheduler decides it (CPU units,
 * memory, host ports), and whether an EC2 instance type can ever hold it once its agent has registered.
 * Pure: ECS knowledge, no AWS call.
 */
import type { ContainerDefinition, ContainerInstance } from "@aws-sdk/client-ecs";

/** What the scheduler must find on one instance to place a task of a revision. */
export interface TaskRequirement {
  cpu: number;
  memoryMiB: number;
  hostPorts: readonly number[];
}

/** Where ECS looks for the CPU, memory and host ports of a revision (a registered one or a registration). */
export interface RevisionResources {
  cpu?: string | undefined;
  memory?: string | undefined;
  containerDefinitions?: ContainerDefinition[] | undefined;
}

/**
 * What placing a task of this revision takes: the task-level CPU and memory when set, else the sum of the
 * containers' (a container's memoryReservation when it has one, else its hard limit: "If you specify
 * memoryReservation, then that value is subtracted from the available memory resources for the container
 * instance … Otherwise, the value of memory is used", ContainerDefinition API reference), and the host ports.
 */
export function requirementOf(revision: RevisionResources): TaskRequirement {
  const containers = revision.containerDefinitions ?? [];
  const taskCpu = Number.parseInt(revision.cpu ?? "", 10);
  const taskMemory = Number.parseInt(revision.memory ?? "", 10);
  return {
    cpu: Number.isNaN(taskCpu)
      ? containers.reduce((sum, container) => sum + (container.cpu ?? 0), 0)
      : taskCpu,
    memoryMiB: Number.isNaN(taskMemory)
      ? containers.reduce((sum, container) => sum + (container.memoryReservation ?? container.memory ?? 0), 0)
      : taskMemory,
    hostPorts: containers.flatMap((container) =>
      (container.portMappings ?? []).flatMap((mapping) => (mapping.hostPort ? [mapping.hostPort] : [])),
    ),
  };
}

export interface InstanceFit {
  instance: ContainerInstance;
  freeCpu: number;
  freeMemoryMiB: number;
  busyPorts: number[];
  fits: boolean;
  problems: string[];
}

type ResourceList = ContainerInstance["remainingResources"];

function resource(resources: ResourceList, name: string) {
  return resources?.find((entry) => entry.name === name);
}

/** Checks one container instance against what the task needs now (its remaining resources), as the scheduler would. */
export function checkInstanceFit(instance: ContainerInstance, need: TaskRequirement): InstanceFit {
  const freeCpu = resource(instance.remainingResources, "CPU")?.integerValue ?? 0;
  const freeMemoryMiB = resource(instance.remainingResources, "MEMORY")?.integerValue ?? 0;
  const reserved = new Set(resource(instance.remainingResources, "PORTS")?.stringSetValue ?? []);
  const busyPorts = need.hostPorts.filter((port) => reserved.has(String(port)));
  const problems: string[] = [];
  if (instance.status !== "ACTIVE") problems.push(`status ${instance.status}`);
  if (instance.agentConnected === false) problems.push("ECS agent disconnected");
  if (freeCpu < need.cpu) problems.push(`${freeCpu} of ${need.cpu} CPU units free`);
  if (freeMemoryMiB < need.memoryMiB) problems.push(`${freeMemoryMiB} of ${need.memoryMiB} MiB memory free`);
  for (const port of busyPorts) problems.push(`port ${port} in use`);
  return { instance, freeCpu, freeMemoryMiB, busyPorts, fits: problems.length === 0, problems };
}

/**
 * Why the instance could never hold the task, even with nothing else on it: its registered (not remaining)
 * CPU and memory, and host ports the instance itself reserves. Empty when it could, once what runs there
 * now has stopped (a restart scales to 0 first).
 */
export function registeredShortfall(instance: ContainerInstance, need: TaskRequirement): string[] {
  const cpu = resource(instance.registeredResources, "CPU")?.integerValue ?? 0;
  const memoryMiB = resource(instance.registeredResources, "MEMORY")?.integerValue ?? 0;
  const reserved = new Set(resource(instance.registeredResources, "PORTS")?.stringSetValue ?? []);
  const problems: string[] = [];
  if (cpu < need.cpu) problems.push(`${cpu} of ${need.cpu} CPU units registered`);
  if (memoryMiB < need.memoryMiB) problems.push(`${memoryMiB} of ${need.memoryMiB} MiB memory registered`);
  for (const port of need.hostPorts) {
    if (reserved.has(String(port))) problems.push(`port ${port} reserved by the instance`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// EC2 instance types, before an instance exists

/**
 * "You can determine the number of CPU units that are available per EC2 instance type by multiplying the
 * vCPUs listed for that instance type … by 1,024" (ContainerDefinition `cpu`, ECS API Reference).
 */
export const CPU_UNITS_PER_VCPU = 1024;

/**
 * The agent registers the memory the kernel reports, less ECS_RESERVED_MEMORY (0 unless configured; mcctl's
 * user data sets none): "Because of platform memory overhead and memory occupied by the system kernel, this
 * number is different than the installed memory amount" (ECS Developer Guide, "Reserving Amazon ECS Linux
 * container instance memory", whose m4.large registers 7985 of 8192 MiB). How much the kernel keeps varies
 * with the type and the AMI, so mcctl estimates on the safe side: 5 % of the nominal memory and 200 MiB
 * more, more than that example's 2.5 %. A type it accepts registers at least this much; one it refuses
 * might, just, hold the task.
 */
export const OS_MEMORY_SHARE = 0.05;
export const OS_MEMORY_FIXED_MIB = 200;

/** An instance type as DescribeInstanceTypes describes it. */
export interface InstanceTypeSize {
  instanceType: string;
  vCpus: number;
  /** Nominal memory (MemoryInfo.SizeInMiB). */
  memoryMiB: number;
}

/** What the ECS agent registers on an instance of this size: CPU exactly, memory as a low estimate. */
export function estimatedRegistration(size: Pick<InstanceTypeSize, "vCpus" | "memoryMiB">): {
  cpu: number;
  memoryMiB: number;
} {
  return {
    cpu: size.vCpus * CPU_UNITS_PER_VCPU,
    memoryMiB: Math.max(0, Math.floor(size.memoryMiB * (1 - OS_MEMORY_SHARE)) - OS_MEMORY_FIXED_MIB),
  };
}

/** The least nominal memory a type needs for the estimate to hold the task. */
export function minimumNominalMemoryMiB(need: Pick<TaskRequirement, "memoryMiB">): number {
  return Math.ceil((need.memoryMiB + OS_MEMORY_FIXED_MIB) / (1 - OS_MEMORY_SHARE));
}

/**
 * What an instance of this type lacks to hold the task, in words ("2048 of 3072 CPU units (2 vCPUs)",
 * "about 1745 of 14336 MiB memory (2048 MiB nominal, less what the OS and kernel keep)"); empty when it
 * holds it by mcctl's estimate.
 */
export function instanceTypeShortfall(size: InstanceTypeSize, need: TaskRequirement): string[] {
  const registered = estimatedRegistration(size);
  const problems: string[] = [];
  if (registered.cpu < need.cpu) {
    problems.push(
      `${registered.cpu} of ${need.cpu} CPU units (${size.vCpus} vCPU${size.vCpus === 1 ? "" : "s"})`,
    );
  }
  if (registered.memoryMiB < need.memoryMiB) {
    problems.push(
      `about ${registered.memoryMiB} of ${need.memoryMiB} MiB memory (${size.memoryMiB} MiB nominal, less what the OS and kernel keep)`,
    );
  }
  return problems;
}

/**
 * The types that hold the task, smallest first: fewest vCPUs, then least memory, then the plainest family
 * (m5 before m5d or m5zn), then by name. Size stands in for price, which mcctl cannot look up.
 */
export function smallestFittingTypes(
  types: readonly InstanceTypeSize[],
  need: TaskRequirement,
): InstanceTypeSize[] {
  const family = (name: string) => name.split(".")[0] ?? name;
  return types
    .filter((size) => instanceTypeShortfall(size, need).length === 0)
    .sort(
      (a, b) =>
        a.vCpus - b.vCpus ||
        a.memoryMiB - b.memoryMiB ||
        family(a.instanceType).length - family(b.instanceType).length ||
        a.instanceType.localeCompare(b.instanceType),
    );
}

/** "m5.xlarge (4 vCPUs, 16 GiB)" */
export function describeInstanceTypeSize(size: InstanceTypeSize): string {
  const gib = size.memoryMiB / 1024;
  const memory = Number.isInteger(gib) ? `${gib} GiB` : `${gib.toFixed(1)} GiB`;
  return `${size.instanceType} (${size.vCpus} vCPU${size.vCpus === 1 ? "" : "s"}, ${memory})`;
}

/** Instance type families of the previous generations, which many regions no longer offer. */
export const PREVIOUS_GENERATION = /^(m1|m2|m3|c1|c3|r3|t1|i2|cr1|hs1|cc2|g2)\./;
