/**
 * DB snapshots of the simulated RDS: manual ones (CreateDBSnapshot, the final snapshot of DeleteDBInstance) and the
 * automated one an instance with backups takes while it is first "backing-up". The simulator's state (rds-state.ts)
 * holds one `RdsSnapshots`: DescribeDBSnapshots and DeleteDBSnapshot are answered through it, and CreateDBSnapshot
 * (rds-instance-snapshots.ts) starts snapshots in it. Records and rendering: rds-snapshot-model.ts.
 *
 * A snapshot is "creating" from the moment it is asked for, its PercentProgress growing linearly from 0, and
 * "available" (or "failed") `durationMs` later. It copies what it records of its instance (engine, version, storage,
 * encryption, port, VPC…) from the instance as DescribeDBInstances rendered it when the snapshot began.
 */
import {
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
} from "@aws-sdk/client-rds";
import { clone, compact, paginate, type SimContext } from "./core.js";
import { type ModeledExceptionClass, queryModeledError, queryUnmodeledError } from "./errors.js";
import {
  instanceIdOf,
  type RdsSnapshotFailureMatch,
  type RdsSnapshotStatus,
  type RdsSnapshotType,
  renderSnapshot,
  type SnapshotContents,
  type SnapshotRecord,
  type SnapshotStart,
  snapshotIdentifierProblem,
  snapshotProgress,
} from "./rds-snapshot-model.js";

export {
  type AddDbSnapshotOptions,
  automatedSnapshotId,
  type RdsSnapshotFailureMatch,
  type RdsSnapshotStatus,
  type RdsSnapshotType,
  type SnapshotContents,
  type SnapshotStart,
  snapshotIdentifierProblem,
} from "./rds-snapshot-model.js";

const SNAPSHOT_TYPES = ["manual", "automated", "shared", "public", "awsbackup"];

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
    return record && renderSnapshot(this.#ctx, record);
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
    return this.#select(filter).map((record) => renderSnapshot(this.#ctx, record));
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
    return renderSnapshot(this.#ctx, record);
  }

  /** A snapshot that is there already ("available" or "failed"), or one being taken from now ("creating"). */
  add(spec: SnapshotStart, status: RdsSnapshotStatus): DBSnapshot {
    if (status === "creating") return this.start(spec);
    const record = this.#newRecord(spec, status);
    this.#records.set(record.id, record);
    return renderSnapshot(this.#ctx, record);
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
    return renderSnapshot(this.#ctx, record);
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
    return compact({
      DBSnapshots: page.map((record) => renderSnapshot(this.#ctx, record)),
      Marker: nextToken,
    });
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
    return { DBSnapshot: { ...renderSnapshot(this.#ctx, record), Status: "deleted" } };
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
    record.failedProgress = snapshotProgress(this.#ctx, record);
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
