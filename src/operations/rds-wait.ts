import type { DBInstance } from "@aws-sdk/client-rds";
import type { RdsApi } from "../aws/rds.js";
import { unusableStatus } from "../domain/rds-rules.js";
import { formatDuration } from "../durations.js";
import { McctlError } from "../errors.js";
import { poll } from "../queries/poll.js";
import type { Reporter } from "./reporter.js";

export interface InstanceWait<T> {
  identifier: string;
  /** Its status as last seen, shown until RDS answers (a throttled first look says it). */
  status?: string | undefined;
  /** The wait's line: "Waiting for MySQL instance <id> <title>". */
  title: string;
  /** When the wait must be over (epoch ms), and the bound as the operator gave it (for the message). */
  deadline: number;
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal | undefined;
  /** The value that ends the wait, from the instance as RDS describes it now; undefined to look again. */
  ready(instance: DBInstance): T | undefined;
  /** What to do when the instance is gone, and when the wait runs out. */
  goneAdvice: string;
  timeoutAdvice: string;
  /** The line that ends the wait. */
  done(value: T, took: string): string;
}

/**
 * Waits on one RDS instance, showing its status and the time spent. Fails at once on a status RDS does
 * not leave by itself (failed, storage-full, deleting, stopped…) or when the instance is gone, and at
 * the deadline; throttling and dropped connections are retried.
 */
export async function waitForInstance<T>(rds: RdsApi, reporter: Reporter, wait: InstanceWait<T>): Promise<T> {
  const label = `MySQL instance ${wait.identifier}`;
  const started = Date.now();
  let status = wait.status ?? "unknown";
  return reporter.wait(`Waiting for ${label} ${wait.title}`, async (progress) => {
    const value = await poll({
      deadline: wait.deadline,
      intervalMs: wait.intervalMs,
      signal: wait.signal,
      attempt: async () => {
        const instance = await rds.findInstance(wait.identifier);
        if (!instance) throw new McctlError(`${label} no longer exists`, { suggestion: wait.goneAdvice });
        status = instance.DBInstanceStatus ?? "unknown";
        const ready = wait.ready(instance);
        if (ready !== undefined) return ready;
        const unusable = unusableStatus(wait.identifier, status);
        if (unusable) throw unusable;
        progress.progress(`${label}: ${status}`, started);
        return undefined;
      },
      onRetry: (error) => {
        progress.retrying?.(error);
        progress.progress(`${label}: ${status}, AWS did not answer, trying again`, started);
      },
      onTimeout: () =>
        new McctlError(
          `timed out after ${formatDuration(wait.timeoutMs)} waiting for ${label} (status ${status})`,
          {
            suggestion: wait.timeoutAdvice,
          },
        ),
    });
    return { value, done: wait.done(value, formatDuration(Date.now() - started)) };
  });
}
