import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { RDSServiceException } from "@aws-sdk/client-rds";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { Settings } from "../../../src/config/settings.js";
import { SECRET_MASK } from "../../../src/domain/environment.js";
import { McctlError, MissingInputError, UsageError } from "../../../src/errors.js";
import { ensureDatabase, waitForDatabase } from "../../../src/operations/setup/database.js";
import type { SetupAws } from "../../../src/operations/setup/types.js";
import type { Asker, TextQuestion } from "../../../src/ui/prompts.js";
import { setupAwsFor, type TestSetupIoOptions, testSetupIo } from "../../helpers/setup-io.js";
import { runUntilSettled } from "../../helpers/time.js";
import { createSimulatedAws, type SimulatedAws, type SimulatedAwsOptions } from "../../sim/index.js";

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

type Answer = string | boolean | undefined;

/**
 * Answers by question fragment like scriptedAsker, plus: a list of answers is used in turn, and an answer
 * the question's check refuses is recorded in `refused` and followed by the next one (the prompt asks
 * again); choices are answered by a fragment of the choice's label.
 */
function sequenceAsker(script: Record<string, Answer | Answer[]>, choices: Record<string, string> = {}) {
  const asked: string[] = [];
  const refused: string[] = [];
  const remaining = new Map(Object.entries(script).map(([key, value]) => [key, value]));
  const next = (message: string): Answer => {
    asked.push(message);
    const key = [...remaining.keys()].find((fragment) => message.includes(fragment));
    if (key === undefined) throw new Error(`unexpected question: ${message}`);
    const entry = remaining.get(key);
    if (!Array.isArray(entry)) return entry;
    if (entry.length === 0) throw new Error(`asked once too often: ${message}`);
    return entry.shift();
  };
  const text = async (question: Omit<TextQuestion, "defaultValue"> & { defaultValue?: string }) => {
    for (;;) {
      const answer = next(question.message);
      const value = answer === undefined ? (question.defaultValue ?? "") : String(answer);
      const problem = question.validate?.(value);
      if (problem === undefined) return value;
      refused.push(problem);
      const key = Object.keys(script).find((fragment) => question.message.includes(fragment)) ?? "";
      if (!Array.isArray(script[key]))
        throw new Error(`answer to "${question.message}" rejected: ${problem}`);
    }
  };
  const asker: Asker = {
    askText: text,
    askSecret: text,
    askConfirm: async (message, defaultValue = false) => {
      const answer = next(message);
      return answer === undefined ? defaultValue : Boolean(answer);
    },
    askChoice: async (question) => {
      asked.push(question.message);
      const key = Object.keys(choices).find((fragment) => question.message.includes(fragment));
      if (key === undefined) throw new Error(`unexpected choice: ${question.message}`);
      const choice = question.choices.find((candidate) => candidate.name.includes(choices[key] ?? ""));
      if (!choice) throw new Error(`no choice "${choices[key]}" in ${question.message}`);
      return choice.value;
    },
  };
  return { asker, asked, refused };
}

const yes = (options: TestSetupIoOptions = {}) =>
  testSetupIo({ env: { METADATA_PASSWORD: PASSWORD }, ...options });

/** The security groups named model-catalogue-db, as the simulator holds them. */
const databaseGroups = () =>
  sim.ec2.securityGroups().filter((group) => group.GroupName === "model-catalogue-db");

function databaseGroupId(): string {
  const [group, ...others] = databaseGroups();
  if (!group?.GroupId || others.length > 0) throw new Error("not exactly one model-catalogue-db group");
  return group.GroupId;
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("ensureDatabase: a new instance", () => {
  it("creates exactly one MySQL 5.7 instance with the guide's class, encrypted, private, 7 days of backups", async () => {
    const { io, saved, lines, captured } = yes();

    const { database, password } = await ensureDatabase(io, aws);

    const groupId = databaseGroupId();
    expect(password).toBe(PASSWORD);
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
    const remembered: Settings = Object.assign({}, ...saved.map((update) => update.setup?.database));
    expect(remembered).toEqual({
      identifier: "model-catalogue",
      create: true,
      engineVersion: "5.7.44",
      instanceClass: "db.t2.small",
      storageGiB: 20,
      masterUsername: "mcadmin",
      databaseName: "mc",
    });
    expect(JSON.stringify(saved)).not.toContain(PASSWORD);
    expect(captured.all()).not.toContain(PASSWORD);
    // One line per resource, saying what was done; no other line repeats it.
    expect(lines).toEqual([
      {
        step: "Database security group",
        state: "create",
        detail: `model-catalogue-db (${groupId}) in ${vpcId}: created`,
      },
      {
        step: "MySQL database",
        state: "create",
        detail:
          "model-catalogue (MySQL 5.7.44, db.t2.small, 20 GiB encrypted, not publicly accessible, backups kept 7 days, " +
          "security group model-catalogue-db): created (RDS status creating; available in 5–15 minutes)",
      },
    ]);
    expect(captured.stderr()).not.toMatch(/Creating|RDS is creating|model-catalogue-db/);
  });

  it("gives a new instance its own security group in the default VPC, never the shared default group", async () => {
    const { io } = yes();

    await ensureDatabase(io, aws);

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
    expect(sim.calls.map((call) => call.command).filter((command) => MUTATING.test(command))).toEqual([
      "CreateSecurityGroup",
      "CreateDBInstance",
    ]);
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([group?.GroupId]);
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).not.toContain(defaultGroupId);
  });

  it("finds the group on a re-run after the create failed, and makes no second one", async () => {
    sim.faults.inject({ service: "RDS", command: "CreateDBInstance", error: "access-denied" });
    const first = yes();
    await failure(ensureDatabase(first.io, aws));
    const groupId = databaseGroupId();
    expect(sim.rds.instances()).toEqual([]);

    const again = yes({ settings: first.current() });
    const { database } = await ensureDatabase(again.io, aws);

    expect(sim.callsOf("CreateSecurityGroup")).toHaveLength(1);
    expect(databaseGroups()).toHaveLength(1);
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([groupId]);
    expect(database.securityGroupIds).toEqual([groupId]);
    expect(again.lines[0]).toEqual({
      step: "Database security group",
      state: "exists",
      detail: `model-catalogue-db (${groupId}) in ${vpcId}: exists, used as it is`,
    });
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
    const { io, lines } = yes();

    const { database } = await ensureDatabase(io, aws);

    const groupId = databaseGroupId();
    expect(database.securityGroupIds).toEqual([groupId]);
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([groupId]);
    expect(lines[0]).toMatchObject({ step: "Database security group", state: "exists" });
  });

  it("fails before any change when the account has no default VPC", async () => {
    start({}, { defaultVpc: false });
    const { io } = yes();

    const error = await failure(ensureDatabase(io, aws));

    expect(error.message).toBe(
      "this account has no default VPC in eu-west-1, where RDS would put a new instance",
    );
    expect(error.suggestion).toContain("aws ec2 create-default-vpc --region eu-west-1");
    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
  });

  it("falls back to the newest 8.0 with a warning when the region offers no 5.7", async () => {
    start(WITHOUT_57);
    const { io, captured } = yes({ settings: { setup: { database: { instanceClass: "db.t3.small" } } } });

    const { database } = await ensureDatabase(io, aws);

    expect(database.engineVersion).toBe("8.0.39");
    expect(sim.callsOf("CreateDBInstance")[0]?.input).toMatchObject({
      EngineVersion: "8.0.39",
      DBInstanceClass: "db.t3.small",
    });
    expect(captured.stderr()).toContain("RDS offers no MySQL 5.7 in eu-west-1: using 8.0.39");
  });

  it("without a terminal, refuses a class the version does not offer and suggests a current one", async () => {
    start(WITHOUT_57);
    const { io } = yes();

    const error = await failure(ensureDatabase(io, aws));

    expect(error.message).toBe("RDS does not offer db.t2.small for MySQL 8.0.39 in eu-west-1");
    expect(error.suggestion).toContain("setup.database.instanceClass");
    expect(error.suggestion).toContain("db.t3.small");
    expect(sim.callsOf("CreateDBInstance")).toHaveLength(0);
  });

  it("on a terminal, offers db.t3.small instead; a generated password is used and never shown", async () => {
    start(WITHOUT_57);
    const { asker, asked } = sequenceAsker(
      {
        "Identifier of the new MySQL instance": undefined,
        "Instance class of the new MySQL instance": undefined,
        "Master user of the new MySQL instance": undefined,
        "Database that RDS creates": undefined,
        "Generate a strong master password": true,
      },
      { "Instance class to use instead": "db.t3.small" },
    );
    const { io, captured, saved, current } = testSetupIo({ interactive: true, ask: asker });

    const { database, password } = await ensureDatabase(io, aws);

    expect(captured.stderr()).toContain("RDS does not offer db.t2.small for MySQL 8.0.39 in eu-west-1");
    expect(asked).toContain("Instance class to use instead");
    expect(sim.callsOf("CreateDBInstance")[0]?.input.DBInstanceClass).toBe("db.t3.small");
    expect(current().setup?.database?.instanceClass).toBe("db.t3.small");
    expect(database.created).toBe(true);
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(sim.rds.createInput("model-catalogue")?.MasterUserPassword).toBe(password);
    expect(captured.all()).not.toContain(password);
    expect(JSON.stringify(saved)).not.toContain(password);
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
    const { io } = yes();

    const error = await failure(ensureDatabase(io, aws));

    expect(error.message).toBe(
      "RDS refused db.t2.small for MySQL 5.7.44 in eu-west-1: RDS does not support creating a DB instance with the following combination: DBInstanceClass=db.t2.small",
    );
    expect(error.suggestion).toContain("db.t3.small");
    expect(sim.rds.instances()).toEqual([]);
  });

  it("checks the master password against RDS's rules without ever repeating it", async () => {
    for (const [bad, rule] of [
      ["abc123", "must be 8 to 41 characters long"],
      ["p@ssword-123", 'must not contain "/", """, "@" or spaces'],
      ["x".repeat(42), "must be 8 to 41 characters long"],
    ] as const) {
      const { io } = testSetupIo({ env: { METADATA_PASSWORD: bad } });
      const error = await failure(ensureDatabase(io, aws));
      expect(error).toBeInstanceOf(MissingInputError);
      expect(error.message).toContain(`METADATA_PASSWORD (${rule}`);
      expect(`${error.message} ${error.suggestion}`).not.toContain(bad);
    }
    expect(sim.callsOf("CreateDBInstance")).toHaveLength(0);
  });

  it("on a terminal, asks a typed password twice until both agree, refusing one RDS would refuse", async () => {
    const { asker, refused } = sequenceAsker({
      "Identifier of the new MySQL instance": undefined,
      "Instance class of the new MySQL instance": undefined,
      "Master user of the new MySQL instance": undefined,
      "Database that RDS creates": undefined,
      "Generate a strong master password": false,
      "Master password of the new MySQL instance": ["has a space", "Typed-Passw0rd", "Typed-Passw0rd"],
      "The same master password again": ["Typed-Passw0rd-typo", "Typed-Passw0rd"],
    });
    const { io, captured } = testSetupIo({ interactive: true, ask: asker });

    const { password } = await ensureDatabase(io, aws);

    expect(password).toBe("Typed-Passw0rd");
    expect(refused).toEqual(['must not contain "/", """, "@" or spaces']);
    expect(captured.stderr()).toContain("The two passwords differ");
    expect(sim.rds.createInput("model-catalogue")?.MasterUserPassword).toBe("Typed-Passw0rd");
    expect(captured.all()).not.toContain("Typed-Passw0rd");
  });

  it("does not offer a generated password with --no-wait, where it would be lost", async () => {
    const { asker, asked } = sequenceAsker({
      "Identifier of the new MySQL instance": undefined,
      "Instance class of the new MySQL instance": undefined,
      "Master user of the new MySQL instance": undefined,
      "Database that RDS creates": undefined,
      "Master password of the new MySQL instance": "Kept-Passw0rd",
      "The same master password again": "Kept-Passw0rd",
    });
    const { io } = testSetupIo({ interactive: true, noWait: true, ask: asker });

    await ensureDatabase(io, aws);

    expect(asked.some((message) => message.includes("Generate"))).toBe(false);
  });

  it("refuses a master user RDS would refuse", async () => {
    const fromFile = yes({ settings: { setup: { database: { masterUsername: "admin-user" } } } });
    const error = await failure(ensureDatabase(fromFile.io, aws));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      "setup.database.masterUsername in the settings file may contain only letters, digits and underscores",
    );

    const { asker, refused } = sequenceAsker({
      "Identifier of the new MySQL instance": "mc-db",
      "Instance class of the new MySQL instance": undefined,
      "Master user of the new MySQL instance": ["select", "1admin", "catalogue_admin"],
      "Database that RDS creates": undefined,
      "Generate a strong master password": true,
    });
    const typed = testSetupIo({ interactive: true, ask: asker });
    await ensureDatabase(typed.io, aws);
    expect(refused).toEqual(['"select" is a MySQL reserved word', "must start with a letter"]);
    expect(sim.rds.createInput("mc-db")?.MasterUsername).toBe("catalogue_admin");
  });

  it("only looks in a dry run: a plan line, no mutating call, no password asked", async () => {
    const { io, lines, saved } = testSetupIo({ dryRun: true });

    const { database, password } = await ensureDatabase(io, aws);

    expect(database).toMatchObject({
      identifier: "model-catalogue",
      created: false,
      status: "planned",
      securityGroupIds: [],
      plannedSecurityGroup: "model-catalogue-db",
    });
    expect(password).toBe(SECRET_MASK);
    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
    expect(sim.rds.instances()).toEqual([]);
    expect(databaseGroups()).toEqual([]);
    expect(lines).toEqual([
      {
        step: "Database security group",
        state: "create",
        detail: `model-catalogue-db in ${vpcId}: would be created`,
      },
      {
        step: "MySQL database",
        state: "create",
        detail:
          "model-catalogue (MySQL 5.7.44, db.t2.small, 20 GiB encrypted, not publicly accessible, backups kept 7 days, " +
          "security group model-catalogue-db): would be created",
      },
    ]);
    expect(saved).toEqual([]);
  });

  it("in a dry run plans with the group a failed earlier run made", async () => {
    const { GroupId } = sim.ec2.createSecurityGroup({
      GroupName: "model-catalogue-db",
      Description: "Model Catalogue MySQL, managed by mcctl",
      VpcId: vpcId,
    });
    const { io, lines } = testSetupIo({ dryRun: true });

    const { database } = await ensureDatabase(io, aws);

    expect(database.securityGroupIds).toEqual([GroupId]);
    expect(database.plannedSecurityGroup).toBeUndefined();
    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
    expect(lines.map((line) => [line.step, line.state])).toEqual([
      ["Database security group", "exists"],
      ["MySQL database", "create"],
    ]);
  });
});

describe("ensureDatabase: an instance that exists", () => {
  it("re-run while RDS is still creating it: no second create, nothing asked, status pending", async () => {
    const first = yes();
    await ensureDatabase(first.io, aws);
    await vi.advanceTimersByTimeAsync(60_000);

    // Interactive, but the default asker fails on any question: everything needed is known.
    const again = yes({ interactive: true, settings: first.current() });
    const { database, password } = await ensureDatabase(again.io, aws);

    expect(sim.callsOf("CreateDBInstance")).toHaveLength(1);
    expect(sim.callsOf("CreateSecurityGroup")).toHaveLength(1);
    expect(database).toMatchObject({ identifier: "model-catalogue", created: false, status: "creating" });
    expect(database.securityGroupIds).toEqual([databaseGroupId()]);
    expect(password).toBe(PASSWORD);
    expect(again.lines).toEqual([
      {
        step: "MySQL database",
        state: "pending",
        detail: "model-catalogue (MySQL 5.7.44, db.t2.small, creating): exists, used once available",
      },
    ]);
    expect(again.captured.all()).toBe("");
    expect(again.current().setup?.database?.create).toBe(true);
  });

  it("lets the operator choose an existing MySQL instance and asks only its password", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "legacy-mysql",
      EngineVersion: "5.7.44",
      MasterUsername: "legacy",
      DBName: "catalogue",
    });
    const { asker, asked } = sequenceAsker(
      { "Master password of the MySQL instance legacy-mysql": "legacy-secret" },
      { "MySQL database for Model Catalogue": "legacy-mysql" },
    );
    const { io, saved, captured } = testSetupIo({ interactive: true, ask: asker });

    const { database, password } = await ensureDatabase(io, aws);

    expect(asked).toEqual([
      "MySQL database for Model Catalogue",
      "Master password of the MySQL instance legacy-mysql (METADATA_PASSWORD)",
    ]);
    expect(password).toBe("legacy-secret");
    expect(database).toMatchObject({
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
    expect(saved).toEqual([{ setup: { database: { identifier: "legacy-mysql", create: false } } }]);
    expect(sim.callsOf("CreateDBInstance")).toHaveLength(0);
    expect(captured.all()).not.toContain("legacy-secret");
    // Its own security groups, untouched: no group of mcctl's is looked for or made.
    expect(database.securityGroupIds).toEqual([defaultGroupId]);
    expect(sim.callsOf("DescribeSecurityGroups")).toHaveLength(0);
    expect(sim.callsOf("CreateSecurityGroup")).toHaveLength(0);
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
    const { io, lines } = yes({ settings: { setup: { database: { identifier: "legacy-mysql" } } } });

    const { database } = await ensureDatabase(io, aws);

    expect(database.securityGroupIds).toEqual([ownGroup]);
    expect(lines).toEqual([
      {
        step: "MySQL database",
        state: "exists",
        detail: expect.stringMatching(
          /^legacy-mysql \(MySQL 5\.7\.44, db\.t3\.small, available, legacy-mysql\..+:3306\): exists, used as it is$/,
        ),
      },
    ]);
    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
  });

  it("finds the instance it made earlier by name and tags when mcctl.json forgot it, and makes no second one", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      DBName: "mc",
      MasterUsername: "mcadmin",
      Tags: [{ Key: "managed-by", Value: "mcctl" }],
    });
    sim.rds.addInstance({ DBInstanceIdentifier: "other-app", EngineVersion: "8.0.39" });
    const { io, current } = yes();

    const { database } = await ensureDatabase(io, aws);

    expect(database).toMatchObject({ identifier: "model-catalogue", created: false, status: "available" });
    expect(current().setup?.database).toEqual({ identifier: "model-catalogue", create: true });
    expect(sim.callsOf("CreateDBInstance")).toHaveLength(0);
  });

  it("creates a new one beside existing instances when the operator asks for it", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "model-catalogue", EngineVersion: "8.0.39" });
    const { asker } = sequenceAsker(
      {
        "Identifier of the new MySQL instance": ["model--catalogue", "mc-catalogue"],
        "Instance class of the new MySQL instance": undefined,
        "Master user of the new MySQL instance": undefined,
        "Database that RDS creates": undefined,
        "Generate a strong master password": true,
      },
      { "MySQL database for Model Catalogue": "Create a new one" },
    );
    const { io } = testSetupIo({ interactive: true, ask: asker });

    const { database } = await ensureDatabase(io, aws);

    expect(database).toMatchObject({ identifier: "mc-catalogue", created: true });
    expect(sim.callsOf("CreateDBInstance").map((call) => call.input.DBInstanceIdentifier)).toEqual([
      "mc-catalogue",
    ]);
  });

  it("without a terminal needs METADATA_PASSWORD for an existing instance and says how to reset it", async () => {
    sim.rds.addInstance({ DBInstanceIdentifier: "model-catalogue", EngineVersion: "5.7.44", DBName: "mc" });
    const { io } = testSetupIo({ settings: { setup: { database: { identifier: "model-catalogue" } } } });

    const error = await failure(ensureDatabase(io, aws));

    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["METADATA_PASSWORD"]);
    expect(error.suggestion).toContain("aws rds modify-db-instance --db-instance-identifier model-catalogue");
  });

  it("refuses an instance that is not MySQL", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      Engine: "postgres",
      EngineVersion: "16.4",
    });
    const { io } = yes({ settings: { setup: { database: { identifier: "model-catalogue" } } } });

    const error = await failure(ensureDatabase(io, aws));

    expect(error.message).toBe("DB instance model-catalogue runs postgres, not MySQL");
    expect(error.suggestion).toContain("setup.database.identifier");
    expect(sim.callsOf("CreateDBInstance")).toHaveLength(0);
  });

  it("fails when an instance chosen earlier as existing is gone, instead of creating one", async () => {
    const { io } = yes({ settings: { setup: { database: { identifier: "legacy-mysql", create: false } } } });

    const error = await failure(ensureDatabase(io, aws));

    expect(error.message).toBe("MySQL instance legacy-mysql (setup.database.identifier) does not exist");
    expect(sim.callsOf("CreateDBInstance")).toHaveLength(0);
  });

  it("refuses an instance in a status it cannot leave by itself", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      status: "stopped",
    });
    const { io } = yes({ settings: { setup: { database: { identifier: "model-catalogue" } } } });

    const error = await failure(ensureDatabase(io, aws));

    expect(error.message).toBe("MySQL instance model-catalogue is stopped");
    expect(error.suggestion).toContain("aws rds start-db-instance --db-instance-identifier model-catalogue");
  });
});

describe("waitForDatabase", () => {
  it("waits with a progress line until the instance is available, then returns its endpoint", async () => {
    const { io, captured } = yes();
    const { database } = await ensureDatabase(io, aws);

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
    expect(Date.now() - Date.parse("2026-11-25T03:00:00Z")).toBeGreaterThanOrEqual(10 * 60_000);
    expect(captured.stderr()).toContain("MySQL instance model-catalogue: creating");
    expect(captured.stderr()).toContain("MySQL instance model-catalogue: backing-up");
    expect(captured.stderr()).toMatch(/MySQL instance model-catalogue is available at .+:3306 \(10m \d\ds\)/);
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
    const { io } = yes();

    const ready = await runUntilSettled(waitForDatabase(io, withEarlyEndpoint, "model-catalogue"));

    expect(ready.status).toBe("available");
    expect(Date.now() - Date.parse("2026-11-25T03:00:00Z")).toBeGreaterThanOrEqual(10 * 60_000);
  });

  it("keeps waiting through throttling", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      status: "creating",
    });
    sim.faults.inject({ service: "RDS", command: "DescribeDBInstances", error: "throttling", times: 3 });
    const { io } = yes();

    const ready = await runUntilSettled(waitForDatabase(io, aws, "model-catalogue"));

    expect(ready.status).toBe("available");
    expect(sim.callsOf("DescribeDBInstances").filter((call) => call.error).length).toBe(3);
  });

  it("stops at once when the instance fails", async () => {
    sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue",
      EngineVersion: "5.7.44",
      status: "creating",
    });
    const { io } = yes();
    const waiting = runUntilSettled(waitForDatabase(io, aws, "model-catalogue"));
    await vi.advanceTimersByTimeAsync(60_000);
    sim.rds.setInstanceStatus("model-catalogue", "incompatible-parameters");

    const error = await failure(waiting);

    expect(error.message).toBe("MySQL instance model-catalogue is incompatible-parameters");
    expect(error.suggestion).toContain("aws rds describe-events");
    expect(Date.now() - Date.parse("2026-11-25T03:00:00Z")).toBeLessThan(2 * 60_000);
  });

  it("gives up after the timeout and says a later run picks the instance up", async () => {
    start({ rds: { timings: { creatingMs: 60 * 60_000 } } });
    const { io } = yes({ waitTimeoutMs: 5 * 60_000 });
    const { database } = await ensureDatabase(io, aws);

    const error = await failure(runUntilSettled(waitForDatabase(io, aws, database)));

    expect(error.message).toBe(
      "timed out after 5m 00s waiting for MySQL instance model-catalogue (status creating)",
    );
    expect(error.suggestion).toBe(
      "RDS is still creating it; run `mcctl setup` again later (it picks it up).",
    );
  });
});
