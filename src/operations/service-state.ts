import type { Deployment, Service, Task } from "@aws-sdk/client-ecs";

/** Stop codes ECS uses when it stopped a task on purpose (scale-down, replacement, an operator). */
const DELIBERATE_STOP_CODES = new Set(["ServiceSchedulerInitiated", "UserInitiated", "SpotInterruption"]);

export function primaryDeployment(service: Service): Deployment | undefined {
  return service.deployments?.find((deployment) => deployment.status === "PRIMARY");
}

export function taskId(arn: string | undefined): string {
  return arn?.split("/").pop() ?? "(unknown)";
}

/**
 * Steady means what an operator means: as many tasks running as wanted, nothing pending, one
 * deployment left, and every running task on the revision the service points at.
 */
export function isSteady(service: Service, activeTasks: readonly Task[]): boolean {
  const desired = service.desiredCount ?? 0;
  const running = activeTasks.filter(
    (task) => task.lastStatus === "RUNNING" && task.desiredStatus === "RUNNING",
  );
  return (
    service.status === "ACTIVE" &&
    (service.runningCount ?? 0) === desired &&
    (service.pendingCount ?? 0) === 0 &&
    (service.deployments?.length ?? 0) === 1 &&
    running.length === desired &&
    activeTasks.length === desired &&
    running.every((task) => task.taskDefinitionArn === service.taskDefinition)
  );
}

/** A task that stopped although nobody asked it to: it failed to start, crashed or was killed. */
export function isFailedTask(task: Task): boolean {
  if (task.lastStatus !== "STOPPED") return false;
  if (task.stopCode && DELIBERATE_STOP_CODES.has(task.stopCode)) return false;
  return !/^Scaling activity initiated|^Task stopped by user|^Service .* deployment/i.test(
    task.stoppedReason ?? "",
  );
}

/** "CannotPullContainerError: …; mc exited 137 (OutOfMemoryError…)" */
export function describeStoppedTask(task: Task): string {
  const containers = (task.containers ?? [])
    .filter((container) => container.exitCode !== undefined || container.reason)
    .map((container) => {
      const exit = container.exitCode === undefined ? "" : ` exited ${container.exitCode}`;
      const reason = container.reason ? ` (${container.reason})` : "";
      return `${container.name}${exit}${reason}`;
    });
  return [task.stoppedReason ?? task.stopCode ?? "stopped", ...containers].join("; ");
}

/** What most likely went wrong, in words that say what to do. */
export function adviceForFailure(description: string): string | undefined {
  if (/CannotPullContainerError|pull image|manifest .* not found/i.test(description)) {
    return "The image could not be pulled: check the image name and tag, and that the container instance can reach the registry.";
  }
  if (/OutOfMemory|exited 137|memory/i.test(description)) {
    return "A container ran out of memory: lower -Xmx in CATALINA_OPTS or give the container more memory.";
  }
  if (/Essential container in task exited|exited \d+/i.test(description)) {
    return "An essential container exited: check its logs on the container instance (docker logs).";
  }
  return undefined;
}

/** Placement failures name a resource; turn that into the likely cause for this deployment. */
export function adviceForEvent(message: string): string | undefined {
  if (!/unable to place a task/i.test(message)) return undefined;
  if (/port/i.test(message)) {
    return "Host port 80 is taken: another task (possibly one still stopping) holds it on every instance.";
  }
  if (/memory/i.test(message)) return "No container instance has enough free memory for the task.";
  if (/cpu/i.test(message)) return "No container instance has enough free CPU units for the task.";
  return "No container instance meets the task's requirements (CPU, memory, host port 80, attributes).";
}
