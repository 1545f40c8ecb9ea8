import type { RdsApi } from "../aws/rds.js";
import { jdbcHost, snapshotIdentifier } from "../domain/snapshots.js";
import { McctlError } from "../errors.js";

/** Whether a change that can migrate the schema is preceded by a snapshot, and of which database. */
export type SnapshotPlan =
  | { kind: "take"; instance: string; snapshot: string }
  /** --no-snapshot: said as a warning in the plan. */
  | { kind: "skipped"; reason: string }
  /** The database is not an RDS instance of this account and region: said, and the command goes on. */
  | { kind: "none"; reason: string };

/**
 * The snapshot a change takes first: of the RDS instance METADATA_JDBC_URL points at, when there is one
 * in this account and region and it is available. Read-only.
 */
export async function planSnapshot(
  rds: RdsApi,
  request: {
    jdbcUrl: string | undefined;
    purpose: string;
    now: Date;
    skip: boolean;
  },
): Promise<SnapshotPlan> {
  if (request.skip) {
    return {
      kind: "skipped",
      reason:
        "--no-snapshot: no database snapshot is taken; a schema migration by the new version cannot be undone",
    };
  }
  const host = jdbcHost(request.jdbcUrl);
  if (!host) {
    return {
      kind: "none",
      reason: "the task definition has no METADATA_JDBC_URL mcctl can read: no snapshot is taken",
    };
  }
  const instance = (await rds.listInstances()).find(
    (candidate) => candidate.Endpoint?.Address?.toLowerCase() === host,
  );
  if (!instance?.DBInstanceIdentifier) {
    return {
      kind: "none",
      reason: `${host} (METADATA_JDBC_URL) is no RDS instance in this account and region: mcctl cannot snapshot it, so back it up yourself`,
    };
  }
  const identifier = instance.DBInstanceIdentifier;
  const status = instance.DBInstanceStatus ?? "unknown";
  if (status !== "available") {
    throw new McctlError(
      `database ${identifier} is ${status}, and RDS snapshots only an available instance`,
      {
        suggestion: `Wait until it is available (aws rds wait db-instance-available --db-instance-identifier ${identifier}), or run again with --no-snapshot.`,
      },
    );
  }
  return {
    kind: "take",
    instance: identifier,
    snapshot: snapshotIdentifier(identifier, request.purpose, request.now),
  };
}

/** The plan's line about the snapshot. */
export function describeSnapshotPlan(plan: SnapshotPlan): string {
  return plan.kind === "take"
    ? `take RDS snapshot ${plan.snapshot} of ${plan.instance} and wait until it is available`
    : plan.reason;
}
