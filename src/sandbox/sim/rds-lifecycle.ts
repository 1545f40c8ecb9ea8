/**
 * A DB instance's life in the simulated RDS: creating → (creatingMs) → backing-up, its first automated backup
 * (the automated snapshot) → (backingUpMs) → available. Scheduled steps do nothing once the instance was reset
 * from outside (its `generation` moved on) or deleted.
 */
import { renderDbInstance } from "./rds-instance-render.js";
import { automatedSnapshotId } from "./rds-snapshots.js";
import type { DbInstanceRecord, RdsState } from "./rds-state.js";

/** creating → (creatingMs) → backing-up → (backingUpMs) → available; without backups straight to available. */
export function scheduleLifecycle(
  state: RdsState,
  record: DbInstanceRecord,
  creatingMs = state.timings.creatingMs,
): void {
  const generation = record.generation;
  state.ctx.clock.after(creatingMs, `RDS ${record.id} created`, () => {
    if (record.generation !== generation || !state.instances.has(record.id)) return;
    finishCreating(state, record);
    if (state.retention(record) === 0) {
      record.status = "available";
      return;
    }
    scheduleBackup(state, record);
  });
}

/** The first backup: the instance is "backing-up" while its automated snapshot is taken. */
export function scheduleBackup(state: RdsState, record: DbInstanceRecord): void {
  const generation = record.generation;
  if (state.retention(record) > 0) {
    const startedAt = state.ctx.clock.now();
    const id = automatedSnapshotId(record.id, startedAt);
    if (!state.snapshots.has(id)) {
      state.snapshots.start({
        id,
        type: "automated",
        source: renderDbInstance(state, record),
        durationMs: state.timings.backingUpMs,
        masterPassword: record.input.MasterUserPassword,
      });
    }
  }
  state.ctx.clock.after(state.timings.backingUpMs, `RDS ${record.id} backed up`, () => {
    if (record.generation === generation && state.instances.has(record.id)) record.status = "available";
  });
}

/** An instance that skipped the lifecycle (added or moved by a test) has its first automated snapshot already. */
export function addAutomatedSnapshot(state: RdsState, record: DbInstanceRecord): void {
  if (state.retention(record) === 0 || record.status === "failed" || record.status === "backing-up") return;
  const id = automatedSnapshotId(record.id, state.ctx.clock.now());
  if (state.snapshots.has(id)) return;
  const spec = {
    id,
    type: "automated" as const,
    source: renderDbInstance(state, record),
    durationMs: 0,
    masterPassword: record.input.MasterUserPassword,
  };
  state.snapshots.add(spec, "available");
}

/** The instance exists: it has an Availability Zone, a creation time and its endpoint, and takes its first backup. */
export function finishCreating(state: RdsState, record: DbInstanceRecord): void {
  const zones = (record.subnetGroup?.Subnets ?? []).flatMap(
    (subnet) => subnet.SubnetAvailabilityZone?.Name ?? [],
  );
  record.availabilityZone = record.input.AvailabilityZone ?? zones[0] ?? `${state.ctx.region}a`;
  record.instanceCreateTime = state.ctx.clock.date();
  record.status = "backing-up";
}
