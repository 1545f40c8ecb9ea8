import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DestroyOptionsSchema, runDestroy } from "../../src/commands/destroy.js";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import type { Settings } from "../../src/config/settings.js";
import { MissingInputError } from "../../src/errors.js";
import { scriptedAsker } from "../helpers/asker.js";
import { AccountLife } from "../helpers/one-truth.js";

/**
 * A rebuild after `destroy` keeps every answer (issue 16): destroy deletes the secrets in SSM, so setup
 * asks for each again (or lists it as missing input); it never records one as deliberately unset.
 */
const SECRETS = {
  METADATA_PASSWORD: "Rebuild-Db-Pass-1",
  MC_SUPERVISOR_PASSWORD: "Rebuild-Sup-Pass-1",
  MC_MAIL_PASSWORD: "Rebuild-Mail-Pass-1",
  MC_S3_KEY: "AKIAREBUILD",
  MC_S3_SECRET: "Rebuild-S3-Secret",
};
const DELETED = [
  "MC_MAIL_PASSWORD",
  "MC_S3_KEY",
  "MC_S3_SECRET",
  "MC_SUPERVISOR_PASSWORD",
  "METADATA_PASSWORD",
];
const FIRST_ANSWERS: Settings = {
  environment: {
    METADATA_HOST: "catalogue.example.org",
    MC_SUPERVISOR_EMAIL: "ops@example.org",
    MC_MAIL_HOST: "smtp.example.org",
    MC_MAIL_FROM: "catalogue@example.org",
    MC_MAIL_USERNAME: "catalogue",
  },
  features: { mail: true, google: false, advanced: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};

const life = new AccountLife();
beforeEach(() => life.open());
afterEach(() => life.close());

const run = <T>(promise: Promise<T>) => life.run(promise);
const savedSettings = () => life.savedSettings();

async function context(
  options: {
    env?: NodeJS.ProcessEnv;
    settings?: Settings;
    answers?: Parameters<typeof scriptedAsker>[0];
  } = {},
) {
  const interactive = options.answers !== undefined;
  const script = scriptedAsker(options.answers ?? {});
  const ctx = await life.context(options.env ?? {}, options.settings, {
    interactive,
    options: { yes: !interactive },
    ask: script.asker,
  });
  return Object.assign(ctx, { asked: script.asked });
}

const setup = async (ctx: Awaited<ReturnType<typeof context>>, flags: Record<string, unknown> = {}) =>
  run(runSetupCommand(ctx, SetupOptionsSchema.parse({ pollInterval: "5s", ...flags })));

async function deployAndDestroy(options: { oneTruth?: boolean } = {}) {
  const first = await setup(await context({ env: SECRETS, settings: FIRST_ANSWERS }));
  expect(first.complete).toBe(true);
  if (options.oneTruth) await expectNothingToChange();
  const before = await savedSettings();
  await run(runDestroy(await context(), DestroyOptionsSchema.parse({ pollInterval: "5s" })));
  expect(life.sim.ssm.parameters()).toEqual([]);
  life.sim.clearCalls();
  return before;
}

const mutatingCallsSince = (start: number) => life.mutatingCallsSince(start);
const expectNothingToChange = () => life.expectNothingToChange();

describe("destroy remembers which secrets it deleted, never their values", () => {
  it("mcctl.json names the secrets whose parameters destroy deleted", async () => {
    const before = await deployAndDestroy();
    const after = await savedSettings();
    expect(after.secrets?.deleted).toEqual(DELETED);
    expect(after.environment).toEqual(before.environment);
    for (const secret of Object.values(SECRETS)) expect(JSON.stringify(after)).not.toContain(secret);
  });

  it("a destroy that fails after deleting the parameters has named them in mcctl.json first", async () => {
    const first = await setup(await context({ env: SECRETS, settings: FIRST_ANSWERS }));
    expect(first.complete).toBe(true);
    life.sim.faults.inject({
      service: "IAM",
      command: "DeleteRole",
      error: new Error("simulated failure after the secrets are gone"),
      times: Number.POSITIVE_INFINITY,
    });
    const destroy = run(runDestroy(await context(), DestroyOptionsSchema.parse({ pollInterval: "5s" })));
    await expect(destroy).rejects.toThrow();
    expect(life.sim.ssm.parameters()).toEqual([]);
    expect((await savedSettings()).secrets?.deleted).toEqual(DELETED);
  });
});

describe("setup after destroy", () => {
  it("says the revision number is a lower bound once ECS lists no revision of the family (deleted ones keep their numbers)", async () => {
    await deployAndDestroy();
    life.sim.ecs.deleteTaskDefinitions({ taskDefinitions: ["model-catalogue:1"] });
    await run(new Promise((resolve) => setTimeout(resolve, 5 * 60_000)));
    expect(life.sim.ecs.listTaskDefinitions({ status: "DELETE_IN_PROGRESS" }).taskDefinitionArns).toEqual([]);
    const ctx = await context({ env: SECRETS });
    await setup(ctx, { dryRun: true });
    expect(ctx.captured.all()).toContain(
      "Task definition: ECS lists no revision of model-catalogue; this registers revision 1, or a later one if earlier revisions were deleted (ECS never reuses a number):",
    );
    expect(life.sim.ecs.nextRevision("model-catalogue")).toBe(2);
  });

  it("without the secrets, --yes lists each one destroy deleted as missing input, with the rest, and saves nothing", async () => {
    await deployAndDestroy();
    const before = await savedSettings();
    const { METADATA_HOST: _host, ...environment } = before.environment ?? {};
    const error = await setup(await context({ settings: { ...before, environment } })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MissingInputError);
    expect([...(error as MissingInputError).missing].sort()).toEqual([...DELETED, "METADATA_HOST"].sort());
    expect(life.sim.calls).toEqual([]);
    expect(await savedSettings()).toEqual(before);
  });

  it("a plain register-task --yes lists the deleted secrets as missing rather than registering without them", async () => {
    await deployAndDestroy();
    const before = await savedSettings();
    const error = await run(runRegisterTask(await context(), RegisterTaskOptionsSchema.parse({}))).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MissingInputError);
    expect((error as MissingInputError).missing).toEqual(
      expect.arrayContaining(["MC_MAIL_PASSWORD", "MC_SUPERVISOR_PASSWORD", "MC_S3_KEY"]),
    );
    expect(mutatingCallsSince(0)).toEqual([]);
    expect(await savedSettings()).toEqual(before);
  });

  it("a secret set to false in mcctl.json by the operator stays unset without a question", async () => {
    await deployAndDestroy();
    const file = await savedSettings();
    const settings = { ...file, environment: { ...file.environment, MC_MAIL_PASSWORD: false } };
    const { MC_MAIL_PASSWORD: _mail, ...rest } = SECRETS;
    const ctx = await context({ env: rest, settings });
    await setup(ctx, { dryRun: true });
    expect(ctx.captured.all()).not.toContain("MC_MAIL_PASSWORD: missing");
  });

  it("the plan computes the JDBC URL of the new database without the placeholder warning", async () => {
    const before = await deployAndDestroy();
    const ctx = await context({ env: SECRETS });
    await setup(ctx, { dryRun: true });
    expect(mutatingCallsSince(0)).toEqual([]);
    const out = ctx.captured.all();
    expect(out).not.toContain("pending-endpoint.invalid");
    expect(out).not.toContain("mcctl.json wins");
    expect(out).not.toMatch(/^ {2}- environment\.METADATA_JDBC_URL/m);
    expect(before.environment?.METADATA_JDBC_URL).toMatch(/^jdbc:mysql:\/\/model-catalogue\./);
    expect(out).toMatch(
      /~ environment\.METADATA_JDBC_URL: jdbc:mysql:\/\/model-catalogue\.\S+ → jdbc:mysql:\/\/<the new instance's endpoint>\/mc\?/,
    );
    expect(out).toContain("    METADATA_JDBC_URL=jdbc:mysql://<the new instance's endpoint>/mc?");
    expect(out).not.toMatch(/environment\.MC_\w*PASSWORD|environment\.MC_S3_(KEY|SECRET)/);
  });

  it("the plan predicts the revision ECS gives: it counts on after the deregistered ones, and says so", async () => {
    await deployAndDestroy();
    const ctx = await context({ env: SECRETS });
    await setup(ctx, { dryRun: true });
    const out = ctx.captured.all();
    expect(out).toContain("model-catalogue has no active revision");
    expect(out).toContain("this registers revision 2");
    expect(out).not.toContain("this registers revision 1");
  });

  it("setup, destroy, setup again with the secrets in the environment: every secret stored again, none recorded as unset; the one truth holds after each setup", async () => {
    const before = await deployAndDestroy({ oneTruth: true });
    const outcome = await setup(await context({ env: SECRETS }));
    expect(outcome).toMatchObject({ complete: true, taskDefinition: "model-catalogue:2" });
    const after = await expectNothingToChange();
    expect(after.environment).toEqual({
      ...before.environment,
      METADATA_JDBC_URL: expect.stringMatching(/^jdbc:mysql:\/\/.+:3306\/mc\?/),
    });
    expect(after.secrets?.deleted).toBeUndefined();
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(life.sim.ssm.parameter(`/mcctl/model-catalogue/${name}`)?.value, name).toBe(value);
    }
    for (const secret of Object.values(SECRETS)) expect(JSON.stringify(after)).not.toContain(secret);
  });

  it("on a terminal asks again for each deleted secret; leaving one unset takes an explicit answer", async () => {
    await deployAndDestroy();
    const ctx = await context({
      env: { METADATA_PASSWORD: SECRETS.METADATA_PASSWORD },
      answers: {
        "Review or change": false,
        MC_SUPERVISOR_PASSWORD: SECRETS.MC_SUPERVISOR_PASSWORD,
        MC_S3_KEY: SECRETS.MC_S3_KEY,
        MC_S3_SECRET: SECRETS.MC_S3_SECRET,
        // Enter first: the question comes back behind a yes/no; then the operator says to leave it unset.
        "(MC_MAIL_PASSWORD)": [undefined],
        "Leave MC_MAIL_PASSWORD unset": true,
        "Set up Model Catalogue": true,
      },
    });
    const outcome = await setup(ctx);
    expect(outcome.complete).toBe(true);
    const questions = ctx.asked.join("\n");
    expect(questions).toMatch(/MC_SUPERVISOR_PASSWORD\).*destroy deleted/);
    const after = await expectNothingToChange();
    expect(after.environment?.MC_MAIL_PASSWORD).toBe(false);
    expect(after.environment?.MC_SUPERVISOR_PASSWORD).toBeUndefined();
    expect(life.sim.ssm.parameter("/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD")?.value).toBe(
      SECRETS.MC_SUPERVISOR_PASSWORD,
    );
  });
});
