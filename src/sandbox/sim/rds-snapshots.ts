/**
 * DB snapshots of the simulated RDS: manual ones (CreateDBSnapshot, the final snapshot of DeleteDBInstance) and the
 * automated one an instance with backups takes while it is first "backing-up". `RdsSimulator` owns one
 * `RdsSnapshots` and answers CreateDBSnapshot, DescribeDBSnapshots and DeleteDBSnapshot through it.
 *
 * A snapshot is "creating" from the moment it is asked for, its PercentProgress growing linearly from 0, and
 * "available" (or "failed") `durationMs` later. It copies what it records of its instance (engine, version, storage,
 * encryption, port, VPC…) from the instance as DescribeDBInstances rendered it when the snapshot began.
 */
import {
  type DBInstance,
  type DBSnapshot,
  DBSnapshotAlreadyExistsFault,
  type DBSnapshotMessage,
  DBSnapshotNotFoundFault,
  type DeleteDBSnapshotCommandInput,
  type DeleteDBSnapshotResult,
  type DescribeDBSnapshotsCommandInput,
  type Filter,
  InvalidDBSnapshotStateFault,
  RDSServiceException,
  type Tag,
} from "@aws-sdk/client-rds";
import { clone, compact, paginate, type SimContext } from "./core.js";
import { type ModeledExceptionClass, queryModeledError, queryUnmodeledError } from "./errors.js";

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

interface SnapshotRecord {
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
const SNAPSHOT_TYPES = ["manual", "automated", "shared", "public", "awsbackup"];

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

export class RdsSnapshots {
  readonly #ctx: SimContext;
  readonly #records = new Map<string, SnapshotRecord>();
  readonly #failures: RdsSnapshotFailureMatch[] = [];

  constructor(context: SimContext) {
    this.#ctx = context;
  }

  has(identifier: string): boolean {
    return this.#records.has(this.#idOf(identifier));
  }

  /** A snapshot as DescribeDBSnapshots renders it, or undefined. */
  get(identifier: string): DBSnapshot | undefined {
    const record = this.#records.get(this.#idOf(identifier));
    return record && this.#render(record);
  }

  /** What a snapshot holds, for a restore (identifier or ARN; any type), or undefined. */
  contents(identifier: string): SnapshotContents | undefined {
    const record = this.#records.get(this.#idOf(identifier));
    if (!record) return undefined;
    const { id, status, source, masterPassword, tags } = record;
    return clone({ id, status, source, masterPassword, tags });
  }

  /** Every snapshot in the order they were taken (or added), optionally of one instance and/or type. */
  list(filter: { DBInstanceIdentifier?: string; SnapshotType?: RdsSnapshotType } = {}): DBSnapshot[] {
    return this.#select(filter).map((record) => this.#render(record));
  }

  /** Takes a snapshot: "creating" now, "available" (or "failed", when scripted) `durationMs` later. */
  start(spec: SnapshotStart): DBSnapshot {
    const record = this.#newRecord(spec, "creating");
    const failure = this.#failures.findIndex((match) => this.#matches(record, match));
    if (failure >= 0) {
      record.willFail = true;
      this.#failures.splice(failure, 1);
    }
    this.#records.set(record.id, record);
    this.#ctx.clock.at(record.startedAt + record.durationMs, `RDS snapshot ${record.id} done`, () => {
      if (this.#records.get(record.id) !== record || record.status !== "creating") return;
      this.#settle(record, record.willFail ? "failed" : "available");
    });
    return this.#render(record);
  }

  /** A snapshot that is there already ("available" or "failed"), or one being taken from now ("creating"). */
  add(spec: SnapshotStart, status: RdsSnapshotStatus): DBSnapshot {
    if (status === "creating") return this.start(spec);
    const record = this.#newRecord(spec, status);
    this.#records.set(record.id, record);
    return this.#render(record);
  }

  /** The next snapshot started that matches fails instead of becoming available. */
  scriptFailure(match: RdsSnapshotFailureMatch = {}): void {
    this.#failures.push({ ...match });
  }

  /** Fails a snapshot at once (a "creating" one stops where it is; its instance gets its status back). */
  fail(identifier: string): DBSnapshot {
    const record = this.#records.get(this.#idOf(identifier));
    if (!record) throw new Error(`simulated RDS: no DB snapshot ${identifier}`);
    this.#settle(record, "failed");
    return this.#render(record);
  }

  /** Forgets an instance's automated snapshots (DeleteDBInstance without retained backups). */
  removeAutomated(instanceId: string): void {
    for (const record of this.#select({ DBInstanceIdentifier: instanceId, SnapshotType: "automated" })) {
      this.#records.delete(record.id);
    }
  }

  // ===============================================================================================
  // API

  describe(input: DescribeDBSnapshotsCommandInput = {}): DBSnapshotMessage {
    const max = input.MaxRecords;
    if (max !== undefined && (max < 20 || max > 100)) {
      throw this.#invalidValue(`Invalid value ${max} for MaxRecords. Must be between 20 and 100`);
    }
    let selected = [...this.#records.values()];
    if (input.DBSnapshotIdentifier !== undefined) {
      const record = this.#records.get(this.#idOf(input.DBSnapshotIdentifier));
      // API reference: "If this identifier is for an automated snapshot, the SnapshotType parameter must also be
      // specified."
      if (!record || (record.type === "automated" && input.SnapshotType !== "automated")) {
        throw this.#notFound(input.DBSnapshotIdentifier);
      }
      selected = [record];
    }
    if (input.DBInstanceIdentifier !== undefined) {
      const id = instanceIdOf(input.DBInstanceIdentifier);
      selected = selected.filter((record) => record.instanceId === id);
    }
    if (input.SnapshotType !== undefined) {
      const type = input.SnapshotType;
      if (!SNAPSHOT_TYPES.includes(type)) {
        throw new Error(`simulated RDS does not implement the DescribeDBSnapshots SnapshotType "${type}"`);
      }
      // Shared, public and AWS Backup snapshots are not simulated: none exist.
      selected = selected.filter((record) => record.type === type);
    }
    if (input.DbiResourceId !== undefined) {
      selected = selected.filter((record) => record.source.DbiResourceId === input.DbiResourceId);
    }
    for (const filter of input.Filters ?? []) selected = selected.filter(this.#filter(filter));
    const { page, nextToken } = paginate(
      selected,
      { maxResults: max, nextToken: input.Marker },
      { defaultMax: 100, invalidToken: () => this.#invalidValue(`Invalid marker: ${input.Marker}`) },
    );
    return compact({ DBSnapshots: page.map((record) => this.#render(record)), Marker: nextToken });
  }

  delete(input: DeleteDBSnapshotCommandInput): DeleteDBSnapshotResult {
    const given = input.DBSnapshotIdentifier ?? "";
    const record = this.#records.get(this.#idOf(given));
    if (!record) throw this.#notFound(given);
    if (record.type === "automated") throw this.#invalidState("automated snapshots cannot be deleted");
    if (record.status === "creating") {
      throw this.#invalidState(
        "Cannot delete the snapshot because it is not currently in the available or failed state.",
      );
    }
    this.#records.delete(record.id);
    return { DBSnapshot: { ...this.#render(record), Status: "deleted" } };
  }

  /**
   * Fails as RDS does when a new snapshot cannot have this identifier (`parameter`: DBSnapshotIdentifier, or
   * FinalDBSnapshotIdentifier for DeleteDBInstance): InvalidParameterValue or DBSnapshotAlreadyExists.
   */
  checkNew(parameter: string, identifier: string): void {
    const problem = snapshotIdentifierProblem(parameter, identifier);
    if (problem) throw this.#invalidValue(problem);
    if (!this.#records.has(identifier.toLowerCase())) return;
    throw this.#modeled(
      DBSnapshotAlreadyExistsFault,
      "DBSnapshotAlreadyExists",
      `Cannot create the snapshot because a snapshot with the identifier ${identifier.toLowerCase()} already exists.`,
      400,
    );
  }

  /** DBSnapshotNotFound, as RDS words it. */
  notFound(identifier: string): Error {
    return this.#notFound(identifier);
  }

  #notFound(identifier: string): Error {
    return this.#modeled(
      DBSnapshotNotFoundFault,
      "DBSnapshotNotFound",
      `DBSnapshot ${identifier} not found.`,
      404,
    );
  }

  // ===============================================================================================
  // Internals

  #newRecord(spec: SnapshotStart, status: RdsSnapshotStatus): SnapshotRecord {
    return {
      id: spec.id.toLowerCase(),
      type: spec.type,
      instanceId: (spec.source.DBInstanceIdentifier ?? "").toLowerCase(),
      source: clone(spec.source),
      status,
      startedAt: spec.startedAt ?? this.#ctx.clock.now(),
      durationMs: spec.durationMs,
      tags: clone(spec.tags ?? []),
      willFail: false,
      failedProgress: 0,
      onSettled: status === "creating" ? spec.onSettled : undefined,
      masterPassword: spec.masterPassword,
    };
  }

  /** Ends a snapshot; a failed one keeps the PercentProgress it had reached (at most 99). */
  #settle(record: SnapshotRecord, status: "available" | "failed"): void {
    const wasCreating = record.status === "creating";
    record.failedProgress = this.#progress(record);
    record.status = status;
    const onSettled = record.onSettled;
    record.onSettled = undefined;
    if (wasCreating) onSettled?.(status);
  }

  #select(filter: { DBInstanceIdentifier?: string; SnapshotType?: RdsSnapshotType }): SnapshotRecord[] {
    const instanceId = filter.DBInstanceIdentifier?.toLowerCase();
    return [...this.#records.values()].filter(
      (record) =>
        (instanceId === undefined || record.instanceId === instanceId) &&
        (filter.SnapshotType === undefined || record.type === filter.SnapshotType),
    );
  }

  #matches(record: SnapshotRecord, match: RdsSnapshotFailureMatch): boolean {
    return (
      (match.DBSnapshotIdentifier === undefined || match.DBSnapshotIdentifier.toLowerCase() === record.id) &&
      (match.DBInstanceIdentifier === undefined ||
        match.DBInstanceIdentifier.toLowerCase() === record.instanceId) &&
      (match.SnapshotType === undefined || match.SnapshotType === record.type)
    );
  }

  #filter(filter: Filter): (record: SnapshotRecord) => boolean {
    const values = filter.Values ?? [];
    switch (filter.Name) {
      case "db-instance-id": {
        const ids = values.map(instanceIdOf);
        return (record) => ids.includes(record.instanceId);
      }
      case "db-snapshot-id": {
        const ids = values.map((value) => this.#idOf(value));
        return (record) => ids.includes(record.id);
      }
      case "dbi-resource-id":
        return (record) => values.includes(record.source.DbiResourceId ?? "");
      case "snapshot-type":
        return (record) => values.includes(record.type);
      case "engine":
        return (record) => values.includes(record.source.Engine ?? "");
      default:
        throw new Error(`simulated RDS does not implement the DescribeDBSnapshots filter "${filter.Name}"`);
    }
  }

  #idOf(identifierOrArn: string): string {
    const arn = /^arn:aws[\w-]*:rds:[\w-]+:\d{12}:snapshot:(.+)$/.exec(identifierOrArn);
    return (arn?.[1] ?? identifierOrArn).toLowerCase();
  }

  #progress(record: SnapshotRecord): number {
    if (record.status === "available") return 100;
    if (record.status === "failed") return record.failedProgress;
    if (record.durationMs <= 0) return 0;
    const elapsed = this.#ctx.clock.now() - record.startedAt;
    return Math.max(0, Math.min(99, Math.floor((elapsed / record.durationMs) * 100)));
  }

  #render(record: SnapshotRecord): DBSnapshot {
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
      PercentProgress: this.#progress(record),
      StorageType: source.StorageType,
      Encrypted: source.StorageEncrypted ?? false,
      KmsKeyId: source.KmsKeyId,
      DBSnapshotArn: `arn:aws:rds:${this.#ctx.region}:${this.#ctx.accountId}:snapshot:${record.id}`,
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

  #invalidValue(message: string): Error {
    return queryUnmodeledError(RDSServiceException, {
      name: "InvalidParameterValue",
      message,
      httpStatusCode: 400,
      ids: this.#ctx.ids,
    });
  }

  #invalidState(message: string): Error {
    return this.#modeled(InvalidDBSnapshotStateFault, "InvalidDBSnapshotState", message, 400);
  }

  #modeled<E extends Error>(
    Exception: ModeledExceptionClass<E>,
    code: string,
    message: string,
    status: number,
  ): E {
    return queryModeledError(Exception, { code, message, httpStatusCode: status, ids: this.#ctx.ids });
  }
}

/** An instance identifier or ARN, in lowercase. */
function instanceIdOf(identifierOrArn: string): string {
  const arn = /^arn:aws[\w-]*:rds:[\w-]+:\d{12}:db:(.+)$/.exec(identifierOrArn);
  return (arn?.[1] ?? identifierOrArn).toLowerCase();
}
