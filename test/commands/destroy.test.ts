import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AwsClients } from "../../src/aws/clients.js";
import { limitsInForce } from "../../src/aws/limits.js";
import { DestroyOptionsSchema, runDestroy } from "../../src/commands/destroy.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import type { Settings } from "../../src/config/settings.js";
import { InterruptedError, McctlError, MissingInputError, UsageError } from "../../src/errors.js";
import { scriptedAsker } from "../helpers/asker.js";
import { testContext } from "../helpers/context.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";
import { seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { TEST_START } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const SECRETS = {
  METADATA_PASSWORD: "Destroy-Db-Pass-1",
  MC_SUPERVISOR_PASSWORD: "Destroy-Sup-Pass-1",
  MC_S3_KEY: "AKIADESTROY",
  MC_S3_SECRET: "Destroy-S3-Secret",
};
const FIRST_ANSWERS: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false, advanced: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};
const MUTATING =
  /^(Create|Put|Run|Authorize|Register|Update|Delete|Modify|Stop|Start|Terminate|Deregister|Revoke)/;

let sim: SimulatedAws;
let settingsPath: string;

beforeEach(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(TEST_START);
  sim = createSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
  sim.install();
  seedEmptyAccount(sim);
  settingsPath = join(await mkdtemp(join(tmpdir(), "mcctl-destroy-")), "mcctl.json");
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const run = <T>(promise: Promise<T>) => runUntilSettled(promise, 4 * 60 * 60_000, 5_000);
const savedSettings = async () => JSON.parse(await readFile(settingsPath, "utf8")) as Settings;

async function context(options: { interactive?: boolean; answers?: Record<string, string> } = {}) {
  const interactive = options.interactive ?? false;
  return testContext({
    settings: await savedSettings(),
    settingsPath,
    env: {},
    interactive,
    options: interactive ? {} : { yes: true },
    ask: scriptedAsker(options.answers ?? {}).asker,
  });
}

/** A whole deployment, as `mcctl setup` makes it on an empty account. */
async function deploy() {
  const setupContext = testContext({
    settings: FIRST_ANSWERS,
    settingsPath,
    env: SECRETS,
    options: { yes: true },
  });
  const outcome = await run(runSetupCommand(setupContext, SetupOptionsSchema.parse({})));
  expect(outcome.complete).toBe(true);
  sim.clearCalls();
  const settings = await savedSettings();
  const bucket = settings.environment?.MC_S3_BUCKET as string;
  const instanceId = settings.setup?.instance?.instanceId as string;
  const identifier = settings.setup?.database?.identifier as string;
  return { settings, bucket, instanceId, identifier };
}

const destroy = async (flags: Record<string, unknown> = {}, options: Parameters<typeof context>[0] = {}) => {
  const ctx = await context(options);
  const result = await run(runDestroy(ctx, DestroyOptionsSchema.parse({ pollInterval: "5s", ...flags })));
  return { result, ctx };
};

const mutatingCalls = () =>
  sim.calls
    .filter((call) => MUTATING.test(call.command) && !call.error)
    .map((call) => `${call.service}:${call.command}`);

describe("mcctl destroy: the plan", () => {
  it("lists every resource, grouped, with what is kept and why, and changes nothing with --dry-run", async () => {
    const { bucket, instanceId, identifier } = await deploy();
    const { result, ctx } = await destroy({ dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(mutatingCalls()).toEqual([]);
    const out = ctx.captured.all();
    for (const group of [
      "Service",
      "Compute",
      "Network",
      "Database",
      "Storage",
      "Task definitions",
      "Secrets",
      "Logs",
    ]) {
      expect(out).toContain(`\n  ${group}\n`);
    }
    expect(out).toContain(
      "- scale mc to 0 (desired 1, running 1), then delete ECS service mc in default: Model Catalogue stops",
    );
    expect(out).toContain(`- terminate EC2 instance ${instanceId}`);
    expect(out).toContain("- delete ECS cluster default");
    expect(out).toMatch(
      new RegExp(
        `- delete MySQL instance ${identifier} after a final snapshot mcctl-${identifier}-final-\\d{8}t\\d{6}z`,
      ),
    );
    expect(out).toContain(`= S3 bucket ${bucket}: pass --delete-bucket to delete it`);
    expect(out).toContain("- deregister model-catalogue revision(s) 1");
    expect(out).toContain(
      "- delete SSM parameters MC_S3_KEY, MC_S3_SECRET, MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD under /mcctl/model-catalogue",
    );
    expect(out).toContain("- delete IAM role mcctl-model-catalogue-execution");
    expect(out).toContain("- delete log group /ecs/model-catalogue");
    expect(out).toMatch(/- revoke the rule of sg-\w+ that lets sg-\w+ in \(TCP 3306\)/);
    // The steps the apply would run, numbered, under the plan's title.
    expect(out).toContain(
      [
        "Destroy of mc (model-catalogue) in cluster default:",
        `  1. save ${settingsPath}: the names of the secrets this deletes (MC_S3_KEY, MC_S3_SECRET, MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD), so that setup asks for them again`,
        "  2. delete what is marked -, group by group as listed (each wait bounded by --timeout 30m)",
        `  3. save ${settingsPath}: forget the ids of what is gone, keep every answer`,
      ].join("\n"),
    );
    expect(ctx.captured.stdout()).toBe(
      "dry run: nothing was changed in AWS and nothing was saved to mcctl.json\n",
    );
    for (const secret of Object.values(SECRETS)) expect(out).not.toContain(secret);
  });

  it("refuses --force without --delete-bucket, before any AWS call", async () => {
    await deploy();
    await expect(destroy({ force: true })).rejects.toBeInstanceOf(UsageError);
    expect(sim.calls).toEqual([]);
  });

  it("without a terminal and without --yes, fails listing the confirmation before any AWS call", async () => {
    await deploy();
    const ctx = testContext({
      settings: await savedSettings(),
      settingsPath,
      interactive: false,
      options: {},
    });
    const error = await run(runDestroy(ctx, DestroyOptionsSchema.parse({}))).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["confirmation (--yes)"]);
    expect(sim.calls).toEqual([]);
  });

  it("on a terminal, a wrong service name cancels and deletes nothing", async () => {
    await deploy();
    const error = await destroy(
      {},
      { interactive: true, answers: { "Type the service name (mc) to confirm": "yes" } },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McctlError);
    expect((error as Error).message).toMatch(
      /^cancelled: "yes" is not the service name \(mc\); nothing was changed and nothing was saved$/,
    );
    expect(mutatingCalls()).toEqual([]);
  });
});

describe("mcctl destroy: deleting", () => {
  it("deletes in an order AWS accepts, keeps a final snapshot and the bucket, and a second run has nothing to do", async () => {
    const { bucket, instanceId, identifier, settings } = await deploy();
    const { result } = await destroy(
      {},
      { interactive: true, answers: { "Type the service name (mc) to confirm": "mc" } },
    );
    expect(result.dryRun).toBe(false);

    const order = mutatingCalls();
    const at = (command: string) => order.indexOf(command);
    const sequence = [
      "ECS:UpdateService",
      "ECS:DeleteService",
      "ECS:DeregisterContainerInstance",
      "EC2:TerminateInstances",
      "ECS:DeleteCluster",
      "EC2:RevokeSecurityGroupIngress",
      "EC2:DeleteSecurityGroup",
      "RDS:DeleteDBInstance",
      "ECS:DeregisterTaskDefinition",
      "SSM:DeleteParameter",
      "IAM:DeleteRole",
      "CloudWatchLogs:DeleteLogGroup",
    ];
    for (const command of sequence) expect(order, command).toContain(command);
    for (let index = 1; index < sequence.length; index++) {
      expect(
        at(sequence[index - 1] as string),
        `${sequence[index - 1]} before ${sequence[index]}`,
      ).toBeLessThan(at(sequence[index] as string));
    }
    // The database's group goes after the database, the instances' group before it.
    const groupDeletions = sim.callsOf("DeleteSecurityGroup").filter((call) => !call.error);
    expect(groupDeletions).toHaveLength(2);
    const databaseDeleted = sim.callsOf("DeleteDBInstance")[0]?.at ?? 0;
    expect(groupDeletions[0]?.at).toBeLessThanOrEqual(databaseDeleted);
    expect(groupDeletions[1]?.at).toBeGreaterThan(databaseDeleted);

    expect(sim.ecs.describeClusters({ clusters: ["default"] }).clusters?.[0]?.status).toBe("INACTIVE");
    expect(sim.ec2.instance(instanceId)?.State?.Name).toBe("terminated");
    expect(sim.rds.instance(identifier)).toBeUndefined();
    const finalSnapshot = sim.callsOf("DeleteDBInstance")[0]?.input.FinalDBSnapshotIdentifier;
    expect(finalSnapshot).toMatch(new RegExp(`^mcctl-${identifier}-final-`));
    expect(sim.rds.snapshot(finalSnapshot as string)).toBeDefined();
    expect(sim.ec2.securityGroups().map((group) => group.GroupName)).toEqual(["default"]);
    expect(sim.ssm.parameters()).toEqual([]);
    expect(sim.iam.role("mcctl-model-catalogue-execution")).toBeUndefined();
    expect(sim.logs.group("/ecs/model-catalogue")).toBeUndefined();
    expect(sim.s3.bucket(bucket)).toBeDefined();

    // mcctl.json keeps the answers and forgets the ids of what is gone.
    const after = await savedSettings();
    expect(after.taskDefinition).toBeUndefined();
    expect(after.setup?.instance?.instanceId).toBeUndefined();
    expect(after.setup?.instance?.securityGroupId).toBeUndefined();
    expect(after.environment).toEqual(settings.environment);
    expect(after.setup?.database).toEqual(settings.setup?.database);

    sim.clearCalls();
    const again = await destroy();
    expect(mutatingCalls()).toEqual([]);
    expect(again.ctx.captured.all()).toContain("Nothing to do: nothing mcctl created for mc is left");
  });

  it("leaves mcctl.json so that `mcctl setup --yes` builds the deployment again", async () => {
    const { identifier } = await deploy();
    await destroy({ skipFinalSnapshot: true });
    const again = testContext({
      settings: await savedSettings(),
      settingsPath,
      env: SECRETS,
      options: { yes: true },
    });
    const outcome = await run(runSetupCommand(again, SetupOptionsSchema.parse({})));
    expect(outcome.complete).toBe(true);
    expect(outcome.created).toEqual(
      expect.arrayContaining([`MySQL instance ${identifier} (RDS is creating it)`, "ECS cluster default"]),
    );
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(1);
  });

  it("--skip-final-snapshot deletes the database without one", async () => {
    const { identifier } = await deploy();
    await destroy({ skipFinalSnapshot: true });
    expect(sim.callsOf("DeleteDBInstance")[0]?.input).toMatchObject({
      DBInstanceIdentifier: identifier,
      SkipFinalSnapshot: true,
    });
    expect(sim.rds.snapshots().filter((snapshot) => snapshot.DBInstanceIdentifier === identifier)).toEqual(
      [],
    );
  });

  it("--delete-bucket deletes the empty bucket mcctl created", async () => {
    const { bucket } = await deploy();
    await destroy({ deleteBucket: true });
    expect(sim.s3.bucket(bucket)).toBeUndefined();
  });

  it("--delete-bucket keeps a bucket that holds objects unless --force, which deletes them first", async () => {
    const { bucket } = await deploy();
    sim.s3.addObject(bucket, "assets/logo.png", 2048);
    sim.s3.addObject(bucket, "exports/model.xml", 4096);
    const kept = await destroy({ deleteBucket: true });
    expect(kept.ctx.captured.all()).toContain(
      `= S3 bucket ${bucket}: it holds 2 object(s); --force deletes them with it`,
    );
    expect(sim.s3.bucket(bucket)).toBeDefined();
    expect(sim.callsOf("DeleteObjects")).toEqual([]);

    const forced = await destroy({ deleteBucket: true, force: true });
    expect(forced.ctx.captured.all()).toContain(`- delete S3 bucket ${bucket} and the 2 object(s) in it`);
    expect(sim.s3.bucket(bucket)).toBeUndefined();
  });

  it("resumes: a run whose wait for the database ran out is finished by the next one", async () => {
    const { identifier } = await deploy();
    const error = await destroy({ timeout: "2m" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toMatch(
      new RegExp(
        `timed out after 2m 00s waiting for RDS to delete ${identifier} \\(deleting\\); deleted so far: ECS service mc, EC2 instance`,
      ),
    );
    expect((error as McctlError).suggestion).toContain("Run `mcctl destroy` again to finish");
    expect(sim.ssm.parameters()).not.toEqual([]);

    sim.clearCalls();
    const { ctx } = await destroy();
    expect(ctx.captured.all()).toContain(`… MySQL instance ${identifier}: RDS is deleting it already`);
    expect(sim.callsOf("DeleteDBInstance")).toEqual([]);
    expect(sim.rds.instance(identifier)).toBeUndefined();
    expect(sim.ec2.securityGroups().map((group) => group.GroupName)).toEqual(["default"]);
    expect(sim.ssm.parameters()).toEqual([]);
  });

  it("with --yes, --timeout bounds the plan's calls, and no call of the apply, each wait having its own", async () => {
    await deploy();
    const base = await context();
    // --yes: the command's deadline counts from its start. Each wait has --timeout (30m) of its own,
    // and the whole destroy takes longer than the 5 minutes this deadline gives the plan.
    const deadline = Date.now() + 5 * 60_000;
    const ctx = { ...base, deadline, aws: new AwsClients(base.aws.config, { deadline }) };
    const calls: { at: number; deadline: number | undefined }[] = [];
    sim.faults.inject({
      error: "throttling",
      times: Number.POSITIVE_INFINITY,
      match: () => {
        calls.push({ at: Date.now(), deadline: limitsInForce(ctx.aws.limits).deadline });
        return false;
      },
    });
    await run(runDestroy(ctx, DestroyOptionsSchema.parse({ pollInterval: "5s" })));

    expect(calls.filter((call) => call.at > deadline).length).toBeGreaterThan(0);
    // The transport refuses a call whose deadline has passed: none may have one.
    expect(calls.filter((call) => call.deadline !== undefined && call.deadline < call.at)).toEqual([]);
    expect(calls[0]?.deadline).toBe(deadline);
  });

  it("a task left running on the instance it deregisters runs on, orphaned, until the instance is terminated", async () => {
    const { instanceId } = await deploy();
    const [task] = sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });
    // Someone deleted the service by hand, and its task is slow to stop: destroy finds no service, and
    // deregisters the instance (with force) while the task still runs there.
    sim.ecs.setTimings({ stoppingMs: 30 * 60_000 });
    sim.ecs.deleteService({ cluster: "default", service: "mc", force: true });
    const { result } = await destroy();

    expect(result.deleted).toContain("ECS cluster default");
    expect(sim.ecs.describeClusters({ clusters: ["default"] }).clusters?.[0]?.status).toBe("INACTIVE");
    // It stopped with its host, not at the deregistration.
    expect(sim.ecs.tasks({}).find((candidate) => candidate.taskArn === task?.taskArn)).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "TerminationNotice",
      stoppedReason: `Host EC2 (instance ${instanceId}) terminated.`,
    });
    expect(sim.ecs.tasks({}).filter((candidate) => candidate.lastStatus !== "STOPPED")).toEqual([]);
  });

  it("an interruption stops before the next deletion, and says what was deleted", async () => {
    await deploy();
    const ctx = await context();
    const running = runDestroy(ctx, DestroyOptionsSchema.parse({ pollInterval: "5s" }));
    // Interrupt while the instances terminate.
    const interrupt = (async () => {
      while (sim.callsOf("TerminateInstances").length === 0) await vi.advanceTimersByTimeAsync(1_000);
      process.emit("SIGINT");
    })();
    const error = await run(running).catch((caught: unknown) => caught);
    await interrupt;
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as Error).message).toContain("deleted so far: ECS service mc");
    expect(sim.callsOf("DeleteDBInstance")).toEqual([]);
  });
});

describe("mcctl destroy: never touches what mcctl did not create", () => {
  it("keeps an untagged instance in the cluster (and so the cluster) and an untagged parameter", async () => {
    const { settings } = await deploy();
    const foreign = sim.ec2.addInstance({ tags: [{ Key: "Name", Value: "someone-else" }] });
    sim.ecs.addContainerInstance("default", { ec2InstanceId: foreign.InstanceId });
    sim.ssm.putParameterDirectly({
      Name: "/mcctl/model-catalogue/NOTES",
      Value: "hand-made",
      Type: "String",
    });
    const { ctx } = await destroy();
    const out = ctx.captured.all();
    expect(out).toContain(`= container instance ${foreign.InstanceId}: not launched by mcctl`);
    expect(out).toContain("= ECS cluster default: it holds container instances mcctl did not launch");
    expect(out).toContain(
      "= SSM parameter /mcctl/model-catalogue/NOTES: not tagged managed-by=mcctl (mcctl did not create it)",
    );
    const touched = JSON.stringify(
      sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => call.input),
    );
    expect(touched).not.toContain(foreign.InstanceId);
    expect(touched).not.toContain("NOTES");
    expect(sim.callsOf("DeleteCluster")).toEqual([]);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/NOTES")).toBeDefined();
    expect(settings.taskDefinition).toBe("model-catalogue:1");
  });

  it("keeps the instances and the cluster when another service shares the cluster", async () => {
    const { instanceId } = await deploy();
    sim.ecs.createService({
      cluster: "default",
      serviceName: "other",
      taskDefinition: "model-catalogue:1",
      desiredCount: 0,
    });
    const { ctx } = await destroy();
    const out = ctx.captured.all();
    expect(out).toContain(`= EC2 instance(s) ${instanceId}: the cluster also runs other`);
    expect(out).toContain("= ECS cluster default: it also runs other");
    expect(sim.callsOf("TerminateInstances")).toEqual([]);
    expect(sim.callsOf("DeleteCluster")).toEqual([]);
    expect(sim.ec2.instance(instanceId)?.State?.Name).toBe("running");
    // The instances' group stays with them: they use it.
    expect(out).toMatch(/= security group model-catalogue-ecs-instances \(sg-\w+\): used by EC2 instance/);
  });
});
