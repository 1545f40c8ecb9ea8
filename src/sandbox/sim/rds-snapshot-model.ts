/**
 * DB snapshots of the simulated RDS as records, and what RDS says of them: identifiers (its rules, the automated
 * snapshots' names), progress, and the snapshot as DescribeDBSnapshots renders it. The store is rds-snapshots.ts.
 */
import type { DBInstance, DBSnapshot, Tag } from "@aws-sdk/client-rds";
import { clone, compact, type SimContext } from "./core.js";

export type RdsSnapshotType = "manual" | "automated";
export type RdsSnapshotStatus = "creating" | "available" | "failed";

/** Which snapshots `scriptSnapshotFailure` makes fail; every member given must match (identifiers ignore case). */
export interface RdsSnapshotFailureMatch {
  DBSnapshotIdentifier?: string;
  DBInstanceIdentifier?: string;
  SnapshotType?: RdsSnapshotType;
}

/** `sim.rds.addSnapshot(...)`: a snapshot of an existing instance, taken earlier or still in progress. */
export interface AddDbSnapshotOptions {
  DBSnapshotIdentifier: string;
  DBInstanceIdentifier: string;
  /** Default "manual". */
  SnapshotType?: RdsSnapshotType;
  /** Default "available". "creating" runs for `snapshotMs` from now (the instance's status is left alone). */
  status?: RdsSnapshotStatus;
  /** When it was taken; default now. */
  SnapshotCreateTime?: Date;
  Tags?: Tag[];
}

/** What `RdsSnapshots.start` needs to take a snapshot. */
export interface SnapshotStart {
  /** As given; stored in lowercase. */
  id: string;
  type: RdsSnapshotType;
  /** The instance as DescribeDBInstances renders it now. */
  source: DBInstance;
  tags?: Tag[];
  durationMs: number;
  /** When the snapshot is taken; default now. */
  startedAt?: number;
  /** Called once when it becomes "available" or "failed" (also through `fail`). */
  onSettled?: (status: "available" | "failed") => void;
  /** The instance's master password when the snapshot was taken: an instance restored from it keeps it. */
  masterPassword?: string | undefined;
}

export interface SnapshotRecord {
  id: string;
  type: RdsSnapshotType;
  instanceId: string;
  source: DBInstance;
  status: RdsSnapshotStatus;
  startedAt: number;
  durationMs: number;
  tags: Tag[];
  /** Scripted to fail when it would have completed. */
  willFail: boolean;
  /** PercentProgress when it failed. */
  failedProgress: number;
  onSettled: ((status: "available" | "failed") => void) | undefined;
  masterPassword: string | undefined;
}

/** What a restore takes from a snapshot: the instance as it was, and its master password then. */
export interface SnapshotContents {
  id: string;
  status: RdsSnapshotStatus;
  source: DBInstance;
  masterPassword: string | undefined;
  tags: Tag[];
}

const IDENTIFIER = /^[a-zA-Z](?:-?[a-zA-Z0-9])*$/;

/**
 * Why RDS refuses a snapshot identifier, worded as RDS words it for `parameter` (DBSnapshotIdentifier,
 * FinalDBSnapshotIdentifier): blank, a first character that is not a letter, or anything else against the rules.
 */
export function snapshotIdentifierProblem(parameter: string, value: string | undefined): string | undefined {
  if (!value) return `The parameter ${parameter} must be provided and must not be blank.`;
  // Two spaces, as RDS answers.
  if (!/^[a-zA-Z]/.test(value)) return `Invalid snapshot identifier:  ${value}`;
  if (value.length > 255 || !IDENTIFIER.test(value)) {
    return (
      `The parameter ${parameter} is not a valid identifier. Identifiers must begin with a letter; must contain ` +
      "only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens."
    );
  }
  return undefined;
}

/** `rds:mc-db-2025-03-01-09-08`: an automated snapshot is named after its instance and the minute it began (UTC). */
export function automatedSnapshotId(instanceId: string, at: number): string {
  return `rds:${instanceId}-${new Date(at).toISOString().slice(0, 16).replace(/[T:]/g, "-")}`;
}

/** How far a snapshot got: linear while "creating" (at most 99), 100 once available, where it stopped if failed. */
export function snapshotProgress(ctx: SimContext, record: SnapshotRecord): number {
  if (record.status === "available") return 100;
  if (record.status === "failed") return record.failedProgress;
  if (record.durationMs <= 0) return 0;
  const elapsed = ctx.clock.now() - record.startedAt;
  return Math.max(0, Math.min(99, Math.floor((elapsed / record.durationMs) * 100)));
}

/** A snapshot as DescribeDBSnapshots renders it. */
export function renderSnapshot(ctx: SimContext, record: SnapshotRecord): DBSnapshot {
  const source = record.source;
  const taken = record.status === "available" ? new Date(record.startedAt) : undefined;
  return compact({
    DBSnapshotIdentifier: record.id,
    DBInstanceIdentifier: record.instanceId,
    SnapshotCreateTime: taken,
    Engine: source.Engine,
    AllocatedStorage: source.AllocatedStorage,
    Status: record.status,
    Port: source.Endpoint?.Port,
    AvailabilityZone: source.AvailabilityZone,
    VpcId: source.DBSubnetGroup?.VpcId,
    InstanceCreateTime: source.InstanceCreateTime,
    MasterUsername: source.MasterUsername,
    EngineVersion: source.EngineVersion,
    LicenseModel: source.LicenseModel,
    SnapshotType: record.type,
    Iops: source.Iops,
    OptionGroupName: source.OptionGroupMemberships?.[0]?.OptionGroupName,
    PercentProgress: snapshotProgress(ctx, record),
    StorageType: source.StorageType,
    Encrypted: source.StorageEncrypted ?? false,
    KmsKeyId: source.KmsKeyId,
    DBSnapshotArn: `arn:aws:rds:${ctx.region}:${ctx.accountId}:snapshot:${record.id}`,
    IAMDatabaseAuthenticationEnabled: source.IAMDatabaseAuthenticationEnabled ?? false,
    ProcessorFeatures: [],
    DbiResourceId: source.DbiResourceId,
    TagList: clone(record.tags),
    OriginalSnapshotCreateTime: taken,
    SnapshotTarget: "region",
    StorageThroughput: source.StorageThroughput,
    DedicatedLogVolume: false,
    MultiTenant: false,
  } satisfies DBSnapshot);
}

/** An instance identifier or ARN, in lowercase. */
export function instanceIdOf(identifierOrArn: string): string {
  const arn = /^arn:aws[\w-]*:rds:[\w-]+:\d{12}:db:(.+)$/.exec(identifierOrArn);
  return (arn?.[1] ?? identifierOrArn).toLowerCase();
}
