import { PASSING_STATES } from "../../domain/snapshots.js";
import { formatDuration } from "../../durations.js";
import { McctlError } from "../../errors.js";
import type { DestroyAws } from "../../plan/destroy/types.js";
import { poll, sleep } from "../../queries/poll.js";
import { isServiceGone, ServiceMonitor, summarize, waitFor } from "../service-monitor.js";
import type { DestroyIo } from "./types.js";

/** Scales the service to 0 (when it is not already) and waits until none of its tasks is left. */
export async function scaleServiceToZero(
  io: DestroyIo,
  aws: DestroyAws,
  cluster: string,
  service: { name: string; desiredCount: number },
): Promise<void> {
  if (service.desiredCount > 0) {
    await aws.ecs.updateService({ cluster, service: service.name, desiredCount: 0 });
    io.reporter.success(`Scaled service ${service.name} to 0 (was ${service.desiredCount})`);
  }
  const started = Date.now();
  await io.reporter.wait(`Waiting for the tasks of ${service.name} to stop`, async (progress) => {
    const monitor = new ServiceMonitor(aws.ecs, cluster, service.name, progress);
    try {
      await waitFor(
        monitor,
        (snapshot) => snapshot.activeTasks.length === 0 && (snapshot.service.runningCount ?? 0) === 0,
        {
          deadline: started + io.waitTimeoutMs,
          pollIntervalMs: io.pollIntervalMs,
          signal: io.signal,
          label: `Stopping ${service.name}`,
          onTimeout: (snapshot) =>
            new McctlError(
              `timed out after ${formatDuration(io.waitTimeoutMs)} waiting for the tasks of ${service.name} to stop${snapshot ? ` (${summarize(snapshot)})` : ""}`,
              { suggestion: "The service is at 0 tasks; its tasks go on stopping." },
            ),
        },
        progress,
      );
    } catch (error) {
      if (!isServiceGone(error)) throw error;
    }
    return { value: undefined, done: `No task of ${service.name} is left (${elapsed(started)})` };
  });
}

/** Waits until EC2 reports every instance terminated (or no longer knows it). */
export function waitForTermination(io: DestroyIo, aws: DestroyAws, instanceIds: string[]): Promise<void> {
  const label = instanceIds.join(", ");
  return watch(io, {
    label: `Waiting for ${label} to terminate`,
    seen: "shutting-down",
    look: async () => {
      const alive = (await aws.ec2.describeInstances(instanceIds)).filter(
        (instance) => instance.State?.Name !== "terminated",
      );
      if (alive.length === 0) return undefined;
      return alive
        .map((instance) => `${instance.InstanceId} ${instance.State?.Name ?? "unknown"}`)
        .join(", ");
    },
    timedOut: (seen) =>
      new McctlError(
        `timed out after ${formatDuration(io.waitTimeoutMs)} waiting for the instances to terminate (${seen})`,
        { suggestion: "EC2 goes on terminating them." },
      ),
    done: (took) => `Terminated ${label} (${took})`,
  });
}

/**
 * Retries a deletion AWS refuses while something it depends on is still going away (a terminated
 * instance's network interface, a service ECS is draining), until it is done or the wait runs out.
 */
export async function deleteWhenFree(
  io: DestroyIo,
  what: string,
  attempt: () => Promise<{ done: boolean; why?: string | undefined }>,
): Promise<void> {
  const first = await attempt();
  if (first.done) return;
  let why = first.why ?? "still in use";
  await watch(io, {
    label: `Waiting to delete ${what}`,
    seen: `${what}: ${why}`,
    // The first try was just refused: the next one waits an interval.
    pauseFirst: true,
    look: async () => {
      const result = await attempt();
      if (result.done) return undefined;
      why = result.why ?? why;
      return `${what}: ${why}`;
    },
    timedOut: () =>
      new McctlError(
        `timed out after ${formatDuration(io.waitTimeoutMs)} waiting to delete ${what} (${why})`,
      ),
    done: (took) => `${what} could be deleted after ${took}`,
  });
}

/** Where the database stands once its final snapshot can be asked for. */
export type FinalSnapshotReadiness = "ready" | "deleting" | "gone";

/**
 * Waits while the database is in a state RDS leaves on its own but takes no snapshot in (creating,
 * backing-up, modifying…): DeleteDBInstance with a final snapshot is refused then (InvalidDBInstanceState).
 * Any other state is left to RDS to judge. "deleting" or "gone": someone else got there first.
 */
export async function waitForFinalSnapshotState(
  io: DestroyIo,
  aws: DestroyAws,
  identifier: string,
): Promise<FinalSnapshotReadiness> {
  let readiness: FinalSnapshotReadiness = "ready";
  let status = "unknown";
  const look = async () => {
    const instance = await aws.rds.findInstance(identifier);
    status = instance?.DBInstanceStatus ?? "unknown";
    if (!instance) readiness = "gone";
    else if (status === "deleting") readiness = "deleting";
    else if (PASSING_STATES.includes(status)) return `${identifier}: ${status}`;
    return undefined;
  };
  // Most often it is available: one look, and no wait to show.
  if ((await look()) === undefined) return readiness;
  await watch(io, {
    label: `Waiting for ${identifier} to be available for its final snapshot`,
    seen: `${identifier}: ${status}`,
    look,
    timedOut: () =>
      new McctlError(
        `timed out after ${formatDuration(io.waitTimeoutMs)} waiting for database ${identifier} to be available for its final snapshot (${status})`,
        { suggestion: "RDS takes a final snapshot only once the instance is available." },
      ),
    done: (took) => `${identifier} is ${status} (${took})`,
  });
  return readiness;
}

/** Waits until RDS no longer knows the instance (it takes the final snapshot first). */
export function waitForDatabaseGone(io: DestroyIo, aws: DestroyAws, identifier: string): Promise<void> {
  let status = "deleting";
  return watch(io, {
    label: `Waiting for RDS to delete ${identifier}`,
    seen: `${identifier}: ${status}`,
    look: async () => {
      const instance = await aws.rds.findInstance(identifier);
      if (!instance) return undefined;
      status = instance.DBInstanceStatus ?? "unknown";
      return `${identifier}: ${status}`;
    },
    timedOut: () =>
      new McctlError(
        `timed out after ${formatDuration(io.waitTimeoutMs)} waiting for RDS to delete ${identifier} (${status})`,
        { suggestion: "RDS goes on deleting it." },
      ),
    done: (took) => `Deleted database ${identifier} (${took})`,
  });
}

interface Watch {
  /** The live status line's label. */
  label: string;
  /** What is shown before the first look. */
  seen: string;
  /** Wait one interval before the first look. */
  pauseFirst?: boolean;
  /** One look: undefined when the wait is over, else what it saw (shown with the time so far). */
  look(): Promise<string | undefined>;
  timedOut(lastSeen: string): McctlError;
  /** The line that ends the wait, given how long it took. */
  done(took: string): string;
}

/** Looks every poll interval until `look` says the wait is over, showing what it saw; bounded by --timeout. */
async function watch(io: DestroyIo, watched: Watch): Promise<void> {
  const started = Date.now();
  let seen = watched.seen;
  await io.reporter.wait(watched.label, async (progress) => {
    if (watched.pauseFirst) {
      progress.progress(seen, started);
      await sleep(io.pollIntervalMs, io.signal);
    }
    await poll({
      deadline: started + io.waitTimeoutMs,
      intervalMs: io.pollIntervalMs,
      signal: io.signal,
      attempt: async () => {
        const now = await watched.look();
        if (now === undefined) return true;
        seen = now;
        progress.progress(seen, started);
        return undefined;
      },
      onRetry: (error) => progress.retrying?.(error),
      onTimeout: () => watched.timedOut(seen),
    });
    return { value: undefined, done: watched.done(elapsed(started)) };
  });
}

function elapsed(started: number): string {
  return formatDuration(Date.now() - started);
}
