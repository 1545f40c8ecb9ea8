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

/** Said under every execution role failure: mcctl's own changes are waited out, others' are not. */
const RECENT_CHANGE =
  "If the role or its policies changed in the last minute, IAM changes take seconds to reach ECS: wait a minute, then run `mcctl restart`.";

/** What most likely went wrong, in words that say what to do. */
export function adviceForFailure(description: string): string | undefined {
  const role = executionRoleAdvice(description);
  if (role) return role;
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

/**
 * The role and action the agent was refused when it fetched the secrets as the task execution role:
 * "User: arn:aws:sts::…:assumed-role/<role>/<task> is not authorized to perform: ssm:GetParameters …".
 */
export function refusedAsRole(text: string): { role: string; action: string } | undefined {
  const match =
    /assumed-role\/([^/\s]+)\/\S* is not authorized to perform: (ssm:GetParameters|kms:Decrypt)/.exec(text);
  return match ? { role: match[1] as string, action: match[2] as string } : undefined;
}

/** KMS refusing the agent's decryption names no role: "… or you are not allowed to access. (Service: AWSKMS…". */
export function isKmsRefusal(text: string): boolean {
  return /Service: AWSKMS/.test(text) && /not allowed to access/i.test(text);
}

/** The role in ECS's "ECS was unable to assume the role '<arn>' that was provided for this task". */
export function unassumableRole(text: string): string | undefined {
  return /unable to assume the role '([^']+)'/i.exec(text)?.[1];
}

/** The task execution role could not be assumed, or may not read or decrypt the secrets. */
function executionRoleAdvice(description: string): string | undefined {
  const refused = refusedAsRole(description);
  if (refused) {
    const what = refused.action === "kms:Decrypt" ? "decrypt the secrets" : "read the secrets";
    return `The task execution role ${refused.role} may not ${what} (${refused.action}): allow it in the role's policy (\`mcctl register-task\` does so for the role mcctl manages). ${RECENT_CHANGE}`;
  }
  if (isKmsRefusal(description)) {
    return `The task execution role may not decrypt the secrets with their KMS key (kms:Decrypt): allow it on the key, or store the secrets with a key it may use (--kms-key). ${RECENT_CHANGE}`;
  }
  const assumed = unassumableRole(description);
  if (assumed || /unable to find execution role credentials/i.test(description)) {
    return `ECS could not assume the task execution role${assumed ? ` ${assumed}` : ""}: the role must exist and trust ecs-tasks.amazonaws.com, and you must be allowed to pass it (iam:PassRole). ${RECENT_CHANGE}`;
  }
  return undefined;
}

/** Placement failures name a resource; turn that into the likely cause for this deployment. */
export function adviceForEvent(message: string): string | undefined {
  if (/unable to assume the role/i.test(message)) return executionRoleAdvice(message);
  if (!/unable to place a task/i.test(message)) return undefined;
  if (/port/i.test(message)) {
    return "Host port 80 is taken: another task (possibly one still stopping) holds it on every instance.";
  }
  if (/memory/i.test(message)) return "No container instance has enough free memory for the task.";
  if (/cpu/i.test(message)) return "No container instance has enough free CPU units for the task.";
  return "No container instance meets the task's requirements (CPU, memory, host port 80, attributes).";
}
