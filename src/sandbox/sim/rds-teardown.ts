/** DeleteDBInstance in the simulated RDS: "deleting", with or without a final snapshot, then gone. */
import type { DeleteDBInstanceCommandInput, DeleteDBInstanceResult } from "@aws-sdk/client-rds";
import { renderDbInstance } from "./rds-instance-render.js";
import { SNAPSHOT_SOURCE_STATES } from "./rds-instance-snapshots.js";
import type { RdsState } from "./rds-state.js";

export class RdsTeardown {
  readonly #state: RdsState;

  constructor(state: RdsState) {
    this.#state = state;
  }

  /**
   * "deleting" at once; with a final snapshot the instance is deleted `deletingMs` after that snapshot is available
   * (and is "available" again if it fails), without one `deletingMs` from now. Its automated snapshots go with it
   * unless DeleteAutomatedBackups is false.
   */
  deleteDBInstance(input: DeleteDBInstanceCommandInput): DeleteDBInstanceResult {
    this.#state.ctx.clock.advance();
    const given = input.DBInstanceIdentifier ?? "";
    const record = this.#state.instances.get(this.#state.idOf(given));
    if (!record) throw this.#state.instanceNotFound(given);
    if (record.status === "deleting") {
      throw this.#state.invalidInstanceState(`Instance ${record.id} is already being deleted.`);
    }
    const skip = input.SkipFinalSnapshot ?? false;
    const finalId = input.FinalDBSnapshotIdentifier;
    if (!skip && record.status === "creating") {
      throw this.#state.invalidInstanceState(
        `Instance ${record.id} is currently creating - a final snapshot cannot be taken.`,
      );
    }
    if (!skip && !finalId) {
      throw this.#state.combination(
        "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.",
      );
    }
    if (skip && finalId) {
      throw this.#state.combination(
        "FinalDBSnapshotIdentifier can not be specified when SkipFinalSnapshot is specified.",
      );
    }
    if (record.input.DeletionProtection) {
      throw this.#state.combination(
        "Cannot delete protected DB Instance, please disable deletion protection and try again.",
      );
    }
    if (!skip && finalId) {
      this.#state.snapshots.checkNew("FinalDBSnapshotIdentifier", finalId);
      if (!SNAPSHOT_SOURCE_STATES.includes(record.status)) {
        throw this.#state.invalidInstanceState(
          `Cannot create a snapshot because the database instance ${record.id} is not currently in the available state.`,
        );
      }
    }
    record.generation += 1;
    const generation = record.generation;
    const source = renderDbInstance(this.#state, record);
    const before = record.status;
    record.status = "deleting";
    const deleteAutomated = input.DeleteAutomatedBackups ?? true;
    const scheduleRemoval = () =>
      this.#state.ctx.clock.after(this.#state.timings.deletingMs, `RDS ${record.id} deleted`, () => {
        if (!this.#state.current(record, generation)) return;
        this.#state.instances.delete(record.id);
        if (deleteAutomated) this.#state.snapshots.removeAutomated(record.id);
      });
    if (skip || !finalId) {
      scheduleRemoval();
    } else {
      this.#state.snapshots.start({
        id: finalId,
        type: "manual",
        source,
        tags: record.input.CopyTagsToSnapshot ? (record.input.Tags ?? []) : [],
        durationMs: this.#state.timings.snapshotMs,
        masterPassword: record.input.MasterUserPassword,
        onSettled: (status) => {
          if (!this.#state.current(record, generation)) return;
          if (status === "available") scheduleRemoval();
          else record.status = before;
        },
      });
    }
    return { DBInstance: renderDbInstance(this.#state, record) };
  }
}
