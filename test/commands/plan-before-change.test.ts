import { readFile, stat, writeFile } from "node:fs/promises";
import { describe, expect, it, vi } from "vitest";
import { CreateServiceOptionsSchema, runCreateService } from "../../src/commands/create-service.js";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { RestartOptionsSchema, runRestart } from "../../src/commands/restart.js";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import { type McctlError, UsageError } from "../../src/errors.js";
import type { Asker } from "../../src/ui/prompts.js";
import { scriptedAsker } from "../helpers/asker.js";
import { testContext } from "../helpers/context.js";
import { mcServiceInput, mcTaskDefinition, seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

/**
 * The eleven symptoms of issue 7, one test each, and for every mutating command: a failing
 * prerequisite or a No at the confirmation ends with no mutating AWS call and nothing saved.
 */
const SECRETS = { METADATA_PASSWORD: "Plan-Db-Pass-1", MC_SUPERVISOR_PASSWORD: "Plan-Sup-Pass-1" };
const S3_KEYS = { MC_S3_KEY: "AKIAPLANTEST", MC_S3_SECRET: "Plan-S3-Secret" };
const JDBC = "jdbc:mysql://db.example.com/mc?autoReconnect=true&useUnicode=yes&characterEncoding=UTF-8";
const MUTATING = /^(Create|Put|Run|Authorize|Register|Update|Delete|Modify|Stop|Start|Terminate|Deregister)/;
const SETUP_ANSWERS: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false, advanced: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};

const sim = useSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
const run = <T>(promise: Promise<T>) => runUntilSettled(promise, 4 * 60 * 60_000, 5_000);
const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const read = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Settings;

/** A context whose mcctl.json is a real file holding `settings` (none: no file). */
async function contextWith(
  settings: Settings | undefined,
  extra: { env?: NodeJS.ProcessEnv; yes?: boolean; interactive?: boolean; ask?: Asker; path?: string } = {},
) {
  const ctx = testContext({
    settings: settings ?? {},
    env: extra.env ?? {},
    options: { yes: extra.yes ?? true },
    interactive: extra.interactive ?? false,
    ...(extra.ask ? { ask: extra.ask } : {}),
    ...(extra.path ? { settingsPath: extra.path } : {}),
  });
  if (settings && !extra.path) await writeFile(ctx.settings.path, JSON.stringify(settings));
  return ctx;
}

async function setUp(extraEnv: NodeJS.ProcessEnv = {}) {
  seedEmptyAccount(sim);
  const ctx = await contextWith(SETUP_ANSWERS, { env: { ...SECRETS, ...S3_KEYS, ...extraEnv } });
  await run(runSetupCommand(ctx, SetupOptionsSchema.parse({})));
  return ctx.settings.path;
}

/** A running service `mc` of family model-catalogue, outside setup: for restart, upgrade and rollback. */
async function runningService(environment: { name: string; value: string }[] = []) {
  sim.ecs.addCluster("default");
  sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
  const definition = mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.0.0" });
  const [mc] = definition.containerDefinitions ?? [];
  if (mc) mc.environment = [...(mc.environment ?? []), ...environment];
  sim.ecs.registerTaskDefinition(definition);
  sim.ecs.registerTaskDefinition({ ...definition, containerDefinitions: definition.containerDefinitions });
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue:2" }));
  await vi.advanceTimersByTimeAsync(60_000);
  sim.clearCalls();
}

describe("the eleven symptoms of issue 7", () => {
  it("1. right after setup --yes, register-task --yes succeeds and registers nothing", async () => {
    const path = await setUp();
    const ctx = await contextWith(await read(path), { path });
    sim.clearCalls();
    await expect(run(runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({})))).resolves.toMatchObject({
      registered: false,
    });
    expect(mutatingCalls()).toEqual([]);
  });

  it("2. after upgrade --tag, register-task --yes and setup --yes keep the new image", async () => {
    const path = await setUp();
    await run(
      runUpgrade(await contextWith(await read(path), { path }), UpgradeOptionsSchema.parse({ tag: "2.0.1" })),
    );
    sim.clearCalls();
    const registration = await run(
      runRegisterTask(await contextWith(await read(path), { path }), RegisterTaskOptionsSchema.parse({})),
    );
    expect(registration.registered).toBe(false);
    const setupRun = await contextWith(await read(path), { path });
    await run(runSetupCommand(setupRun, SetupOptionsSchema.parse({})));
    expect(mutatingCalls()).toEqual([]);
    expect(setupRun.captured.all()).not.toMatch(/rollback --to/);
    expect((await read(path)).mc?.image).toBe("metadata/registry:2.0.1");
  });

  it("3. METADATA_HOST from the environment is registered and remembered", async () => {
    const path = await setUp();
    const changed = await contextWith(await read(path), { path, env: { METADATA_HOST: "mc.example.org" } });
    await expect(run(runRegisterTask(changed, RegisterTaskOptionsSchema.parse({})))).resolves.toMatchObject({
      registered: true,
    });
    expect((await read(path)).environment?.METADATA_HOST).toBe("mc.example.org");
    const plain = await contextWith(await read(path), { path });
    await expect(run(runRegisterTask(plain, RegisterTaskOptionsSchema.parse({})))).resolves.toMatchObject({
      registered: false,
    });
  });

  it("4. MC_S3_BUCKET from the environment names the bucket setup creates", async () => {
    const path = await setUp({ MC_S3_BUCKET: "our-own-assets-bucket" });
    expect(sim.callsOf("CreateBucket", "S3").map((call) => call.input.Bucket)).toEqual([
      "our-own-assets-bucket",
    ]);
    expect((await read(path)).environment?.MC_S3_BUCKET).toBe("our-own-assets-bucket");
  });

  it("5. an interactive re-run can change a remembered answer", async () => {
    const path = await setUp();
    const { asker } = scriptedAsker({
      "Review or change": true,
      METADATA_HOST: "reviewed.example.org",
      METADATA_SCHEME: undefined,
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: undefined,
      MC_SUPERVISOR_PASSWORD: "",
      METADATA_JDBC_URL: undefined,
      METADATA_USERNAME: undefined,
      METADATA_PASSWORD: "",
      "Send e-mail": false,
      "Amazon S3?": true,
      MC_S3_BUCKET: undefined,
      MC_S3_REGION: undefined,
      MC_S3_KEY: "",
      MC_S3_SECRET: "",
      "log in with Google": false,
      "advanced settings": false,
      "Register a new revision": true,
    });
    const ctx = await contextWith(await read(path), { path, yes: false, interactive: true, ask: asker });
    await expect(run(runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({})))).resolves.toMatchObject({
      registered: true,
    });
    expect((await read(path)).environment?.METADATA_HOST).toBe("reviewed.example.org");
  });

  it("6. a missing instance profile or an unoffered instance type stops setup before anything is created", async () => {
    sim.ec2.addDefaultVpc({});
    sim.ec2.addKeyPair("mc");
    const noProfile = await contextWith(SETUP_ANSWERS, { env: { ...SECRETS, ...S3_KEYS } });
    const error = await run(runSetupCommand(noProfile, SetupOptionsSchema.parse({}))).catch(
      (caught: unknown) => caught,
    );
    expect((error as McctlError).message).toBe("IAM instance profile ecsInstanceRole does not exist");
    expect(mutatingCalls()).toEqual([]);
    expect(await read(noProfile.settings.path)).toEqual(SETUP_ANSWERS);

    sim.iam.addInstanceProfile("ecsInstanceRole");
    const badType = await contextWith(
      { ...SETUP_ANSWERS, setup: { instance: { type: "m3.xlarge", keyPair: false } } },
      { env: { ...SECRETS, ...S3_KEYS } },
    );
    sim.ec2.setOfferedInstanceTypes((type) => !type.startsWith("m3."));
    const typeError = await run(runSetupCommand(badType, SetupOptionsSchema.parse({}))).catch(
      (caught: unknown) => caught,
    );
    expect((typeError as McctlError).message).toMatch(
      /^EC2 instance type m3\.xlarge .* is not offered in eu-west-1/,
    );
    expect(mutatingCalls()).toEqual([]);
  });

  it("7. setup --dry-run says truthfully that nothing was saved; register-task saves nothing before the confirmation", async () => {
    seedEmptyAccount(sim);
    const dry = await contextWith(undefined, {
      env: { ...SECRETS, ...S3_KEYS },
      yes: false,
      interactive: false,
    });
    const dryWithAnswers = await contextWith(SETUP_ANSWERS, { env: { ...SECRETS, ...S3_KEYS } });
    await run(runSetupCommand(dryWithAnswers, SetupOptionsSchema.parse({ dryRun: true })));
    expect(dryWithAnswers.captured.all()).toContain("nothing was saved to mcctl.json");
    expect(dryWithAnswers.captured.all()).not.toMatch(/Answers are saved/);
    expect(await read(dryWithAnswers.settings.path)).toEqual(SETUP_ANSWERS);
    expect(await exists(dry.settings.path)).toBe(false);

    let savedBeforeConfirmation: boolean | undefined;
    const path = dry.settings.path;
    const { asker } = scriptedAsker({
      METADATA_HOST: "asked.example.org",
      METADATA_SCHEME: undefined,
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: "",
      MC_SUPERVISOR_PASSWORD: "",
      METADATA_JDBC_URL: JDBC,
      METADATA_USERNAME: "mc",
      METADATA_PASSWORD: "pw-1234567",
      "Send e-mail": false,
      "Amazon S3?": false,
      "log in with Google": false,
      "advanced settings": false,
    });
    const confirming: Asker = {
      ...asker,
      askConfirm: async (message, fallback) => {
        if (message.startsWith("Register")) {
          savedBeforeConfirmation = await exists(path);
          return false;
        }
        return asker.askConfirm(message, fallback);
      },
    };
    const interactive = await contextWith(undefined, {
      path,
      yes: false,
      interactive: true,
      ask: confirming,
    });
    await expect(run(runRegisterTask(interactive, RegisterTaskOptionsSchema.parse({})))).rejects.toThrow(
      /nothing was changed and nothing was saved/,
    );
    expect(savedBeforeConfirmation).toBe(false);
    expect(await exists(path)).toBe(false);
  });

  it("8. the first registration shows what it registers, the account and the region before asking", async () => {
    const printedBeforeQuestion: string[] = [];
    const ctx = await contextWith(
      { environment: { METADATA_HOST: "mc.example.org", METADATA_JDBC_URL: JDBC, METADATA_USERNAME: "mc" } },
      { env: SECRETS, yes: false, interactive: true },
    );
    const { asker } = scriptedAsker({
      "Review or change": false,
      METADATA_SCHEME: undefined,
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: "",
      "Send e-mail": false,
      "Amazon S3?": false,
      "log in with Google": false,
      "advanced settings": false,
    });
    ctx.ask = {
      ...asker,
      askConfirm: async (message, fallback) => {
        if (!message.startsWith("Register")) return asker.askConfirm(message, fallback);
        printedBeforeQuestion.push(ctx.captured.stderr(), message);
        return true;
      },
    };
    await run(runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({})));
    const [printed, question] = printedBeforeQuestion;
    expect(printed).toContain("AWS account 123456789012");
    expect(printed).toContain("region eu-west-1");
    expect(printed).toContain("this registers revision 1:");
    expect(printed).toContain("mc: metadata/registry:2");
    expect(printed).toContain("METADATA_PASSWORD from SSM /mcctl/model-catalogue/METADATA_PASSWORD");
    expect(printed).toContain(
      "+ METADATA_PASSWORD: new SecureString /mcctl/model-catalogue/METADATA_PASSWORD",
    );
    expect(question).toBe(
      "Register a new revision of model-catalogue in account 123456789012, eu-west-1, after storing the secrets and preparing the log group as shown?",
    );
  });

  it("9. a warning comes right after the question it concerns; no secret is asked for a key left empty", async () => {
    const ctx = await contextWith(undefined, { yes: false, interactive: true });
    const { asker, asked } = scriptedAsker({
      METADATA_HOST: "mc.example.org",
      METADATA_SCHEME: undefined,
      MC_NAME: undefined,
      MC_SUPERVISOR_EMAIL: "",
      MC_SUPERVISOR_PASSWORD: "",
      METADATA_JDBC_URL: JDBC,
      METADATA_USERNAME: "mc",
      METADATA_PASSWORD: "pw-1234567",
      "Send e-mail": false,
      "Amazon S3?": true,
      MC_S3_BUCKET: "assets-bucket",
      MC_S3_REGION: undefined,
      MC_S3_KEY: "",
      "log in with Google": false,
      "advanced settings": false,
    });
    /** What stderr held when each question was asked. */
    const shownBefore = new Map<string, string>();
    const watch =
      <T extends unknown[], R>(ask: (...args: T) => Promise<R>, message: (...args: T) => string) =>
      async (...args: T) => {
        shownBefore.set(message(...args), ctx.captured.stderr());
        return ask(...args);
      };
    ctx.ask = {
      ...asker,
      askText: watch(asker.askText, (question) => question.message),
      askSecret: watch(asker.askSecret, (question) => question.message),
      askConfirm: watch(asker.askConfirm, (message) => message),
    };
    await run(runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({ dryRun: true })));
    expect(asked.some((question) => question.includes("MC_S3_SECRET"))).toBe(false);
    const screenBefore = (fragment: string) =>
      [...shownBefore.entries()].find(([message]) => message.includes(fragment))?.[1] ?? "";
    expect(screenBefore("METADATA_JDBC_URL")).toContain("MC_SUPERVISOR_PASSWORD: is not set");
    expect(screenBefore("MC_S3_KEY")).not.toContain("MC_S3_BUCKET: is set without");
    expect(screenBefore("log in with Google")).toContain(
      "MC_S3_BUCKET: is set without MC_S3_KEY and MC_S3_SECRET",
    );
  });

  it("10. upgrade --check-health without METADATA_HOST fails before any change", async () => {
    await runningService();
    const error = await run(
      runUpgrade(
        await contextWith(undefined),
        UpgradeOptionsSchema.parse({ tag: "2.0.1", checkHealth: true }),
      ),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/--check-health needs METADATA_HOST/);
    expect(mutatingCalls()).toEqual([]);
  });

  it("11. --timeout counts from the confirmation: a prompt left open 16 minutes does not bounce the service", async () => {
    await runningService();
    const slowConfirmation: Asker = {
      ...scriptedAsker({}).asker,
      askConfirm: async () => {
        vi.setSystemTime(Date.now() + 16 * 60_000);
        return true;
      },
    };
    const ctx = await contextWith(undefined, { yes: false, interactive: true, ask: slowConfirmation });
    const result = await run(
      runRestart(ctx, RestartOptionsSchema.parse({ timeout: "15m", pollInterval: "3s" })),
    );
    expect(result).toMatchObject({ targetCount: 1 });
    expect(sim.callsOf("UpdateService").map((call) => call.input.desiredCount)).toEqual([0, 1]);
  });
});

describe("a failing prerequisite or a No at the confirmation: no mutating call, nothing saved", () => {
  /** Answers every yes/no question with No (the confirmation included). */
  const declining = (): Asker => ({ ...scriptedAsker({}).asker, askConfirm: async () => false });

  it.each(["restart", "upgrade", "rollback"] as const)("%s: No at the confirmation", async (name) => {
    await runningService();
    const ctx = await contextWith(
      { region: "eu-west-1" },
      { yes: false, interactive: true, ask: declining() },
    );
    const attempt: Promise<unknown> =
      name === "restart"
        ? runRestart(ctx, RestartOptionsSchema.parse({}))
        : name === "upgrade"
          ? runUpgrade(ctx, UpgradeOptionsSchema.parse({ tag: "2.0.1" }))
          : runRollback(ctx, RollbackOptionsSchema.parse({}));
    await expect(run(attempt)).rejects.toThrow(/nothing was changed and nothing was saved/);
    expect(mutatingCalls()).toEqual([]);
    expect(await read(ctx.settings.path)).toEqual({ region: "eu-west-1" });
  });

  it("restart, upgrade, rollback: a missing service stops the plan", async () => {
    sim.ecs.addCluster("default");
    const attempts: (() => Promise<unknown>)[] = [
      () => runRestart(testContext({ options: { yes: true } }), RestartOptionsSchema.parse({})),
      () => runUpgrade(testContext({ options: { yes: true } }), UpgradeOptionsSchema.parse({ tag: "2.0.1" })),
      () => runRollback(testContext({ options: { yes: true } }), RollbackOptionsSchema.parse({ to: "1" })),
    ];
    for (const attempt of attempts) {
      await expect(run(attempt())).rejects.toThrow(
        /service mc does not exist or is not ACTIVE in cluster default/,
      );
    }
    expect(mutatingCalls()).toEqual([]);
  });

  it("rollback --to a revision that does not exist names it, before any change", async () => {
    await runningService();
    const error = await run(
      runRollback(await contextWith(undefined), RollbackOptionsSchema.parse({ to: "99" })),
    ).catch((caught: unknown) => caught);
    expect((error as McctlError).message).toBe("task definition model-catalogue:99 does not exist");
    expect((error as McctlError).suggestion).toMatch(/list-task-definitions --family-prefix model-catalogue/);
    expect(mutatingCalls()).toEqual([]);
  });

  it("create-service: No at the confirmation, and no container instance", async () => {
    sim.ecs.addCluster("default");
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
    const noInstance = await contextWith({ region: "eu-west-1" });
    await expect(run(runCreateService(noInstance, CreateServiceOptionsSchema.parse({})))).rejects.toThrow(
      /no container instance is registered in cluster default/,
    );
    sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
    const declined = await contextWith(
      { region: "eu-west-1" },
      { yes: false, interactive: true, ask: declining() },
    );
    await expect(run(runCreateService(declined, CreateServiceOptionsSchema.parse({})))).rejects.toThrow(
      /nothing was changed/,
    );
    expect(mutatingCalls()).toEqual([]);
    expect(await read(declined.settings.path)).toEqual({ region: "eu-west-1" });
  });

  it("setup: No at the confirmation", async () => {
    seedEmptyAccount(sim);
    // Every question answered with its default (Enter), and No to "Set up …?".
    const enter: Asker = {
      askText: async (question) => question.defaultValue ?? "",
      askSecret: async () => "",
      askChoice: async (question) => question.defaultValue as never,
      askConfirm: async (message, fallback = false) => (message.startsWith("Set up") ? false : fallback),
    };
    const ctx = await contextWith(SETUP_ANSWERS, {
      env: { ...SECRETS, ...S3_KEYS },
      yes: false,
      interactive: true,
      ask: enter,
    });
    const attempt = run(runSetupCommand(ctx, SetupOptionsSchema.parse({})));
    await expect(attempt).rejects.toThrow(/nothing was changed and nothing was saved/);
    expect(mutatingCalls()).toEqual([]);
    expect(await read(ctx.settings.path)).toEqual(SETUP_ANSWERS);
  });
});
