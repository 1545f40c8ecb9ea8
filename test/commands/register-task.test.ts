import { readFile, stat, writeFile } from "node:fs/promises";
import { describe, expect, it, vi } from "vitest";
import { AwsClients } from "../../src/aws/clients.js";
import { resolveAwsConfig } from "../../src/aws/config.js";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { McctlError, MISSING_REGION, MissingInputError, UsageError } from "../../src/errors.js";
import { scriptedAsker } from "../helpers/asker.js";
import { testContext } from "../helpers/context.js";
import { addMcHost, mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";

const CANARY = "CANARY-db-Secret-7f3a";
const JDBC = "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";
const environment = { METADATA_HOST: "mc.example.com", METADATA_JDBC_URL: JDBC, METADATA_USERNAME: "mc" };
const options = (raw: Record<string, unknown> = {}) => RegisterTaskOptionsSchema.parse(raw);
const MUTATING = /^(Register|Create|Update|Delete|Put|Run|Authorize)/;

const sim = useSimulatedAws();
const mutatingCalls = () => sim.calls.filter((call) => MUTATING.test(call.command));

function context(
  extra: {
    settingsPath?: string;
    yes?: boolean;
    env?: NodeJS.ProcessEnv;
    settings?: object;
    json?: boolean;
  } = {},
) {
  return testContext({
    json: extra.json,
    settings: { environment, ...extra.settings },
    settingsPath: extra.settingsPath,
    env: { METADATA_PASSWORD: CANARY, MC_SUPERVISOR_PASSWORD: `${CANARY}-sup`, ...extra.env },
    options: { yes: extra.yes ?? true },
  });
}

const savedSettings = async (ctx: ReturnType<typeof context>) =>
  JSON.parse(await readFile(ctx.settings.path, "utf8")) as Record<string, unknown>;
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe("register-task --dry-run", () => {
  it("--offline prints the exact input with secrets masked and calls no AWS API", async () => {
    const ctx = context({ yes: false, json: true });
    const result = await runRegisterTask(ctx, options({ dryRun: true, offline: true }));
    expect(result).toMatchObject({ dryRun: true, registered: false });
    // stdout is the RegisterTaskDefinition input itself, to pipe; the steps are listed on stderr.
    const printed = JSON.parse(ctx.captured.stdout());
    expect(printed).toMatchObject({ family: "model-catalogue" });
    expect(result).toMatchObject({ input: printed });
    expect(ctx.captured.stderr()).toContain(
      "3. register the task definition above as a new revision of model-catalogue",
    );
    const mc = printed.containerDefinitions.find((container: { name: string }) => container.name === "mc");
    const variable = (name: string) =>
      mc.environment.find((entry: { name: string }) => entry.name === name)?.value as string | undefined;
    expect(variable("METADATA_PASSWORD")).toBeUndefined();
    expect(variable("METADATA_HOST")).toBe("mc.example.com");
    // The account is not known offline: the references say so.
    expect(mc.secrets).toEqual([
      {
        name: "MC_SUPERVISOR_PASSWORD",
        valueFrom: "arn:aws:ssm:eu-west-1:<account>:parameter/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
      },
      {
        name: "METADATA_PASSWORD",
        valueFrom: "arn:aws:ssm:eu-west-1:<account>:parameter/mcctl/model-catalogue/METADATA_PASSWORD",
      },
    ]);
    expect(printed.executionRoleArn).toBe("arn:aws:iam::<account>:role/mcctl-model-catalogue-execution");
    expect(ctx.captured.all()).not.toContain(CANARY);
    expect(sim.calls).toHaveLength(0);
    expect(await exists(ctx.settings.path)).toBe(false);
  });

  it("--offline prints the input and the numbered steps, secrets masked, and says once that nothing changed", async () => {
    const ctx = context({ yes: false });
    await runRegisterTask(ctx, options({ dryRun: true, offline: true }));
    const stderr = ctx.captured.stderr();
    const stdout = ctx.captured.stdout();
    expect(stdout).toContain('"name": "METADATA_HOST",\n');
    expect(stdout).toContain('"value": "mc.example.com"');
    expect(JSON.parse(stdout)).toMatchObject({ family: "model-catalogue" });
    expect(stderr).toMatch(
      /1\. store the secrets \(MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD\) as SecureStrings/,
    );
    expect(stderr).toContain("3. register the task definition above as a new revision of model-catalogue");
    expect(
      stderr.match(/dry run: nothing was changed in AWS and nothing was saved to mcctl.json/g),
    ).toHaveLength(1);
    expect(ctx.captured.all()).not.toContain(CANARY);
    expect(sim.calls).toHaveLength(0);
    expect(await exists(ctx.settings.path)).toBe(false);
  });

  it("--yes without a region lists it with the other missing values, in one round and before AWS", async () => {
    const ctx = testContext({ settings: {}, env: {}, options: { yes: true } });
    ctx.aws = new AwsClients(resolveAwsConfig({}));
    const error = await runRegisterTask(ctx, options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(
      expect.arrayContaining(["METADATA_HOST", "METADATA_PASSWORD", MISSING_REGION]),
    );
    expect(sim.calls).toHaveLength(0);
  });

  it("--offline without --dry-run is a usage error", async () => {
    await expect(runRegisterTask(context(), options({ offline: true }))).rejects.toBeInstanceOf(UsageError);
    // Without a terminal or --yes too: the usage error, not a missing confirmation.
    await expect(runRegisterTask(context({ yes: false }), options({ offline: true }))).rejects.toBeInstanceOf(
      UsageError,
    );
    expect(sim.calls).toHaveLength(0);
  });

  it("is the plan: account, region and the whole first revision, secrets masked; nothing changed or saved", async () => {
    const ctx = context({ yes: false });
    await runRegisterTask(ctx, options({ dryRun: true }));
    const stderr = ctx.captured.stderr();
    expect(stderr).toContain("AWS account 123456789012");
    expect(stderr).toContain("region eu-west-1");
    expect(stderr).toContain("model-catalogue has no revision yet; this registers revision 1:");
    expect(stderr).toContain("mc: metadata/registry:2, 10240 MiB, 2048 CPU units, host 80 → 8080");
    expect(stderr).toContain("METADATA_PASSWORD from SSM /mcctl/model-catalogue/METADATA_PASSWORD");
    expect(stderr).toContain("METADATA_HOST=mc.example.com");
    expect(stderr).toContain(
      "Secrets: SSM Parameter Store SecureStrings under /mcctl/model-catalogue, encrypted with the AWS-managed key alias/aws/ssm:",
    );
    expect(stderr).toContain(
      "+ METADATA_PASSWORD: new SecureString /mcctl/model-catalogue/METADATA_PASSWORD",
    );
    expect(stderr).toContain(
      "Execution role: + create mcctl-model-catalogue-execution (trusts ecs-tasks.amazonaws.com; AmazonECSTaskExecutionRolePolicy; ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/*)",
    );
    expect(stderr).toContain(
      "1. store the secrets: a new execution role, mcctl-model-catalogue-execution, then write MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD as SecureStrings under /mcctl/model-catalogue",
    );
    expect(stderr).toContain("register a new revision of model-catalogue");
    expect(ctx.captured.stdout()).toContain(
      "dry run: nothing was changed in AWS and nothing was saved to mcctl.json",
    );
    expect(ctx.captured.all()).not.toContain(CANARY);
    expect(mutatingCalls()).toEqual([]);
    expect(await exists(ctx.settings.path)).toBe(false);
  });
});

describe("register-task", () => {
  it("registers revision 1 referencing SecureStrings in SSM: no secret value in the task definition or output", async () => {
    const ctx = context();
    const result = await runRegisterTask(ctx, options());
    expect(result).toMatchObject({ family: "model-catalogue", revision: 1, registered: true });
    const [call] = sim.callsOf("RegisterTaskDefinition");
    expect(JSON.stringify(call?.input)).not.toContain(CANARY);
    const registered = sim.ecs.describeTaskDefinition({ taskDefinition: "model-catalogue:1" }).taskDefinition;
    expect(JSON.stringify(registered)).not.toContain(CANARY);
    expect(registered?.executionRoleArn).toBe(
      "arn:aws:iam::123456789012:role/mcctl-model-catalogue-execution",
    );
    expect(registered?.containerDefinitions?.[0]?.secrets).toContainEqual({
      name: "METADATA_PASSWORD",
      valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/METADATA_PASSWORD",
    });
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")).toMatchObject({
      type: "SecureString",
      value: CANARY,
      keyId: "alias/aws/ssm",
      version: 1,
      tags: expect.arrayContaining([{ Key: "managed-by", Value: "mcctl" }]),
    });
    expect(sim.ssm.parameter("/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD")?.value).toBe(`${CANARY}-sup`);
    // The parameters exist before the revision that names them.
    const order = sim.calls.map((recorded) => recorded.command);
    expect(order.lastIndexOf("PutParameter")).toBeLessThan(order.indexOf("RegisterTaskDefinition"));
    expect(ctx.captured.stdout()).toContain("model-catalogue:1");
    expect(ctx.captured.all()).not.toContain(CANARY);
  });

  it("registers nothing when nothing changed, and shows a masked diff when something did", async () => {
    const first = context();
    await runRegisterTask(first, options());
    const unchanged = context({ settingsPath: first.settings.path, settings: await savedSettings(first) });
    await expect(runRegisterTask(unchanged, options())).resolves.toMatchObject({
      registered: false,
      revision: 1,
    });
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(1);
    expect(unchanged.captured.stdout()).toContain("model-catalogue:1 is up to date");

    expect(sim.callsOf("PutParameter")).toHaveLength(2);

    const changed = context({
      settingsPath: first.settings.path,
      settings: await savedSettings(first),
      env: { METADATA_PASSWORD: `${CANARY}-new`, MC_NAME: "Renamed" },
    });
    await expect(runRegisterTask(changed, options())).resolves.toMatchObject({
      registered: true,
      revision: 2,
    });
    const diff = changed.captured.stderr();
    expect(diff).toContain("a new revision of model-catalogue, changed from model-catalogue:1");
    expect(diff).toContain("~ mc env MC_NAME: Model Catalogue → Renamed");
    expect(diff).not.toContain("mc env METADATA_PASSWORD");
    expect(diff).toContain("~ METADATA_PASSWORD: changed (SSM version 1 → 2)");
    expect(diff).toContain("  MC_SUPERVISOR_PASSWORD: unchanged (SSM version 1");
    expect(diff).toContain("~ environment.MC_NAME: Model Catalogue → Renamed");
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")).toMatchObject({
      value: `${CANARY}-new`,
      version: 2,
    });
    expect(changed.captured.all()).not.toContain(CANARY);
  });

  it("--force registers an identical revision", async () => {
    await runRegisterTask(context(), options());
    await expect(runRegisterTask(context(), options({ force: true }))).resolves.toMatchObject({
      revision: 2,
    });
  });

  it("without a terminal or --yes, fails listing the confirmation before calling AWS", async () => {
    const attempt = runRegisterTask(context({ yes: false }), options());
    await expect(attempt).rejects.toBeInstanceOf(MissingInputError);
    await expect(attempt).rejects.toMatchObject({ missing: ["confirmation (--yes)"] });
    expect(sim.calls).toHaveLength(0);
  });

  it("lists missing values and the confirmation together", async () => {
    const ctx = testContext({
      settings: { taskDefinition: "model-catalogue:1" },
      env: {},
      options: { yes: false },
    });
    await expect(runRegisterTask(ctx, options())).rejects.toMatchObject({
      missing: [
        "METADATA_HOST",
        "METADATA_JDBC_URL",
        "METADATA_USERNAME",
        "METADATA_PASSWORD",
        "confirmation (--yes)",
      ],
    });
    expect(sim.calls).toHaveLength(0);
  });

  it("without a described revision, asks only for the confirmation first: the revision in service may hold the values", async () => {
    const ctx = testContext({ settings: {}, env: {}, options: { yes: false } });
    await expect(runRegisterTask(ctx, options())).rejects.toMatchObject({
      missing: ["confirmation (--yes)"],
    });
    expect(sim.calls).toHaveLength(0);
    // With --yes, once ECS says no service runs a revision, every missing value is listed at once.
    const confirmed = testContext({ settings: {}, env: {}, options: { yes: true } });
    await expect(runRegisterTask(confirmed, options())).rejects.toMatchObject({
      missing: ["METADATA_HOST", "METADATA_JDBC_URL", "METADATA_USERNAME", "METADATA_PASSWORD"],
    });
    expect(mutatingCalls()).toHaveLength(0);
  });

  it("saves what it registered, with mode 0600, after the confirmation, and never a secret", async () => {
    const { asker, asked } = scriptedAsker({
      METADATA_HOST: "asked.example.com",
      METADATA_SCHEME: undefined,
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: "",
      MC_SUPERVISOR_PASSWORD: `${CANARY}-sup`,
      METADATA_JDBC_URL: JDBC,
      METADATA_USERNAME: "mc",
      METADATA_PASSWORD: CANARY,
      "Send e-mail": false,
      "Amazon S3?": false,
      "log in with Google": false,
      "advanced settings": false,
      "Register a new revision": true,
    });
    const ctx = testContext({ options: { yes: false }, interactive: true, ask: asker });
    await runRegisterTask(ctx, options());
    // One confirmation, the last question, after the plan was printed.
    expect(asked.at(-1)).toBe(
      "Register a new revision of model-catalogue in account 123456789012, eu-west-1, after storing the secrets and preparing the log group as shown?",
    );
    expect(asked.filter((question) => question.startsWith("Register"))).toHaveLength(1);
    const saved = await readFile(ctx.settings.path, "utf8");
    expect(JSON.parse(saved)).toMatchObject({
      environment: { METADATA_HOST: "asked.example.com" },
      taskDefinition: "model-catalogue:1",
      region: "eu-west-1",
    });
    expect(saved).not.toContain(CANARY);
    expect((await stat(ctx.settings.path)).mode & 0o777).toBe(0o600);
  });

  it("a No at the confirmation changes nothing and saves nothing", async () => {
    const { asker } = scriptedAsker({
      "Review or change": false,
      METADATA_SCHEME: undefined,
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: "",
      "Send e-mail": false,
      "Amazon S3?": false,
      "log in with Google": false,
      "advanced settings": false,
      "Register a new revision": false,
    });
    const ctx = testContext({
      settings: { environment },
      env: { METADATA_PASSWORD: CANARY, MC_SUPERVISOR_PASSWORD: `${CANARY}-sup` },
      options: { yes: false },
      interactive: true,
      ask: asker,
    });
    const error = await runRegisterTask(ctx, options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toMatch(/nothing was changed and nothing was saved/);
    expect(mutatingCalls()).toEqual([]);
    expect(await exists(ctx.settings.path)).toBe(false);
  });
});

describe("register-task secrets on a re-run", () => {
  it("keeps the secrets of the revision mcctl.json describes when their variables are not set", async () => {
    const first = context();
    await runRegisterTask(first, options());
    const rerun = testContext({
      settings: await savedSettings(first),
      settingsPath: first.settings.path,
      env: {},
      options: { yes: true },
    });
    await expect(runRegisterTask(rerun, options())).resolves.toMatchObject({
      registered: false,
      revision: 1,
    });
    expect(rerun.captured.stderr()).toContain("  METADATA_PASSWORD: unchanged (SSM version 1");
    expect(rerun.captured.all()).not.toContain(CANARY);
    // Names and versions only: no value was read, nothing was written.
    expect(sim.callsOf("GetParameter")).toHaveLength(0);
    expect(sim.callsOf("PutParameter")).toHaveLength(2);
  });

  it("setting a secret to the value it has is no change: no new version, nothing to restart", async () => {
    const first = context();
    await runRegisterTask(first, options());
    const again = context({ settingsPath: first.settings.path, settings: await savedSettings(first) });
    await expect(runRegisterTask(again, options())).resolves.toMatchObject({ registered: false });
    expect(sim.callsOf("PutParameter")).toHaveLength(2);
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.version).toBe(1);
    expect(again.captured.stderr()).not.toContain("mcctl restart");
  });
});

describe("register-task and changes made outside mcctl", () => {
  it("shows what registering mcctl.json's task definition changes in the revision the service runs", async () => {
    const first = context();
    await runRegisterTask(first, options());
    // Someone changes MC_NAME in the console and deploys that revision.
    const registered = sim.ecs.describeTaskDefinition({ taskDefinition: "model-catalogue:1" }).taskDefinition;
    const [mc, ...others] = registered?.containerDefinitions ?? [];
    sim.ecs.registerTaskDefinition({
      family: "model-catalogue",
      executionRoleArn: registered?.executionRoleArn,
      volumes: registered?.volumes,
      containerDefinitions: [
        {
          ...mc,
          environment: (mc?.environment ?? []).map((entry) =>
            entry.name === "MC_NAME" ? { name: "MC_NAME", value: "From the console" } : entry,
          ),
        },
        ...others,
      ],
    });
    sim.ecs.addCluster("default");
    sim.ecs.createService({
      cluster: "default",
      serviceName: "mc",
      taskDefinition: "model-catalogue:2",
      desiredCount: 0,
    });

    const plan = context({ settingsPath: first.settings.path, settings: await savedSettings(first) });
    await expect(runRegisterTask(plan, options({ dryRun: true }))).resolves.toMatchObject({ dryRun: true });
    const stderr = plan.captured.stderr();
    expect(stderr).toContain(
      "Task definition: model-catalogue:1 (the revision mcctl.json describes) is up to date",
    );
    expect(stderr).toContain("The service runs model-catalogue:2, not the revision mcctl.json describes");
    expect(stderr).toContain("~ mc env MC_NAME: From the console → Model Catalogue");
    expect(stderr).toContain("mcctl.json wins");
  });
});

describe("register-task with a customer KMS key", () => {
  const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  it("encrypts with it, lets the role decrypt with that key only, re-encrypts what another key holds once", async () => {
    sim.ssm.addKmsKey(KEY);
    const first = context();
    await runRegisterTask(first, options());
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.keyId).toBe("alias/aws/ssm");

    // The operator names the key in mcctl.json.
    const withKey = { ...(await savedSettings(first)), secrets: { kmsKey: KEY } };
    await writeFile(first.settings.path, JSON.stringify(withKey));
    const keyed = testContext({
      settings: withKey,
      settingsPath: first.settings.path,
      env: {},
      options: { yes: true },
    });
    await expect(runRegisterTask(keyed, options())).resolves.toMatchObject({ registered: false });
    const stderr = keyed.captured.stderr();
    expect(stderr).toContain(`encrypted with customer key ${KEY}:`);
    expect(stderr).toContain(
      "~ METADATA_PASSWORD: re-encrypted with the key named now, same value (SSM version 1 → 2)",
    );
    expect(stderr).toContain("Execution role: ~ mcctl-model-catalogue-execution: set its policy to");
    expect(stderr).not.toContain("mcctl restart");
    expect(sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")).toMatchObject({
      keyId: KEY,
      value: CANARY,
      version: 2,
    });
    const role = "mcctl-model-catalogue-execution";
    expect(sim.iam.roleAllows(role, "kms:Decrypt", KEY)).toBe(true);
    expect(sim.iam.roleAllows(role, "kms:Decrypt", KEY.replace("1234abcd", "99999999"))).toBe(false);
    expect(keyed.captured.all()).not.toContain(CANARY);

    // Once moved, the same settings change nothing.
    const puts = sim.callsOf("PutParameter").length;
    const again = testContext({
      settings: JSON.parse(await readFile(first.settings.path, "utf8")),
      settingsPath: first.settings.path,
      env: {},
      options: { yes: true },
    });
    await runRegisterTask(again, options());
    expect(sim.callsOf("PutParameter")).toHaveLength(puts);
    expect(sim.callsOf("PutRolePolicy")).toHaveLength(2);
  });

  it("--kms-key names the key for this run, and an alias is refused before any AWS call", async () => {
    sim.ssm.addKmsKey(KEY);
    await runRegisterTask(context(), options({ kmsKey: KEY }));
    expect(sim.callsOf("PutParameter").map((call) => call.input.KeyId)).toEqual([KEY, KEY]);
    expect(() => options({ kmsKey: "alias/mc" })).toThrow();
  });
});

describe("register-task: the new revision must be one a container instance of the cluster can run", () => {
  const EXECUTION_ROLE_AWSLOGS = "ecs.capability.execution-role-awslogs";

  it("refuses, before any change, a revision too large for every registered instance", async () => {
    sim.ecs.addCluster("default");
    const { instance } = addMcHost(sim, "default", {
      instanceType: "m5.xlarge",
      cpu: 4096,
      memoryMiB: 15576,
    });
    const ctx = context({ settings: { mc: { memory: 16384 } } });

    const error = (await runRegisterTask(ctx, options()).catch((caught: unknown) => caught)) as McctlError;

    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(
      `no container instance in cluster default could ever run the new revision of model-catalogue: ${instance.InstanceId} (m5.xlarge): 15576 of 20480 MiB memory registered`,
    );
    expect(error.suggestion).toMatch(
      /give the containers less CPU or memory in mcctl\.json, then run the command again; nothing was changed\.$/,
    );
    expect(mutatingCalls()).toEqual([]);
  });

  it("refuses, before any change, when no instance registered awslogs through the execution role, naming the instance and the fix", async () => {
    sim.ecs.addCluster("default");
    const { instance } = addMcHost(sim, "default", { withoutAttributes: [EXECUTION_ROLE_AWSLOGS] });
    const ctx = context();

    const error = (await runRegisterTask(ctx, options()).catch((caught: unknown) => caught)) as McctlError;

    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(
      `no container instance in cluster default could ever run the new revision of model-catalogue: ${instance.InstanceId} (m5.xlarge): lacks the attribute ${EXECUTION_ROLE_AWSLOGS} (awslogs through the execution role)`,
    );
    expect(error.suggestion).toMatch(
      /^Set ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=true in \/etc\/ecs\/ecs\.config/,
    );
    expect(mutatingCalls()).toEqual([]);
  });

  it("registers when another instance can run it, and the plan names the one that cannot and what it lacks", async () => {
    sim.ecs.addCluster("default");
    const own = addMcHost(sim, "default", { withoutAttributes: [EXECUTION_ROLE_AWSLOGS] }).instance;
    addMcHost(sim, "default");
    const ctx = context();

    await runRegisterTask(ctx, options());

    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(1);
    expect(ctx.captured.stderr()).toContain(
      `ECS never places the new revision of model-catalogue on container instance ${own.InstanceId} (m5.xlarge): lacks the attribute ${EXECUTION_ROLE_AWSLOGS} (awslogs through the execution role)`,
    );
  });

  it("an instance busy with the running task is fine: it registered enough, and a restart stops that task first", async () => {
    sim.ecs.addCluster("default");
    addMcHost(sim, "default");
    sim.ecs.registerTaskDefinition({ ...mcTaskDefinition({ family: "model-catalogue" }) });
    sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
    await vi.advanceTimersByTimeAsync(12_000);
    expect(sim.ecs.tasks({ lastStatus: "RUNNING" })).toHaveLength(1);

    await runRegisterTask(context(), options());

    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(1);
  });
});
