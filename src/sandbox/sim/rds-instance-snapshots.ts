/**
 * Snapshots of DB instances in the simulated RDS: CreateDBSnapshot (the instance is "backing-up" while it is
 * taken) and the test set-up that adds one. The snapshots themselves, with DescribeDBSnapshots and
 * DeleteDBSnapshot, are rds-snapshots.ts's.
 */
import type { CreateDBSnapshotCommandInput, CreateDBSnapshotResult, DBSnapshot } from "@aws-sdk/client-rds";
import { renderDbInstance } from "./rds-instance-render.js";
import type { AddDbSnapshotOptions } from "./rds-snapshots.js";
import type { RdsState } from "./rds-state.js";

/** API reference, CreateDBSnapshot: "The source DB instance must be in the available or storage-optimization state." */
export const SNAPSHOT_SOURCE_STATES = ["available", "storage-optimization"];

export class RdsInstanceSnapshots {
  readonly #state: RdsState;

  constructor(state: RdsState) {
    this.#state = state;
  }

  /** Adds a snapshot of an existing instance without the API's checks (only the identifier must be free). */
  addSnapshot(options: AddDbSnapshotOptions): DBSnapshot {
    this.#state.ctx.clock.advance();
    const record = this.#state.instances.get(options.DBInstanceIdentifier.toLowerCase());
    if (!record) throw new Error(`simulated RDS: no DB instance ${options.DBInstanceIdentifier}`);
    if (this.#state.snapshots.has(options.DBSnapshotIdentifier)) {
      throw new Error(`simulated RDS: DB snapshot ${options.DBSnapshotIdentifier} exists already`);
    }
    const status = options.status ?? "available";
    const spec = {
      id: options.DBSnapshotIdentifier,
      type: options.SnapshotType ?? "manual",
      source: renderDbInstance(this.#state, record),
      tags: options.Tags ?? [],
      durationMs: this.#state.timings.snapshotMs,
      startedAt: status === "creating" ? undefined : options.SnapshotCreateTime?.getTime(),
      masterPassword: record.input.MasterUserPassword,
    };
    return this.#state.snapshots.add(spec, status);
  }

  /** A manual snapshot: "creating" for `snapshotMs`, the instance "backing-up" meanwhile, then both "available". */
  createDBSnapshot(input: CreateDBSnapshotCommandInput): CreateDBSnapshotResult {
    this.#state.ctx.clock.advance();
    const snapshotId = input.DBSnapshotIdentifier ?? "";
    this.#state.snapshots.checkNew("DBSnapshotIdentifier", snapshotId);
    const given = input.DBInstanceIdentifier ?? "";
    const record = this.#state.instances.get(this.#state.idOf(given));
    if (!record) throw this.#state.instanceNotFound(given);
    if (!SNAPSHOT_SOURCE_STATES.includes(record.status)) {
      throw this.#state.invalidInstanceState(
        `Cannot create a snapshot because the database instance ${record.id} is not currently in the available state.`,
      );
    }
    const generation = record.generation;
    const before = record.status;
    const snapshot = this.#state.snapshots.start({
      id: snapshotId,
      type: "manual",
      source: renderDbInstance(this.#state, record),
      tags: input.Tags ?? [],
      durationMs: this.#state.timings.snapshotMs,
      masterPassword: record.input.MasterUserPassword,
      onSettled: () => {
        if (this.#state.current(record, generation) && record.status === "backing-up") record.status = before;
      },
    });
    record.status = "backing-up";
    return { DBSnapshot: snapshot };
  }
}
