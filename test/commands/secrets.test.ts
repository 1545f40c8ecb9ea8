import { readFile } from "node:fs/promises";
import { describe, expect, it, vi } from "vitest";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runSecretsList, SecretsListOptionsSchema } from "../../src/commands/secrets-list.js";
import {
  PurgePlaintextOptionsSchema,
  runPurgePlaintext,
} from "../../src/commands/secrets-purge-plaintext.js";
import { runSecretsRm, SecretsRmOptionsSchema } from "../../src/commands/secrets-rm.js";
import { runSecretsSet, SecretsSetOptionsSchema } from "../../src/commands/secrets-set.js";
import type { Settings } from "../../src/config/settings.js";
import { McctlError, MissingInputError, UsageError } from "../../src/errors.js";
import type { Asker } from "../../src/ui/prompts.js";
import { scriptedAsker } from "../helpers/asker.js";
import { testContext } from "../helpers/context.js";
import {
  BASE_ENVIRONMENT,
  MAIL_ENVIRONMENT,
  runningTask,
  runService,
  seedLegacyRevision,
} from "../helpers/deployments.js";
import { TEST_START, useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const SECRETS = {
  METADATA_PASSWORD: "Canary-Db-Pass-4c1e",
  MC_SUPERVISOR_PASSWORD: "Canary-Sup-Pass-77b0",
};
const MAIL_PASSWORD = "Canary-Mail-Pass-e2f9";
const NEW_SUPERVISOR_PASSWORD = "Canary-Sup-Pass-NEW-0d3a";
const CANARIES = [...Object.values(SECRETS), MAIL_PASSWORD, NEW_SUPERVISOR_PASSWORD];
const PATH = "/mcctl/model-catalogue";
const SUPERVISOR = `${PATH}/MC_SUPERVISOR_PASSWORD`;
const MAIL = `${PATH}/MC_MAIL_PASSWORD`;
const START = new Date(TEST_START).toISOString();
const SUPERVISOR_PROMPT =
  'New value of MC_SUPERVISOR_PASSWORD (Password of the supervisor account (the app falls back to "supervisor" when unset))';
const MUTATING = /^(Create|Put|Attach|Register|Deregister|Update|Delete|Stop|Run|Tag)/;

const sim = useSimulatedAws();

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);

const expectNoCanary = (text: string) => {
  for (const canary of CANARIES) expect(text).not.toContain(canary);
};

const savedSettings = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Settings;

interface Deployment {
  path: string;
  settings: Settings;
}

/**
 * A deployment registered by this mcctl (secrets in SSM, model-catalogue:1), with mail when asked, and
 * with service `mc` running it when asked. The calls made so far are forgotten.
 */
async function deploy(
  options: { mail?: boolean; mailPassword?: boolean; run?: boolean } = {},
): Promise<Deployment> {
  const withPassword = options.mail && options.mailPassword !== false;
  const ctx = testContext({
    settings: { environment: { ...BASE_ENVIRONMENT, ...(options.mail ? MAIL_ENVIRONMENT : {}) } },
    env: { ...SECRETS, ...(withPassword ? { MC_MAIL_PASSWORD: MAIL_PASSWORD } : {}) },
    options: { yes: true },
  });
  await runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({}));
  if (options.run) await runService(sim, "model-catalogue:1");
  sim.clearCalls();
  return { path: ctx.settings.path, settings: await savedSettings(ctx.settings.path) };
}

/** A command's context on `deployment`'s mcctl.json (read again: earlier commands may have saved it). */
async function on(
  deployment: Deployment,
  extra: { env?: NodeJS.ProcessEnv; yes?: boolean; interactive?: boolean; ask?: Asker; json?: boolean } = {},
) {
  return testContext({
    settings: await savedSettings(deployment.path),
    settingsPath: deployment.path,
    env: extra.env ?? {},
    options: { yes: extra.yes ?? !extra.interactive },
    interactive: extra.interactive ?? false,
    ...(extra.ask ? { ask: extra.ask } : {}),
    json: extra.json ?? false,
  });
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

const list = (ctx: ReturnType<typeof testContext>) => runSecretsList(ctx, SecretsListOptionsSchema.parse({}));
const set = (ctx: ReturnType<typeof testContext>, raw: Record<string, unknown>) =>
  runUntilSettled(runSecretsSet(ctx, SecretsSetOptionsSchema.parse({ pollInterval: "3s", ...raw })));
const rm = (ctx: ReturnType<typeof testContext>, raw: Record<string, unknown>) =>
  runSecretsRm(ctx, SecretsRmOptionsSchema.parse(raw));
const purge = (ctx: ReturnType<typeof testContext>, raw: Record<string, unknown> = {}) =>
  runPurgePlaintext(ctx, PurgePlaintextOptionsSchema.parse(raw));
const rollbackTo = async (deployment: Deployment, to: string) =>
  runUntilSettled(runRollback(await on(deployment), RollbackOptionsSchema.parse({ to, pollInterval: "3s" })));

describe("secrets list", () => {
  it("shows each secret's place, SSM version and last change as a table, never a value", async () => {
    const deployment = await deploy();
    await vi.advanceTimersByTimeAsync(3_600_000);
    sim.ssm.putParameterDirectly({
      Name: SUPERVISOR,
      Value: NEW_SUPERVISOR_PASSWORD,
      Type: "SecureString",
      Overwrite: true,
    });
    // A parameter under the path that the task definition does not reference.
    sim.ssm.putParameterDirectly({ Name: MAIL, Value: MAIL_PASSWORD, Type: "SecureString" });
    const ctx = await on(deployment);

    await list(ctx);

    const later = new Date(TEST_START + 3_600_000).toISOString();
    expect(ctx.captured.stdout()).toBe(
      [
        "Secrets of model-catalogue (model-catalogue:1), SSM path /mcctl/model-catalogue:",
        `  MC_SUPERVISOR_PASSWORD  SSM version 2, changed ${later}`,
        `  METADATA_PASSWORD       SSM version 1, changed ${START} (required)`,
        `  MC_MAIL_PASSWORD        SSM version 1, changed ${later}, not used by the task definition`,
        "  MC_S3_KEY               not set",
        "  MC_S3_SECRET            not set",
        "  MC_GOOGLE_SECRET        not set",
        "",
      ].join("\n"),
    );
    expect(ctx.captured.stderr()).toBe("");
    expectNoCanary(ctx.captured.all());
    // Names and versions come from DescribeParameters; no value was read.
    expect(sim.callsOf("GetParameter")).toHaveLength(0);
    expect(sim.callsOf("GetParameters")).toHaveLength(0);
    expect(mutatingCalls()).toEqual([]);
  });

  it("--json gives names, versions, last changes and how the task definition uses each; never a value", async () => {
    const deployment = await deploy();
    const ctx = await on(deployment, { json: true });

    await list(ctx);

    const printed = JSON.parse(ctx.captured.stdout());
    expect(printed).toEqual({
      family: "model-catalogue",
      path: PATH,
      revision: "model-catalogue:1",
      secrets: [
        {
          name: "MC_SUPERVISOR_PASSWORD",
          parameter: SUPERVISOR,
          optional: true,
          usedAs: "ssm",
          version: 1,
          lastModified: START,
          kmsKey: "alias/aws/ssm",
        },
        {
          name: "METADATA_PASSWORD",
          parameter: `${PATH}/METADATA_PASSWORD`,
          optional: false,
          usedAs: "ssm",
          version: 1,
          lastModified: START,
          kmsKey: "alias/aws/ssm",
        },
        { name: "MC_MAIL_PASSWORD", parameter: MAIL, optional: true, usedAs: "unset" },
        { name: "MC_S3_KEY", parameter: `${PATH}/MC_S3_KEY`, optional: true, usedAs: "unset" },
        { name: "MC_S3_SECRET", parameter: `${PATH}/MC_S3_SECRET`, optional: true, usedAs: "unset" },
        {
          name: "MC_GOOGLE_SECRET",
          parameter: `${PATH}/MC_GOOGLE_SECRET`,
          optional: true,
          usedAs: "unset",
        },
      ],
    });
    expectNoCanary(ctx.captured.all());
  });

  it("on a revision with plain-text secrets, says so and shows where they are, never their values", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: SECRETS });
    const ctx = testContext({ settings: legacy.settings, env: {} });

    const inventory = await list(ctx);

    expect(ctx.captured.stderr()).toBe(
      "⚠ model-catalogue:1 holds MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD in plain text: `mcctl register-task` moves them to SSM.\n",
    );
    expect(ctx.captured.stdout()).toContain(
      "  MC_SUPERVISOR_PASSWORD  plain text in the task definition\n  METADATA_PASSWORD       plain text in the task definition (required)\n",
    );
    expect(inventory.rows.map((row) => [row.variable, row.delivery])).toEqual([
      ["MC_SUPERVISOR_PASSWORD", "plain"],
      ["METADATA_PASSWORD", "plain"],
      ["MC_MAIL_PASSWORD", "unset"],
      ["MC_S3_KEY", "unset"],
      ["MC_S3_SECRET", "unset"],
      ["MC_GOOGLE_SECRET", "unset"],
    ]);
    expectNoCanary(ctx.captured.all());
    expect(mutatingCalls()).toEqual([]);
  });

  it("names a referenced secret whose parameter is missing from SSM", async () => {
    const deployment = await deploy();
    sim.ssm.deleteParameter({ Name: SUPERVISOR });
    const ctx = await on(deployment);
    await list(ctx);
    expect(ctx.captured.stdout()).toContain("  MC_SUPERVISOR_PASSWORD  referenced, but missing from SSM\n");
  });
});

describe("secrets set", () => {
  it("takes the value from the environment variable: a new SSM version, no new revision, the running task keeps the old value", async () => {
    const deployment = await deploy({ run: true });
    const before = runningTask(sim);
    expect(before.environment.MC_SUPERVISOR_PASSWORD).toBe(SECRETS.MC_SUPERVISOR_PASSWORD);
    const ctx = await on(deployment, { env: { MC_SUPERVISOR_PASSWORD: NEW_SUPERVISOR_PASSWORD } });

    await expect(set(ctx, { name: "MC_SUPERVISOR_PASSWORD" })).resolves.toEqual({ changed: true });

    expect(sim.ssm.parameter(SUPERVISOR)).toMatchObject({ value: NEW_SUPERVISOR_PASSWORD, version: 2 });
    expect(sim.callsOf("PutParameter").map((call) => [call.input.Name, call.input.Overwrite])).toEqual([
      [SUPERVISOR, true],
    ]);
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(0);
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
    // A running task reads its secrets only when it starts.
    await vi.advanceTimersByTimeAsync(60_000);
    const after = runningTask(sim);
    expect(after.arn).toBe(before.arn);
    expect(after.environment.MC_SUPERVISOR_PASSWORD).toBe(SECRETS.MC_SUPERVISOR_PASSWORD);

    const stderr = ctx.captured.stderr();
    expect(stderr).toContain("  ~ MC_SUPERVISOR_PASSWORD: changed (SSM version 1 → 2)");
    expect(stderr).toContain(`  METADATA_PASSWORD: unchanged (SSM version 1, set ${START})`);
    expect(stderr).toContain(
      "✔ Replaced MC_SUPERVISOR_PASSWORD in SSM (/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD, version 1 → 2)",
    );
    expect(stderr).toContain(
      "MC_SUPERVISOR_PASSWORD reaches the running task only when it starts again: run `mcctl restart` to restart mc now.",
    );
    expect(ctx.captured.stdout()).toBe("MC_SUPERVISOR_PASSWORD stored in SSM\n");
    expectNoCanary(ctx.captured.all());
    expectNoCanary(await readFile(deployment.path, "utf8"));
  });

  it("--restart restarts the service, and the new task has the new value", async () => {
    const deployment = await deploy({ run: true });
    const before = runningTask(sim);
    const ctx = await on(deployment, { env: { MC_SUPERVISOR_PASSWORD: NEW_SUPERVISOR_PASSWORD } });

    await set(ctx, { name: "MC_SUPERVISOR_PASSWORD", restart: true });

    expect(sim.callsOf("UpdateService").map((call) => call.input.desiredCount)).toEqual([0, 1]);
    const order = sim.calls.map((call) => call.command);
    expect(order.indexOf("PutParameter")).toBeLessThan(order.indexOf("UpdateService"));
    const after = runningTask(sim);
    expect(after.arn).not.toBe(before.arn);
    expect(after.revision).toBe("model-catalogue:1");
    expect(after.environment.MC_SUPERVISOR_PASSWORD).toBe(NEW_SUPERVISOR_PASSWORD);
    expect(after.environment.METADATA_PASSWORD).toBe(SECRETS.METADATA_PASSWORD);
    expect(ctx.captured.stderr()).not.toContain("run `mcctl restart`");
    expectNoCanary(ctx.captured.all());
  });

  it("on a terminal asks for the value with a masked prompt, then whether to restart, then confirms; nothing else", async () => {
    const deployment = await deploy({ run: true });
    const scripted = scriptedAsker({
      "New value of MC_SUPERVISOR_PASSWORD": NEW_SUPERVISOR_PASSWORD,
      "Restart mc afterwards": true,
      "Store MC_SUPERVISOR_PASSWORD in SSM": true,
      // register-task's offer to review every remembered answer: not a question for one secret.
      "Review or change them?": false,
    });
    const masked: string[] = [];
    const ask: Asker = {
      ...scripted.asker,
      askText: async (question) => {
        throw new Error(`asked in clear text: ${question.message}`);
      },
      askSecret: (question) => {
        masked.push(question.message);
        return scripted.asker.askSecret(question);
      },
    };
    const ctx = await on(deployment, { interactive: true, ask });

    await set(ctx, { name: "MC_SUPERVISOR_PASSWORD" });

    expect(masked).toEqual([SUPERVISOR_PROMPT]);
    expect(sim.ssm.parameter(SUPERVISOR)).toMatchObject({ value: NEW_SUPERVISOR_PASSWORD, version: 2 });
    expect(sim.callsOf("UpdateService").map((call) => call.input.desiredCount)).toEqual([0, 1]);
    expect(runningTask(sim).environment.MC_SUPERVISOR_PASSWORD).toBe(NEW_SUPERVISOR_PASSWORD);
    expectNoCanary(ctx.captured.all());
    expect(scripted.asked).toEqual([
      SUPERVISOR_PROMPT,
      "The running task reads MC_SUPERVISOR_PASSWORD only when it starts. Restart mc afterwards (it is unavailable until the new task has started)?",
      "Store MC_SUPERVISOR_PASSWORD in SSM, then restart mc in account 123456789012, eu-west-1?",
    ]);
  });

  it("on a terminal, answering no to the restart stores the value and leaves the running task alone", async () => {
    const deployment = await deploy({ run: true });
    const before = runningTask(sim);
    const scripted = scriptedAsker({
      "New value of MC_SUPERVISOR_PASSWORD": NEW_SUPERVISOR_PASSWORD,
      "Restart mc afterwards": false,
      "Store MC_SUPERVISOR_PASSWORD in SSM": true,
      "Review or change them?": false,
    });
    const ctx = await on(deployment, { interactive: true, ask: scripted.asker });

    await set(ctx, { name: "MC_SUPERVISOR_PASSWORD" });

    expect(scripted.asked.at(-1)).toBe(
      "Store MC_SUPERVISOR_PASSWORD in SSM in account 123456789012, eu-west-1?",
    );
    expect(sim.ssm.parameter(SUPERVISOR)?.version).toBe(2);
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
    expect(runningTask(sim).arn).toBe(before.arn);
    expect(runningTask(sim).environment.MC_SUPERVISOR_PASSWORD).toBe(SECRETS.MC_SUPERVISOR_PASSWORD);
  });

  it("refuses a name that is not a secret, listing the secrets, before any AWS call", async () => {
    const deployment = await deploy();
    const error = await failure(
      set(await on(deployment, { env: { METADATA_HOST: "x.example.com" } }), { name: "METADATA_HOST" }),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('"METADATA_HOST" is not a secret mcctl stores');
    expect(error.suggestion).toBe(
      "The secrets are MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD, MC_MAIL_PASSWORD, MC_S3_KEY, MC_S3_SECRET, MC_GOOGLE_SECRET.",
    );
    expect(sim.calls).toHaveLength(0);
  });

  it("on a revision with plain-text secrets, stores the new value, moves the others and registers a revision that references them", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: SECRETS });
    await runService(sim, legacy.revision);
    const ctx = testContext({
      settings: legacy.settings,
      env: { MC_SUPERVISOR_PASSWORD: NEW_SUPERVISOR_PASSWORD },
      options: { yes: true },
    });

    await set(ctx, { name: "MC_SUPERVISOR_PASSWORD", restart: true });

    expect(sim.ssm.parameter(SUPERVISOR)).toMatchObject({ value: NEW_SUPERVISOR_PASSWORD, version: 1 });
    expect(sim.ssm.parameter(`${PATH}/METADATA_PASSWORD`)).toMatchObject({
      value: SECRETS.METADATA_PASSWORD,
      version: 1,
    });
    const stderr = ctx.captured.stderr();
    expect(stderr).toContain(
      "  + MC_SUPERVISOR_PASSWORD: new SecureString /mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
    );
    expect(stderr).toContain(
      "  + METADATA_PASSWORD: plain text → SSM /mcctl/model-catalogue/METADATA_PASSWORD (from model-catalogue:1)",
    );
    const registered = sim.callsOf("RegisterTaskDefinition").map((call) => call.input);
    expect(registered).toHaveLength(1);
    expect(registered[0]?.containerDefinitions?.[0]?.secrets?.map((secret) => secret.name)).toEqual([
      "MC_SUPERVISOR_PASSWORD",
      "METADATA_PASSWORD",
    ]);
    expect(stderr).toContain(
      "model-catalogue:2 references MC_SUPERVISOR_PASSWORD: `mcctl rollback --to 2` puts it in service.",
    );
    // The service still runs the plain-text revision; restarting it would not read SSM.
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
    expectNoCanary(ctx.captured.all());
    expectNoCanary(JSON.stringify(registered));
  });

  it("without a terminal and without the variable, names the variable it needs, before any AWS call", async () => {
    const deployment = await deploy();
    const error = await failure(set(await on(deployment), { name: "METADATA_PASSWORD" }));
    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["METADATA_PASSWORD"]);
    expect(error.suggestion).toBe(
      "Set the METADATA_PASSWORD environment variable (a secret is never taken from a flag).",
    );
    expect(sim.calls).toHaveLength(0);
  });

  it("without a terminal and without --yes, lists the missing value with the confirmation, before any AWS call", async () => {
    const deployment = await deploy();
    const error = await failure(set(await on(deployment, { yes: false }), { name: "METADATA_PASSWORD" }));
    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["METADATA_PASSWORD", "confirmation (--yes)"]);
    expect(sim.calls).toHaveLength(0);
  });

  it("without a terminal, --yes is needed even when the value is given", async () => {
    const deployment = await deploy();
    const ctx = await on(deployment, { yes: false, env: { METADATA_PASSWORD: "Canary-Db-Pass-4c1e" } });
    const error = await failure(set(ctx, { name: "METADATA_PASSWORD" }));
    expect((error as MissingInputError).missing).toEqual(["confirmation (--yes)"]);
    expect(sim.calls).toHaveLength(0);
  });

  it("--dry-run shows the change and changes nothing, even with --restart", async () => {
    const deployment = await deploy({ run: true });
    const before = runningTask(sim);
    const ctx = await on(deployment, {
      env: { MC_SUPERVISOR_PASSWORD: NEW_SUPERVISOR_PASSWORD },
      yes: false,
    });

    await expect(set(ctx, { name: "MC_SUPERVISOR_PASSWORD", dryRun: true, restart: true })).resolves.toEqual({
      name: "MC_SUPERVISOR_PASSWORD",
      action: "update",
      register: false,
      restart: true,
      changed: false,
      dryRun: true,
    });

    expect(ctx.captured.stderr()).toContain("  ~ MC_SUPERVISOR_PASSWORD: changed (SSM version 1 → 2)");
    // The plan's steps, numbered: what the apply would run.
    expect(ctx.captured.stderr()).toContain(
      [
        "Setting MC_SUPERVISOR_PASSWORD for mc (model-catalogue) in cluster default:",
        "  1. store MC_SUPERVISOR_PASSWORD in SSM under /mcctl/model-catalogue",
        "  2. restart mc (model-catalogue:1)",
      ].join("\n"),
    );
    expect(ctx.captured.stdout()).toBe(
      "dry run: nothing was changed in AWS and nothing was saved to mcctl.json\n",
    );
    expect(sim.callsOf("PutParameter")).toHaveLength(0);
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ssm.parameter(SUPERVISOR)).toMatchObject({
      value: SECRETS.MC_SUPERVISOR_PASSWORD,
      version: 1,
    });
    expect(runningTask(sim).arn).toBe(before.arn);
    expectNoCanary(ctx.captured.all());
  });

  it("--family names the family whose revision references the secret", async () => {
    const deployment = await deploy();
    const ctx = await on(deployment, {
      env: { ...SECRETS, MC_SUPERVISOR_PASSWORD: NEW_SUPERVISOR_PASSWORD },
      yes: false,
    });

    await set(ctx, { name: "MC_SUPERVISOR_PASSWORD", dryRun: true, family: "catalogue-two" });

    expect(ctx.captured.stderr()).toContain(
      [
        "Setting MC_SUPERVISOR_PASSWORD for mc (catalogue-two) in cluster default:",
        "  1. create execution role mcctl-catalogue-two-execution, then store MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD in SSM under /mcctl/catalogue-two",
        "  2. register a new revision of catalogue-two",
      ].join("\n"),
    );
    expect(mutatingCalls()).toEqual([]);
  });

  it("setting the value SSM already holds writes nothing and restarts nothing", async () => {
    const deployment = await deploy({ run: true });
    const ctx = await on(deployment, { env: { MC_SUPERVISOR_PASSWORD: SECRETS.MC_SUPERVISOR_PASSWORD } });

    await expect(set(ctx, { name: "MC_SUPERVISOR_PASSWORD", restart: true })).resolves.toEqual({
      name: "MC_SUPERVISOR_PASSWORD",
      action: "keep",
      register: false,
      restart: false,
      changed: false,
      dryRun: false,
      nothingToDo: true,
    });

    expect(ctx.captured.stdout()).toBe("Nothing to do: MC_SUPERVISOR_PASSWORD already holds that value\n");
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ssm.parameter(SUPERVISOR)?.version).toBe(1);
    expectNoCanary(ctx.captured.all());
  });

  it("a secret the task definition does not reference yet is stored, and a new revision references it; the service is not restarted", async () => {
    // Mail without a password: mcctl.json records it as deliberately left out.
    const deployment = await deploy({ mail: true, mailPassword: false, run: true });
    expect(deployment.settings.environment?.MC_MAIL_PASSWORD).toBe(false);
    const before = runningTask(sim);
    const ctx = await on(deployment, { env: { MC_MAIL_PASSWORD: MAIL_PASSWORD } });

    await set(ctx, { name: "MC_MAIL_PASSWORD", restart: true });

    expect(sim.ssm.parameter(MAIL)).toMatchObject({ type: "SecureString", value: MAIL_PASSWORD, version: 1 });
    expect(sim.callsOf("PutParameter").map((call) => [call.input.Name, call.input.Overwrite])).toEqual([
      [MAIL, undefined],
    ]);
    const registered = sim.callsOf("RegisterTaskDefinition").map((call) => call.input);
    expect(registered).toHaveLength(1);
    expect(registered[0]?.containerDefinitions?.[0]?.secrets).toEqual([
      { name: "MC_MAIL_PASSWORD", valueFrom: `arn:aws:ssm:eu-west-1:123456789012:parameter${MAIL}` },
      {
        name: "MC_SUPERVISOR_PASSWORD",
        valueFrom: `arn:aws:ssm:eu-west-1:123456789012:parameter${SUPERVISOR}`,
      },
      {
        name: "METADATA_PASSWORD",
        valueFrom: `arn:aws:ssm:eu-west-1:123456789012:parameter${PATH}/METADATA_PASSWORD`,
      },
    ]);
    expect(ctx.captured.stderr()).toContain(
      "  + mc env MC_MAIL_PASSWORD: = SSM /mcctl/model-catalogue/MC_MAIL_PASSWORD",
    );
    expect(ctx.captured.stderr()).toContain(
      "  + MC_MAIL_PASSWORD: new SecureString /mcctl/model-catalogue/MC_MAIL_PASSWORD",
    );
    const saved = await savedSettings(deployment.path);
    expect(saved.taskDefinition).toBe("model-catalogue:2");
    expect(saved.environment).not.toHaveProperty("MC_MAIL_PASSWORD");
    expect(ctx.captured.stderr()).toContain(
      "model-catalogue:2 references MC_MAIL_PASSWORD: `mcctl rollback --to 2` puts it in service.",
    );
    // Restarting would start model-catalogue:1 again, which does not read it: the service is left alone.
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
    expect(runningTask(sim).arn).toBe(before.arn);
    expectNoCanary(ctx.captured.all());
    expectNoCanary(JSON.stringify(registered));
    expectNoCanary(await readFile(deployment.path, "utf8"));
  });

  it("MC_MAIL_PASSWORD on a deployment without mail fails naming what mail needs, and writes nothing", async () => {
    const deployment = await deploy();
    const ctx = await on(deployment, { env: { MC_MAIL_PASSWORD: MAIL_PASSWORD } });

    const error = await failure(set(ctx, { name: "MC_MAIL_PASSWORD" }));

    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["MC_MAIL_HOST", "MC_MAIL_FROM"]);
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ssm.parameter(MAIL)).toBeUndefined();
    expect(await savedSettings(deployment.path)).toEqual(deployment.settings);
    expectNoCanary(`${error.message} ${error.suggestion} ${ctx.captured.all()}`);
  });

  it("MC_MAIL_PASSWORD where mcctl.json leaves the mail host and sender out fails on the mail rules, and writes nothing", async () => {
    const deployment = await deploy();
    const settings = await savedSettings(deployment.path);
    const ctx = testContext({
      settings: {
        ...settings,
        environment: { ...settings.environment, MC_MAIL_HOST: false, MC_MAIL_FROM: false },
      },
      settingsPath: deployment.path,
      env: { MC_MAIL_PASSWORD: MAIL_PASSWORD },
      options: { yes: true },
    });

    const error = await failure(set(ctx, { name: "MC_MAIL_PASSWORD" }));

    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      "MC_MAIL_FROM: is not set, so the app ignores every mail setting (MC_MAIL_PORT, MC_MAIL_PASSWORD) and sends no e-mail; set both MC_MAIL_FROM and MC_MAIL_HOST, or remove the other MC_MAIL_* variables; " +
        "MC_MAIL_HOST: is not set, so the app ignores every mail setting (MC_MAIL_PORT, MC_MAIL_PASSWORD) and sends no e-mail; set both MC_MAIL_FROM and MC_MAIL_HOST, or remove the other MC_MAIL_* variables",
    );
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ssm.parameter(MAIL)).toBeUndefined();
    expectNoCanary(`${error.message} ${error.suggestion} ${ctx.captured.all()}`);
  });
});

describe("secrets rm", () => {
  it("refuses a required secret, pointing to `secrets set`", async () => {
    const deployment = await deploy();
    const error = await failure(rm(await on(deployment), { name: "METADATA_PASSWORD" }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe("METADATA_PASSWORD is required by Model Catalogue and cannot be removed");
    expect(error.suggestion).toBe("To change it, run `mcctl secrets set METADATA_PASSWORD`.");
    expect(sim.calls).toHaveLength(0);
  });

  it("refuses a name that is not a secret, listing the optional ones", async () => {
    const deployment = await deploy();
    const error = await failure(rm(await on(deployment), { name: "MC_MAIL_HOST" }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('"MC_MAIL_HOST" is not a secret mcctl stores');
    expect(error.suggestion).toBe(
      "The optional secrets are MC_SUPERVISOR_PASSWORD, MC_MAIL_PASSWORD, MC_S3_KEY, MC_S3_SECRET, MC_GOOGLE_SECRET.",
    );
    expect(sim.calls).toHaveLength(0);
  });

  it("refuses while the variable is set in the environment, which would store it again", async () => {
    const deployment = await deploy({ mail: true });
    const ctx = await on(deployment, { env: { MC_MAIL_PASSWORD: MAIL_PASSWORD } });
    const error = await failure(rm(ctx, { name: "MC_MAIL_PASSWORD" }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe("MC_MAIL_PASSWORD is set in the environment, which would store it again");
    expect(error.suggestion).toBe("Unset it (`unset MC_MAIL_PASSWORD`) and run the command again.");
    expect(sim.calls).toHaveLength(0);
    expectNoCanary(`${error.message} ${error.suggestion}`);
  });

  it("while the service runs a revision that reads it: registers one without it and keeps the parameter; once that is in service, deletes it", async () => {
    const deployment = await deploy({ mail: true, run: true });
    expect(runningTask(sim).environment.MC_MAIL_PASSWORD).toBe(MAIL_PASSWORD);
    const first = await on(deployment);

    await expect(rm(first, { name: "MC_MAIL_PASSWORD" })).resolves.toEqual({ deleted: false });

    const [registered] = sim.callsOf("RegisterTaskDefinition");
    const mc = registered?.input.containerDefinitions?.find((container) => container.name === "mc");
    expect(mc?.secrets?.map((secret) => secret.name)).toEqual([
      "MC_SUPERVISOR_PASSWORD",
      "METADATA_PASSWORD",
    ]);
    expect(mc?.environment?.map((entry) => entry.name)).not.toContain("MC_MAIL_PASSWORD");
    // The mail settings stay: only the password is left out.
    expect(mc?.environment).toContainEqual({ name: "MC_MAIL_HOST", value: "smtp.example.com" });
    const saved = await savedSettings(deployment.path);
    expect(saved.taskDefinition).toBe("model-catalogue:2");
    expect(saved.environment?.MC_MAIL_PASSWORD).toBe(false);
    expect(sim.callsOf("DeleteParameter")).toHaveLength(0);
    expect(sim.ssm.parameter(MAIL)?.value).toBe(MAIL_PASSWORD);
    expect(first.captured.stderr()).toContain(
      "  - mc env MC_MAIL_PASSWORD: (was SSM /mcctl/model-catalogue/MC_MAIL_PASSWORD)",
    );
    expect(first.captured.stderr()).toContain(
      "⚠ mc runs model-catalogue:1, which reads MC_MAIL_PASSWORD: the parameter is kept until the new revision is in service (then run this again to delete it).",
    );
    expect(first.captured.stderr()).toContain(
      "model-catalogue:2 no longer uses MC_MAIL_PASSWORD: `mcctl rollback --to 2` puts it in service, then `mcctl secrets rm MC_MAIL_PASSWORD` deletes the parameter.",
    );
    expect(first.captured.stdout()).toBe("MC_MAIL_PASSWORD is no longer used\n");

    // Again before the new revision is in service: nothing to do yet.
    sim.clearCalls();
    const early = await on(deployment);
    await expect(rm(early, { name: "MC_MAIL_PASSWORD" })).resolves.toEqual({
      name: "MC_MAIL_PASSWORD",
      register: false,
      deleteParameter: false,
      deleted: false,
      dryRun: false,
      nothingToDo: true,
    });
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ssm.parameter(MAIL)).toBeDefined();
    expect(early.captured.stdout()).toBe(
      "Nothing to do: MC_MAIL_PASSWORD is no longer referenced by model-catalogue's newest revision; its parameter waits for that revision to be in service\n",
    );

    await rollbackTo(deployment, "2");
    expect(runningTask(sim).revision).toBe("model-catalogue:2");
    expect(runningTask(sim).environment).not.toHaveProperty("MC_MAIL_PASSWORD");
    sim.clearCalls();

    const second = await on(deployment);
    await expect(rm(second, { name: "MC_MAIL_PASSWORD" })).resolves.toEqual({ deleted: true });

    expect(sim.callsOf("DeleteParameter").map((call) => call.input.Name)).toEqual([MAIL]);
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(0);
    expect(sim.ssm.parameter(MAIL)).toBeUndefined();
    expect(sim.ssm.parameter(SUPERVISOR)).toBeDefined();
    // The deletion is the plan's one step.
    expect(second.captured.stderr()).toContain(
      [
        "Removing MC_MAIL_PASSWORD from mc (model-catalogue) in cluster default:",
        "  1. delete /mcctl/model-catalogue/MC_MAIL_PASSWORD (revisions that still reference it can no longer start)",
        "",
      ].join("\n"),
    );
    expect(second.captured.stderr()).toContain("✔ Deleted /mcctl/model-catalogue/MC_MAIL_PASSWORD");
    expectNoCanary(first.captured.all() + early.captured.all() + second.captured.all());
  });

  it("without a terminal and without --yes, fails asking for the confirmation, before any AWS call", async () => {
    const deployment = await deploy({ mail: true });
    const error = await failure(rm(await on(deployment, { yes: false }), { name: "MC_MAIL_PASSWORD" }));
    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(["confirmation (--yes)"]);
    expect(sim.calls).toHaveLength(0);
  });

  it("on a terminal asks only for the confirmation", async () => {
    const deployment = await deploy({ mail: true });
    const scripted = scriptedAsker({
      "Stop using MC_MAIL_PASSWORD": true,
      // register-task's offer to review every remembered answer: not a question for one secret.
      "Review or change them?": false,
    });
    const ctx = await on(deployment, { interactive: true, ask: scripted.asker });

    await expect(rm(ctx, { name: "MC_MAIL_PASSWORD" })).resolves.toEqual({ deleted: true });

    expect(sim.ssm.parameter(MAIL)).toBeUndefined();
    expect(scripted.asked).toEqual([
      "Stop using MC_MAIL_PASSWORD and delete /mcctl/model-catalogue/MC_MAIL_PASSWORD in account 123456789012, eu-west-1?",
    ]);
  });

  it("--family names the family whose new revision leaves it out", async () => {
    const deployment = await deploy({ mail: true });
    const ctx = await on(deployment, { env: SECRETS, yes: false });
    await rm(ctx, { name: "MC_MAIL_PASSWORD", dryRun: true, family: "catalogue-two" });
    expect(ctx.captured.stderr()).toContain(
      "Removing MC_MAIL_PASSWORD from mc (catalogue-two) in cluster default:\n  1. create execution role mcctl-catalogue-two-execution",
    );
    expect(ctx.captured.stderr()).toContain("register a new revision of catalogue-two\n");
    expect(mutatingCalls()).toEqual([]);
  });

  it("--dry-run changes nothing", async () => {
    const deployment = await deploy({ mail: true });
    const before = await readFile(deployment.path, "utf8");
    const ctx = await on(deployment, { yes: false });
    await rm(ctx, { name: "MC_MAIL_PASSWORD", dryRun: true });
    expect(ctx.captured.stdout()).toBe(
      "dry run: nothing was changed in AWS and nothing was saved to mcctl.json\n",
    );
    // The steps the apply would run: the new revision first, then the parameter it no longer needs.
    expect(ctx.captured.stderr()).toContain("  1. register a new revision of model-catalogue\n");
    expect(ctx.captured.stderr()).toContain(
      `  2. save ${deployment.path} (the revision it describes and the secrets left out; never a value)\n`,
    );
    expect(ctx.captured.stderr()).toContain(
      "  3. delete /mcctl/model-catalogue/MC_MAIL_PASSWORD (revisions that still reference it can no longer start)\n",
    );
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ssm.parameter(MAIL)).toBeDefined();
    expect(await readFile(deployment.path, "utf8")).toBe(before);
  });
});

describe("secrets purge-plaintext", () => {
  /**
   * Two revisions an older mcctl registered (1 deregistered since, 2 in service), then register-task
   * moved the secrets to SSM in revision 3.
   */
  async function migratedDeployment(): Promise<Deployment> {
    await seedLegacyRevision(sim, { secrets: SECRETS, image: "metadata/registry:2.0.0" });
    const legacy = await seedLegacyRevision(sim, { secrets: SECRETS, image: "metadata/registry:2.0.1" });
    sim.ecs.deregisterTaskDefinition({ taskDefinition: "model-catalogue:1" });
    await runService(sim, legacy.revision);
    const ctx = testContext({ settings: legacy.settings, env: {}, options: { yes: true } });
    await runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({}));
    sim.clearCalls();
    return { path: ctx.settings.path, settings: await savedSettings(ctx.settings.path) };
  }

  const status = (revision: string) =>
    sim.ecs.describeTaskDefinition({ taskDefinition: revision }).taskDefinition?.status;

  it("refuses while the revision in service still holds plain text", async () => {
    const deployment = await migratedDeployment();
    const error = await failure(purge(await on(deployment)));
    expect(error.message).toBe(
      "model-catalogue:2 (in service) still holds MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD in plain text, so purging older revisions would not remove them",
    );
    expect(error.suggestion).toContain("`mcctl rollback --to N`");
    expect(mutatingCalls()).toEqual([]);
    expect(status("model-catalogue:1")).toBe("INACTIVE");
    expect(status("model-catalogue:2")).toBe("ACTIVE");
  });

  it("--dry-run lists the revisions, their status and secrets, and the rollback warning; changes nothing", async () => {
    const deployment = await migratedDeployment();
    await rollbackTo(deployment, "3");
    sim.clearCalls();
    const ctx = await on(deployment, { yes: false });

    const plain = ["MC_SUPERVISOR_PASSWORD", "METADATA_PASSWORD"];
    await expect(purge(ctx, { dryRun: true })).resolves.toEqual({
      family: "model-catalogue",
      revisions: [
        { name: "model-catalogue:2", status: "ACTIVE", plain },
        { name: "model-catalogue:1", status: "INACTIVE", plain },
      ],
      deleted: [],
      dryRun: true,
    });

    expect(ctx.captured.stderr()).toContain(
      [
        "Revisions of model-catalogue that hold secrets in plain text (deregistered, then deleted):",
        "  - model-catalogue:2 (ACTIVE): MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD",
        "  - model-catalogue:1 (INACTIVE): MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD",
        "  kept: model-catalogue:3 (in service)",
        "⚠ Deleted revisions can never be rolled back to: `mcctl rollback --to` will not find them.",
      ].join("\n"),
    );
    expect(ctx.captured.stderr()).toContain(
      [
        "Purge of the plain-text revisions of model-catalogue:",
        "  1. deregister model-catalogue:2, then delete model-catalogue:2, model-catalogue:1",
        "",
      ].join("\n"),
    );
    expect(ctx.captured.stdout()).toBe(
      "dry run: nothing was changed in AWS and nothing was saved to mcctl.json\n",
    );
    expect(mutatingCalls()).toEqual([]);
    expect(status("model-catalogue:1")).toBe("INACTIVE");
    expect(status("model-catalogue:2")).toBe("ACTIVE");
    expectNoCanary(ctx.captured.all());
  });

  it("deregisters and deletes them, keeping the revision in service and the one mcctl.json describes", async () => {
    const deployment = await migratedDeployment();
    await rollbackTo(deployment, "3");
    // mcctl.json moves on to revision 4, not yet in service.
    const change = await on(deployment, { env: { MC_NAME: "Renamed" } });
    await expect(runRegisterTask(change, RegisterTaskOptionsSchema.parse({}))).resolves.toMatchObject({
      revision: 4,
    });
    sim.clearCalls();
    const ctx = await on(deployment);

    await expect(purge(ctx)).resolves.toEqual({ deleted: ["model-catalogue:2", "model-catalogue:1"] });

    expect(sim.callsOf("DeregisterTaskDefinition").map((call) => call.input.taskDefinition)).toEqual([
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue:2",
    ]);
    expect(sim.callsOf("DeleteTaskDefinitions").map((call) => call.input.taskDefinitions)).toEqual([
      [
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue:2",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue:1",
      ],
    ]);
    expect(ctx.captured.stderr()).toContain(
      "  kept: model-catalogue:3 (in service)\n  kept: model-catalogue:4 (described by mcctl.json)\n",
    );
    expect(ctx.captured.stdout()).toBe("Deleted 2 revision(s) of model-catalogue\n");
    expect(status("model-catalogue:1")).toBe("DELETE_IN_PROGRESS");
    expect(status("model-catalogue:2")).toBe("DELETE_IN_PROGRESS");

    // Run again while ECS is still deleting them: nothing is left to purge.
    const again = await on(deployment);
    const nothingToDo = {
      family: "model-catalogue",
      revisions: [],
      deleted: [],
      dryRun: false,
      nothingToDo: true,
    };
    await expect(purge(again)).resolves.toEqual(nothingToDo);
    expect(again.captured.stdout()).toBe(
      "Nothing to do: no revision of model-catalogue holds a secret in plain text\n",
    );

    // ECS deletes them once nothing uses them: then they are unknown.
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(() => sim.ecs.describeTaskDefinition({ taskDefinition: "model-catalogue:1" })).toThrow(
      "Unable to describe task definition.",
    );
    expect(() => sim.ecs.describeTaskDefinition({ taskDefinition: "model-catalogue:2" })).toThrow(
      "Unable to describe task definition.",
    );
    expect(status("model-catalogue:3")).toBe("ACTIVE");
    expect(status("model-catalogue:4")).toBe("ACTIVE");
    expect(runningTask(sim).revision).toBe("model-catalogue:3");
    expectNoCanary(ctx.captured.all());
  });

  it("says so when no revision holds a secret in plain text, and changes nothing", async () => {
    const deployment = await deploy({ run: true });
    const ctx = await on(deployment);
    await expect(purge(ctx)).resolves.toEqual({
      family: "model-catalogue",
      revisions: [],
      deleted: [],
      dryRun: false,
      nothingToDo: true,
    });
    expect(ctx.captured.stdout()).toBe(
      "Nothing to do: no revision of model-catalogue holds a secret in plain text\n",
    );
    expect(mutatingCalls()).toEqual([]);
  });
});
