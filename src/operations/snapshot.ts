import type { DBSnapshot } from "@aws-sdk/client-rds";
import type { RdsApi } from "../aws/rds.js";
import { formatDuration } from "../durations.js";
import { McctlError } from "../errors.js";
import { poll } from "../queries/poll.js";
import type { Reporter } from "./reporter.js";

export interface SnapshotRequest {
  /** The new snapshot's identifier. */
  snapshot: string;
  /** The DB instance it is taken of. */
  instance: string;
  tags: Record<string, string>;
  /** Wait until RDS reports it available (upgrade always does; `backup` with --wait). */
  wait: boolean;
  /** --timeout, as the operator gave it (a timeout says it). */
  timeoutMs: number;
  /** When the wait must be over (epoch ms); left out, `timeoutMs` from the snapshot's creation. */
  deadline?: number | undefined;
  pollIntervalMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Takes a manual RDS snapshot and, when asked, waits until it is available, showing RDS's progress.
 * A snapshot RDS reports failed, or a wait that runs out, is an error: the caller changes nothing more.
 */
export async function takeSnapshot(
  rds: RdsApi,
  reporter: Reporter,
  request: SnapshotRequest,
): Promise<DBSnapshot> {
  const created = await rds.createSnapshot(request.snapshot, request.instance, request.tags);
  reporter.success(`RDS is taking snapshot ${request.snapshot} of ${request.instance}`);
  if (!request.wait) return created;
  const label = `snapshot ${request.snapshot}`;
  const started = Date.now();
  const elapsed = () => formatDuration(Date.now() - started);
  let seen = describeProgress(created);
  return reporter.wait(`Waiting for ${label}`, async (progress) => {
    const ready = await poll({
      deadline: request.deadline ?? started + request.timeoutMs,
      intervalMs: request.pollIntervalMs,
      signal: request.signal,
      attempt: async () => {
        const snapshot = await rds.findSnapshot(request.snapshot);
        if (!snapshot) {
          throw new McctlError(`${label} no longer exists`, {
            suggestion:
              "Someone deleted it while mcctl was waiting; nothing else was changed. Run the command again.",
          });
        }
        seen = describeProgress(snapshot);
        if (snapshot.Status === "available") return snapshot;
        if (snapshot.Status === "failed" || snapshot.Status === "deleting") {
          throw new McctlError(`RDS reports ${label} ${snapshot.Status}`, {
            suggestion: `Nothing else was changed. Look at the instance's events: aws rds describe-events --source-identifier ${request.instance} --source-type db-instance`,
          });
        }
        progress.progress(`${label}: ${seen}`, started);
        return undefined;
      },
      onRetry: (error) => {
        progress.retrying?.(error);
        progress.progress(`${label}: ${seen}, AWS did not answer, trying again`, started);
      },
      onTimeout: () =>
        new McctlError(
          `timed out after ${formatDuration(request.timeoutMs)} waiting for ${label} (${seen})`,
          {
            suggestion:
              "RDS goes on taking it; nothing else was changed. `mcctl backup list` shows when it is available; run the command again then (or with a longer --timeout).",
          },
        ),
    });
    return { value: ready, done: `Snapshot ${request.snapshot} is available (${elapsed()})` };
  });
}

function describeProgress(snapshot: DBSnapshot): string {
  const percent = snapshot.PercentProgress === undefined ? "" : ` ${snapshot.PercentProgress}%`;
  return `${snapshot.Status ?? "unknown"}${percent}`;
}

/**
 * A change that failed after its snapshot may have migrated the schema already, which rolling back the
 * image does not undo: the error says which snapshot holds the schema from before, and how to restore it.
 */
export function withRestoreAdvice(error: unknown, snapshot: string, instance: string, from: string): unknown {
  if (!(error instanceof McctlError)) return error;
  const advice = `The database snapshot ${snapshot} holds ${instance} as it was before the upgrade. If the new version changed its schema, undo the upgrade with its database: \`mcctl rollback --with-database\` while the service runs the new revision, or \`mcctl restore ${snapshot}\` once it is back on ${from}.`;
  const Kind = error.constructor as new (message: string, options: object) => McctlError;
  return new Kind(error.message, {
    suggestion: error.suggestion ? `${error.suggestion}\n  ${advice}` : advice,
    exitCode: error.exitCode,
    cause: error.cause ?? error,
  });
}
