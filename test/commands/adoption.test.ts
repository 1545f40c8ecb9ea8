import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runSecretsList, SecretsListOptionsSchema } from "../../src/commands/secrets-list.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import { runStatus } from "../../src/commands/status.js";
import type { Settings } from "../../src/config/settings.js";
import { UsageError } from "../../src/errors.js";
import { type TestContextOptions, testContext } from "../helpers/context.js";
import { BASE_ENVIRONMENT, runningTask, runService } from "../helpers/deployments.js";
import {
  HAND_MADE_FAMILY,
  HAND_MADE_MAIL_FROM,
  HAND_MADE_SECRETS,
  seedHandMadeService,
} from "../helpers/hand-made.js";
import { seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();
const MUTATING = /^(Create|Put|Attach|Register|Deregister|Update|Delete|Stop|Run|Tag)/;
const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);
const valueFrom = (name: string) =>
  `arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/${HAND_MADE_FAMILY}/${name}`;

const expectNoSecret = (text: string) => {
  for (const value of Object.values(HAND_MADE_SECRETS)) expect(text).not.toContain(value);
};

/** A command's context with no mcctl.json unless `settings`, confirmed with --yes. */
const context = (options: TestContextOptions = {}) =>
  testContext({ env: {}, options: { yes: true }, ...options });
const registerTask = (ctx: ReturnType<typeof context>) =>
  runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({}));
const saved = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Settings;
const mcContainer = (revision: string) =>
  sim.ecs
    .describeTaskDefinition({ taskDefinition: revision })
    .taskDefinition?.containerDefinitions?.find((container) => container.name === "mc");

describe("register-task on a deployment made by hand, without mcctl.json", () => {
  it("does what status and secrets list advise: adopts the revision in service and moves its plain-text secrets to SSM", async () => {
    const { revision } = await seedHandMadeService(sim);
    // The advice the operator follows.
    const status = context();
    await runStatus(status, {});
    expect(status.captured.all()).toContain("`mcctl register-task` moves them to SSM");
    const listing = context();
    await runSecretsList(listing, SecretsListOptionsSchema.parse({}));
    expect(listing.captured.all()).toContain("`mcctl register-task` moves them to SSM");
    sim.clearCalls();

    const ctx = context();
    const result = await registerTask(ctx);

    expect(result).toMatchObject({ family: HAND_MADE_FAMILY, revision: 2, registered: true });
    const stderr = ctx.captured.stderr();
    expect(stderr).toMatch(
      new RegExp(
        `Adopting ${revision} \\(in service; mcctl.json describes no revision\\): \\d+ values taken from it; MC_MAIL_PASSWORD, MC_S3_KEY, MC_S3_SECRET, METADATA_PASSWORD move from plain text to SSM`,
      ),
    );
    // Each secret the revision held in plain text is in SSM, as a SecureString, with the very value.
    for (const [name, value] of Object.entries(HAND_MADE_SECRETS)) {
      expect(sim.ssm.parameter(`/mcctl/${HAND_MADE_FAMILY}/${name}`)).toMatchObject({
        type: "SecureString",
        value,
      });
    }
    const next = `${HAND_MADE_FAMILY}:2`;
    expect(mcContainer(next)?.secrets).toEqual(
      Object.keys(HAND_MADE_SECRETS)
        .sort()
        .map((name) => ({ name, valueFrom: valueFrom(name) })),
    );
    // Every other value of the hand-made revision went along unchanged.
    const environment = Object.fromEntries(
      (mcContainer(next)?.environment ?? []).map((entry) => [entry.name, entry.value]),
    );
    expect(environment).toMatchObject({
      METADATA_HOST: expect.any(String),
      METADATA_USERNAME: "username",
      MC_MAIL_HOST: "mx.example.com",
      MC_S3_BUCKET: "mc.assets.example.com",
      MC_ES_ELEMENTS_PER_BATCH: "20",
    });
    expect(environment.METADATA_JDBC_URL).toMatch(/^jdbc:mysql:\/\/your-rds-database/);
    expect(mcContainer(next)?.image).toBe("metadata/registry:2");
    expectNoSecret(JSON.stringify(sim.ecs.describeTaskDefinition({ taskDefinition: next })));
    expectNoSecret(ctx.captured.all());

    // mcctl.json describes the new revision, and holds no secret.
    const file = await readFile(ctx.settings.path, "utf8");
    expectNoSecret(file);
    expect(JSON.parse(file)).toMatchObject({
      taskFamily: HAND_MADE_FAMILY,
      taskDefinition: next,
      environment: { METADATA_USERNAME: "username", MC_MAIL_HOST: "mx.example.com" },
    });

    // One truth: a second run registers nothing and writes nothing.
    sim.clearCalls();
    const again = context({ settings: await saved(ctx.settings.path), settingsPath: ctx.settings.path });
    await expect(registerTask(again)).resolves.toMatchObject({ registered: false, revision: 2 });
    expect(again.captured.stdout()).toContain("Nothing to do");
    expect(mutatingCalls()).toEqual([]);
  });

  it("after the adoption, setup plans nothing for the task definition either (one truth)", async () => {
    seedEmptyAccount(sim);
    await seedHandMadeService(sim);
    const ctx = context();
    await registerTask(ctx);
    sim.clearCalls();
    const settings = await saved(ctx.settings.path);
    const again = context({ settings, settingsPath: ctx.settings.path, options: { yes: false } });
    await runUntilSettled(runSetupCommand(again, SetupOptionsSchema.parse({ dryRun: true })));
    expect(again.captured.stderr()).toContain(
      `Task definition: ${HAND_MADE_FAMILY}:2 (the revision mcctl.json describes) is up to date; nothing to register.`,
    );
    expect(again.captured.stderr()).not.toMatch(/register a new revision/);
    expect(mutatingCalls()).toEqual([]);
    expectNoSecret(again.captured.all());
  });

  it("a deployment mcctl made whose mcctl.json was lost: secrets referenced from SSM stay referenced, nothing is registered", async () => {
    const first = context({
      settings: { environment: { ...BASE_ENVIRONMENT } },
      env: { METADATA_PASSWORD: "Lost-File-Pass-51d0" },
    });
    await registerTask(first);
    await runService(sim, "model-catalogue:1");
    const lost = context();
    await expect(registerTask(lost)).resolves.toMatchObject({ registered: false, revision: 1 });
    const stderr = lost.captured.stderr();
    expect(stderr).toMatch(
      /Adopting model-catalogue:1 \(in service; mcctl.json describes no revision\): \d+ values taken from it\./,
    );
    expect(stderr).toContain(
      "Task definition: model-catalogue:1 (in service) is up to date; nothing to register.",
    );
    expect(stderr).toContain("METADATA_PASSWORD: unchanged (SSM version 1");
    expect(mutatingCalls()).toEqual([]);
    expect(await saved(lost.settings.path)).toMatchObject({
      taskDefinition: "model-catalogue:1",
      environment: BASE_ENVIRONMENT,
    });
    const again = context({ settings: await saved(lost.settings.path), settingsPath: lost.settings.path });
    await registerTask(again);
    expect(again.captured.stdout()).toContain("Nothing to do");
    expect(lost.captured.all()).not.toContain("Lost-File-Pass-51d0");
  });

  it("without --yes on a dry run, shows the adoption and changes nothing", async () => {
    const { revision } = await seedHandMadeService(sim);
    const ctx = context({ options: { yes: false } });
    await runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({ dryRun: true }));
    expect(ctx.captured.stderr()).toContain(`Adopting ${revision}`);
    expect(ctx.captured.stderr()).toContain(
      `  + METADATA_PASSWORD: plain text → SSM /mcctl/${HAND_MADE_FAMILY}/METADATA_PASSWORD (from ${revision})`,
    );
    expect(mutatingCalls()).toEqual([]);
    expectNoSecret(ctx.captured.all());
  });

  it("values the operator gives win over the revision's, and the plan says where they differ", async () => {
    const { revision } = await seedHandMadeService(sim);
    const ctx = context({
      settings: { mc: { image: "metadata/registry:3" } },
      env: { METADATA_HOST: "catalogue.example.org", METADATA_PASSWORD: "Operator-Pass-9b2c" },
    });
    await registerTask(ctx);
    const stderr = ctx.captured.stderr();
    expect(stderr).toContain(
      `METADATA_HOST: the environment says catalogue.example.org, ${revision} has ${hostOf(revision)}; the environment wins (precedence)`,
    );
    expect(stderr).toContain(
      `mc.image: mcctl.json says metadata/registry:3, ${revision} has metadata/registry:2; mcctl.json wins (precedence)`,
    );
    expect(stderr).toContain(
      `METADATA_PASSWORD: the environment's value replaces the one ${revision} holds (precedence)`,
    );
    const next = `${HAND_MADE_FAMILY}:2`;
    expect(mcContainer(next)?.image).toBe("metadata/registry:3");
    expect(sim.ssm.parameter(`/mcctl/${HAND_MADE_FAMILY}/METADATA_PASSWORD`)?.value).toBe(
      "Operator-Pass-9b2c",
    );
    expect(ctx.captured.all()).not.toContain("Operator-Pass-9b2c");
    expectNoSecret(ctx.captured.all());
  });

  it("once the new revision is in service, its task gets the secrets from SSM", async () => {
    await seedHandMadeService(sim);
    const ctx = context();
    await registerTask(ctx);
    const settings = await saved(ctx.settings.path);
    await runUntilSettled(
      runRollback(
        context({ settings, settingsPath: ctx.settings.path }),
        RollbackOptionsSchema.parse({ to: "2", pollInterval: "3s" }),
      ),
    );
    const task = runningTask(sim);
    expect(task.revision).toBe(`${HAND_MADE_FAMILY}:2`);
    for (const [name, value] of Object.entries(HAND_MADE_SECRETS)) expect(task.environment[name]).toBe(value);
  });

  it("the wiki's revision exactly (mail without a sender) is refused on mcctl's mail rule, not as missing input", async () => {
    await seedHandMadeService(sim, { asInWiki: true });
    const attempt = registerTask(context());
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow("MC_MAIL_FROM: is not set");
    expect(mutatingCalls()).toEqual([]);
  });

  it("a second run with MC_MAIL_FROM given adopts the rest", async () => {
    await seedHandMadeService(sim, { asInWiki: true });
    const ctx = context({ env: { MC_MAIL_FROM: HAND_MADE_MAIL_FROM } });
    await expect(registerTask(ctx)).resolves.toMatchObject({ registered: true, revision: 2 });
    expect(JSON.parse(await readFile(ctx.settings.path, "utf8")).environment.MC_MAIL_FROM).toBe(
      HAND_MADE_MAIL_FROM,
    );
  });
});

function hostOf(revision: string): string {
  return (
    mcContainer(revision)?.environment?.find((entry) => entry.name === "METADATA_HOST")?.value ?? "(none)"
  );
}
