import type { Task } from "@aws-sdk/client-ecs";

/**
 * The service's last outage, from the tasks' own timestamps: from the moment the newest stopped task
 * stopped answering to the moment the first task after it started. `endedAt` is undefined while no task
 * has started since (the outage is still under way).
 */
export interface Outage {
  /** When the old task stopped answering (ISO 8601). */
  stoppedAt: string;
  /** The old task's revision, "family:revision". */
  stoppedRevision: string;
  /** When the next task was RUNNING (ISO 8601); undefined while none is. */
  endedAt?: string | undefined;
  startedRevision?: string | undefined;
  /** endedAt − stoppedAt, or undefined while under way. */
  durationMs?: number | undefined;
}

/**
 * When a task stopped answering. ECS's Task timestamps: `stoppingAt` is the RUNNING → STOPPING
 * transition, when the agent issues `docker stop` (SIGTERM), and Model Catalogue stops taking requests;
 * `executionStoppedAt` is when the containers had exited, which comes first for a task that crashed (its
 * container died before ECS moved the task to STOPPING); `stoppedAt` (→ STOPPED) also counts the
 * clean-up after the containers are gone, so it serves only when neither of the others is known.
 */
export function stoppedAnsweringAt(task: Task): number | undefined {
  const times = [task.stoppingAt, task.executionStoppedAt]
    .filter((date): date is Date => date !== undefined)
    .map((date) => date.getTime());
  if (times.length > 0) return Math.min(...times);
  return task.stoppedAt?.getTime();
}

/**
 * The last outage among the service's tasks (stopped ones included, as ECS keeps them for about an hour):
 * the newest stop that left no other task running, and the first task started after it. A stop while
 * another task kept running (a rolling replacement, a second task) was no outage. Undefined when no stop
 * left the service without a running task.
 */
export function lastOutage(tasks: readonly Task[]): Outage | undefined {
  const stops = tasks
    .filter((task) => task.lastStatus === "STOPPED")
    .flatMap((task) => {
      const at = stoppedAnsweringAt(task);
      return at === undefined ? [] : [{ task, at }];
    })
    .sort((a, b) => b.at - a.at);
  const outage = stops.find((stop) => !tasks.some((task) => task !== stop.task && runningAt(task, stop.at)));
  if (!outage) return undefined;
  const next = tasks
    .filter((task) => task.startedAt !== undefined && task.startedAt.getTime() > outage.at)
    .sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0))[0];
  const endedAt = next?.startedAt?.getTime();
  return {
    stoppedAt: new Date(outage.at).toISOString(),
    stoppedRevision: revisionOf(outage.task.taskDefinitionArn),
    endedAt: endedAt === undefined ? undefined : new Date(endedAt).toISOString(),
    startedRevision: next ? revisionOf(next.taskDefinitionArn) : undefined,
    durationMs: endedAt === undefined ? undefined : endedAt - outage.at,
  };
}

/** Whether a task was answering at that moment: started by then, and not yet stopping. */
function runningAt(task: Task, at: number): boolean {
  if (task.startedAt === undefined || task.startedAt.getTime() > at) return false;
  const stopped = stoppedAnsweringAt(task);
  return stopped === undefined || stopped > at;
}

function revisionOf(taskDefinitionArn: string | undefined): string {
  return taskDefinitionArn?.split("/").pop() ?? "(unknown)";
}
