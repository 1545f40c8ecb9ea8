import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import type { Settings } from "../../src/config/settings.js";
import { McctlError, MissingInputError } from "../../src/errors.js";
import { scriptedAsker } from "../helpers/asker.js";
import { testContext } from "../helpers/context.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";
import { addMcHost, seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { runUntilSettled } from "../helpers/time.js";

const DB_PASSWORD = "Canary-Db-Pass-93x";
const env = {
  METADATA_PASSWORD: DB_PASSWORD,
  MC_SUPERVISOR_PASSWORD: "Canary-Sup-Pass-41q",
  MC_S3_KEY: "AKIAEXAMPLEKEY",
  MC_S3_SECRET: "Canary-S3-Secret",
};
/** The secrets setup stores for env, in the order it stores them. */
const SECRETS_STORED = ["MC_SUPERVISOR_PASSWORD", "METADATA_PASSWORD", "MC_S3_KEY", "MC_S3_SECRET"];
const MUTATING = /^(Create|Put|Run|Authorize|Register|Update|Delete|Modify|Stop|Terminate)/;

let sim: SimulatedAws;
let settingsPath: string;

beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
  sim.install();
  seedEmptyAccount(sim);
  settingsPath = join(await mkdtemp(join(tmpdir(), "mcctl-setup-")), "mcctl.json");
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const baseSettings: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};

function setup(settings: Settings, raw: Record<string, unknown> = {}, extraEnv: NodeJS.ProcessEnv = env) {
  const context = testContext({ settings, settingsPath, env: extraEnv, options: { yes: true } });
  return {
    context,
    run: runUntilSettled(runSetupCommand(context, SetupOptionsSchema.parse(raw)), 4 * 60 * 60_000, 5_000),
  };
}

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);

describe("setup on an empty account", () => {
  it("creates everything exactly once, in order, and ends with a steady service", async () => {
    const { context, run } = setup(baseSettings);
    const outcome = await run;

    expect(outcome).toMatchObject({ complete: true, dryRun: false, taskDefinition: "model-catalogue:1" });
    const creates = mutatingCalls().filter(
      (call) => !/Put(PublicAccessBlock|BucketEncryption|BucketTagging)$/.test(call),
    );
    expect(creates).toEqual([
      "IAM:CreateRole",
      "IAM:PutRolePolicy",
      ...SECRETS_STORED.map(() => "SSM:PutParameter"),
      "S3:CreateBucket",
      "EC2:CreateSecurityGroup",
      "RDS:CreateDBInstance",
      "ECS:CreateCluster",
      "EC2:CreateSecurityGroup",
      "EC2:AuthorizeSecurityGroupIngress",
      "EC2:RunInstances",
      "EC2:AuthorizeSecurityGroupIngress",
      "CloudWatchLogs:CreateLogGroup",
      "CloudWatchLogs:PutRetentionPolicy",
      "ECS:RegisterTaskDefinition",
      "ECS:CreateService",
    ]);
    // The database is reachable from the instances' group only, by group reference.
    const ingress = sim.callsOf("AuthorizeSecurityGroupIngress", "EC2").map(
      (call) =>
        call.input as {
          IpPermissions?: { FromPort?: number; UserIdGroupPairs?: unknown[]; IpRanges?: unknown[] }[];
        },
    );
    const mysql = ingress
      .flatMap((input) => input.IpPermissions ?? [])
      .find((permission) => permission.FromPort === 3306);
    expect(mysql?.UserIdGroupPairs).toHaveLength(1);
    expect(mysql?.IpRanges ?? []).toHaveLength(0);
    // …into the database's own group, which the new instance was created with; the default group is left alone.
    const [databaseGroup, instanceGroup] = sim
      .callsOf("CreateSecurityGroup", "EC2")
      .map((call) => (call.output as { GroupId?: string } | undefined)?.GroupId);
    expect(sim.callsOf("CreateSecurityGroup", "EC2")[0]?.input).toMatchObject({
      GroupName: "model-catalogue-db",
    });
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([databaseGroup]);
    const mysqlRule = sim
      .callsOf("AuthorizeSecurityGroupIngress", "EC2")
      .find((call) => call.input.IpPermissions?.[0]?.FromPort === 3306);
    expect(mysqlRule?.input.GroupId).toBe(databaseGroup);
    expect(mysqlRule?.input.IpPermissions?.[0]?.UserIdGroupPairs?.[0]?.GroupId).toBe(instanceGroup);

    // The plan names each resource once, before anything is created; apply reports each creation once.
    const stderr = context.captured.stderr();
    const linesAbout = (pattern: RegExp) => stderr.split("\n").filter((line) => pattern.test(line));
    expect(linesAbout(/^ {2}\+ S3 bucket: /)).toEqual([
      "  + S3 bucket: model-catalogue-assets-123456789012 in eu-west-1 (public access blocked, default encryption SSE-S3)",
    ]);
    expect(linesAbout(/^ {2}\+ (Database security group|MySQL database): /)).toEqual([
      expect.stringMatching(/^ {2}\+ Database security group: model-catalogue-db in vpc-\w+, no rules yet$/),
      expect.stringMatching(
        /^ {2}\+ MySQL database: model-catalogue \(MySQL 5\.7\.44, db\.t2\.small, .*\): RDS takes 5–15 minutes$/,
      ),
    ]);
    expect(linesAbout(/^ {2}\+ Database access: /)).toEqual([
      "  + Database access: MySQL (TCP 3306) into the new database group from the new instances' group",
    ]);
    expect(linesAbout(/Created S3 bucket/)).toHaveLength(1);
    expect(linesAbout(/MySQL \(TCP 3306\) into /).at(-1)).toBe(
      `✔ MySQL (TCP 3306) into ${databaseGroup} from ${instanceGroup}: allowed`,
    );
    // The plan comes first: the first creation is reported after the last plan line.
    expect(stderr.indexOf("✔ Created S3 bucket")).toBeGreaterThan(stderr.indexOf("+ ECS service: mc"));

    // The task definition carries the derived values; the output never shows a secret.
    const registered = sim.callsOf("RegisterTaskDefinition")[0]?.input;
    const mcEnv = Object.fromEntries(
      (registered?.containerDefinitions?.[0]?.environment ?? []).map((entry) => [entry.name, entry.value]),
    );
    expect(mcEnv.METADATA_JDBC_URL).toMatch(
      /^jdbc:mysql:\/\/model-catalogue\.[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com:3306\/mc\?/,
    );
    expect(mcEnv.MC_S3_BUCKET).toBe("model-catalogue-assets-123456789012");
    // The database's password is in SSM (the one RDS was given), referenced, and reached the task.
    expect(mcEnv.METADATA_PASSWORD).toBeUndefined();
    for (const secret of Object.values(env)) expect(JSON.stringify(registered)).not.toContain(secret);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.value).toBe(DB_PASSWORD);
    expect(sim.rds.createInput("model-catalogue")?.MasterUserPassword).toBe(DB_PASSWORD);
    for (const secret of Object.values(env)) expect(context.captured.all()).not.toContain(secret);
    const [running] = sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });
    expect(sim.ecs.containerEnvironment(running?.taskArn ?? "", "mc")?.METADATA_PASSWORD).toBe(DB_PASSWORD);
    expect(context.captured.stdout()).toContain(
      "Model Catalogue is set up in account 123456789012, eu-west-1.",
    );
    expect(context.captured.stdout()).toMatch(/reachable now at http:\/\/ec2-[\d-]+\..*\//);

    // mcctl.json describes what setup made and derived, secrets never.
    const saved = await readFile(settingsPath, "utf8");
    expect(JSON.parse(saved)).toMatchObject({
      taskDefinition: "model-catalogue:1",
      environment: {
        MC_S3_BUCKET: "model-catalogue-assets-123456789012",
        METADATA_USERNAME: "mcadmin",
        METADATA_JDBC_URL: mcEnv.METADATA_JDBC_URL,
      },
      setup: { database: { identifier: "model-catalogue" } },
    });
    for (const secret of Object.values(env)) expect(saved).not.toContain(secret);
  });

  it("a re-run on the finished account creates nothing", async () => {
    await setup(baseSettings).run;
    const saved = JSON.parse(await readFile(settingsPath, "utf8")) as Settings;
    sim.clearCalls();
    // No secret in the environment this time: the ones ECS already holds are used, not asked for.
    const { context, run } = setup(saved, {}, {});
    const outcome = await run;
    expect(outcome.complete).toBe(true);
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ec2.securityGroups().filter((group) => group.GroupName === "model-catalogue-db")).toHaveLength(
      1,
    );
    const stderr = context.captured.stderr();
    expect(stderr).toContain(
      "  ✔ S3 bucket: model-catalogue-assets-123456789012 in eu-west-1: exists, used as it is",
    );
    expect(stderr).toMatch(
      / {2}✔ MySQL database: model-catalogue \(.*, available, .*\): exists, used as it is\n/,
    );
    expect(stderr).toMatch(
      / {2}✔ Database access: MySQL \(TCP 3306\) into sg-\w+ from sg-\w+: allowed already\n/,
    );
    expect(stderr).toContain(
      "Task definition: model-catalogue:1 (the revision mcctl.json describes) is up to date",
    );
    expect(stderr).toContain("  METADATA_PASSWORD: unchanged (SSM version 1");
    expect(stderr).toContain("Execution role: mcctl-model-catalogue-execution (exists, up to date)");
    // Nothing to change, nothing to save: mcctl.json is as the first run left it.
    expect(stderr).not.toMatch(/is updated after the change/);
    expect(JSON.parse(await readFile(settingsPath, "utf8"))).toEqual(saved);
    // Said as such: no step, no "created: nothing".
    expect(context.captured.stdout()).toBe(
      `Nothing to do: Model Catalogue is set up in account 123456789012, eu-west-1: everything exists and ${settingsPath} already describes it\n`,
    );
    expect(stderr).not.toMatch(/^ {2}1\. /m);
    expect(outcome).toMatchObject({ nothingToDo: true, taskDefinition: "model-catalogue:1" });
  });

  it("a re-run on a terminal with nothing to do asks no confirmation", async () => {
    await setup(baseSettings).run;
    const saved = JSON.parse(await readFile(settingsPath, "utf8")) as Settings;
    sim.clearCalls();
    const { asker, asked } = scriptedAsker({ "Review or change": false });
    const context = testContext({ settings: saved, settingsPath, env: {}, interactive: true, ask: asker });
    const outcome = await runUntilSettled(
      runSetupCommand(context, SetupOptionsSchema.parse({})),
      4 * 60 * 60_000,
      5_000,
    );
    expect(outcome).toMatchObject({ complete: true, nothingToDo: true });
    // Only the review of mcctl.json's answers (any other question would fail the scripted asker).
    expect(asked.filter((question) => !question.includes("Review or change"))).toEqual([]);
    expect(context.captured.stdout()).toMatch(/^Nothing to do: /);
    expect(mutatingCalls()).toEqual([]);
  });

  it("with --no-wait stops after starting the slow resources, and a later run finishes", async () => {
    const first = await setup(baseSettings, { wait: false }).run;
    expect(first.complete).toBe(false);
    expect(first.pendingReason).toMatch(/--no-wait/);
    expect(sim.callsOf("CreateService")).toHaveLength(0);
    const saved = JSON.parse(await readFile(settingsPath, "utf8")) as Settings;
    const second = await setup(saved).run;
    expect(second.complete).toBe(true);
    expect(sim.callsOf("CreateDBInstance", "RDS")).toHaveLength(1);
    expect(sim.callsOf("RunInstances", "EC2")).toHaveLength(1);
  });

  it("with --no-wait, a re-run while the database and the instance still start changes nothing and says so", async () => {
    await setup(baseSettings, { wait: false }).run;
    const saved = JSON.parse(await readFile(settingsPath, "utf8")) as Settings;
    sim.clearCalls();
    const { context, run } = setup(saved, { wait: false });
    const again = await run;
    expect(mutatingCalls()).toEqual([]);
    expect(again.complete).toBe(false);
    expect(context.captured.stdout()).toMatch(/still starting/);
    expect(context.captured.stdout()).not.toMatch(/is set up/);
  });

  it("--dry-run makes no mutating call and saves nothing", async () => {
    const { context, run } = setup(baseSettings, { dryRun: true });
    const outcome = await run;
    expect(outcome.complete).toBe(false);
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ec2.securityGroups().filter((group) => group.GroupName === "model-catalogue-db")).toEqual([]);
    await expect(readFile(settingsPath, "utf8")).rejects.toThrow();
    const stderr = context.captured.stderr();
    expect(stderr).toContain(
      "  + S3 bucket: model-catalogue-assets-123456789012 in eu-west-1 (public access blocked, default encryption SSE-S3)\n",
    );
    expect(stderr).toMatch(/ {2}\+ Database security group: model-catalogue-db in vpc-\w+, no rules yet\n/);
    expect(stderr).toMatch(
      / {2}\+ MySQL database: model-catalogue \(.*security group model-catalogue-db\): RDS takes 5–15 minutes\n/,
    );
    expect(stderr).toMatch(
      / {2}\+ Database access: MySQL \(TCP 3306\) into the new database group from the new instances' group\n/,
    );
    // The numbered steps, then the dry run's end, once, as the result.
    expect(stderr).toMatch(
      / {2}1\. save mcctl\.json .*\n {2}2\. create what is missing \(marked \+ above\), in this order:\n/,
    );
    expect(stderr).toContain("     create S3 bucket model-catalogue-assets-123456789012\n");
    expect(context.captured.stdout()).toBe(
      "dry run: nothing was changed in AWS and nothing was saved to mcctl.json\n",
    );
    expect(stderr).not.toContain("Answers are saved");
  });

  it("an instance type that can never hold the task (t3.small) is refused in the plan, before anything is created", async () => {
    const settings: Settings = { ...baseSettings, setup: { instance: { type: "t3.small", keyPair: false } } };
    const error = await setup(settings).run.catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe(
      "EC2 instance type t3.small (setup.instance.type in mcctl.json) cannot hold the task (3072 CPU units, 14336 MiB): it has 2048 of 3072 CPU units (2 vCPUs), about 1745 of 14336 MiB memory (2048 MiB nominal, less what the OS and kernel keep)",
    );
    expect((error as McctlError).suggestion).toMatch(/smallest first .*: m4\.xlarge, m5\.xlarge, /);
    expect(mutatingCalls()).toEqual([]);
    await expect(readFile(settingsPath, "utf8")).rejects.toThrow();
  });

  it("reusing a registered instance whose agent lacks awslogs through the execution role: refused in the plan, naming it", async () => {
    sim.ecs.addCluster("default");
    const { instance } = addMcHost(sim, "default", {
      withoutAttributes: ["ecs.capability.execution-role-awslogs"],
    });

    const error = await setup(baseSettings).run.catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe(
      `no container instance in cluster default could ever run the new revision of model-catalogue: ${instance.InstanceId} (m5.xlarge): lacks the attribute ecs.capability.execution-role-awslogs (awslogs through the execution role)`,
    );
    expect(mutatingCalls()).toEqual([]);
  });

  it("without a terminal lists everything missing at once, before calling AWS", async () => {
    const context = testContext({ settings: {}, settingsPath, env: {}, options: { yes: false } });
    const attempt = runSetupCommand(context, SetupOptionsSchema.parse({}));
    await expect(attempt).rejects.toBeInstanceOf(MissingInputError);
    await expect(attempt).rejects.toMatchObject({
      missing: expect.arrayContaining(["METADATA_PASSWORD", "METADATA_HOST", "confirmation (--yes)"]),
    });
    expect(sim.calls).toHaveLength(0);
  });

  it("with --yes on a first run (no mcctl.json) lists the password with the other missing answers, before calling AWS", async () => {
    const context = testContext({ settingsPath, env: {}, options: { yes: true } });
    const attempt = runSetupCommand(context, SetupOptionsSchema.parse({}));
    await expect(attempt).rejects.toMatchObject({
      missing: expect.arrayContaining(["METADATA_PASSWORD", "METADATA_HOST"]),
    });
    expect(sim.calls).toHaveLength(0);
  });

  it("stops with the denied action named when permissions are missing, and a re-run continues", async () => {
    sim.faults.inject({ service: "RDS", command: "CreateDBInstance", error: "access-denied" });
    const error = await setup(baseSettings).run.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toMatch(
      /^AWS denied rds:CreateDBInstance in eu-west-1 for arn:aws:iam::123456789012:user\/test/,
    );
    expect((error as McctlError).suggestion).toContain("rds:CreateDBInstance");
    expect(sim.callsOf("CreateBucket", "S3")).toHaveLength(1);

    const saved = JSON.parse(await readFile(settingsPath, "utf8")) as Settings;
    const outcome = await setup(saved).run;
    expect(outcome.complete).toBe(true);
    expect(sim.callsOf("CreateBucket", "S3")).toHaveLength(1);
    // The database's group from the first run is found by name and given to the instance, not made again.
    const databaseGroups = sim
      .callsOf("CreateSecurityGroup", "EC2")
      .filter((call) => call.input.GroupName === "model-catalogue-db" && !call.error);
    expect(databaseGroups).toHaveLength(1);
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([
      (databaseGroups[0]?.output as { GroupId?: string } | undefined)?.GroupId,
    ]);
  });
});

describe("setup interrupted", () => {
  it("stops before its next change on SIGTERM, lists what exists, and a re-run continues", async () => {
    const { context, run } = (() => {
      const ctx = testContext({ settings: baseSettings, settingsPath, env, options: { yes: true } });
      // The signal arrives right after the bucket was created.
      const success = ctx.output.success.bind(ctx.output);
      ctx.output.success = (message: string) => {
        success(message);
        if (message.startsWith("Created S3 bucket")) process.emit("SIGTERM");
      };
      return {
        context: ctx,
        run: runUntilSettled(runSetupCommand(ctx, SetupOptionsSchema.parse({})), 4 * 60 * 60_000, 5_000),
      };
    })();
    const error = (await run.catch((caught: unknown) => caught)) as McctlError;
    expect(error.exitCode).toBe(143);
    expect(error.message).toBe(
      `terminated (SIGTERM): stopped before creating the database's security group; created so far: IAM role mcctl-model-catalogue-execution, SSM parameters ${SECRETS_STORED.join(", ")} under /mcctl/model-catalogue, S3 bucket model-catalogue-assets-123456789012`,
    );
    expect(error.suggestion).toMatch(/Run `mcctl setup` again to continue/);
    expect(mutatingCalls().filter((call) => /^(EC2|RDS|ECS):/.test(call))).toEqual([]);
    expect(context.captured.stderr()).toContain("Interrupted: setup stops before its next change");

    const saved = JSON.parse(await readFile(settingsPath, "utf8")) as Settings;
    const outcome = await setup(saved).run;
    expect(outcome.complete).toBe(true);
    expect(sim.callsOf("CreateBucket", "S3")).toHaveLength(1);
    expect(sim.callsOf("CreateDBInstance", "RDS")).toHaveLength(1);
  });

  it("stops waiting for the database on Ctrl-C and says what was created", async () => {
    const ctx = testContext({ settings: baseSettings, settingsPath, env, options: { yes: true } });
    const running = runSetupCommand(ctx, SetupOptionsSchema.parse({}));
    running.catch(() => {});
    // Let simulated time run until setup waits for the database it asked RDS for.
    const waiting = new Promise<void>((resolve) => {
      const look = () =>
        ctx.captured.stderr().includes("Waiting for MySQL instance") ? resolve() : setTimeout(look, 1_000);
      look();
    });
    await runUntilSettled(waiting);
    expect(sim.callsOf("CreateDBInstance", "RDS")).toHaveLength(1);
    process.emit("SIGINT");
    const error = (await runUntilSettled(running).catch((caught: unknown) => caught)) as McctlError;
    expect(error.exitCode).toBe(130);
    expect(error.message).toMatch(
      /^interrupted \(Ctrl-C\); created so far: IAM role .*SSM parameters .*S3 bucket .*MySQL instance model-catalogue/,
    );
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(0);
    expect(sim.callsOf("CreateService")).toHaveLength(0);
  });
});
