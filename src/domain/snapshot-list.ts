/**
 * Which RDS snapshots are mcctl's for a deployment, and how `backup list` describes each: the instance it is
 * of, and why it was taken. Pure.
 */
import type { DBSnapshot } from "@aws-sdk/client-rds";
import { taggedByMcctl } from "./tags.js";

/** The tag an upgrade puts on its snapshot: the label of the upgrade (e.g. "2.0.1"). */
export const BEFORE_TAG = "mcctl:before";

/** One snapshot as `backup list` shows it. */
export interface SnapshotRow {
  identifier: string;
  /** The instance it is a snapshot of, and whether RDS still has that instance. */
  instance: string;
  instanceExists: boolean;
  status: string;
  progress: number | undefined;
  createdAt: string | undefined;
  sizeGiB: number | undefined;
  /** Tagged managed-by=mcctl (a snapshot named mcctl-… but untagged was made by an older mcctl). */
  byMcctl: boolean;
  /** Why it was taken: "before 2.0.1" for an upgrade's, else the name's purpose ("final", "backup", …). */
  purpose: string | undefined;
  /** The upgrade's label, when it was taken before one. */
  before: string | undefined;
}

/** Whether mcctl made the snapshot: tagged managed-by=mcctl, or named as mcctl names them. */
export function madeByMcctl(snapshot: DBSnapshot): boolean {
  return taggedByMcctl(snapshot.TagList) || (snapshot.DBSnapshotIdentifier ?? "").startsWith("mcctl-");
}

/**
 * The purpose in a name `mcctl-<instance>-<purpose>-<yyyymmddthhmmssz>` (see snapshotIdentifier); undefined for a
 * name that is not mcctl's.
 */
export function purposeInName(identifier: string, instance: string): string | undefined {
  if (!identifier.startsWith("mcctl-")) return undefined;
  const body = identifier.slice("mcctl-".length).replace(/-\d{8}t\d{6}z$/, "");
  const head = `${instance.toLowerCase()}-`;
  const purpose = body.startsWith(head) ? body.slice(head.length) : body;
  return purpose || undefined;
}

/**
 * The snapshots mcctl made of `databases` (every one mcctl made, when `databases` is empty), newest first (one
 * still being taken first of all), each with whether its instance is among `existing`.
 */
export function snapshotRows(
  snapshots: readonly DBSnapshot[],
  databases: readonly string[],
  existing: ReadonlySet<string>,
): SnapshotRow[] {
  const wanted = new Set(databases.map((database) => database.toLowerCase()));
  const time = (snapshot: DBSnapshot) => snapshot.SnapshotCreateTime?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return snapshots
    .filter(madeByMcctl)
    .filter(
      (snapshot) => wanted.size === 0 || wanted.has((snapshot.DBInstanceIdentifier ?? "").toLowerCase()),
    )
    .sort((a, b) => time(b) - time(a))
    .map((snapshot) => row(snapshot, existing));
}

function row(snapshot: DBSnapshot, existing: ReadonlySet<string>): SnapshotRow {
  const identifier = snapshot.DBSnapshotIdentifier ?? "";
  const instance = (snapshot.DBInstanceIdentifier ?? "").toLowerCase();
  const before = snapshot.TagList?.find((tag) => tag.Key === BEFORE_TAG)?.Value;
  return {
    identifier,
    instance,
    instanceExists: existing.has(instance),
    status: snapshot.Status ?? "unknown",
    progress: snapshot.PercentProgress,
    createdAt: snapshot.SnapshotCreateTime?.toISOString(),
    sizeGiB: snapshot.AllocatedStorage,
    byMcctl: taggedByMcctl(snapshot.TagList),
    purpose: before !== undefined ? `before ${before}` : purposeInName(identifier, instance),
    before,
  };
}
