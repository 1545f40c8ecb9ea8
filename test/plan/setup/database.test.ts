import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { Settings } from "../../../src/config/settings.js";
import { McctlError, MissingInputError, UsageError } from "../../../src/errors.js";
import { type CreateDatabase, type DatabasePlan, planDatabase } from "../../../src/plan/setup/database.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { setupAwsFor, type TestPlanIoOptions, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws, type SimulatedAwsOptions } from "../../helpers/sim.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const MUTATING = /^(Create|Put|Authorize|Delete|Modify|Run|Register|Update)/;
const PASSWORD = "Str0ng-and-l0ng!";

let sim: SimulatedAws;
let aws: SetupAws;
let defaultGroupId: string;
let vpcId: string;

function start(options: SimulatedAwsOptions = {}, { defaultVpc = true } = {}) {
  sim?.restore();
  sim = createSimulatedAws(options);
  sim.install();
  if (defaultVpc) ({ vpcId, securityGroupId: defaultGroupId } = sim.ec2.addDefaultVpc());
  aws = setupAwsFor(config);
}

/** A region whose RDS no longer offers MySQL 5.7 (and so no db.t2 class either). */
const WITHOUT_57: SimulatedAwsOptions = { rds: { engineVersions: ["8.0.35", "8.0.39", "8.4.3"] } };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  start();
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

/** Without a terminal, METADATA_PASSWORD in the environment: how `mcctl setup --yes` runs. */
const yes = (options: TestPlanIoOptions = {}) =>
  testPlanIo({ env: { METADATA_PASSWORD: PASSWORD }, ...options });

const mutatingCalls = () => sim.calls.filter((call) => MUTATING.test(call.command));

/** The security groups named model-catalogue-db, as the simulator holds them. */
const databaseGroups = () =>
  sim.ec2.securityGroups().filter((group) => group.GroupName === "model-catalogue-db");

function created(plan: DatabasePlan): CreateDatabase {
  if (plan.database.action !== "create") throw new Error(`planned ${plan.database.action}, not create`);
  return plan.database;
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

/** mcctl.json after a setup that planned the guide's new instance (see settingsAfterSetup). */
const AFTER_CREATE: Settings = {
  setup: {
    database: {
      identifier: "model-catalogue",
      create: true,
      engineVersion: "5.7.44",
      instanceClass: "db.t2.small",
      storageGiB: 20,
      masterUsername: "mcadmin",
      databaseName: "mc",
    },
  },
};

describe("planDatabase: a new instance", () => {
  it("plans exactly one MySQL 5.7 instance with the guide's class, in a group of its own; creates nothing", async () => {
    const { io, warnings, infos, all } = yes();

    const plan = await planDatabase(io, aws);

    expect(plan.password).toBe(PASSWORD);
    expect(plan.database).toEqual({
      action: "create",
      identifier: "model-catalogue",
      engineVersion: "5.7.44",
      instanceClass: "db.t2.small",
      storageGiB: 20,
      masterUsername: "mcadmin",
      databaseName: "mc",
      vpcId,
      securityGroupId: undefined,
    });
    // One line per resource, saying what apply will create.
    expect(plan.lines).toEqual([
      {
        step: "Database security group",
        state: "create",
        detail: `model-catalogue-db in ${vpcId}, no rules yet`,
      },
      {
        step: "MySQL database",
        state: "create",
        detail:
          "model-catalogue (MySQL 5.7.44, db.t2.small, 20 GiB encrypted, not publicly accessible, backups kept 7 days, " +
          "security group model-catalogue-db): RDS takes 5–15 minutes",
      },
    ]);
    expect(infos).toEqual(["MySQL 5.7.44: the newest 5.7 that RDS offers in eu-west-1."]);
    expect(warnings).toEqual([
      "RDS standard support for MySQL 5.7 ended in February 2024; 5.7 instances run on paid RDS Extended Support. Set setup.database.engineVersion to 8.0 to avoid it.",
    ]);
    expect(all()).not.toContain(PASSWORD);
    expect(JSON.stringify(plan.lines)).not.toContain(PASSWORD);
    // A planner only looks.
    expect(mutatingCalls()).toEqual([]);
    expect(sim.rds.instances()).toEqual([]);
    expect(databaseGroups()).toEqual([]);
  });

  it("plans with the group a failed earlier run made, and names it", async () => {
    const { GroupId } = sim.ec2.createSecurityGroup({
      GroupName: "model-catalogue-db",
      Description: "Model Catalogue MySQL, managed by mcctl",
      VpcId: vpcId,
    });
    // mcctl.json was saved at the confirmation of that run.
    const { io } = yes({ settings: AFTER_CREATE });

    const plan = await planDatabase(io, aws);

    expect(created(plan).securityGroupId).toBe(GroupId);
    expect(plan.lines[0]).toEqual({
      step: "Database security group",
      state: "exists",
      detail: `model-catalogue-db (${GroupId}) in ${vpcId}: exists, used as it is`,
    });
    expect(plan.lines.map((line) => [line.step, line.state])).toEqual([
      ["Database security group", "exists"],
      ["MySQL database", "create"],
    ]);
    expect(mutatingCalls()).toEqual([]);
  });

  it("fails before any change when the account has no default VPC", async () => {
    start({}, { defaultVpc: false });

    const error = await failure(planDatabase(yes().io, aws));

    expect(error.message).toBe(
      "this account has no default VPC in eu-west-1, where RDS would put a new instance",
    );
    expect(error.suggestion).toContain("aws ec2 create-default-vpc --region eu-west-1");
    expect(mutatingCalls()).toEqual([]);
  });

  it("falls back to the newest 8.0 with a warning when the region offers no 5.7", async () => {
    start(WITHOUT_57);
    const { io, warnings } = yes({ settings: { setup: { database: { instanceClass: "db.t3.small" } } } });

    const plan = await planDatabase(io, aws);

    expect(created(plan)).toMatchObject({ engineVersion: "8.0.39", instanceClass: "db.t3.small" });
    expect(warnings).toEqual([
      "RDS offers no MySQL 5.7 in eu-west-1: using 8.0.39, the newest 8.0. Model Catalogue is documented for MySQL 5.6 and 5.7.",
    ]);
  });

  it("without a terminal, refuses a class the version does not offer and suggests a current one", async () => {
    start(WITHOUT_57);

    const error = await failure(planDatabase(yes().io, aws));

    expect(error.message).toBe("RDS does not offer db.t2.small for MySQL 8.0.39 in eu-west-1");
    expect(error.suggestion).toContain("setup.database.instanceClass");
    expect(error.suggestion).toContain("db.t3.small");
    expect(mutatingCalls()).toEqual([]);
  });

  it("on a terminal, offers db.t3.small instead; a generated password is planned and never shown", async () => {
    start(WITHOUT_57);
    const { asker, asked } = scriptedAsker(
      {
        "Identifier of the new MySQL instance": undefined,
        "Instance class of the new MySQL instance": undefined,
        "Master user of the new MySQL instance": undefined,
        "Database that RDS creates": undefined,
        "Generate a strong master password": true,
      },
      { "Instance class to use instead": "db.t3.small" },
    );
    const { io, warnings, infos, all } = testPlanIo({ interactive: true, ask: asker });

    const plan = await planDatabase(io, aws);

    expect(warnings).toContain("RDS does not offer db.t2.small for MySQL 8.0.39 in eu-west-1.");
    expect(asked).toEqual([
      "Identifier of the new MySQL instance",
      "Instance class of the new MySQL instance",
      "Instance class to use instead",
      "Master user of the new MySQL instance (METADATA_USERNAME)",
      "Database that RDS creates for Model Catalogue",
      expect.stringMatching(
        /^Generate a strong master password\? mcctl never shows it; it is stored in SSM Parameter Store/,
      ),
    ]);
    expect(created(plan)).toMatchObject({ identifier: "model-catalogue", instanceClass: "db.t3.small" });
    expect(plan.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(infos).toContain("Using a generated master password (32 letters and digits); it is not shown.");
    expect(all()).not.toContain(plan.password);
    expect(JSON.stringify(plan.database)).not.toContain(plan.password);
    expect(JSON.stringify(plan.lines)).not.toContain(plan.password);
  });

  it("checks METADATA_PASSWORD against RDS's rules without ever repeating it", async () => {
    for (const [bad, rule] of [
      ["abc123", "must be 8 to 41 characters long"],
      ["p@ssword-123", 'must not contain "/", """, "@" or spaces'],
      ["x".repeat(42), "must be 8 to 41 characters long"],
    ] as const) {
      const { io } = testPlanIo({ env: { METADATA_PASSWORD: bad } });
      const error = await failure(planDatabase(io, aws));
      expect(error).toBeInstanceOf(MissingInputError);
      expect(error.message).toContain(`METADATA_PASSWORD (${rule}`);
      expect(`${error.message} ${error.suggestion}`).not.toContain(bad);
    }
    expect(mutatingCalls()).toEqual([]);
  });

  it("without a terminal needs METADATA_PASSWORD for a new instance", async () => {
    const error = await failure(planDatabase(testPlanIo().io, aws));

    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["METADATA_PASSWORD"]);
  });

  it("on a terminal, asks a typed password twice until both agree, refusing one RDS would refuse", async () => {
    const { asker, refused } = scriptedAsker({
      "Identifier of the new MySQL instance": undefined,
      "Instance class of the new MySQL instance": undefined,
      "Master user of the new MySQL instance": undefined,
      "Database that RDS creates": undefined,
      "Generate a strong master password": false,
      "Master password of the new MySQL instance": ["has a space", "Typed-Passw0rd", "Typed-Passw0rd"],
      "The same master password again": ["Typed-Passw0rd-typo", "Typed-Passw0rd"],
    });
    const { io, warnings, all } = testPlanIo({ interactive: true, ask: asker });

    const plan = await planDatabase(io, aws);

    expect(plan.password).toBe("Typed-Passw0rd");
    expect(refused).toEqual(['must not contain "/", """, "@" or spaces']);
    expect(warnings).toContain("The two passwords differ: type it again.");
    expect(all()).not.toContain("Typed-Passw0rd");
  });

  it("on a terminal, stops when the two passwords differ three times", async () => {
    const { asker } = scriptedAsker({
      "Identifier of the new MySQL instance": undefined,
      "Instance class of the new MySQL instance": undefined,
      "Master user of the new MySQL instance": undefined,
      "Database that RDS creates": undefined,
      "Generate a strong master password": false,
      "Master password of the new MySQL instance": ["Typed-Passw0rd", "Typed-Passw0rd", "Typed-Passw0rd"],
      "The same master password again": ["typo-1-Passw0rd", "typo-2-Passw0rd", "typo-3-Passw0rd"],
    });

    const error = await failure(planDatabase(testPlanIo({ interactive: true, ask: asker }).io, aws));

    expect(error.message).toBe("the two passwords differed three times");
    expect(error.suggestion).toContain("METADATA_PASSWORD");
    expect(`${error.message} ${error.suggestion}`).not.toContain("Passw0rd");
  });

  it("offers a generated password with --no-wait too: setup stores it in SSM before the database exists", async () => {
    const { asker, asked } = scriptedAsker({
      "Identifier of the new MySQL instance": undefined,
      "Instance class of the new MySQL instance": undefined,
      "Master user of the new MySQL instance": undefined,
      "Database that RDS creates": undefined,
      "Generate a strong master password": true,
    });
    const { io } = testPlanIo({ interactive: true, noWait: true, ask: asker });

    const plan = await planDatabase(io, aws);

    expect(asked.some((message) => message.includes("stored in SSM Parameter Store"))).toBe(true);
    expect(plan.password).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it("refuses a master user RDS would refuse", async () => {
    const fromFile = yes({ settings: { setup: { database: { masterUsername: "admin-user" } } } });
    const error = await failure(planDatabase(fromFile.io, aws));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      "setup.database.masterUsername in the settings file may contain only letters, digits and underscores",
    );

    const { asker, refused } = scriptedAsker({
      "Identifier of the new MySQL instance": "mc-db",
      "Instance class of the new MySQL instance": undefined,
      "Master user of the new MySQL instance": ["select", "1admin", "catalogue_admin"],
      "Database that RDS creates": undefined,
      "Generate a strong master password": true,
    });
    const plan = await planDatabase(testPlanIo({ interactive: true, ask: asker }).io, aws);
    expect(refused).toEqual(['"select" is a MySQL reserved word', "must start with a letter"]);
    expect(created(plan)).toMatchObject({ identifier: "mc-db", masterUsername: "catalogue_admin" });
  });

  it("takes the master user from METADATA_USERNAME, and lowercases the identifier as RDS stores it", async () => {
    const { io } = yes({
      env: { METADATA_PASSWORD: PASSWORD, METADATA_USERNAME: "catalogue_admin" },
      settings: { setup: { database: { identifier: "Model-Catalogue-2" } } },
    });

    const plan = await planDatabase(io, aws);

    expect(created(plan)).toMatchObject({
      identifier: "model-catalogue-2",
      masterUsername: "catalogue_admin",
    });
  });
});

describe("planDatabase: an instance that exists", () => {
  it("re-run while RDS is still creating it: used as it is (no second create), nothing asked, status pending", async () => {
    const { GroupId } = sim.ec2.createSecurityGroup({
      GroupName: "model-catalogue-db",
      Description: "Model Catalogue MySQL, managed by mcctl",
      VpcId: vpcId,
    });
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      DBInstanceClass: "db.t2.small",
      EngineVersion: "5.7.44",
      MasterUsername: "mcadmin",
      DBName: "mc",
      VpcSecurityGroupIds: [GroupId ?? ""],
      status: "creating",
    });
    await vi.advanceTimersByTimeAsync(60_000);

    // Interactive, but the default asker fails on any question: everything needed is known.
    const { io, all } = yes({ interactive: true, settings: AFTER_CREATE });
    const plan = await planDatabase(io, aws);

    expect(plan.database).toEqual({
      action: "use",
      identifier: "model-catalogue",
      created: true,
      status: "creating",
      endpoint: undefined,
      masterUsername: "mcadmin",
      databaseName: "mc",
      securityGroupIds: [GroupId],
      engineVersion: "5.7.44",
    });
    expect(plan.password).toBe(PASSWORD);
    expect(plan.lines).toEqual([
      {
        step: "MySQL database",
        state: "pending",
        detail: "model-catalogue (MySQL 5.7.44, db.t2.small, creating): exists, used once available",
      },
    ]);
    expect(all()).toBe("");
    expect(mutatingCalls()).toEqual([]);
    expect(sim.callsOf("DescribeSecurityGroups")).toHaveLength(0);
  });

  it("lets the operator choose an existing MySQL instance and asks only its password", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "legacy-mysql",
      EngineVersion: "5.7.44",
      MasterUsername: "legacy",
      DBName: "catalogue",
    });
    const { asker, asked } = scriptedAsker(
      { "Master password of the MySQL instance legacy-mysql": "legacy-secret" },
      { "MySQL database for Model Catalogue": "legacy-mysql" },
    );
    const { io, infos, all } = testPlanIo({ interactive: true, ask: asker });

    const plan = await planDatabase(io, aws);

    expect(asked).toEqual([
      "MySQL database for Model Catalogue",
      "Master password of the MySQL instance legacy-mysql (METADATA_PASSWORD)",
    ]);
    expect(infos).toEqual([
      "mcctl keeps it in SSM Parameter Store once given. If the master password is lost, set a new one: aws rds modify-db-instance --db-instance-identifier legacy-mysql --master-user-password … --apply-immediately",
    ]);
    expect(plan.password).toBe("legacy-secret");
    expect(plan.database).toMatchObject({
      action: "use",
      identifier: "legacy-mysql",
      created: false,
      status: "available",
      masterUsername: "legacy",
      databaseName: "catalogue",
      endpoint: {
        host: expect.stringMatching(/^legacy-mysql\..+\.eu-west-1\.rds\.amazonaws\.com$/),
        port: 3306,
      },
    });
    expect(all()).not.toContain("legacy-secret");
    // Its own security groups, untouched: no group of mcctl's is looked for or made.
    expect(plan.database).toMatchObject({ securityGroupIds: [defaultGroupId] });
    expect(sim.callsOf("DescribeSecurityGroups")).toHaveLength(0);
    expect(mutatingCalls()).toEqual([]);
    expect(databaseGroups()).toEqual([]);
  });

  it("keeps the groups of an existing instance it is given, even when a model-catalogue-db group exists", async () => {
    sim.ec2.createSecurityGroup({ GroupName: "model-catalogue-db", Description: "x", VpcId: vpcId });
    const { GroupId: ownGroup } = sim.ec2.createSecurityGroup({
      GroupName: "legacy-db",
      Description: "legacy",
      VpcId: vpcId,
    });
    sim.rds.addInstance({
      DBInstanceIdentifier: "legacy-mysql",
      EngineVersion: "5.7.44",
      DBName: "catalogue",
      VpcSecurityGroupIds: [ownGroup ?? ""],
    });
    const { io } = yes({ settings: { setup: { database: { identifier: "legacy-mysql" } } } });

    const plan = await planDatabase(io, aws);

    expect(plan.database).toMatchObject({ action: "use", securityGroupIds: [ownGroup] });
    expect(plan.lines).toEqual([
      {
        step: "MySQL database",
        state: "exists",
        detail: expect.stringMatching(
          /^legacy-mysql \(MySQL 5\.7\.44, db\.t3\.small, available, legacy-mysql\..+:3306\): exists, used as it is$/,
        ),
      },
    ]);
    expect(mutatingCalls()).toEqual([]);
  });

  it("finds the instance it made earlier by name and tags when mcctl.json forgot it, and plans no second one", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      DBName: "mc",
      MasterUsername: "mcadmin",
      Tags: [{ Key: "managed-by", Value: "mcctl" }],
    });
    sim.rds.addInstance({ DBInstanceIdentifier: "other-app", EngineVersion: "8.0.39" });

    const plan = await planDatabase(yes().io, aws);

    // created: true is what mcctl.json will say (setup.database.create).
    expect(plan.database).toMatchObject({
      action: "use",
      identifier: "model-catalogue",
      created: true,
      status: "available",
    });
    expect(mutatingCalls()).toEqual([]);
  });

  it("an instance of that name without mcctl's tags is used, but not as mcctl's own", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "model-catalogue", EngineVersion: "5.7.44", DBName: "mc" });

    const plan = await planDatabase(yes().io, aws);

    expect(plan.database).toMatchObject({ action: "use", identifier: "model-catalogue", created: false });
  });

  it("plans a new one beside existing instances when the operator asks for it", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "model-catalogue", EngineVersion: "8.0.39" });
    const { asker, refused, asked } = scriptedAsker(
      {
        "Identifier of the new MySQL instance": ["model--catalogue", "mc-catalogue"],
        "Instance class of the new MySQL instance": undefined,
        "Master user of the new MySQL instance": undefined,
        "Database that RDS creates": undefined,
        "Generate a strong master password": true,
      },
      { "MySQL database for Model Catalogue": "Create a new one" },
    );

    const plan = await planDatabase(testPlanIo({ interactive: true, ask: asker }).io, aws);

    expect(asked[0]).toBe("MySQL database for Model Catalogue");
    expect(refused).toHaveLength(1);
    expect(created(plan).identifier).toBe("mc-catalogue");
    expect(mutatingCalls()).toEqual([]);
  });

  it("on a terminal, an identifier typed for a new instance that names a non-MySQL instance is refused and asked again", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "pg-db", Engine: "postgres", EngineVersion: "16.4" });
    const { asker, refused } = scriptedAsker(
      {
        "Identifier of the new MySQL instance": ["pg-db", "PG-DB", "mc-db"],
        "Instance class of the new MySQL instance": undefined,
        "Master user of the new MySQL instance": undefined,
        "Database that RDS creates": undefined,
        "Generate a strong master password": true,
      },
      { "MySQL database for Model Catalogue": "Create a new one" },
    );
    const { io, warnings } = testPlanIo({ interactive: true, ask: asker });

    const plan = await planDatabase(io, aws);

    expect(warnings).toContain("DB instance pg-db runs postgres, not MySQL: choose another identifier.");
    expect(refused).toEqual(["DB instance pg-db runs postgres, not MySQL"]);
    expect(created(plan).identifier).toBe("mc-db");
  });

  it("without a terminal needs METADATA_PASSWORD for an existing instance and says how to reset it", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "model-catalogue", EngineVersion: "5.7.44", DBName: "mc" });
    const { io } = testPlanIo({ settings: { setup: { database: { identifier: "model-catalogue" } } } });

    const error = await failure(planDatabase(io, aws));

    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["METADATA_PASSWORD"]);
    expect(error.suggestion).toContain("aws rds modify-db-instance --db-instance-identifier model-catalogue");
  });

  it("reuses the password the task definition holds, without asking or telling", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "model-catalogue", EngineVersion: "5.7.44", DBName: "mc" });
    const { io, all } = testPlanIo({
      interactive: true,
      knownSecrets: { METADATA_PASSWORD: "held-by-ecs" },
      settings: { setup: { database: { identifier: "model-catalogue" } } },
    });

    const plan = await planDatabase(io, aws);

    expect(plan.password).toBe("held-by-ecs");
    expect(all()).toBe("");
  });

  it("refuses an instance that is not MySQL", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      Engine: "postgres",
      EngineVersion: "16.4",
    });
    const { io } = yes({ settings: { setup: { database: { identifier: "model-catalogue" } } } });

    const error = await failure(planDatabase(io, aws));

    expect(error.message).toBe("DB instance model-catalogue runs postgres, not MySQL");
    expect(error.suggestion).toContain("setup.database.identifier");
    expect(mutatingCalls()).toEqual([]);
  });

  it("fails when an instance chosen earlier as existing is gone, instead of planning one", async () => {
    const { io } = yes({ settings: { setup: { database: { identifier: "legacy-mysql", create: false } } } });

    const error = await failure(planDatabase(io, aws));

    expect(error.message).toBe("MySQL instance legacy-mysql (setup.database.identifier) does not exist");
    expect(error.suggestion).toContain("remove setup.database from mcctl.json");
    expect(mutatingCalls()).toEqual([]);
  });

  it("plans the instance mcctl.json names anew when it was mcctl's and is gone", async () => {
    const plan = await planDatabase(yes({ settings: AFTER_CREATE }).io, aws);

    expect(created(plan)).toMatchObject({
      identifier: "model-catalogue",
      engineVersion: "5.7.44",
      instanceClass: "db.t2.small",
    });
  });

  it("refuses an instance in a status it cannot leave by itself", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      status: "stopped",
    });
    const { io } = yes({ settings: { setup: { database: { identifier: "model-catalogue" } } } });

    const error = await failure(planDatabase(io, aws));

    expect(error.message).toBe("MySQL instance model-catalogue is stopped");
    expect(error.suggestion).toContain("aws rds start-db-instance --db-instance-identifier model-catalogue");
  });

  it("warns about a MySQL version Model Catalogue is not documented for", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "model-catalogue", EngineVersion: "8.0.39", DBName: "mc" });
    const { io, warnings } = yes({ settings: { setup: { database: { identifier: "model-catalogue" } } } });

    await planDatabase(io, aws);

    expect(warnings).toEqual([
      "model-catalogue runs MySQL 8.0.39; Model Catalogue is documented for MySQL 5.6 and 5.7.",
    ]);
  });

  it("asks which database to use when RDS created none in the instance, and says to create it", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "bare-mysql", EngineVersion: "5.7.44" });
    const { asker } = scriptedAsker(
      { "Database in bare-mysql": "catalogue", "Master password of the MySQL instance": "bare-secret" },
      { "MySQL database for Model Catalogue": "bare-mysql" },
    );
    const { io, infos } = testPlanIo({ interactive: true, ask: asker });

    const plan = await planDatabase(io, aws);

    expect(plan.database).toMatchObject({
      action: "use",
      identifier: "bare-mysql",
      databaseName: "catalogue",
    });
    expect(infos).toContain(
      "RDS created no database in bare-mysql: create catalogue (CREATE DATABASE catalogue CHARACTER SET utf8) before Model Catalogue starts.",
    );
  });
});

describe("planDatabase: METADATA_JDBC_URL", () => {
  it("uses the RDS instance the URL points at", async () => {
    const instance = sim.rds.addInstance({
      DBInstanceIdentifier: "legacy-mysql",
      EngineVersion: "5.7.44",
      DBName: "catalogue",
    });
    const host = instance.Endpoint?.Address ?? "";
    const { io } = yes({
      env: { METADATA_PASSWORD: PASSWORD, METADATA_JDBC_URL: `jdbc:mysql://${host}:3306/catalogue` },
    });

    const plan = await planDatabase(io, aws);

    expect(plan.database).toMatchObject({ action: "use", identifier: "legacy-mysql", created: false });
    expect(mutatingCalls()).toEqual([]);
  });

  it("leaves a database that is no RDS instance here as it is: one skip line, nothing created or opened", async () => {
    const { io } = yes({
      settings: { environment: { METADATA_JDBC_URL: "jdbc:mysql://db.example.org:3307/catalogue" } },
    });

    const plan = await planDatabase(io, aws);

    expect(plan).toEqual({
      database: { action: "external", host: "db.example.org", port: 3307, databaseName: "catalogue" },
      password: PASSWORD,
      lines: [
        {
          step: "MySQL database",
          state: "skip",
          detail:
            "db.example.org (METADATA_JDBC_URL) is no RDS instance in eu-west-1: used as it is; setup neither creates it nor opens its network to the container instances",
        },
      ],
    });
    expect(mutatingCalls()).toEqual([]);
  });
});
