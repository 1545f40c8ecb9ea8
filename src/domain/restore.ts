/**
 * Bringing a database snapshot back: RDS restores a snapshot into a new instance (never over the old
 * one), which then takes the old one's place in METADATA_JDBC_URL. The names, the choice of a default
 * snapshot and the words for why a snapshot was taken. Pure.
 */
import type { DBInstance, DBSnapshot } from "@aws-sdk/client-rds";
import { formatDuration } from "../durations.js";
import { BEFORE_TAG, madeByMcctl, purposeInName } from "./snapshot-list.js";
import { snapshotTime } from "./snapshots.js";

/** RDS DB instance identifiers: 1 to 63 letters, digits or hyphens (CreateDBInstance, RestoreDBInstanceFromDBSnapshot). */
const MAX_INSTANCE_ID_LENGTH = 63;
/** Tag on an instance mcctl restored: the snapshot it came from, so that a re-run finds it and resumes. */
export const RESTORED_FROM_TAG = "mcctl:restored-from";
/** Tag on a snapshot taken before an upgrade: the revision in service when it was taken ("family:N"). */
export const REVISION_TAG = "mcctl:revision";
const RESTORED_SUFFIX = /-from-\d{8}t\d{6}z$/;

/**
 * The instance a snapshot is restored into: the database's name with the snapshot's time, so that
 * restoring the same snapshot again (after an interrupt) finds the same instance, and a restore of a
 * restored instance does not grow the name: "model-catalogue" → "model-catalogue-from-20261201t030405z".
 */
export function restoredIdentifier(database: string, snapshotCreated: Date): string {
  const suffix = `-from-${snapshotTime(snapshotCreated)}`;
  const base = lineageBase(database.toLowerCase())
    .slice(0, MAX_INSTANCE_ID_LENGTH - suffix.length)
    .replace(/-+$/, "");
  return `${base}${suffix}`;
}

/** "model-catalogue-from-20261201t030405z" → "model-catalogue": the database a restore started from. */
export function lineageBase(database: string): string {
  return database.replace(RESTORED_SUFFIX, "");
}

/**
 * The JDBC URL with another host (and port, when given): everything after the authority — database,
 * parameters — stays as the operator wrote it.
 */
export function withJdbcHost(url: string, host: string, port?: number): string {
  const prefix = "jdbc:mysql://";
  if (!url.startsWith(prefix)) throw new Error(`not a MySQL JDBC URL: ${url}`);
  const rest = url.slice(prefix.length);
  const slash = rest.indexOf("/");
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const tail = slash < 0 ? "" : rest.slice(slash);
  const colon = authority.lastIndexOf(":");
  const oldPort = colon >= 0 ? authority.slice(colon) : "";
  return `${prefix}${host}${port === undefined ? oldPort : `:${port}`}${tail}`;
}

/**
 * The endpoint RDS will give a new instance, from another instance's endpoint in the same account and
 * region: `<identifier>.<id of the account in the region>.<region>.rds.amazonaws.com` (RDS User Guide,
 * "Finding the connection information for a DB instance"). Undefined for a host outside RDS.
 */
export function predictedEndpoint(identifier: string, knownEndpoint: string | undefined): string | undefined {
  if (!knownEndpoint || !/\.rds\.amazonaws\.com(\.cn)?$/.test(knownEndpoint)) return undefined;
  return `${identifier}.${knownEndpoint.split(".").slice(1).join(".")}`;
}

export function tagValue(snapshot: Pick<DBSnapshot, "TagList">, key: string): string | undefined {
  return snapshot.TagList?.find((tag) => tag.Key === key)?.Value;
}

/** Why mcctl took it, in words: "before upgrade 2.0.1", "final, at destroy", "backup". */
export function snapshotReason(
  snapshot: Pick<DBSnapshot, "TagList" | "DBSnapshotIdentifier" | "DBInstanceIdentifier">,
): string {
  const before = tagValue(snapshot, BEFORE_TAG);
  if (before) return `before upgrade ${before}`;
  const id = snapshot.DBSnapshotIdentifier ?? "";
  const purpose = purposeInName(id, snapshot.DBInstanceIdentifier ?? "");
  if (purpose === "final") return "final, when the database was deleted";
  if (purpose?.startsWith("before-")) return `before ${purpose.slice("before-".length)}`;
  return madeByMcctl(snapshot) ? (purpose ?? "manual") : "not made by mcctl";
}

/** Snapshots that can be restored now, newest first. */
export function restorable(snapshots: readonly DBSnapshot[]): DBSnapshot[] {
  const time = (snapshot: DBSnapshot) => snapshot.SnapshotCreateTime?.getTime() ?? 0;
  return snapshots.filter((snapshot) => snapshot.Status === "available").sort((a, b) => time(b) - time(a));
}

/** One line about a snapshot for a list or a plan: name, time, age, size, why. */
export function describeSnapshot(snapshot: DBSnapshot, now: Date): string {
  const created = snapshot.SnapshotCreateTime;
  const when = created
    ? `${created.toISOString().replace(/\.\d+Z$/, "Z")} (${formatDuration(Math.max(0, now.getTime() - created.getTime()))} ago)`
    : "time unknown";
  const size = snapshot.AllocatedStorage === undefined ? "" : `, ${snapshot.AllocatedStorage} GiB`;
  return `${snapshot.DBSnapshotIdentifier}: ${when}${size}, ${snapshotReason(snapshot)}`;
}

/**
 * How long Model Catalogue is expected to be down while it moves to the restored database: the old task
 * stops (its containers' stop timeout at most), then the new one starts, which took `lastStartMs` the
 * last time (the running task's createdAt → startedAt), when known.
 */
export function expectedOutage(lastStartMs: number | undefined, stopMs: number): string {
  const stop = formatDuration(stopMs);
  return lastStartMs === undefined
    ? `as long as a restart: the old task stops (up to ${stop}), then the new one starts`
    : `about ${formatDuration(stopMs + lastStartMs)}: the old task stops (up to ${stop}), then the new one starts (the running one took ${formatDuration(lastStartMs)} to start)`;
}

/**
 * The deployment's databases with those they came from: an instance mcctl restored (and its snapshots,
 * which copy its tags) names the snapshot it came from, whose instance is the deployment's too. So the
 * snapshots taken before a restore stay listed after the instances are gone.
 */
export function databaseLineage(
  identifiers: readonly string[],
  snapshots: readonly Pick<DBSnapshot, "DBSnapshotIdentifier" | "DBInstanceIdentifier" | "TagList">[],
  instances: readonly Pick<DBInstance, "DBInstanceIdentifier" | "TagList">[],
): string[] {
  const lineage = new Set(identifiers.map((id) => id.toLowerCase()));
  const instanceOf = new Map(
    snapshots.map((snapshot) => [
      (snapshot.DBSnapshotIdentifier ?? "").toLowerCase(),
      (snapshot.DBInstanceIdentifier ?? "").toLowerCase(),
    ]),
  );
  const sources = [
    ...instances.map((instance) => ({ of: instance.DBInstanceIdentifier, tags: instance.TagList })),
    ...snapshots.map((snapshot) => ({ of: snapshot.DBInstanceIdentifier, tags: snapshot.TagList })),
  ];
  for (let grown = true; grown; ) {
    grown = false;
    for (const source of sources) {
      if (!lineage.has((source.of ?? "").toLowerCase())) continue;
      const from = source.tags?.find((tag) => tag.Key === RESTORED_FROM_TAG)?.Value?.toLowerCase();
      const parent = from === undefined ? undefined : instanceOf.get(from);
      if (parent && !lineage.has(parent)) {
        lineage.add(parent);
        grown = true;
      }
    }
  }
  return [...lineage];
}
