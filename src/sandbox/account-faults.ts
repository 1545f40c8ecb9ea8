/**
 * Faults an operator can arrange in the sandbox account (`mcctl sandbox fail <fault>`), each for the next time
 * it can happen, each described in the words ECS or the AWS API would use when it happens. They are built
 * from the simulator's own means (ECS's scripted task and placement failures, the fault injector); only
 * "endpoint-hang" is the HTTP server's to apply (see `SandboxAccount.pendingHttpFaults`).
 */
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { SANDBOX_FAULTS as FAULT_HELP, type SandboxFaultName } from "../config/defaults.js";
import { MC_CONTAINER } from "../domain/task-definition.js";
import { UsageError } from "../errors.js";
import { type SimulatedAws, taskFailures } from "./sim/index.js";

export type { SandboxFaultName } from "../config/defaults.js";

/** The simulator's service names, as `sim.send` takes them. */
export type SandboxServiceName = "ECS" | "EC2" | "S3" | "RDS" | "STS" | "IAM" | "SSM" | "CloudWatchLogs";

export const SANDBOX_SERVICES: readonly SandboxServiceName[] = [
  "ECS",
  "EC2",
  "S3",
  "RDS",
  "STS",
  "IAM",
  "SSM",
  "CloudWatchLogs",
];

/** The service "throttling" and "endpoint-hang" strike unless told otherwise: every mcctl verb talks to it. */
export const DEFAULT_FAULT_SERVICE: SandboxServiceName = "ECS";

/** The line the app container logs before it exits in "task-fails-to-start". */
export const STARTUP_FAILURE_LINE = "ERROR Unable to connect to database";

/** How long after RUNNING the "out-of-memory" task is killed: before mcctl's second look at a steady service. */
export const OUT_OF_MEMORY_AFTER_MS = 1_500;

/** How long after start the "task-fails-to-start" container exits, having logged why. */
export const STARTUP_FAILURE_AFTER_MS = 500;

/**
 * How long no container instance has room in "placement-failure": the first retry (ECS's 30 s) comes after it
 * and places the task.
 */
export const PLACEMENT_FAILURE_MS = 25_000;

/** Failed attempts in "throttling": under mcctl's 5 attempts a call, so the SDK's retries get through. */
export const THROTTLED_ATTEMPTS = 3;

/** A fault as the HTTP server applies it (the lead feeds these to the server). */
export interface PendingHttpFault {
  fault: "hang";
  /** The simulator's service name ("ECS", "CloudWatchLogs"…) whose next request(s) get no answer. */
  service: string;
  /** How many requests still to leave unanswered. */
  times: number;
}

/** Each fault with its help text (config/defaults.ts, which `mcctl sandbox fail --help` lists). */
export const SANDBOX_FAULTS: ReadonlyArray<{ name: SandboxFaultName; help: string; takesService: boolean }> =
  Object.entries(FAULT_HELP).map(([name, help]) => ({
    name: name as SandboxFaultName,
    help,
    takesService: name === "throttling" || name === "endpoint-hang",
  }));

export function isSandboxFaultName(name: string): name is SandboxFaultName {
  return SANDBOX_FAULTS.some((fault) => fault.name === name);
}

/** The error code and message each service answers a throttled request with. */
const THROTTLING_ERRORS: Record<SandboxServiceName, string> = {
  ECS: 'ThrottlingException "Rate exceeded"',
  SSM: 'ThrottlingException "Rate exceeded"',
  CloudWatchLogs: 'ThrottlingException "Rate exceeded"',
  EC2: 'RequestLimitExceeded "Request limit exceeded."',
  S3: 'SlowDown "Please reduce your request rate." (HTTP 503)',
  IAM: 'Throttling "Rate exceeded"',
  RDS: 'Throttling "Rate exceeded"',
  STS: 'Throttling "Rate exceeded"',
};

/**
 * The service's own long-running tasks, not one-off ones: the app container runs its image's own command.
 * (upgrade's pre-pull task gives every container a command that exits at once: it is not what these faults
 * are about, and a failure there would only look like a broken pre-pull.)
 */
function isServiceRevision(definition: TaskDefinition): boolean {
  const app = definition.containerDefinitions?.find((container) => container.name === MC_CONTAINER);
  return app !== undefined && app.command === undefined;
}

/** Checks an arrangement as given (by the CLI: plain strings) and returns its service, if it takes one. */
export function checkArrangement(fault: string, service: string | undefined): SandboxServiceName | undefined {
  const known = SANDBOX_FAULTS.find((candidate) => candidate.name === fault);
  if (!known) {
    throw new UsageError(`unknown sandbox fault "${fault}"`, {
      suggestion: `Faults: ${SANDBOX_FAULTS.map((candidate) => candidate.name).join(", ")}.`,
    });
  }
  if (!known.takesService) {
    if (service !== undefined) throw new UsageError(`the sandbox fault ${fault} does not take a service`);
    return undefined;
  }
  if (service === undefined) return DEFAULT_FAULT_SERVICE;
  if (!(SANDBOX_SERVICES as readonly string[]).includes(service)) {
    throw new UsageError(`unknown service "${service}" for the sandbox fault ${fault}`, {
      suggestion: `Services: ${SANDBOX_SERVICES.join(", ")}.`,
    });
  }
  return service as SandboxServiceName;
}

/**
 * Arranges a fault in the simulator (or, for an HTTP fault, in `httpFaults`) and says what will happen. Run both
 * live and in replay, at the arrangement's recorded time: it must depend on nothing else.
 */
export function arrangeFault(
  sim: SimulatedAws,
  httpFaults: PendingHttpFault[],
  fault: SandboxFaultName,
  service: SandboxServiceName | undefined,
): string {
  const target = service ?? DEFAULT_FAULT_SERVICE;
  switch (fault) {
    case "task-fails-to-start":
      sim.ecs.scriptTaskFailure({
        ...taskFailures.essentialContainerExited(MC_CONTAINER, 1, [STARTUP_FAILURE_LINE]),
        afterMs: STARTUP_FAILURE_AFTER_MS,
        match: isServiceRevision,
      });
      return `The next task a service starts stops right after it starts: its essential container ${MC_CONTAINER} logs "${STARTUP_FAILURE_LINE}" and exits with exit code 1; ECS stops the task with "Essential container in task exited".`;
    case "out-of-memory":
      sim.ecs.scriptTaskFailure({
        ...taskFailures.outOfMemory(MC_CONTAINER),
        afterMs: OUT_OF_MEMORY_AFTER_MS,
        match: isServiceRevision,
      });
      return `The next task a service starts is killed ${OUT_OF_MEMORY_AFTER_MS / 1000} s after it is RUNNING: container ${MC_CONTAINER} exits with exit code 137, reason "OutOfMemoryError: Container killed due to memory usage"; ECS stops the task with "Essential container in task exited".`;
    case "placement-failure":
      sim.ecs.scriptPlacementFailure({ forMs: PLACEMENT_FAILURE_MS });
      return `The next time ECS places a task of a service, no container instance has room for ${PLACEMENT_FAILURE_MS / 1000} s: the service event reads "(service …) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance …) has insufficient memory available."; ECS tries again ${sim.ecs.timings.placementRetryMs / 1000} s later and places it.`;
    case "throttling":
      sim.faults.inject({ service: target, error: "throttling", times: THROTTLED_ATTEMPTS });
      return `The next ${THROTTLED_ATTEMPTS} requests to ${target} are throttled: ${THROTTLING_ERRORS[target]}; the SDK retries them after a back-off.`;
    case "endpoint-hang": {
      const pending = httpFaults.find((entry) => entry.service === target);
      if (pending) pending.times += 1;
      else httpFaults.push({ fault: "hang", service: target, times: 1 });
      return `The next request to ${target} gets no answer: the connection stays open until the SDK's request timeout gives up on it, and the SDK sends it again.`;
    }
  }
}

/** The server has left one request to `service` unanswered: one fewer to come. */
export function takeHttpFault(httpFaults: PendingHttpFault[], service: string): void {
  const index = httpFaults.findIndex((entry) => entry.service === service);
  const entry = httpFaults[index];
  if (!entry) return;
  entry.times -= 1;
  if (entry.times <= 0) httpFaults.splice(index, 1);
}
