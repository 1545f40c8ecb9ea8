import {
  CreateDBInstanceCommand,
  type CreateDBInstanceCommandInput,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DescribeDBEngineVersionsCommand,
  DescribeDBInstancesCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  RDSClient,
  RDSServiceException,
} from "@aws-sdk/client-rds";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { seedEmptyAccount } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
let sim: SimulatedAws;
let rds: RDSClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  rds = new RDSClient({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const mcDatabase = (overrides: Partial<CreateDBInstanceCommandInput> = {}): CreateDBInstanceCommandInput => ({
  DBInstanceIdentifier: "mc-db",
  DBInstanceClass: "db.t3.small",
  Engine: "mysql",
  EngineVersion: "8.0.39",
  AllocatedStorage: 20,
  MasterUsername: "mc",
  MasterUserPassword: "s3cret-Passw0rd",
  DBName: "mc",
  PubliclyAccessible: false,
  StorageEncrypted: true,
  BackupRetentionPeriod: 7,
  ...overrides,
});

const describe1 = async (id = "mc-db") =>
  (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to fail"),
    (e: unknown) => e,
  );

describe("RDS CreateDBInstance lifecycle", () => {
  it("goes creating → backing-up → available; the endpoint appears when creating ends, before available", async () => {
    const account = seedEmptyAccount(sim);
    const { DBInstance } = await rds.send(new CreateDBInstanceCommand(mcDatabase()));
    expect(DBInstance).toMatchObject({
      DBInstanceIdentifier: "mc-db",
      DBInstanceStatus: "creating",
      Engine: "mysql",
      EngineVersion: "8.0.39",
      DBInstanceClass: "db.t3.small",
      MasterUsername: "mc",
      DBName: "mc",
      AllocatedStorage: 20,
      StorageEncrypted: true,
      PubliclyAccessible: false,
      BackupRetentionPeriod: 7,
      PendingModifiedValues: { MasterUserPassword: "****" },
      VpcSecurityGroups: [{ VpcSecurityGroupId: account.defaultSecurityGroupId, Status: "active" }],
      DBSubnetGroup: { DBSubnetGroupName: "default", VpcId: account.vpcId, SubnetGroupStatus: "Complete" },
      DBInstanceArn: "arn:aws:rds:eu-west-1:123456789012:db:mc-db",
    });
    expect(DBInstance?.Endpoint).toBeUndefined();
    expect(DBInstance?.DBSubnetGroup?.Subnets).toHaveLength(3);
    expect(JSON.stringify(DBInstance)).not.toContain("s3cret-Passw0rd");
    expect(sim.rds.createInput("mc-db")?.MasterUserPassword).toBe("s3cret-Passw0rd");

    await vi.advanceTimersByTimeAsync(8 * 60_000 - 1);
    expect((await describe1())?.DBInstanceStatus).toBe("creating");
    await vi.advanceTimersByTimeAsync(1);
    const backingUp = await describe1();
    expect(backingUp).toMatchObject({
      DBInstanceStatus: "backing-up",
      InstanceCreateTime: new Date(T0 + 8 * 60_000),
      AvailabilityZone: "eu-west-1a",
      PendingModifiedValues: {},
    });
    // RDS: "The endpoint might not be shown for instances with the status of creating" — once the
    // instance exists it has its endpoint, while still backing up and not yet available.
    expect(backingUp?.Endpoint).toEqual({
      Address: expect.stringMatching(/^mc-db\.[a-z]{12}\.eu-west-1\.rds\.amazonaws\.com$/),
      Port: 3306,
      HostedZoneId: expect.any(String),
    });
    await vi.advanceTimersByTimeAsync(2 * 60_000 - 1);
    expect((await describe1())?.DBInstanceStatus).toBe("backing-up");
    await vi.advanceTimersByTimeAsync(1);
    const available = await describe1();
    expect(available?.DBInstanceStatus).toBe("available");
    expect(available?.Endpoint).toEqual(backingUp?.Endpoint);
  });

  it("has no endpoint while creating, also for an instance added in that status", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "new", status: "creating", Port: 3307 });
    expect((await describe1("new"))?.Endpoint).toBeUndefined();
    await vi.advanceTimersByTimeAsync(8 * 60_000);
    expect(await describe1("new")).toMatchObject({
      DBInstanceStatus: "backing-up",
      Endpoint: { Port: 3307, Address: expect.stringMatching(/^new\./) },
    });
  });

  it("follows configured timings, skips backing-up without backups and stores identifiers in lowercase", async () => {
    sim.rds.setTimings({ creatingMs: 60_000 });
    await rds.send(
      new CreateDBInstanceCommand(mcDatabase({ DBInstanceIdentifier: "MC-DB", BackupRetentionPeriod: 0 })),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await describe1("Mc-Db")).toMatchObject({
      DBInstanceIdentifier: "mc-db",
      DBInstanceStatus: "available",
    });
  });

  it("lets tests add instances in any status, and continues the lifecycle from creating", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "old", status: "stopped" });
    sim.rds.addInstance({ DBInstanceIdentifier: "new", status: "creating" });
    sim.rds.addInstance({ DBInstanceIdentifier: "pg", Engine: "postgres" });
    expect((await describe1("old"))?.DBInstanceStatus).toBe("stopped");
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect((await describe1("new"))?.DBInstanceStatus).toBe("available");
  });
});

describe("RDS CreateDBInstance errors", () => {
  it("DBInstanceAlreadyExistsFault for a taken identifier", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db" });
    const error = await fail(rds.send(new CreateDBInstanceCommand(mcDatabase())));
    expect(error).toBeInstanceOf(DBInstanceAlreadyExistsFault);
    expect(error).toMatchObject({
      name: "DBInstanceAlreadyExistsFault",
      Code: "DBInstanceAlreadyExists",
      Type: "Sender",
      message: "DB instance already exists",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("InvalidParameterCombination when the class is not offered for the version, or the version does not exist", async () => {
    const error = await fail(
      rds.send(new CreateDBInstanceCommand(mcDatabase({ DBInstanceClass: "db.t2.small" }))),
    );
    expect(error).toBeInstanceOf(RDSServiceException);
    expect(error).toMatchObject({
      name: "InvalidParameterCombination",
      Code: "InvalidParameterCombination",
      message:
        "RDS does not support creating a DB instance with the following combination: DBInstanceClass=db.t2.small, " +
        "Engine=mysql, EngineVersion=8.0.39, LicenseModel=general-public-license. For supported combinations of " +
        "instance class and database engine version, see the documentation.",
    });
    await expect(
      rds.send(
        new CreateDBInstanceCommand(mcDatabase({ DBInstanceClass: "db.t2.small", EngineVersion: "5.7.44" })),
      ),
    ).resolves.toBeDefined();
    await expect(
      rds.send(
        new CreateDBInstanceCommand(mcDatabase({ DBInstanceIdentifier: "x", EngineVersion: "8.0.27" })),
      ),
    ).rejects.toMatchObject({
      name: "InvalidParameterCombination",
      message: "Cannot find version 8.0.27 for mysql",
    });
  });

  it("InvalidParameterValue for passwords RDS refuses, identifiers and engines", async () => {
    const create = (overrides: Partial<CreateDBInstanceCommandInput>) =>
      rds.send(new CreateDBInstanceCommand(mcDatabase(overrides)));
    const cases: Array<[Partial<CreateDBInstanceCommandInput>, string]> = [
      [{ MasterUserPassword: "short" }, "because it is shorter than 8 characters."],
      [{ MasterUserPassword: "x".repeat(42) }, "because it is longer than 41 characters."],
      [
        { MasterUserPassword: "pass word!" },
        "Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.",
      ],
      [{ MasterUserPassword: "p@ssword1" }, "Only printable ASCII characters besides"],
      [{ MasterUserPassword: 'pass"word1' }, "Only printable ASCII characters besides"],
      [{ MasterUserPassword: "pass/word1" }, "Only printable ASCII characters besides"],
      [{ MasterUserPassword: "pässword1" }, "Only printable ASCII characters besides"],
      [
        { MasterUserPassword: undefined },
        "The parameter MasterUserPassword must be provided and must not be blank.",
      ],
      [{ DBInstanceIdentifier: "1mc" }, "The parameter DBInstanceIdentifier is not a valid identifier."],
      [{ DBInstanceIdentifier: "mc--db" }, "The parameter DBInstanceIdentifier is not a valid identifier."],
      [{ Engine: "mysqlx" }, "Invalid DB engine"],
    ];
    for (const [overrides, message] of cases) {
      const error = await fail(create(overrides));
      expect(error, JSON.stringify(overrides)).toMatchObject({
        name: "InvalidParameterValue",
        $metadata: { httpStatusCode: 400 },
      });
      expect((error as Error).message).toContain(message);
    }
    await expect(create({ MasterUserPassword: "~!#$%^&*()_+=-`{}[]|\\:;'<>,.?12" })).resolves.toBeDefined();
    expect(sim.rds.instances()).toHaveLength(1);
  });

  it("checks the security groups against EC2", async () => {
    seedEmptyAccount(sim);
    await expect(
      rds.send(new CreateDBInstanceCommand(mcDatabase({ VpcSecurityGroupIds: ["sg-0123456789abcdef0"] }))),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: "Invalid security group , groupId= sg-0123456789abcdef0, groupName=.",
    });
  });
});

describe("RDS DescribeDBInstances", () => {
  it("fails with DBInstanceNotFoundFault for an unknown identifier and lists everything without one", async () => {
    const error = await fail(describe1("nope"));
    expect(error).toBeInstanceOf(DBInstanceNotFoundFault);
    expect(error).toMatchObject({
      name: "DBInstanceNotFoundFault",
      Code: "DBInstanceNotFound",
      message: "DBInstance nope not found.",
      $metadata: { httpStatusCode: 404 },
    });
    sim.rds.addInstance({ DBInstanceIdentifier: "a" });
    sim.rds.addInstance({ DBInstanceIdentifier: "b", Engine: "postgres" });
    const all = await rds.send(new DescribeDBInstancesCommand({}));
    expect(all.DBInstances?.map((db) => db.DBInstanceIdentifier)).toEqual(["a", "b"]);
    const mysql = await rds.send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: "engine", Values: ["mysql"] }] }),
    );
    expect(mysql.DBInstances?.map((db) => db.DBInstanceIdentifier)).toEqual(["a"]);
    const byArn = await describe1("arn:aws:rds:eu-west-1:123456789012:db:b");
    expect(byArn?.Engine).toBe("postgres");
  });

  it("paginates with MaxRecords and Marker", async () => {
    for (let i = 0; i < 25; i++) sim.rds.addInstance({ DBInstanceIdentifier: `db-${i}` });
    const first = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20 }));
    expect(first.DBInstances).toHaveLength(20);
    const second = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 20, Marker: first.Marker }));
    expect(second.DBInstances).toHaveLength(5);
    expect(second.Marker).toBeUndefined();
  });
});

describe("RDS engine versions and orderable options", () => {
  it("lists the configured MySQL versions and marks one default", async () => {
    const { DBEngineVersions = [] } = await rds.send(
      new DescribeDBEngineVersionsCommand({ Engine: "mysql" }),
    );
    expect(DBEngineVersions.map((v) => v.EngineVersion)).toEqual(["5.7.44", "8.0.35", "8.0.39", "8.4.3"]);
    expect(DBEngineVersions[0]).toMatchObject({
      Engine: "mysql",
      DBParameterGroupFamily: "mysql5.7",
      Status: "available",
    });
    const defaults = await rds.send(
      new DescribeDBEngineVersionsCommand({ Engine: "mysql", DefaultOnly: true }),
    );
    expect(defaults.DBEngineVersions?.map((v) => v.EngineVersion)).toEqual(["8.0.39"]);
    const family = await rds.send(
      new DescribeDBEngineVersionsCommand({ Engine: "mysql", EngineVersion: "8.0" }),
    );
    expect(family.DBEngineVersions?.map((v) => v.EngineVersion)).toEqual(["8.0.35", "8.0.39"]);

    sim.rds.setEngineVersions(["8.0.35", "8.0.40"]);
    const noFive = await rds.send(new DescribeDBEngineVersionsCommand({ Engine: "mysql" }));
    expect(noFive.DBEngineVersions?.map((v) => v.EngineVersion)).toEqual(["8.0.35", "8.0.40"]);
    await expect(
      rds.send(
        new CreateDBInstanceCommand(mcDatabase({ DBInstanceClass: "db.t2.small", EngineVersion: "5.7.44" })),
      ),
    ).rejects.toMatchObject({ message: "Cannot find version 5.7.44 for mysql" });
    // Without EngineVersion RDS picks the default version.
    const { DBInstance } = await rds.send(
      new CreateDBInstanceCommand(mcDatabase({ EngineVersion: undefined })),
    );
    expect(DBInstance?.EngineVersion).toBe("8.0.40");
  });

  it("lists orderable classes per version, one option per storage type, paginated", async () => {
    const classes = async (EngineVersion: string) => {
      const found = new Set<string>();
      let Marker: string | undefined;
      do {
        const page = await rds.send(
          new DescribeOrderableDBInstanceOptionsCommand({
            Engine: "mysql",
            EngineVersion,
            MaxRecords: 20,
            Marker,
          }),
        );
        for (const option of page.OrderableDBInstanceOptions ?? []) found.add(option.DBInstanceClass ?? "");
        Marker = page.Marker;
      } while (Marker);
      return [...found];
    };
    expect(await classes("5.7.44")).toEqual(["db.t2.small", "db.t3.small", "db.t3.medium", "db.m5.large"]);
    expect(await classes("8.0.39")).toEqual(["db.t3.small", "db.t3.medium", "db.m5.large"]);
    const one = await rds.send(
      new DescribeOrderableDBInstanceOptionsCommand({
        Engine: "mysql",
        EngineVersion: "8.0.39",
        DBInstanceClass: "db.m5.large",
      }),
    );
    expect(one.OrderableDBInstanceOptions?.map((option) => option.StorageType)).toEqual([
      "gp2",
      "gp3",
      "io1",
      "standard",
    ]);
    expect(one.OrderableDBInstanceOptions?.[0]).toMatchObject({
      Engine: "mysql",
      LicenseModel: "general-public-license",
      Vpc: true,
      MinStorageSize: 20,
    });

    sim.rds.setOrderableOptions([{ engineVersion: "8.0", classes: ["db.m5.large"] }]);
    expect(await classes("8.0.39")).toEqual(["db.m5.large"]);
    expect(await classes("8.4.3")).toEqual([]);
  });

  it("injects RDS faults in the query protocol's shape", async () => {
    sim.faults.inject({
      service: "RDS",
      command: "CreateDBInstance",
      match: (input) => input.DBInstanceIdentifier === "mc-db",
      error: "access-denied",
    });
    const error = await fail(rds.send(new CreateDBInstanceCommand(mcDatabase())));
    expect(error).toMatchObject({
      name: "AccessDenied",
      Code: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
    });
    expect((error as Error).message).toBe(
      "User: arn:aws:iam::123456789012:user/test is not authorized to perform: rds:CreateDBInstance on resource: " +
        "arn:aws:rds:eu-west-1:123456789012:db:mc-db because no identity-based policy allows the rds:CreateDBInstance action",
    );
    expect(sim.rds.instances()).toEqual([]);
    expect(sim.callsOf("CreateDBInstance", "RDS")[0]?.input.MasterUserPassword).toBe("s3cret-Passw0rd");
  });
});
