import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRdsApi, type RdsApi } from "../../src/aws/rds.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";
import { seedEmptyAccount } from "../helpers/sim-fixtures.js";

const T0 = Date.parse("2026-12-01T09:00:00.000Z");
const MINUTE = 60_000;
const PASSWORD = "Restored-Secret-42";

let sim: SimulatedAws;
let rds: RdsApi;
let securityGroupId: string;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  securityGroupId = seedEmptyAccount(sim).defaultSecurityGroupId;
  sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", MasterUserPassword: "first-password" });
  rds = createRdsApi({ region: "eu-west-1", maxAttempts: 1, retryMode: "standard" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const snapshot = (id: string, instance: string, minutesAgo: number, tags: Record<string, string> = {}) =>
  sim.rds.addSnapshot({
    DBSnapshotIdentifier: id,
    DBInstanceIdentifier: instance,
    SnapshotCreateTime: new Date(T0 - minutesAgo * MINUTE),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  });

describe("RdsApi.restoreFromSnapshot", () => {
  it("restores into a new instance with the given network and tags, copying tags to its snapshots", async () => {
    snapshot("mcctl-mc-db-backup-1", "mc-db", 5);
    const instance = await rds.restoreFromSnapshot({
      instance: "mc-db-r1",
      snapshot: "mcctl-mc-db-backup-1",
      instanceClass: "db.t3.medium",
      securityGroupIds: [securityGroupId],
      publiclyAccessible: false,
      deletionProtection: false,
      tags: { "managed-by": "mcctl" },
    });
    expect(instance).toMatchObject({ DBInstanceIdentifier: "mc-db-r1", DBInstanceStatus: "creating" });
    expect(sim.callsOf("RestoreDBInstanceFromDBSnapshot")[0]?.input).toEqual({
      DBInstanceIdentifier: "mc-db-r1",
      DBSnapshotIdentifier: "mcctl-mc-db-backup-1",
      DBInstanceClass: "db.t3.medium",
      VpcSecurityGroupIds: [securityGroupId],
      PubliclyAccessible: false,
      DeletionProtection: false,
      CopyTagsToSnapshot: true,
      Tags: [{ Key: "managed-by", Value: "mcctl" }],
    });
    expect(sim.rds.masterPassword("mc-db-r1")).toBe("first-password");
  });

  it("says which snapshot RDS does not know", async () => {
    await expect(
      rds.restoreFromSnapshot({ instance: "mc-db-r1", snapshot: "nope", securityGroupIds: [], tags: {} }),
    ).rejects.toThrow(/DBSnapshot nope not found/);
  });
});

describe("RdsApi.setMasterPassword", () => {
  it("sets the password at once", async () => {
    const instance = await rds.setMasterPassword("mc-db", PASSWORD);
    expect(instance.DBInstanceStatus).toBe("resetting-master-credentials");
    expect(sim.callsOf("ModifyDBInstance")[0]?.input).toEqual({
      DBInstanceIdentifier: "mc-db",
      MasterUserPassword: PASSWORD,
      ApplyImmediately: true,
    });
    await vi.advanceTimersByTimeAsync(sim.rds.timings.resettingMs);
    expect(sim.rds.masterPassword("mc-db")).toBe(PASSWORD);
  });

  it("never lets the password into an error, even when the answer quotes it", async () => {
    sim.faults.inject({
      service: "RDS",
      command: "ModifyDBInstance",
      error: (call) => {
        const quoted = `The parameter MasterUserPassword '${(call.input as { MasterUserPassword?: string }).MasterUserPassword}' is not valid.`;
        return Object.assign(new Error(quoted), {
          name: "InvalidParameterValue",
          Error: { Code: "InvalidParameterValue", Message: quoted },
          $metadata: { httpStatusCode: 400 },
        });
      },
    });
    const error = await rds.setMasterPassword("mc-db", PASSWORD).then(
      () => expect.fail("expected a failure"),
      (e: unknown) => e as Error & { suggestion?: string },
    );
    expect(error.message).toContain("rds:ModifyDBInstance");
    expect(error.message).toContain("MasterUserPassword '****'");
    const chain: unknown[] = [];
    for (let current: unknown = error; current instanceof Error; current = current.cause) chain.push(current);
    expect(chain.length).toBeGreaterThan(1);
    for (const link of chain) {
      const error = link as Error;
      expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(PASSWORD);
    }
    expect(error.suggestion ?? "").not.toContain(PASSWORD);
  });

  it("fails when the instance is gone, without the password", async () => {
    const error = await rds.setMasterPassword("gone", PASSWORD).then(
      () => expect.fail("expected a failure"),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(/DBInstance gone not found/);
    expect(error.message).not.toContain(PASSWORD);
  });
});

describe("RdsApi.listRegionSnapshots", () => {
  it("lists every manual snapshot of the region, newest first, deleted instances' included, with tags", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "other-db" });
    snapshot("mcctl-mc-db-backup-1", "mc-db", 30, { "managed-by": "mcctl" });
    snapshot("by-hand", "other-db", 10);
    snapshot("mcctl-mc-db-final-1", "mc-db", 20, { "managed-by": "mcctl" });
    await rds.deleteInstance("mc-db", undefined);
    await vi.advanceTimersByTimeAsync(sim.rds.timings.deletingMs);
    expect(sim.rds.instance("mc-db")).toBeUndefined();
    const snapshots = await rds.listRegionSnapshots();
    expect(snapshots.map((s) => s.DBSnapshotIdentifier)).toEqual([
      "by-hand",
      "mcctl-mc-db-final-1",
      "mcctl-mc-db-backup-1",
    ]);
    expect(snapshots[1]?.TagList).toEqual([{ Key: "managed-by", Value: "mcctl" }]);
    expect(sim.callsOf("DescribeDBSnapshots").map((call) => call.input)).toEqual([
      { SnapshotType: "manual" },
    ]);
  });
});
