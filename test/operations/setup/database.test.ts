import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { RDSServiceException } from "@aws-sdk/client-rds";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { DatabaseFacts } from "../../../src/domain/rds-rules.js";
import { McctlError } from "../../../src/errors.js";
import {
  createDatabase,
  createDatabaseSecurityGroup,
  waitForDatabase,
} from "../../../src/operations/setup/database.js";
import { type NewDatabase, planDatabase } from "../../../src/plan/setup/database.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { setupAwsFor, type TestApplyIoOptions, testApplyIo, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws, type SimulatedAwsOptions } from "../../helpers/sim.js";
import { runUntilSettled } from "../../helpers/time.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const MUTATING = /^(Create|Put|Authorize|Delete|Modify|Run|Register|Update)/;
const PASSWORD = "Str0ng-and-l0ng!";
const START = Date.parse("2026-11-25T03:00:00Z");

let sim: SimulatedAws;
let aws: SetupAws;
let defaultGroupId: string;
let vpcId: string;

function start(options: SimulatedAwsOptions = {}) {
  sim?.restore();
  sim = createSimulatedAws(options);
  sim.install();
  ({ vpcId, securityGroupId: defaultGroupId } = sim.ec2.addDefaultVpc());
  aws = setupAwsFor(config);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
  start();
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const apply = (options: TestApplyIoOptions = {}) => testApplyIo({ waitTimeoutMs: 30 * 60_000, ...options });

const mutatingCommands = () =>
  sim.calls.map((call) => call.command).filter((command) => MUTATING.test(command));

/** The security groups named model-catalogue-db, as the simulator holds them. */
const databaseGroups = () =>
  sim.ec2.securityGroups().filter((group) => group.GroupName === "model-catalogue-db");

function databaseGroupId(): string {
  const [group, ...others] = databaseGroups();
  if (!group?.GroupId || others.length > 0) throw new Error("not exactly one model-catalogue-db group");
  return group.GroupId;
}

/** The guide's new instance, as planDatabase plans it in an empty account. */
const GUIDE: Omit<NewDatabase, "securityGroupId"> = {
  identifier: "model-catalogue",
  engineVersion: "5.7.44",
  instanceClass: "db.t2.small",
  storageGiB: 20,
  masterUsername: "mcadmin",
  databaseName: "mc",
};

/** Creates the group and asks RDS for the guide's instance, as applySetup does. */
async function createGuideDatabase(io = apply().io): Promise<DatabaseFacts> {
  const securityGroupId = await createDatabaseSecurityGroup(io, aws, vpcId);
  return createDatabase(io, aws, { ...GUIDE, securityGroupId }, PASSWORD);
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("createDatabaseSecurityGroup and createDatabase", () => {
  it("creates exactly one MySQL instance as planned: encrypted, private, 7 days of backups, tagged, in its own group", async () => {
    const plan = await planDatabase(testPlanIo({ env: { METADATA_PASSWORD: PASSWORD } }).io, aws);
    if (plan.database.action !== "create") throw new Error("expected a new instance");
    const { io, captured, saved } = apply();

    const securityGroupId = await createDatabaseSecurityGroup(io, aws, plan.database.vpcId);
    const database = await createDatabase(io, aws, { ...plan.database, securityGroupId }, plan.password);

    const groupId = databaseGroupId();
    expect(securityGroupId).toBe(groupId);
    expect(database).toEqual({
      identifier: "model-catalogue",
      created: true,
      status: "creating",
      endpoint: undefined,
      masterUsername: "mcadmin",
      databaseName: "mc",
      securityGroupIds: [groupId],
      engineVersion: "5.7.44",
    });
    const creates = sim.callsOf("CreateDBInstance");
    expect(creates).toHaveLength(1);
    expect(creates[0]?.input).toEqual({
      DBInstanceIdentifier: "model-catalogue",
      DBInstanceClass: "db.t2.small",
      Engine: "mysql",
      EngineVersion: "5.7.44",
      AllocatedStorage: 20,
      MasterUsername: "mcadmin",
      MasterUserPassword: PASSWORD,
      DBName: "mc",
      VpcSecurityGroupIds: [groupId],
      PubliclyAccessible: false,
      StorageEncrypted: true,
      BackupRetentionPeriod: 7,
      CopyTagsToSnapshot: true,
      Tags: [{ Key: "managed-by", Value: "mcctl" }],
    });
    // One line per resource, saying what was done; the password nowhere.
    expect(captured.stderr()).toBe(
      `✔ Created security group model-catalogue-db (${groupId}) in ${vpcId}\n` +
        "✔ Asked RDS for MySQL instance model-catalogue (status creating; available in 5–15 minutes)\n",
    );
    expect(captured.all()).not.toContain(PASSWORD);
    // The instance's answers are in mcctl.json since the confirmation: no save here, and never a password.
    expect(saved).toEqual([]);
  });

  it("gives a new instance its own security group in the default VPC, never the shared default group", async () => {
    await createGuideDatabase();

    expect(sim.callsOf("CreateSecurityGroup")).toHaveLength(1);
    expect(sim.callsOf("CreateSecurityGroup")[0]?.input).toEqual({
      GroupName: "model-catalogue-db",
      Description: "Model Catalogue MySQL, managed by mcctl",
      VpcId: vpcId,
      TagSpecifications: [
        {
          ResourceType: "security-group",
          Tags: [
            { Key: "managed-by", Value: "mcctl" },
            { Key: "Name", Value: "model-catalogue-db" },
          ],
        },
      ],
    });
    const [group] = databaseGroups();
    expect(group).toMatchObject({ VpcId: vpcId, IpPermissions: [] });
    // The group exists before the instance that uses it.
    expect(mutatingCommands()).toEqual(["CreateSecurityGroup", "CreateDBInstance"]);
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([group?.GroupId]);
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).not.toContain(defaultGroupId);
  });

  it("a re-run after the create failed plans with the group it made, and apply creates the instance in it", async () => {
    sim.faults.inject({ service: "RDS", command: "CreateDBInstance", error: "access-denied" });
    await failure(createGuideDatabase());
    const groupId = databaseGroupId();
    expect(sim.rds.instances()).toEqual([]);

    const plan = await planDatabase(
      testPlanIo({
        env: { METADATA_PASSWORD: PASSWORD },
        settings: { setup: { database: { ...GUIDE, create: true } } },
      }).io,
      aws,
    );
    if (plan.database.action !== "create") throw new Error("expected a new instance");
    expect(plan.database.securityGroupId).toBe(groupId);
    const database = await createDatabase(
      apply().io,
      aws,
      { ...plan.database, securityGroupId: groupId },
      plan.password,
    );

    expect(sim.callsOf("CreateSecurityGroup")).toHaveLength(1);
    expect(databaseGroups()).toHaveLength(1);
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([groupId]);
    expect(database.securityGroupIds).toEqual([groupId]);
  });

  it("uses the group when EC2 says it was made meanwhile (InvalidGroup.Duplicate)", async () => {
    // The group is created, but the answer is lost: the SDK's retry would hear "Duplicate".
    sim.faults.inject({
      service: "EC2",
      command: "CreateSecurityGroup",
      applied: true,
      error: new EC2ServiceException({
        name: "InvalidGroup.Duplicate",
        $fault: "client",
        message: "The security group 'model-catalogue-db' already exists for VPC",
        $metadata: { httpStatusCode: 400 },
      }),
    });

    const database = await createGuideDatabase();

    const groupId = databaseGroupId();
    expect(database.securityGroupIds).toEqual([groupId]);
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([groupId]);
  });

  it("passes any other failure to create the group on", async () => {
    sim.faults.inject({ service: "EC2", command: "CreateSecurityGroup", error: "access-denied" });

    const error = await failure(createDatabaseSecurityGroup(apply().io, aws, vpcId));

    expect(error.message).toMatch(/^AWS denied ec2:CreateSecurityGroup/);
    expect(databaseGroups()).toEqual([]);
  });

  it("creates the instance the operator planned on a terminal: the class chosen instead, a generated password never shown", async () => {
    start({ rds: { engineVersions: ["8.0.35", "8.0.39", "8.4.3"] } });
    const { asker } = scriptedAsker(
      {
        "Identifier of the new MySQL instance": undefined,
        "Instance class of the new MySQL instance": undefined,
        "Master user of the new MySQL instance": undefined,
        "Database that RDS creates": undefined,
        "Generate a strong master password": true,
      },
      { "Instance class to use instead": "db.t3.small" },
    );
    const plan = await planDatabase(testPlanIo({ interactive: true, ask: asker }).io, aws);
    if (plan.database.action !== "create") throw new Error("expected a new instance");
    const { io, captured, saved } = apply();

    const securityGroupId = await createDatabaseSecurityGroup(io, aws, plan.database.vpcId);
    const database = await createDatabase(io, aws, { ...plan.database, securityGroupId }, plan.password);

    expect(sim.callsOf("CreateDBInstance")[0]?.input).toMatchObject({
      DBInstanceClass: "db.t3.small",
      EngineVersion: "8.0.39",
    });
    expect(database.created).toBe(true);
    expect(sim.rds.createInput("model-catalogue")?.MasterUserPassword).toBe(plan.password);
    expect(captured.all()).not.toContain(plan.password);
    expect(JSON.stringify(saved)).not.toContain(plan.password);
  });

  it("sends the typed password and the master user the operator planned", async () => {
    const { asker } = scriptedAsker({
      "Identifier of the new MySQL instance": "mc-db",
      "Instance class of the new MySQL instance": undefined,
      "Master user of the new MySQL instance": "catalogue_admin",
      "Database that RDS creates": undefined,
      "Generate a strong master password": false,
      "Master password of the new MySQL instance": "Typed-Passw0rd",
      "The same master password again": "Typed-Passw0rd",
    });
    const plan = await planDatabase(testPlanIo({ interactive: true, ask: asker }).io, aws);
    if (plan.database.action !== "create") throw new Error("expected a new instance");
    const { io, captured } = apply();

    const securityGroupId = await createDatabaseSecurityGroup(io, aws, plan.database.vpcId);
    await createDatabase(io, aws, { ...plan.database, securityGroupId }, plan.password);

    expect(sim.rds.createInput("mc-db")).toMatchObject({
      MasterUsername: "catalogue_admin",
      MasterUserPassword: "Typed-Passw0rd",
    });
    expect(captured.all()).not.toContain("Typed-Passw0rd");
  });

  it("shows AWS's message and suggests a current class when RDS refuses the combination", async () => {
    sim.faults.inject({
      service: "RDS",
      command: "CreateDBInstance",
      error: new RDSServiceException({
        name: "InvalidParameterCombination",
        $fault: "client",
        message:
          "RDS does not support creating a DB instance with the following combination: DBInstanceClass=db.t2.small",
        $metadata: { httpStatusCode: 400 },
      }),
    });

    const error = await failure(createGuideDatabase());

    expect(error.message).toBe(
      "RDS refused db.t2.small for MySQL 5.7.44 in eu-west-1: RDS does not support creating a DB instance with the following combination: DBInstanceClass=db.t2.small",
    );
    expect(error.suggestion).toContain("setup.database.instanceClass");
    expect(error.suggestion).toContain("db.t3.small");
    expect(sim.rds.instances()).toEqual([]);
  });

  it("a refusal to create the group is passed on even when a group of that name exists", async () => {
    sim.ec2.createSecurityGroup({
      GroupName: "model-catalogue-db",
      Description: "made by someone else",
      VpcId: vpcId,
    });
    sim.faults.inject({ service: "EC2", command: "CreateSecurityGroup", error: "access-denied" });

    const error = await failure(createDatabaseSecurityGroup(apply().io, aws, vpcId));

    expect(error.message).toMatch(/^AWS denied ec2:CreateSecurityGroup/);
  });

  it.each(["DBInstanceAlreadyExistsFault", "DBInstanceAlreadyExists"])(
    "RDS's %s after a lost answer: the instance is this run's, in the group asked for",
    async (name) => {
      sim.faults.inject({
        service: "RDS",
        command: "CreateDBInstance",
        applied: true,
        error: new RDSServiceException({
          name,
          $fault: "client",
          message: "DB instance already exists",
          $metadata: { httpStatusCode: 400 },
        }),
      });

      const database = await createGuideDatabase();

      expect(database).toMatchObject({ identifier: "model-catalogue", created: true });
      expect(database.securityGroupIds).toEqual([databaseGroupId()]);
      expect(sim.rds.instances()).toHaveLength(1);
    },
  );

  it("any other refusal to create the instance is passed on, without looking for one", async () => {
    sim.faults.inject({ service: "RDS", command: "CreateDBInstance", error: "access-denied" });
    const io = apply().io;
    const securityGroupId = await createDatabaseSecurityGroup(io, aws, vpcId);
    sim.clearCalls();

    const error = await failure(createDatabase(io, aws, { ...GUIDE, securityGroupId }, PASSWORD));

    expect(error.message).toMatch(/^AWS denied rds:CreateDBInstance/);
    expect(sim.callsOf("DescribeDBInstances")).toHaveLength(0);
  });

  it("a create the SDK retried after a lost answer (DBInstanceAlreadyExists) is this run's instance", async () => {
    sim.faults.inject({
      service: "RDS",
      command: "CreateDBInstance",
      applied: true,
      error: new RDSServiceException({
        name: "DBInstanceAlreadyExistsFault",
        $fault: "client",
        message: "DB instance already exists",
        $metadata: { httpStatusCode: 400 },
      }),
    });

    const database = await createGuideDatabase();

    expect(database).toMatchObject({ identifier: "model-catalogue", created: true, status: "creating" });
    expect(sim.rds.instances()).toHaveLength(1);
  });
});

/** What waitForDatabase is given for an instance it did not create in this test. */
function facts(identifier = "model-catalogue"): DatabaseFacts {
  return {
    identifier,
    created: true,
    status: "creating",
    masterUsername: "mcadmin",
    databaseName: "mc",
    securityGroupIds: [],
  };
}

describe("waitForDatabase", () => {
  it("waits with a progress line until the instance is available, then returns its endpoint", async () => {
    const { io, captured } = apply();
    const database = await createGuideDatabase(io);

    const ready = await runUntilSettled(waitForDatabase(io, aws, database));

    expect(ready).toMatchObject({
      identifier: "model-catalogue",
      created: true,
      status: "available",
      databaseName: "mc",
      masterUsername: "mcadmin",
      endpoint: {
        host: expect.stringMatching(/^model-catalogue\..+\.eu-west-1\.rds\.amazonaws\.com$/),
        port: 3306,
      },
    });
    // creating 8 min + first backup 2 min in the simulator.
    expect(Date.now() - START).toBeGreaterThanOrEqual(10 * 60_000);
    const stderr = captured.stderr();
    expect(stderr).toContain("… Waiting for MySQL instance model-catalogue to become available\n");
    expect(stderr).toContain("MySQL instance model-catalogue: creating");
    expect(stderr).toContain("MySQL instance model-catalogue: backing-up");
    expect(stderr).toMatch(/✔ MySQL instance model-catalogue is available at .+:3306 \(10m \d\ds\)\n$/);
    expect(sim.callsOf("CreateDBInstance")).toHaveLength(1);
  });

  it("waits for available even when RDS already shows the endpoint (it does while backing up)", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      status: "creating",
    });
    const findInstance = aws.rds.findInstance;
    const withEarlyEndpoint: SetupAws = {
      ...aws,
      rds: {
        ...aws.rds,
        findInstance: async (identifier) => {
          const instance = await findInstance(identifier);
          return (
            instance && {
              ...instance,
              Endpoint: { Address: "model-catalogue.example.rds.amazonaws.com", Port: 3306 },
            }
          );
        },
      },
    };

    const ready = await runUntilSettled(waitForDatabase(apply().io, withEarlyEndpoint, facts()));

    expect(ready.status).toBe("available");
    expect(Date.now() - START).toBeGreaterThanOrEqual(10 * 60_000);
  });

  it("keeps waiting through throttling", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      status: "creating",
    });
    sim.faults.inject({ service: "RDS", command: "DescribeDBInstances", error: "throttling", times: 3 });
    const { io, captured } = apply();

    const ready = await runUntilSettled(waitForDatabase(io, aws, facts()));

    expect(ready.status).toBe("available");
    expect(sim.callsOf("DescribeDBInstances").filter((call) => call.error).length).toBe(3);
    expect(captured.stderr()).toContain(
      "MySQL instance model-catalogue: creating, AWS did not answer, trying again",
    );
  });

  it("stops at once when the instance fails", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      status: "creating",
    });
    const { io, captured } = apply();
    const waiting = runUntilSettled(waitForDatabase(io, aws, facts()));
    await vi.advanceTimersByTimeAsync(60_000);
    sim.rds.setInstanceStatus("model-catalogue", "incompatible-parameters");

    const error = await failure(waiting);

    expect(error.message).toBe("MySQL instance model-catalogue is incompatible-parameters");
    expect(error.suggestion).toContain("aws rds describe-events");
    expect(Date.now() - START).toBeLessThan(2 * 60_000);
    expect(captured.stderr()).toContain(
      "✖ Waiting for MySQL instance model-catalogue to become available: stopped",
    );
  });

  it("stops at once when the instance is deleted while it waits", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      status: "creating",
    });

    const error = await failure(runUntilSettled(waitForDatabase(apply().io, aws, facts("gone-db"))));

    expect(error.message).toBe("MySQL instance gone-db no longer exists");
    expect(error.suggestion).toBe(
      "Someone deleted it while mcctl was waiting: run `mcctl setup` again to create it anew.",
    );
    expect(Date.now() - START).toBeLessThan(60_000);
  });

  it("gives up after the timeout and says a later run picks the instance up", async () => {
    start({ rds: { timings: { creatingMs: 60 * 60_000 } } });
    const { io } = apply({ waitTimeoutMs: 5 * 60_000 });
    const database = await createGuideDatabase(io);

    const error = await failure(runUntilSettled(waitForDatabase(io, aws, database)));

    expect(error.message).toBe(
      "timed out after 5m 00s waiting for MySQL instance model-catalogue (status creating)",
    );
    expect(error.suggestion).toBe(
      "RDS is still creating it; run `mcctl setup` again later (it picks it up).",
    );
    expect(Date.now() - START).toBeGreaterThanOrEqual(5 * 60_000 - 5_000);
    expect(Date.now() - START).toBeLessThan(6 * 60_000);
  });
});
