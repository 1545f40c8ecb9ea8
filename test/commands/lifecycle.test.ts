import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { RestartOptionsSchema, runRestart } from "../../src/commands/restart.js";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import { AccountLife } from "../helpers/one-truth.js";

/**
 * The one-truth invariant of issue 7, walked through a deployment's life on one simulated account:
 * after every successful command, a plain `register-task --yes` and `setup --yes` (no variable set, not
 * even a secret: ECS holds them) succeed, change nothing in AWS, and leave mcctl.json as it was.
 */
const SECRETS = {
  METADATA_PASSWORD: "Lifecycle-Db-Pass-1",
  MC_SUPERVISOR_PASSWORD: "Lifecycle-Sup-Pass-1",
  MC_S3_KEY: "AKIALIFECYCLE",
  MC_S3_SECRET: "Lifecycle-S3-Secret",
};
const FIRST_ANSWERS: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false, advanced: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};

const life = new AccountLife();
beforeAll(() => life.open());
afterAll(() => life.close());
const context = (env?: NodeJS.ProcessEnv, settings?: Settings) => life.context(env, settings);
const run = <T>(promise: Promise<T>) => life.run(promise);
const expectNothingToChange = () => life.expectNothingToChange();

const runningRevision = () =>
  life.sim.ecs
    .tasks({ serviceName: "mc", lastStatus: "RUNNING" })
    .map((task) => task.taskDefinitionArn?.split("/").pop());

describe("a deployment's life: after each command, register-task --yes and setup --yes change nothing", () => {
  it("setup on an empty account", async () => {
    const outcome = await run(
      runSetupCommand(await context(SECRETS, FIRST_ANSWERS), SetupOptionsSchema.parse({})),
    );
    expect(outcome.complete).toBe(true);
    const settings = await expectNothingToChange();
    expect(settings).toMatchObject({
      taskDefinition: "model-catalogue:1",
      mc: { image: "metadata/registry:2" },
    });
    expect(JSON.stringify(settings)).not.toMatch(/Lifecycle-|AKIALIFECYCLE/);
  });

  it("register-task with a changed host registers it once, and mcctl.json keeps it", async () => {
    const result = await run(
      runRegisterTask(
        await context({ METADATA_HOST: "mc.example.org" }),
        RegisterTaskOptionsSchema.parse({}),
      ),
    );
    expect(result).toMatchObject({ registered: true, revision: 2 });
    const settings = await expectNothingToChange();
    expect(settings).toMatchObject({
      taskDefinition: "model-catalogue:2",
      environment: { METADATA_HOST: "mc.example.org" },
    });
  });

  it("upgrade --tag 2.0.1", async () => {
    await run(runUpgrade(await context(), UpgradeOptionsSchema.parse({ tag: "2.0.1", pollInterval: "3s" })));
    expect(runningRevision()).toEqual(["model-catalogue:3"]);
    // Built from the revision mcctl.json describes: the host registered before goes into service with it.
    const upgraded = life.sim.callsOf("RegisterTaskDefinition").at(-1)?.input
      .containerDefinitions?.[0]?.environment;
    expect(upgraded?.find((entry) => entry.name === "METADATA_HOST")?.value).toBe("mc.example.org");
    const settings = await expectNothingToChange();
    expect(settings).toMatchObject({
      taskDefinition: "model-catalogue:3",
      mc: { image: "metadata/registry:2.0.1" },
    });
  });

  it("restart", async () => {
    await run(runRestart(await context(), RestartOptionsSchema.parse({ pollInterval: "3s" })));
    await expectNothingToChange();
  });

  it("rollback to the revision before the upgrade", async () => {
    await run(runRollback(await context(), RollbackOptionsSchema.parse({ pollInterval: "3s" })));
    expect(runningRevision()).toEqual(["model-catalogue:2"]);
    const settings = await expectNothingToChange();
    expect(settings).toMatchObject({
      taskDefinition: "model-catalogue:2",
      mc: { image: "metadata/registry:2" },
    });
  });

  it("rollback --to 1, the first revision, whose host was the first one", async () => {
    await run(runRollback(await context(), RollbackOptionsSchema.parse({ to: "1", pollInterval: "3s" })));
    expect(runningRevision()).toEqual(["model-catalogue:1"]);
    const settings = await expectNothingToChange();
    expect(settings).toMatchObject({
      taskDefinition: "model-catalogue:1",
      environment: { METADATA_HOST: "catalogue.example.org" },
    });
  });

  it("no secret was ever written to mcctl.json or a task definition; every revision reads them from SSM", async () => {
    const saved = await readFile(life.settingsPath, "utf8");
    for (const secret of Object.values(SECRETS)) expect(saved).not.toContain(secret);
    // The service's revisions; the upgrade's one-off pre-pull revision holds images only.
    const revisions = life.sim
      .callsOf("RegisterTaskDefinition")
      .map((call) => call.input)
      .filter((input) => input.family === "model-catalogue");
    expect(revisions).toHaveLength(3);
    const prepull = life.sim
      .callsOf("RegisterTaskDefinition")
      .filter((call) => call.input.family !== "model-catalogue");
    for (const call of prepull) {
      expect(call.input.family).toBe("model-catalogue-prepull");
      expect(call.input.containerDefinitions?.every((c) => !c.environment && !c.secrets)).toBe(true);
    }
    for (const input of revisions) {
      for (const secret of Object.values(SECRETS)) expect(JSON.stringify(input)).not.toContain(secret);
      expect(input.containerDefinitions?.[0]?.secrets).toContainEqual({
        name: "METADATA_PASSWORD",
        valueFrom: `arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/METADATA_PASSWORD`,
      });
    }
    // Written once, never again: every later command found it in SSM.
    expect(life.sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")).toMatchObject({
      value: SECRETS.METADATA_PASSWORD,
      version: 1,
    });
  });
});
