import {
  CreateDBInstanceCommand,
  type CreateDBInstanceCommandInput,
  CreateDBSnapshotCommand,
  DBInstanceNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
  DeleteDBInstanceCommand,
  type DeleteDBInstanceCommandInput,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type DescribeDBSnapshotsCommandInput,
  InvalidDBInstanceStateFault,
  InvalidDBSnapshotStateFault,
  RDSClient,
  RDSServiceException,
} from "@aws-sdk/client-rds";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AddDbInstanceOptions, createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { seedEmptyAccount } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const MINUTE = 60_000;
let sim: SimulatedAws;
let rds: RDSClient;
let vpcId: string;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  vpcId = seedEmptyAccount(sim).vpcId;
  rds = new RDSClient({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

/** An "available" MySQL instance like the one mcctl creates (it has its automated snapshot from T0 already). */
const addMcDatabase = (overrides: Partial<AddDbInstanceOptions> = {}) =>
  sim.rds.addInstance({
    DBInstanceIdentifier: "mc-db",
    EngineVersion: "8.0.39",
    AllocatedStorage: 20,
    MasterUsername: "mc",
    StorageEncrypted: true,
    BackupRetentionPeriod: 7,
    ...overrides,
  });

const createSnapshot = (DBSnapshotIdentifier = "mc-snap", DBInstanceIdentifier = "mc-db") =>
  rds.send(
    new CreateDBSnapshotCommand({
      DBSnapshotIdentifier,
      DBInstanceIdentifier,
      Tags: [{ Key: "purpose", Value: "before-upgrade" }],
    }),
  );

const snapshotsOf = async (input: DescribeDBSnapshotsCommandInput) =>
  (await rds.send(new DescribeDBSnapshotsCommand(input))).DBSnapshots ?? [];

const describeSnapshot = async (DBSnapshotIdentifier = "mc-snap") =>
  (await snapshotsOf({ DBSnapshotIdentifier }))[0];

const instanceStatus = async (DBInstanceIdentifier = "mc-db") =>
  (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier }))).DBInstances?.[0]
    ?.DBInstanceStatus;

const deleteInstance = (input: Partial<DeleteDBInstanceCommandInput> = {}) =>
  rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "mc-db", ...input }));

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to fail"),
    (e: unknown) => e,
  );

describe("RDS CreateDBSnapshot", () => {
  it("takes a manual snapshot: creating with a linear PercentProgress, the instance backing-up, then both available", async () => {
    const { DbiResourceId } = addMcDatabase();
    await vi.advanceTimersByTimeAsync(MINUTE);
    const { DBSnapshot } = await createSnapshot("MC-Snap");
    expect(DBSnapshot).toEqual({
      DBSnapshotIdentifier: "mc-snap",
      DBInstanceIdentifier: "mc-db",
      Engine: "mysql",
      AllocatedStorage: 20,
      Status: "creating",
      Port: 3306,
      AvailabilityZone: "eu-west-1a",
      VpcId: vpcId,
      InstanceCreateTime: new Date(T0),
      MasterUsername: "mc",
      EngineVersion: "8.0.39",
      LicenseModel: "general-public-license",
      SnapshotType: "manual",
      OptionGroupName: "default:mysql-8-0",
      PercentProgress: 0,
      StorageType: "gp2",
      Encrypted: true,
      KmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/aws-rds-default",
      DBSnapshotArn: "arn:aws:rds:eu-west-1:123456789012:snapshot:mc-snap",
      IAMDatabaseAuthenticationEnabled: false,
      ProcessorFeatures: [],
      DbiResourceId,
      TagList: [{ Key: "purpose", Value: "before-upgrade" }],
      SnapshotTarget: "region",
      StorageThroughput: 0,
      DedicatedLogVolume: false,
      MultiTenant: false,
    });
    expect(await instanceStatus()).toBe("backing-up");

    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(await describeSnapshot()).toMatchObject({ Status: "creating", PercentProgress: 25 });
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(await describeSnapshot()).toMatchObject({ Status: "creating", PercentProgress: 75 });
    await vi.advanceTimersByTimeAsync(MINUTE - 1);
    const almost = await describeSnapshot();
    expect([almost?.Status, almost?.PercentProgress, almost?.SnapshotCreateTime]).toEqual([
      "creating",
      99,
      undefined,
    ]);
    expect(await instanceStatus()).toBe("backing-up");

    await vi.advanceTimersByTimeAsync(1);
    expect(await describeSnapshot()).toEqual({
      ...DBSnapshot,
      Status: "available",
      PercentProgress: 100,
      SnapshotCreateTime: new Date(T0 + MINUTE),
      OriginalSnapshotCreateTime: new Date(T0 + MINUTE),
    });
    expect(await instanceStatus()).toBe("available");
    expect(sim.rds.snapshot("MC-SNAP")?.Status).toBe("available");
  });

  it("follows the snapshot timing given to createSimulatedAws or setTimings", async () => {
    sim.restore();
    sim = createSimulatedAws({ rds: { timings: { snapshotMs: MINUTE } } });
    sim.install();
    addMcDatabase();
    await createSnapshot();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sim.rds.snapshot("mc-snap")?.PercentProgress).toBe(50);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sim.rds.snapshot("mc-snap")?.Status).toBe("available");

    sim.rds.setTimings({ snapshotMs: 10_000 });
    await createSnapshot("second");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sim.rds.snapshot("second")?.Status).toBe("available");
    expect(sim.rds.timings).toEqual({
      creatingMs: 8 * MINUTE,
      backingUpMs: 2 * MINUTE,
      snapshotMs: 10_000,
      deletingMs: 5 * MINUTE,
      restoringMs: 8 * MINUTE,
      resettingMs: MINUTE,
    });
  });

  it("refuses identifiers RDS refuses, with RDS's three wordings", async () => {
    addMcDatabase();
    const invalid =
      "The parameter DBSnapshotIdentifier is not a valid identifier. Identifiers must begin with a letter; must " +
      "contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive " +
      "hyphens.";
    const cases: Array<[string, string]> = [
      ["", "The parameter DBSnapshotIdentifier must be provided and must not be blank."],
      ["1snap", "Invalid snapshot identifier:  1snap"],
      ["-snap", "Invalid snapshot identifier:  -snap"],
      ["mc--snap", invalid],
      ["mc-snap-", invalid],
      ["mc_snap", invalid],
      ["a".repeat(256), invalid],
    ];
    for (const [identifier, message] of cases) {
      const error = await fail(createSnapshot(identifier));
      expect(error, identifier).toBeInstanceOf(RDSServiceException);
      expect(error, identifier).toMatchObject({
        name: "InvalidParameterValue",
        Code: "InvalidParameterValue",
        Type: "Sender",
        message,
        $metadata: { httpStatusCode: 400 },
      });
    }
    expect(sim.rds.snapshots({ SnapshotType: "manual" })).toEqual([]);
    expect((await createSnapshot("a".repeat(255))).DBSnapshot?.DBSnapshotIdentifier).toBe("a".repeat(255));
  });

  it("fails with DBSnapshotAlreadyExistsFault for a taken identifier, in any case", async () => {
    addMcDatabase();
    await createSnapshot("mc-snap");
    await vi.advanceTimersByTimeAsync(4 * MINUTE);
    const error = await fail(createSnapshot("MC-SNAP"));
    expect(error).toBeInstanceOf(DBSnapshotAlreadyExistsFault);
    expect(error).toMatchObject({
      name: "DBSnapshotAlreadyExistsFault",
      Code: "DBSnapshotAlreadyExists",
      Type: "Sender",
      message: "Cannot create the snapshot because a snapshot with the identifier mc-snap already exists.",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("fails with DBInstanceNotFoundFault for an unknown instance", async () => {
    const error = await fail(createSnapshot("mc-snap", "nope"));
    expect(error).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(error).toMatchObject({
      name: "DBInstanceNotFoundFault",
      Code: "DBInstanceNotFound",
      message: "DBInstance nope not found.",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("fails with InvalidDBInstanceStateFault while the instance is creating or already backing up", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "new", status: "creating" });
    addMcDatabase();
    const creating = await fail(createSnapshot("first", "new"));
    expect(creating).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(creating).toMatchObject({
      name: "InvalidDBInstanceStateFault",
      Code: "InvalidDBInstanceState",
      Type: "Sender",
      message:
        "Cannot create a snapshot because the database instance new is not currently in the available state.",
      $metadata: { httpStatusCode: 400 },
    });
    await createSnapshot("first");
    const busy = await fail(createSnapshot("second", "MC-DB"));
    expect(busy).toMatchObject({
      name: "InvalidDBInstanceStateFault",
      message:
        "Cannot create a snapshot because the database instance mc-db is not currently in the available state.",
    });
    await vi.advanceTimersByTimeAsync(4 * MINUTE);
    expect((await createSnapshot("second")).DBSnapshot?.Status).toBe("creating");
  });

  it("names the snapshot in access-denied faults and logs the call with its typed input", async () => {
    addMcDatabase();
    sim.faults.inject({ service: "RDS", command: "CreateDBSnapshot", error: "access-denied" });
    const error = await fail(createSnapshot("MC-SNAP"));
    expect(error).toMatchObject({
      name: "AccessDenied",
      Code: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
    });
    expect((error as Error).message).toBe(
      "User: arn:aws:iam::123456789012:user/test is not authorized to perform: rds:CreateDBSnapshot on resource: " +
        "arn:aws:rds:eu-west-1:123456789012:snapshot:mc-snap because no identity-based policy allows the " +
        "rds:CreateDBSnapshot action",
    );
    expect(sim.callsOf("CreateDBSnapshot", "RDS")[0]?.input.DBSnapshotIdentifier).toBe("MC-SNAP");
    expect(sim.rds.snapshots({ SnapshotType: "manual" })).toEqual([]);
  });
});

describe("RDS automated snapshots", () => {
  const mcDatabase = (
    overrides: Partial<CreateDBInstanceCommandInput> = {},
  ): CreateDBInstanceCommandInput => ({
    DBInstanceIdentifier: "mc-db",
    DBInstanceClass: "db.t3.small",
    Engine: "mysql",
    AllocatedStorage: 20,
    MasterUsername: "mc",
    MasterUserPassword: "s3cret-Passw0rd",
    BackupRetentionPeriod: 7,
    ...overrides,
  });

  it("takes one while the new instance is first backing-up, named rds:<instance>-<minute it began>", async () => {
    await rds.send(new CreateDBInstanceCommand(mcDatabase()));
    expect(await snapshotsOf({ SnapshotType: "automated" })).toEqual([]);
    await vi.advanceTimersByTimeAsync(8 * MINUTE);
    const creating = await snapshotsOf({ DBInstanceIdentifier: "mc-db" });
    expect(
      creating.map((s) => [s.DBSnapshotIdentifier, s.SnapshotType, s.Status, s.PercentProgress]),
    ).toEqual([["rds:mc-db-2025-03-01-09-08", "automated", "creating", 0]]);
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(sim.rds.snapshot("rds:mc-db-2025-03-01-09-08")?.PercentProgress).toBe(50);
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(await instanceStatus()).toBe("available");
    const [automated] = await snapshotsOf({ DBInstanceIdentifier: "mc-db", SnapshotType: "automated" });
    expect(automated).toMatchObject({
      DBSnapshotIdentifier: "rds:mc-db-2025-03-01-09-08",
      DBSnapshotArn: "arn:aws:rds:eu-west-1:123456789012:snapshot:rds:mc-db-2025-03-01-09-08",
      SnapshotType: "automated",
      Status: "available",
      PercentProgress: 100,
      SnapshotCreateTime: new Date(T0 + 8 * MINUTE),
      InstanceCreateTime: new Date(T0 + 8 * MINUTE),
      TagList: [],
    });
    expect(await snapshotsOf({ DBInstanceIdentifier: "mc-db", SnapshotType: "manual" })).toEqual([]);
  });

  it("takes none without backups (BackupRetentionPeriod 0)", async () => {
    await rds.send(new CreateDBInstanceCommand(mcDatabase({ BackupRetentionPeriod: 0 })));
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(await instanceStatus()).toBe("available");
    expect(await snapshotsOf({})).toEqual([]);
  });

  it("are described by identifier only with SnapshotType automated, as the API reference requires", async () => {
    addMcDatabase();
    const error = await fail(describeSnapshot("rds:mc-db-2025-03-01-09-00"));
    expect(error).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect(error).toMatchObject({
      name: "DBSnapshotNotFoundFault",
      Code: "DBSnapshotNotFound",
      message: "DBSnapshot rds:mc-db-2025-03-01-09-00 not found.",
      $metadata: { httpStatusCode: 404 },
    });
    const found = await snapshotsOf({
      DBSnapshotIdentifier: "rds:mc-db-2025-03-01-09-00",
      SnapshotType: "automated",
    });
    expect(found.map((s) => [s.DBSnapshotIdentifier, s.Status])).toEqual([
      ["rds:mc-db-2025-03-01-09-00", "available"],
    ]);
  });

  it("cannot be deleted with DeleteDBSnapshot", async () => {
    addMcDatabase();
    const error = await fail(
      rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "rds:mc-db-2025-03-01-09-00" })),
    );
    expect(error).toBeInstanceOf(InvalidDBSnapshotStateFault);
    expect(error).toMatchObject({
      name: "InvalidDBSnapshotStateFault",
      Code: "InvalidDBSnapshotState",
      message: "automated snapshots cannot be deleted",
      $metadata: { httpStatusCode: 400 },
    });
    expect(sim.rds.snapshots().map((s) => s.DBSnapshotIdentifier)).toEqual(["rds:mc-db-2025-03-01-09-00"]);
  });
});

describe("RDS DescribeDBSnapshots", () => {
  it("fails with DBSnapshotNotFoundFault for an unknown identifier, also given as an ARN", async () => {
    for (const identifier of ["nope", "arn:aws:rds:eu-west-1:123456789012:snapshot:nope"]) {
      const error = await fail(describeSnapshot(identifier));
      expect(error).toBeInstanceOf(DBSnapshotNotFoundFault);
      expect((error as Error).message).toBe(`DBSnapshot ${identifier} not found.`);
    }
    addMcDatabase();
    await createSnapshot();
    const byArn = await describeSnapshot("arn:aws:rds:eu-west-1:123456789012:snapshot:MC-SNAP");
    expect(byArn?.DBSnapshotIdentifier).toBe("mc-snap");
  });

  it("selects by instance (identifier or ARN), type, engine filter, and lists every type without one", async () => {
    addMcDatabase();
    addMcDatabase({ DBInstanceIdentifier: "other", BackupRetentionPeriod: 0 });
    await createSnapshot("mc-snap");
    await createSnapshot("other-snap", "other");
    const ids = async (input: DescribeDBSnapshotsCommandInput) =>
      (await snapshotsOf(input)).map((s) => s.DBSnapshotIdentifier);
    expect(await ids({})).toEqual(["rds:mc-db-2025-03-01-09-00", "mc-snap", "other-snap"]);
    expect(await ids({ DBInstanceIdentifier: "MC-DB" })).toEqual(["rds:mc-db-2025-03-01-09-00", "mc-snap"]);
    expect(await ids({ DBInstanceIdentifier: "arn:aws:rds:eu-west-1:123456789012:db:other" })).toEqual([
      "other-snap",
    ]);
    expect(await ids({ SnapshotType: "manual" })).toEqual(["mc-snap", "other-snap"]);
    expect(await ids({ SnapshotType: "shared" })).toEqual([]);
    expect(await ids({ DBInstanceIdentifier: "nope" })).toEqual([]);
    expect(
      await ids({
        Filters: [
          { Name: "db-instance-id", Values: ["mc-db"] },
          { Name: "snapshot-type", Values: ["manual"] },
          { Name: "engine", Values: ["mysql"] },
        ],
      }),
    ).toEqual(["mc-snap"]);
    await expect(
      rds.send(
        new DescribeDBSnapshotsCommand({ Filters: [{ Name: "snapshot-create-time", Values: ["x"] }] }),
      ),
    ).rejects.toThrow(
      'simulated RDS does not implement the DescribeDBSnapshots filter "snapshot-create-time"',
    );
  });

  it("pages with MaxRecords (20 to 100, default 100) and Marker", async () => {
    addMcDatabase({ BackupRetentionPeriod: 0 });
    for (let i = 0; i < 105; i++) {
      sim.rds.addSnapshot({ DBSnapshotIdentifier: `snap-${i}`, DBInstanceIdentifier: "mc-db" });
    }
    const first = await rds.send(new DescribeDBSnapshotsCommand({}));
    expect([first.DBSnapshots?.length, first.DBSnapshots?.[0]?.DBSnapshotIdentifier]).toEqual([
      100,
      "snap-0",
    ]);
    const rest = await rds.send(new DescribeDBSnapshotsCommand({ Marker: first.Marker }));
    expect(rest.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual([
      "snap-100",
      "snap-101",
      "snap-102",
      "snap-103",
      "snap-104",
    ]);
    expect(rest.Marker).toBeUndefined();
    const small = await rds.send(new DescribeDBSnapshotsCommand({ MaxRecords: 20 }));
    expect(small.DBSnapshots?.length).toBe(20);
    for (const MaxRecords of [19, 101]) {
      const error = await fail(rds.send(new DescribeDBSnapshotsCommand({ MaxRecords })));
      expect(error).toMatchObject({
        name: "InvalidParameterValue",
        Code: "InvalidParameterValue",
        message: `Invalid value ${MaxRecords} for MaxRecords. Must be between 20 and 100`,
        $metadata: { httpStatusCode: 400 },
      });
    }
  });
});

describe("RDS DeleteDBSnapshot", () => {
  it("deletes an available manual snapshot and answers it with status deleted", async () => {
    addMcDatabase();
    await createSnapshot();
    await vi.advanceTimersByTimeAsync(4 * MINUTE);
    const { DBSnapshot } = await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "MC-SNAP" }));
    expect([DBSnapshot?.DBSnapshotIdentifier, DBSnapshot?.Status, DBSnapshot?.SnapshotType]).toEqual([
      "mc-snap",
      "deleted",
      "manual",
    ]);
    expect(sim.rds.snapshot("mc-snap")).toBeUndefined();
    const error = await fail(rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "mc-snap" })));
    expect(error).toBeInstanceOf(DBSnapshotNotFoundFault);
    expect(error).toMatchObject({
      Code: "DBSnapshotNotFound",
      message: "DBSnapshot mc-snap not found.",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("fails with InvalidDBSnapshotStateFault while the snapshot is creating", async () => {
    addMcDatabase();
    await createSnapshot();
    const error = await fail(rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "mc-snap" })));
    expect(error).toBeInstanceOf(InvalidDBSnapshotStateFault);
    expect(error).toMatchObject({
      Code: "InvalidDBSnapshotState",
      message: "Cannot delete the snapshot because it is not currently in the available or failed state.",
      $metadata: { httpStatusCode: 400 },
    });
    expect(sim.rds.snapshot("mc-snap")?.Status).toBe("creating");
  });
});

describe("RDS snapshot failures for error-path tests", () => {
  it("scriptSnapshotFailure fails the next matching snapshot when it would have completed", async () => {
    addMcDatabase();
    sim.rds.scriptSnapshotFailure({ DBSnapshotIdentifier: "MC-SNAP" });
    await createSnapshot("other");
    await vi.advanceTimersByTimeAsync(4 * MINUTE);
    expect(sim.rds.snapshot("other")?.Status).toBe("available");
    await createSnapshot("mc-snap");
    await vi.advanceTimersByTimeAsync(4 * MINUTE - 1);
    expect(sim.rds.snapshot("mc-snap")?.Status).toBe("creating");
    await vi.advanceTimersByTimeAsync(1);
    const failed = await describeSnapshot();
    expect([failed?.Status, failed?.PercentProgress, failed?.SnapshotCreateTime]).toEqual([
      "failed",
      99,
      undefined,
    ]);
    expect(await instanceStatus()).toBe("available");
    // A failed snapshot can be deleted.
    const { DBSnapshot } = await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "mc-snap" }));
    expect(DBSnapshot?.Status).toBe("deleted");
    // The script was used up.
    await createSnapshot("mc-snap");
    await vi.advanceTimersByTimeAsync(4 * MINUTE);
    expect(sim.rds.snapshot("mc-snap")?.Status).toBe("available");
  });

  it("failSnapshot fails a snapshot at once, where its progress stands, and frees the instance", async () => {
    addMcDatabase();
    await createSnapshot();
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(sim.rds.failSnapshot("mc-snap")).toMatchObject({ Status: "failed", PercentProgress: 50 });
    expect(await instanceStatus()).toBe("available");
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(await describeSnapshot()).toMatchObject({ Status: "failed", PercentProgress: 50 });
    expect(() => sim.rds.failSnapshot("nope")).toThrow("simulated RDS: no DB snapshot nope");
  });

  it("a failed final snapshot leaves the instance available instead of deleted", async () => {
    addMcDatabase();
    sim.rds.scriptSnapshotFailure({ DBInstanceIdentifier: "mc-db", SnapshotType: "manual" });
    await deleteInstance({ FinalDBSnapshotIdentifier: "mc-final" });
    await vi.advanceTimersByTimeAsync(4 * MINUTE);
    expect(sim.rds.snapshot("mc-final")?.Status).toBe("failed");
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(await instanceStatus()).toBe("available");
  });
});

describe("RDS DeleteDBInstance", () => {
  it("takes the final snapshot while deleting, then the instance and its automated snapshots are gone", async () => {
    addMcDatabase({ CopyTagsToSnapshot: true, Tags: [{ Key: "app", Value: "mc" }] });
    const { DBInstance } = await deleteInstance({ FinalDBSnapshotIdentifier: "MC-Final" });
    expect(DBInstance?.DBInstanceStatus).toBe("deleting");
    expect(sim.rds.snapshot("mc-final")).toMatchObject({
      SnapshotType: "manual",
      Status: "creating",
      PercentProgress: 0,
      TagList: [{ Key: "app", Value: "mc" }],
    });
    await vi.advanceTimersByTimeAsync(4 * MINUTE);
    expect(sim.rds.snapshot("mc-final")?.Status).toBe("available");
    expect(await instanceStatus()).toBe("deleting");
    await vi.advanceTimersByTimeAsync(5 * MINUTE - 1);
    expect(await instanceStatus()).toBe("deleting");
    await vi.advanceTimersByTimeAsync(1);
    const error = await fail(instanceStatus());
    expect(error).toMatchObject({ name: "DBInstanceNotFoundFault", message: "DBInstance mc-db not found." });
    expect((await snapshotsOf({ DBInstanceIdentifier: "mc-db" })).map((s) => s.DBSnapshotIdentifier)).toEqual(
      ["mc-final"],
    );
  });

  it("deletes without a snapshot when skipping it, also while creating, and keeps automated backups when asked", async () => {
    sim.rds.setTimings({ deletingMs: MINUTE });
    addMcDatabase();
    sim.rds.addInstance({ DBInstanceIdentifier: "new", status: "creating" });
    await deleteInstance({ SkipFinalSnapshot: true, DeleteAutomatedBackups: false });
    const { DBInstance } = await rds.send(
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: "new", SkipFinalSnapshot: true }),
    );
    expect(DBInstance?.DBInstanceStatus).toBe("deleting");
    // The deleted "creating" instance does not come back when its creation would have ended.
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(sim.rds.instances()).toEqual([]);
    expect(sim.rds.snapshots().map((s) => [s.DBSnapshotIdentifier, s.SnapshotType])).toEqual([
      ["rds:mc-db-2025-03-01-09-00", "automated"],
    ]);
  });

  it("requires FinalDBSnapshotIdentifier unless SkipFinalSnapshot, and refuses both together", async () => {
    addMcDatabase();
    const missing = await fail(deleteInstance());
    expect(missing).toBeInstanceOf(RDSServiceException);
    expect(missing).toMatchObject({
      name: "InvalidParameterCombination",
      Code: "InvalidParameterCombination",
      Type: "Sender",
      message: "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.",
      $metadata: { httpStatusCode: 400 },
    });
    const both = await fail(deleteInstance({ SkipFinalSnapshot: true, FinalDBSnapshotIdentifier: "x" }));
    expect(both).toMatchObject({
      name: "InvalidParameterCombination",
      message: "FinalDBSnapshotIdentifier can not be specified when SkipFinalSnapshot is specified.",
    });
    expect(await instanceStatus()).toBe("available");
  });

  it("checks the final snapshot's identifier as CreateDBSnapshot does, naming FinalDBSnapshotIdentifier", async () => {
    addMcDatabase();
    sim.rds.addSnapshot({ DBSnapshotIdentifier: "taken", DBInstanceIdentifier: "mc-db" });
    const invalid = await fail(deleteInstance({ FinalDBSnapshotIdentifier: "mc--final" }));
    expect(invalid).toMatchObject({
      name: "InvalidParameterValue",
      message:
        "The parameter FinalDBSnapshotIdentifier is not a valid identifier. Identifiers must begin with a letter; " +
        "must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two " +
        "consecutive hyphens.",
    });
    const taken = await fail(deleteInstance({ FinalDBSnapshotIdentifier: "Taken" }));
    expect(taken).toBeInstanceOf(DBSnapshotAlreadyExistsFault);
    expect((taken as Error).message).toBe(
      "Cannot create the snapshot because a snapshot with the identifier taken already exists.",
    );
    expect(await instanceStatus()).toBe("available");
  });

  it("fails with InvalidDBInstanceStateFault when no final snapshot can be taken or it is already deleting", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "new", status: "creating" });
    addMcDatabase();
    const creating = await fail(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "new", FinalDBSnapshotIdentifier: "f" })),
    );
    expect(creating).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect(creating).toMatchObject({
      Code: "InvalidDBInstanceState",
      message: "Instance new is currently creating - a final snapshot cannot be taken.",
      $metadata: { httpStatusCode: 400 },
    });
    sim.rds.setInstanceStatus("mc-db", "modifying");
    const modifying = await fail(deleteInstance({ FinalDBSnapshotIdentifier: "mc-final" }));
    expect(modifying).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect((modifying as Error).message).toBe(
      "Cannot create a snapshot because the database instance mc-db is not currently in the available state.",
    );
    sim.rds.setInstanceStatus("mc-db", "available");
    await createSnapshot();
    const backingUp = await fail(deleteInstance({ FinalDBSnapshotIdentifier: "mc-final" }));
    expect((backingUp as Error).message).toBe(
      "Cannot create a snapshot because the database instance mc-db is not currently in the available state.",
    );
    await deleteInstance({ SkipFinalSnapshot: true });
    const again = await fail(deleteInstance({ SkipFinalSnapshot: true }));
    expect(again).toBeInstanceOf(InvalidDBInstanceStateFault);
    expect((again as Error).message).toBe("Instance mc-db is already being deleted.");
    // The manual snapshot in progress still completes; it outlives its instance.
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    expect(sim.rds.snapshots().map((s) => [s.DBSnapshotIdentifier, s.Status])).toEqual([
      ["mc-snap", "available"],
    ]);
  });

  it("refuses a protected instance and an unknown one", async () => {
    addMcDatabase({ DeletionProtection: true });
    const isProtected = await fail(deleteInstance({ SkipFinalSnapshot: true }));
    expect(isProtected).toMatchObject({
      name: "InvalidParameterCombination",
      message: "Cannot delete protected DB Instance, please disable deletion protection and try again.",
    });
    const unknown = await fail(
      rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "nope", SkipFinalSnapshot: true })),
    );
    expect(unknown).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(unknown).toMatchObject({
      Code: "DBInstanceNotFound",
      message: "DBInstance nope not found.",
      $metadata: { httpStatusCode: 404 },
    });
  });
});
