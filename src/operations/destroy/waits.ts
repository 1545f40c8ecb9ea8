import { formatDuration } from "../../durations.js";
import { McctlError } from "../../errors.js";
import { poll, sleep } from "../poll.js";
import { isServiceGone, ServiceMonitor, summarize, waitFor } from "../service-monitor.js";
import type { DestroyAws, DestroyIo } from "./types.js";

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
export async function waitForTermination(
  io: DestroyIo,
  aws: DestroyAws,
  instanceIds: string[],
): Promise<void> {
  const started = Date.now();
  const label = instanceIds.join(", ");
  let seen = "shutting-down";
  await io.reporter.wait(`Waiting for ${label} to terminate`, async (progress) => {
    await poll({
      deadline: started + io.waitTimeoutMs,
      intervalMs: io.pollIntervalMs,
      signal: io.signal,
      attempt: async () => {
        const alive = (await aws.ec2.describeInstances(instanceIds)).filter(
          (instance) => instance.State?.Name !== "terminated",
        );
        if (alive.length === 0) return true;
        seen = alive
          .map((instance) => `${instance.InstanceId} ${instance.State?.Name ?? "unknown"}`)
          .join(", ");
        progress.progress(`${seen} (${elapsed(started)})`);
        return undefined;
      },
      onRetry: (error) => progress.retrying?.(error),
      onTimeout: () =>
        new McctlError(
          `timed out after ${formatDuration(io.waitTimeoutMs)} waiting for the instances to terminate (${seen})`,
          { suggestion: "EC2 goes on terminating them." },
        ),
    });
    return { value: undefined, done: `Terminated ${label} (${elapsed(started)})` };
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
  const started = Date.now();
  let why = first.why ?? "still in use";
  await io.reporter.wait(`Waiting to delete ${what}`, async (progress) => {
    progress.progress(`${what}: ${why}`);
    await sleep(io.pollIntervalMs, io.signal);
    await poll({
      deadline: started + io.waitTimeoutMs,
      intervalMs: io.pollIntervalMs,
      signal: io.signal,
      attempt: async () => {
        const result = await attempt();
        if (result.done) return true;
        why = result.why ?? why;
        progress.progress(`${what}: ${why} (${elapsed(started)})`);
        return undefined;
      },
      onRetry: (error) => progress.retrying?.(error),
      onTimeout: () =>
        new McctlError(
          `timed out after ${formatDuration(io.waitTimeoutMs)} waiting to delete ${what} (${why})`,
        ),
    });
    return { value: undefined, done: `${what} could be deleted after ${elapsed(started)}` };
  });
}

/** Waits until RDS no longer knows the instance (it takes the final snapshot first). */
export async function waitForDatabaseGone(io: DestroyIo, aws: DestroyAws, identifier: string): Promise<void> {
  const started = Date.now();
  let seen = "deleting";
  await io.reporter.wait(`Waiting for RDS to delete ${identifier}`, async (progress) => {
    await poll({
      deadline: started + io.waitTimeoutMs,
      intervalMs: io.pollIntervalMs,
      signal: io.signal,
      attempt: async () => {
        const instance = await aws.rds.findInstance(identifier);
        if (!instance) return true;
        seen = instance.DBInstanceStatus ?? "unknown";
        progress.progress(`${identifier}: ${seen} (${elapsed(started)})`);
        return undefined;
      },
      onRetry: (error) => progress.retrying?.(error),
      onTimeout: () =>
        new McctlError(
          `timed out after ${formatDuration(io.waitTimeoutMs)} waiting for RDS to delete ${identifier} (${seen})`,
          { suggestion: "RDS goes on deleting it." },
        ),
    });
    return { value: undefined, done: `Deleted database ${identifier} (${elapsed(started)})` };
  });
}

function elapsed(started: number): string {
  return formatDuration(Date.now() - started);
}
