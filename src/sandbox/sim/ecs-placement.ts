/**
 * Where the simulated ECS puts a task: which container instances of the cluster can take it (the attributes it
 * requires, free memory, CPU and host ports), and why one cannot, in the wording of service events
 * (the service scheduler) and of StartTask's `failures`.
 */
import { instanceAttributes } from "./ecs-instance-attributes.js";
import { type InstanceState, type Requirements, serviceMessages, shortfalls } from "./ecs-model.js";
import type { EcsState } from "./ecs-state.js";

export type PlacementResult = { instance: InstanceState } | { instance?: undefined; detail: string };

/**
 * The service scheduler's choice: the least loaded instance that fits (the earliest registered on a tie), or
 * why none does, for the "unable to place a task" event.
 */
export function placeTask(state: EcsState, clusterArn: string, requirements: Requirements): PlacementResult {
  const candidates = state.instancesOf(clusterArn).filter((i) => i.status === "ACTIVE" && i.agentConnected);
  if (candidates.length === 0) return { detail: serviceMessages.noContainerInstances };
  if (state.placementFailures.refuses(state.ctx.clock.now())) {
    return {
      detail: serviceMessages.closestMatching((candidates[0] as InstanceState).id, shortfalls.memory),
    };
  }
  const evaluated = candidates.map((instance) => ({
    instance,
    missing: shortfallsOf(state, instance, requirements),
  }));
  const fitting = evaluated.filter((e) => e.missing.length === 0).map((e) => e.instance);
  if (fitting.length > 0) {
    const load = (instance: InstanceState) => state.tasksOn(instance).length;
    return { instance: fitting.sort((a, b) => load(a) - load(b) || a.seq - b.seq)[0] as InstanceState };
  }
  const closest = evaluated.reduce((best, e) => (e.missing.length < best.missing.length ? e : best));
  return { detail: serviceMessages.closestMatching(closest.instance.id, closest.missing[0] ?? "") };
}

/** What the instance lacks for a task with these requirements (`shortfalls`, in ECS's order); none: it fits. */
export function shortfallsOf(state: EcsState, instance: InstanceState, requirements: Requirements): string[] {
  const usage = state.usage(instance);
  const missing: string[] = [];
  // Every attribute the definition requires must be one the instance's agent registered.
  const attributes = instanceAttributes(instance, state.ctx.region).map((attribute) => attribute.name);
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

/** Why StartTask cannot place a task on this instance, in ECS's `failures` wording; undefined if it can. */
export function cannotStartOn(
  state: EcsState,
  instance: InstanceState,
  requirements: Requirements,
): string | undefined {
  if (instance.status === "INACTIVE") return "INACTIVE";
  if (instance.status === "DRAINING") {
    throw new Error("simulated ECS: StartTask on a DRAINING container instance is not modelled");
  }
  if (!instance.agentConnected) return "AGENT";
  const missing = shortfallsOf(state, instance, requirements)[0];
  const reasons: Record<string, string> = {
    [shortfalls.attribute]: "ATTRIBUTE",
    [shortfalls.memory]: "RESOURCE:MEMORY",
    [shortfalls.cpu]: "RESOURCE:CPU",
    [shortfalls.ports]: "RESOURCE:PORTS",
  };
  return missing === undefined ? undefined : reasons[missing];
}
