import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { Settings } from "../../../src/config/settings.js";
import { InterruptedError, McctlError } from "../../../src/errors.js";
import { applySetup } from "../../../src/operations/setup/apply.js";
import { applyStepsOf, planSetup, type SetupPlan, type SetupSteps } from "../../../src/plan/setup/plan.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { testTarget } from "../../helpers/secrets.js";
import { setupAwsFor, type TestApplyIoOptions, testApplyIo, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { seedEmptyAccount } from "../../helpers/sim-fixtures.js";
import { runUntilSettled } from "../../helpers/time.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
/** The secrets setup stores for this account's env, in the order it stores them. */
const STORED = "MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD, MC_S3_KEY, MC_S3_SECRET";
const MUTATING = /^(Create|Put|Run|Authorize|Register|Update|Delete|Modify|Stop|Terminate)/;
const BUCKET = "model-catalogue-assets-123456789012";
const env = {
  METADATA_PASSWORD: "Canary-Db-Pass-93x",
  MC_SUPERVISOR_PASSWORD: "Canary-Sup-Pass-41q",
  MC_S3_KEY: "AKIAEXAMPLEKEY",
  MC_S3_SECRET: "Canary-S3-Secret",
};
const baseSettings: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};

let sim: SimulatedAws;
let aws: SetupAws;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws();
  sim.install();
  seedEmptyAccount(sim);
  aws = setupAwsFor(config);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);

/** The plan `mcctl setup --yes` makes with mcctl.json `settings`, and the steps it hands to apply. */
async function planned(settings: Settings, wait: boolean): Promise<{ plan: SetupPlan; steps: SetupSteps }> {
  const plan = await planSetup(testPlanIo({ env, settings }).io, aws, {
    cluster: "default",
    service: "mc",
    target: testTarget(),
  });
  return { plan, steps: applyStepsOf(plan, wait) };
}

/** An ApplyIo whose mcctl.json starts as the plan's settingsAfter (the command saves it at the confirmation). */
function applyIo(plan: SetupPlan, options: TestApplyIoOptions = {}) {
  const applied = testApplyIo({ settings: plan.settingsAfter, waitTimeoutMs: 30 * 60_000, ...options });
  const callsAtSave: number[] = [];
  const save = applied.io.save;
  applied.io.save = async (update) => {
    callsAtSave.push(sim.calls.length);
    await save(update);
  };
  return { ...applied, callsAtSave };
}

describe("applySetup", () => {
  it("with --no-wait creates each resource once, in order, remembers the instances' group before the launch and the instance after it", async () => {
    const { plan, steps } = await planned(baseSettings, false);
    sim.clearCalls();
    const { io, saved, current, callsAtSave } = applyIo(plan);

    const outcome = await applySetup(io, aws, steps);

    expect(mutatingCalls()).toEqual([
      // The secrets first: a new database's password is in SSM before RDS is given it.
      "IAM:CreateRole",
      "IAM:PutRolePolicy",
      "SSM:PutParameter",
      "SSM:PutParameter",
      "SSM:PutParameter",
      "SSM:PutParameter",
      "S3:CreateBucket",
      "S3:PutPublicAccessBlock",
      "S3:PutBucketEncryption",
      "S3:PutBucketTagging",
      "EC2:CreateSecurityGroup",
      "RDS:CreateDBInstance",
      "ECS:CreateCluster",
      "EC2:CreateSecurityGroup",
      "EC2:AuthorizeSecurityGroupIngress",
      "EC2:RunInstances",
      "EC2:AuthorizeSecurityGroupIngress",
    ]);
    const [databaseGroup, instanceGroup] = sim
      .callsOf("CreateSecurityGroup")
      .map((call) => (call.output as { GroupId?: string } | undefined)?.GroupId);
    const instanceId = sim.ec2.instances()[0]?.InstanceId;
    expect(saved).toEqual([
      { setup: { instance: { securityGroupId: instanceGroup } } },
      { setup: { instance: { instanceId } } },
    ]);
    const runAt = sim.calls.findIndex((call) => call.command === "RunInstances");
    expect(callsAtSave[0]).toBeLessThanOrEqual(runAt);
    expect(callsAtSave[1]).toBeGreaterThan(runAt);
    // What mcctl.json says of the instance after this run: the plan's answers and what apply created.
    expect(current().setup?.instance).toEqual({
      type: "m5.xlarge",
      keyPair: false,
      instanceProfile: "ecsInstanceRole",
      subnetId: plan.compute.launch?.subnetId,
      securityGroupId: instanceGroup,
      instanceId,
    });
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([databaseGroup]);
    expect(outcome).toEqual({
      complete: false,
      pendingReason:
        "--no-wait: the database or the instance is still starting; run `mcctl setup` again to finish",
      created: [
        "IAM role mcctl-model-catalogue-execution",
        `SSM parameters ${STORED} under /mcctl/model-catalogue`,
        `S3 bucket ${BUCKET}`,
        `security group ${databaseGroup} (database)`,
        "MySQL instance model-catalogue (RDS is creating it)",
        "ECS cluster default",
        `security group ${instanceGroup} (container instances)`,
        `EC2 instance ${instanceId}`,
      ],
    });
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(0);
    expect(sim.callsOf("CreateService")).toHaveLength(0);
  });

  it("waits for the database and the instance, registers the real JDBC URL, creates the service and remembers the revision", async () => {
    const { plan, steps } = await planned(baseSettings, true);
    const { io, saved, current, captured } = applyIo(plan);

    const outcome = await runUntilSettled(applySetup(io, aws, steps), 2 * 60 * 60_000, 5_000);

    expect(outcome).toMatchObject({ complete: true, taskDefinition: "model-catalogue:1" });
    expect(outcome.instanceUrl).toMatch(/^http:\/\/ec2-[\d-]+\..*compute\.amazonaws\.com\/$/);
    expect(outcome.created.at(-1)).toBe("ECS service mc");
    const jdbc = current().environment?.METADATA_JDBC_URL;
    expect(jdbc).toMatch(
      /^jdbc:mysql:\/\/model-catalogue\.[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com:3306\/mc\?/,
    );
    expect(saved.at(-1)).toEqual({
      environment: { METADATA_JDBC_URL: jdbc },
      taskDefinition: "model-catalogue:1",
    });
    const registered = sim.callsOf("RegisterTaskDefinition")[0]?.input;
    const variables = Object.fromEntries(
      (registered?.containerDefinitions?.[0]?.environment ?? []).map((entry) => [entry.name, entry.value]),
    );
    expect(variables.METADATA_JDBC_URL).toBe(jdbc);
    expect(variables.MC_S3_BUCKET).toBe(BUCKET);
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(1);
    for (const secret of Object.values(env)) {
      expect(captured.all()).not.toContain(secret);
      expect(JSON.stringify(saved)).not.toContain(secret);
    }
  });

  it("a failure says what was created; the re-run plans with the database's group and makes no second one", async () => {
    sim.faults.inject({ service: "RDS", command: "CreateDBInstance", error: "access-denied" });
    const first = await planned(baseSettings, false);
    const { io, current } = applyIo(first.plan);

    const error = await applySetup(io, aws, first.steps).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(McctlError);
    const groupId = sim.ec2
      .securityGroups()
      .find((group) => group.GroupName === "model-catalogue-db")?.GroupId;
    expect((error as McctlError).message).toMatch(
      new RegExp(
        `^AWS denied rds:CreateDBInstance .*; created so far: IAM role mcctl-model-catalogue-execution, SSM parameters ${STORED} under /mcctl/model-catalogue, S3 bucket ${BUCKET}, security group ${groupId} \\(database\\)$`,
      ),
    );
    expect((error as McctlError).suggestion).toMatch(
      /Run `mcctl setup` again to continue: it finds what exists\.$/,
    );

    const again = await planned(current(), false);
    expect(again.plan.database.database).toMatchObject({ action: "create", securityGroupId: groupId });
    expect(again.steps.bucket.create).toBe(false);
    sim.clearCalls();
    await applySetup(applyIo(again.plan).io, aws, again.steps);

    expect(mutatingCalls().slice(0, 2)).toEqual(["RDS:CreateDBInstance", "ECS:CreateCluster"]);
    expect(sim.ec2.securityGroups().filter((group) => group.GroupName === "model-catalogue-db")).toHaveLength(
      1,
    );
    expect(sim.rds.createInput("model-catalogue")?.VpcSecurityGroupIds).toEqual([groupId]);
  });

  it("an aborted run stops before its next change and says nothing was created", async () => {
    const { plan, steps } = await planned(baseSettings, false);
    sim.clearCalls();
    const controller = new AbortController();
    controller.abort(new InterruptedError("interrupted by SIGINT"));

    const error = await applySetup(applyIo(plan, { signal: controller.signal }).io, aws, steps).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).message).toBe(
      "interrupted by SIGINT: stopped before storing the secrets in SSM Parameter Store; nothing was created",
    );
    expect(mutatingCalls()).toEqual([]);
  });

  it("a resumed run finishes what the first --no-wait run started: waits for that database and that instance, creates only what is left", async () => {
    const first = await planned(baseSettings, false);
    const firstIo = applyIo(first.plan);
    await applySetup(firstIo.io, aws, first.steps);
    const instanceId = firstIo.current().setup?.instance?.instanceId;

    // Resumed at once with --no-wait: RDS is still creating, the instance not registered yet.
    const early = await planned(firstIo.current(), false);
    expect(early.steps.database.action).toBe("use");
    expect(early.steps.compute).toMatchObject({ status: "pending", instanceId });
    sim.clearCalls();
    expect(await applySetup(applyIo(early.plan).io, aws, early.steps)).toEqual({
      complete: false,
      pendingReason:
        "--no-wait: the database or the instance is still starting; run `mcctl setup` again to finish",
      created: [],
    });
    expect(mutatingCalls()).toEqual([]);

    // Resumed with waiting: it waits for the same database and instance, and launches nothing.
    const resumed = await planned(firstIo.current(), true);
    const { io, current, captured } = applyIo(resumed.plan);
    const outcome = await runUntilSettled(applySetup(io, aws, resumed.steps), 2 * 60 * 60_000, 5_000);

    expect(mutatingCalls()).toEqual([
      "CloudWatchLogs:CreateLogGroup",
      "CloudWatchLogs:PutRetentionPolicy",
      "ECS:RegisterTaskDefinition",
      "ECS:CreateService",
    ]);
    expect(sim.ec2.instances().map((instance) => instance.InstanceId)).toEqual([instanceId]);
    expect(outcome).toMatchObject({
      complete: true,
      created: ["log group /ecs/model-catalogue", "task definition model-catalogue:1", "ECS service mc"],
      taskDefinition: "model-catalogue:1",
    });
    expect(outcome.instanceUrl).toMatch(/^http:\/\/ec2-[\d-]+\..*compute\.amazonaws\.com\/$/);
    expect(current().environment?.METADATA_JDBC_URL).toMatch(/^jdbc:mysql:\/\/model-catalogue\./);
    expect(captured.stderr()).toMatch(/MySQL instance model-catalogue/);
  });

  it("a run on a finished set-up creates nothing, keeps the revision and still gives the instance's address", async () => {
    const first = await planned(baseSettings, true);
    const firstIo = applyIo(first.plan);
    const done = await runUntilSettled(applySetup(firstIo.io, aws, first.steps), 2 * 60 * 60_000, 5_000);

    const again = await planned(firstIo.current(), true);
    expect(again.steps.compute.status).toBe("ready");
    sim.clearCalls();
    const { io, captured, saved } = applyIo(again.plan);
    const outcome = await runUntilSettled(applySetup(io, aws, again.steps), 60 * 60_000, 5_000);

    expect(mutatingCalls()).toEqual([]);
    expect(outcome).toEqual({
      complete: true,
      created: [],
      taskDefinition: "model-catalogue:1",
      instanceUrl: done.instanceUrl,
    });
    expect(captured.stderr()).toContain("Task definition model-catalogue:1 is up to date.");
    expect(saved).toEqual([
      {
        environment: { METADATA_JDBC_URL: firstIo.current().environment?.METADATA_JDBC_URL },
        taskDefinition: "model-catalogue:1",
      },
    ]);
  });

  it("an interrupt stops before the next change, naming it and everything created so far", async () => {
    const stops: string[] = [];
    // Interrupted just after the 1st, 2nd, … change was reported, each time on a fresh account. The
    // secrets are one step of seven reports (role, its policy, the managed policy, four parameters).
    for (const after of [7, 8, 9, 10, 11, 12, 13, 14]) {
      sim.restore();
      sim = createSimulatedAws();
      sim.install();
      seedEmptyAccount(sim);
      aws = setupAwsFor(config);
      const { plan, steps } = await planned(baseSettings, false);
      const controller = new AbortController();
      const { io } = applyIo(plan, { signal: controller.signal });
      const success = io.reporter.success.bind(io.reporter);
      let reported = 0;
      io.reporter.success = (message) => {
        success(message);
        reported += 1;
        if (reported === after) controller.abort(new InterruptedError("Interrupted (SIGTERM)"));
      };
      const error = await applySetup(io, aws, steps).then(
        () => new Error("finished"),
        (caught: unknown) => caught as Error,
      );
      expect(error).toBeInstanceOf(InterruptedError);
      stops.push(error.message.replace(/\b(sg|i)-[0-9a-f]+/g, "$1-x"));
    }
    const made = [
      "IAM role mcctl-model-catalogue-execution",
      `SSM parameters ${STORED} under /mcctl/model-catalogue`,
      `S3 bucket ${BUCKET}`,
      "security group sg-x (database)",
      "MySQL instance model-catalogue (RDS is creating it)",
      "ECS cluster default",
      "security group sg-x (container instances)",
      "EC2 instance i-x",
    ];
    const stop = (next: string, count: number) =>
      `Interrupted (SIGTERM): stopped before ${next}; created so far: ${made.slice(0, count).join(", ")}`;
    expect(stops).toEqual([
      stop(`creating S3 bucket ${BUCKET}`, 2),
      stop("creating the database's security group", 3),
      stop("creating MySQL instance model-catalogue", 4),
      stop("creating ECS cluster default", 5),
      stop("creating the container instances' security group", 6),
      // The instances' group is reported twice: created, then opened to port 80.
      stop("launching a m5.xlarge container instance", 7),
      stop("launching a m5.xlarge container instance", 7),
      stop("opening the database to the container instances", 8),
    ]);
  });
});
