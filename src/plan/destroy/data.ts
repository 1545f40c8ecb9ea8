import type { DBInstance } from "@aws-sdk/client-rds";
import { deploymentJdbcUrl } from "../../config/deployment.js";
import { jdbcHost, PASSING_STATES, snapshotIdentifier } from "../../domain/snapshots.js";
import { taggedByMcctl } from "../../domain/tags.js";
import {
  type DatabaseStep,
  type DestroyAws,
  type DestroyLine,
  type DestroyRequest,
  type DestroySteps,
  lineWriter,
  NOT_OURS,
} from "./types.js";

export interface DatabasePlan {
  database?: DestroySteps["database"];
  replaced: DatabaseStep[];
  /** Its security groups (candidates for deletion once it is gone). */
  groups: string[];
}

/**
 * The database: the RDS instance setup created (setup.database.identifier), else the one METADATA_JDBC_URL
 * points at, deleted after a final snapshot when mcctl created it. Read-only.
 */
export async function planDatabase(
  aws: DestroyAws,
  request: DestroyRequest,
  /** Every DB instance of the region. */
  instances: readonly DBInstance[],
  lines: DestroyLine[],
): Promise<DatabasePlan> {
  const line = lineWriter(lines, "Database");
  const known = request.settings.setup?.database;
  const host = jdbcHost(deploymentJdbcUrl(request.settings, request.env));
  const instance =
    instances.find((candidate) => known?.identifier && candidate.DBInstanceIdentifier === known.identifier) ??
    instances.find((candidate) => host && candidate.Endpoint?.Address?.toLowerCase() === host);
  const replaced: DatabaseStep[] = [];
  const groups = new Set<string>();
  // Instances a restore replaced: kept until now, and as much mcctl's as the one in use.
  for (const identifier of known?.replaced ?? []) {
    if (identifier === instance?.DBInstanceIdentifier) continue;
    const old = instances.find((candidate) => candidate.DBInstanceIdentifier === identifier);
    if (!old) continue;
    const planned = await planOne(aws, request, old, line, "the instance a restore replaced");
    if (planned.step) replaced.push(planned.step);
    for (const group of planned.groups) groups.add(group);
  }
  if (!instance?.DBInstanceIdentifier) {
    if (host && !host.endsWith(".rds.amazonaws.com"))
      line("keep", `database at ${host}: not an RDS instance here`);
    return { replaced, groups: [...groups] };
  }
  if (known?.identifier === instance.DBInstanceIdentifier && known.create === false) {
    line(
      "keep",
      `MySQL instance ${instance.DBInstanceIdentifier}: it existed before setup (setup.database.create is false)`,
    );
    return { replaced, groups: [...groups] };
  }
  const planned = await planOne(aws, request, instance, line);
  for (const group of planned.groups) groups.add(group);
  return { database: planned.step, replaced, groups: [...groups] };
}

async function planOne(
  aws: DestroyAws,
  request: DestroyRequest,
  instance: DBInstance,
  line: ReturnType<typeof lineWriter>,
  role?: string,
): Promise<{ step?: DatabaseStep; groups: string[] }> {
  const identifier = instance.DBInstanceIdentifier as string;
  const name = `MySQL instance ${identifier}${role ? ` (${role})` : ""}`;
  const groups = (instance.VpcSecurityGroups ?? []).flatMap((group) =>
    group.VpcSecurityGroupId ? [group.VpcSecurityGroupId] : [],
  );
  if (!taggedByMcctl(instance.TagList)) {
    line("keep", `${name}: ${NOT_OURS}`);
    return { groups: [] };
  }
  const snapshots = await aws.rds.listManualSnapshots(identifier);
  if (snapshots.length > 0) {
    line(
      "keep",
      `${snapshots.length} manual snapshot(s) of ${identifier}, e.g. ${snapshots[0]?.DBSnapshotIdentifier} (RDS charges for their storage)`,
    );
  }
  if (instance.DeletionProtection) {
    line(
      "keep",
      `${name}: deletion protection is on (aws rds modify-db-instance --db-instance-identifier ${identifier} --no-deletion-protection, then run destroy again)`,
    );
    return { groups: [] };
  }
  if (instance.DBInstanceStatus === "deleting") {
    line("wait", `${name}: RDS is deleting it already`);
    return { step: { identifier, deleting: true }, groups };
  }
  if (FAILED_STATES.has(instance.DBInstanceStatus ?? "") && !request.skipFinalSnapshot) {
    line(
      "keep",
      `${name}: it is ${instance.DBInstanceStatus}, and RDS deletes such an instance only without a final snapshot (--skip-final-snapshot)`,
    );
    return { groups: [] };
  }
  const finalSnapshot = request.skipFinalSnapshot
    ? undefined
    : snapshotIdentifier(identifier, "final", request.now);
  const status = instance.DBInstanceStatus ?? "unknown";
  // RDS refuses a final snapshot until such a state is over; without one it deletes at once.
  const waitFirst = finalSnapshot && PASSING_STATES.includes(status);
  line(
    "delete",
    finalSnapshot
      ? `delete ${name} after a final snapshot ${finalSnapshot} (kept; RDS takes 5–15 minutes)${
          waitFirst
            ? `; it is ${status}, and RDS snapshots only an available instance: destroy waits for that first (within --timeout)`
            : ""
        }`
      : `delete ${name} with NO final snapshot (--skip-final-snapshot): its data is gone for good`,
  );
  return { step: { identifier, deleting: false, finalSnapshot }, groups };
}

/** The S3 bucket: deleted only with --delete-bucket, when mcctl created it, and when empty unless --force. */
export async function planBucket(
  aws: DestroyAws,
  request: DestroyRequest,
  lines: DestroyLine[],
): Promise<DestroySteps["bucket"]> {
  const line = lineWriter(lines, "Storage");
  const fromFile = request.settings.environment?.MC_S3_BUCKET;
  const name =
    (typeof fromFile === "string" ? fromFile : undefined) ??
    request.settings.setup?.bucket ??
    (request.env.MC_S3_BUCKET || undefined);
  if (!name) return undefined;
  const ownership = await aws.s3.inspectBucket(name);
  if (ownership.state === "missing") return undefined;
  if (ownership.state === "foreign") {
    line("keep", `S3 bucket ${name}: this account may not use it`);
    return undefined;
  }
  if (!request.deleteBucket) {
    line("keep", `S3 bucket ${name}: pass --delete-bucket to delete it`);
    return undefined;
  }
  if (!taggedByMcctl(await aws.s3.bucketTags(name))) {
    line("keep", `S3 bucket ${name}: ${NOT_OURS}`);
    return undefined;
  }
  const { count, more } = await aws.s3.countObjects(name, OBJECT_COUNT_LIMIT);
  const objects = `${count}${more ? "+" : ""} object(s)`;
  if (count > 0 && !request.force) {
    line("keep", `S3 bucket ${name}: it holds ${objects}; --force deletes them with it`);
    return undefined;
  }
  line(
    "delete",
    count > 0 ? `delete S3 bucket ${name} and the ${objects} in it` : `delete S3 bucket ${name} (empty)`,
  );
  return { name, objects: count };
}

/** RDS can take no snapshot of an instance in these states, so it deletes one only without a final one. */
const FAILED_STATES = new Set(["failed", "incompatible-restore", "incompatible-network"]);

/** The plan counts a bucket's objects up to this many (ten list calls). */
const OBJECT_COUNT_LIMIT = 10_000;
