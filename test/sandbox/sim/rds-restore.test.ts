import {
  CreateDBSnapshotCommand,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DBSnapshotNotFoundFault,
  DBSubnetGroupNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  ModifyDBInstanceCommand,
  type ModifyDBInstanceCommandInput,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  type RestoreDBInstanceFromDBSnapshotCommandInput,
} from "@aws-sdk/client-rds";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { allow, refusal } from "../../helpers/policies.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { seedEmptyAccount } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const MINUTE = 60_000;
const ACCOUNT = "123456789012";
let sim: SimulatedAws;
let rds: RDSClient;
let defaultSecurityGroupId: string;

beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  defaultSecurityGroupId = seedEmptyAccount(sim).defaultSecurityGroupId;
  rds = new RDSClient({ region: "eu-west-1" });
  sim.rds.addInstance({
    DBInstanceIdentifier: "mc-db",
    DBInstanceClass: "db.t3.medium",
    EngineVersion: "8.0.35",
    AllocatedStorage: 50,
    StorageType: "gp3",
    MasterUsername: "mc",
    MasterUserPassword: "first-password",
    DBName: "metadata",
    StorageEncrypted: true,
    KmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/mc",
    Port: 3307,
    Tags: [{ Key: "managed-by", Value: "mcctl" }],
    CopyTagsToSnapshot: true,
  });
  await rds.send(
    new CreateDBSnapshotCommand({
      DBSnapshotIdentifier: "mcctl-mc-db-backup-1",
      DBInstanceIdentifier: "mc-db",
      Tags: [{ Key: "managed-by", Value: "mcctl" }],
    }),
  );
  await vi.advanceTimersByTimeAsync(sim.rds.timings.snapshotMs);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const restore = (input: Partial<RestoreDBInstanceFromDBSnapshotCommandInput> = {}) =>
  rds.send(
    new RestoreDBInstanceFromDBSnapshotCommand({
      DBInstanceIdentifier: "mc-db-restored",
      DBSnapshotIdentifier: "mcctl-mc-db-backup-1",
      ...input,
    }),
  );

const modify = (input: Partial<ModifyDBInstanceCommandInput> = {}) =>
  rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: "mc-db", ApplyImmediately: true, ...input }));

const describeInstance = async (DBInstanceIdentifier: string) =>
  (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier }))).DBInstances?.[0];

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to fail"),
    (e: unknown) => e,
  );

describe("RDS RestoreDBInstanceFromDBSnapshot", () => {
  it("creates an instance with the snapshot's engine, storage, encryption and user, and the request's settings", async () => {
    const { DBInstance } = await restore({
      DBInstanceClass: "db.t3.small",
      VpcSecurityGroupIds: [defaultSecurityGroupId],
      Tags: [{ Key: "application", Value: "model-catalogue" }],
      CopyTagsToSnapshot: true,
      DeletionProtection: true,
    });
    expect(DBInstance).toMatchObject({
      DBInstanceIdentifier: "mc-db-restored",
      DBInstanceStatus: "creating",
      DBInstanceClass: "db.t3.small",
      Engine: "mysql",
      EngineVersion: "8.0.35",
      AllocatedStorage: 50,
      StorageType: "gp3",
      StorageEncrypted: true,
      KmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/mc",
      MasterUsername: "mc",
      DBName: "metadata",
      MultiAZ: false,
      PubliclyAccessible: false,
      CopyTagsToSnapshot: true,
      DeletionProtection: true,
      TagList: [{ Key: "application", Value: "model-catalogue" }],
      VpcSecurityGroups: [{ VpcSecurityGroupId: defaultSecurityGroupId, Status: "active" }],
    });
    expect(DBInstance?.Endpoint).toBeUndefined();
    expect(sim.rds.restoredFrom("mc-db-restored")).toBe("mcctl-mc-db-backup-1");
    expect(sim.rds.restoredFrom("mc-db")).toBeUndefined();
  });

  it("takes the original class and port by default, and goes creating → backing-up (with the endpoint) → available", async () => {
    sim.rds.setTimings({ restoringMs: 15 * MINUTE });
    await restore();
    await vi.advanceTimersByTimeAsync(15 * MINUTE - 1000);
    expect((await describeInstance("mc-db-restored"))?.DBInstanceStatus).toBe("creating");
    await vi.advanceTimersByTimeAsync(1000);
    const backingUp = await describeInstance("mc-db-restored");
    expect(backingUp).toMatchObject({ DBInstanceStatus: "backing-up", DBInstanceClass: "db.t3.medium" });
    expect(backingUp?.Endpoint).toMatchObject({ Port: 3307 });
    expect(backingUp?.Endpoint?.Address).toMatch(/^mc-db-restored\./);
    await vi.advanceTimersByTimeAsync(sim.rds.timings.backingUpMs);
    expect((await describeInstance("mc-db-restored"))?.DBInstanceStatus).toBe("available");
  });

  it("keeps the password the instance had when the snapshot was taken, whatever it has since", async () => {
    await modify({ MasterUserPassword: "second-password" });
    await vi.advanceTimersByTimeAsync(sim.rds.timings.resettingMs);
    expect(sim.rds.masterPassword("mc-db")).toBe("second-password");
    await restore();
    expect(sim.rds.masterPassword("mc-db-restored")).toBe("first-password");
  });

  it("restores the final snapshot of an instance that is gone", async () => {
    await rds.send(
      new DeleteDBInstanceCommand({
        DBInstanceIdentifier: "mc-db",
        FinalDBSnapshotIdentifier: "mc-db-final",
      }),
    );
    await vi.advanceTimersByTimeAsync(sim.rds.timings.snapshotMs + sim.rds.timings.deletingMs);
    expect(sim.rds.instance("mc-db")).toBeUndefined();
    const { DBSnapshots } = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: "mc-db" }));
    expect(DBSnapshots?.map((snapshot) => snapshot.DBSnapshotIdentifier)).toEqual([
      "mcctl-mc-db-backup-1",
      "mc-db-final",
    ]);
    expect(DBSnapshots?.[1]).toMatchObject({
      TagList: [{ Key: "managed-by", Value: "mcctl" }],
      AllocatedStorage: 50,
      Encrypted: true,
      KmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/mc",
      MasterUsername: "mc",
    });
    expect(DBSnapshots?.[1]?.SnapshotCreateTime).toBeInstanceOf(Date);
    await restore({ DBInstanceIdentifier: "mc-db", DBSnapshotIdentifier: "mc-db-final" });
    expect(sim.rds.masterPassword("mc-db")).toBe("first-password");
  });

  it("fails as RDS does", async () => {
    expect(await fail(restore({ DBSnapshotIdentifier: "nope" }))).toMatchObject({
      name: "DBSnapshotNotFoundFault",
      message: "DBSnapshot nope not found.",
    });
    expect(await fail(restore({ DBSnapshotIdentifier: "nope" }))).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect(await fail(restore({ DBInstanceIdentifier: "mc-db" }))).toBeInstanceOf(
      DBInstanceAlreadyExistsFault,
    );
    expect(await fail(restore({ DBInstanceIdentifier: "2-bad" }))).toMatchObject({
      name: "InvalidParameterValue",
      message: expect.stringContaining("The parameter DBInstanceIdentifier is not a valid identifier."),
    });
    expect(await fail(restore({ DBSubnetGroupName: "nope" }))).toBeInstanceOf(DBSubnetGroupNotFoundFault);
    expect(await fail(restore({ VpcSecurityGroupIds: ["sg-nope"] }))).toMatchObject({
      name: "InvalidParameterValue",
      message: "Invalid security group , groupId= sg-nope, groupName=.",
    });
    expect(await fail(restore({ DBInstanceClass: "db.t2.small" }))).toMatchObject({
      name: "InvalidParameterCombination",
    });
    await rds.send(
      new CreateDBSnapshotCommand({ DBSnapshotIdentifier: "in-progress", DBInstanceIdentifier: "mc-db" }),
    );
    const creating = await fail(restore({ DBSnapshotIdentifier: "in-progress" }));
    expect(creating).toBeInstanceOf(InvalidDBSnapshotStateFault);
    expect(creating).toMatchObject({ Code: "InvalidDBSnapshotState" });
    expect(sim.rds.instance("mc-db-restored")).toBeUndefined();
  });

  it("refuses parameters it does not model", async () => {
    await expect(restore({ StorageType: "io1" })).rejects.toThrow(
      "simulated RDS does not implement RestoreDBInstanceFromDBSnapshot's StorageType",
    );
  });
});

describe("RDS ModifyDBInstance", () => {
  it("resets the master password: resetting-master-credentials, then available with the new password", async () => {
    const { DBInstance } = await modify({ MasterUserPassword: "second-password" });
    expect(DBInstance).toMatchObject({
      DBInstanceStatus: "resetting-master-credentials",
      PendingModifiedValues: { MasterUserPassword: "****" },
    });
    expect(JSON.stringify(DBInstance)).not.toContain("second-password");
    expect(sim.rds.masterPassword("mc-db")).toBe("first-password");
    await vi.advanceTimersByTimeAsync(sim.rds.timings.resettingMs);
    expect(await describeInstance("mc-db")).toMatchObject({
      DBInstanceStatus: "available",
      PendingModifiedValues: {},
    });
    expect(sim.rds.masterPassword("mc-db")).toBe("second-password");
  });

  it("checks the password as CreateDBInstance does, and the instance's state", async () => {
    expect(await fail(modify({ MasterUserPassword: "short" }))).toMatchObject({
      name: "InvalidParameterValue",
      message:
        "The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.",
    });
    expect(
      await fail(modify({ DBInstanceIdentifier: "nope", MasterUserPassword: "x".repeat(10) })),
    ).toBeInstanceOf(DBInstanceNotFoundFault);
    await modify({ MasterUserPassword: "second-password" });
    expect(await fail(modify({ MasterUserPassword: "third-password" }))).toBeInstanceOf(
      InvalidDBInstanceStateFault,
    );
    expect(sim.rds.masterPassword("mc-db")).toBe("first-password");
  });

  it("refuses what it does not model", async () => {
    await expect(modify({ DBInstanceClass: "db.m5.large" })).rejects.toThrow(
      "simulated RDS does not implement ModifyDBInstance's DBInstanceClass",
    );
  });
});

describe("RDS restore and modify under IAM", () => {
  const DB = `arn:aws:rds:eu-west-1:${ACCOUNT}:db:mc-db-restored`;
  const SNAPSHOT = `arn:aws:rds:eu-west-1:${ACCOUNT}:snapshot:mcctl-mc-db-backup-1`;
  const enforce = (...statements: ReturnType<typeof allow>[]) =>
    sim.setCallerPolicies([{ Version: "2012-10-17", Statement: statements }]);

  it("needs rds:RestoreDBInstanceFromDBSnapshot on the instance and the snapshot, and rds:AddTagsToResource for tags", async () => {
    const Tags = [{ Key: "managed-by", Value: "mcctl" }];
    enforce(allow("rds:RestoreDBInstanceFromDBSnapshot", DB));
    expect((await refusal(restore({ Tags }))).message).toContain(
      `rds:RestoreDBInstanceFromDBSnapshot on resource: ${SNAPSHOT} because`,
    );
    enforce(allow("rds:RestoreDBInstanceFromDBSnapshot", [DB, SNAPSHOT]));
    expect((await refusal(restore({ Tags }))).message).toContain(
      `rds:AddTagsToResource on resource: ${DB} because`,
    );
    enforce(allow("rds:RestoreDBInstanceFromDBSnapshot", [DB, SNAPSHOT]), allow("rds:AddTagsToResource", DB));
    await restore({ Tags });
    expect(sim.rds.instance("mc-db-restored")?.DBInstanceStatus).toBe("creating");
  });

  it("needs rds:ModifyDBInstance on the instance", async () => {
    enforce(allow("rds:DescribeDBInstances", "*"));
    expect((await refusal(modify({ MasterUserPassword: "second-password" }))).message).toContain(
      `rds:ModifyDBInstance on resource: arn:aws:rds:eu-west-1:${ACCOUNT}:db:mc-db because`,
    );
    enforce(allow("rds:ModifyDBInstance", `arn:aws:rds:eu-west-1:${ACCOUNT}:db:mc-db`));
    await modify({ MasterUserPassword: "second-password" });
  });
});
