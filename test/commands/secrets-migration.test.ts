import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import { testContext } from "../helpers/context.js";
import { runningTask, runService, seedLegacyRevision } from "../helpers/deployments.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

/** What an older mcctl put in plain text into model-catalogue:1. */
const PLAIN = {
  METADATA_PASSWORD: "Legacy-Db-Pass-5e1d",
  MC_SUPERVISOR_PASSWORD: "Legacy-Sup-Pass-93ac",
};
const PARAMETER = "/mcctl/model-catalogue/METADATA_PASSWORD";
const SUPERVISOR_PARAMETER = "/mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD";
const ROLE_ARN = "arn:aws:iam::123456789012:role/mcctl-model-catalogue-execution";
const valueFrom = (name: string) =>
  `arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/${name}`;
const MUTATING = /^(Create|Put|Attach|Register|Deregister|Update|Delete|Stop|Run|Tag)/;

const sim = useSimulatedAws();

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => `${call.service}:${call.command}`);

function context(settings: Settings, settingsPath?: string) {
  return testContext({ settings, settingsPath, env: {}, options: { yes: true } });
}

const savedSettings = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Settings;

const expectNoPlainValue = (text: string) => {
  for (const value of Object.values(PLAIN)) expect(text).not.toContain(value);
};

const registerTask = (ctx: ReturnType<typeof context>) =>
  runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({}));

const upgrade = (ctx: ReturnType<typeof context>, raw: Record<string, unknown>) =>
  runUntilSettled(runUpgrade(ctx, UpgradeOptionsSchema.parse({ pollInterval: "3s", ...raw })));

/** The mc container of a revision as ECS describes it now. */
const mcContainer = (revision: string) =>
  sim.ecs
    .describeTaskDefinition({ taskDefinition: revision })
    .taskDefinition?.containerDefinitions?.find((container) => container.name === "mc");

describe("register-task on a deployment an older mcctl registered with plain-text secrets", () => {
  it("moves the plain values to SSM and registers a revision that only references them", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN });
    expect(mcContainer("model-catalogue:1")?.environment).toContainEqual({
      name: "METADATA_PASSWORD",
      value: PLAIN.METADATA_PASSWORD,
    });
    const ctx = context(legacy.settings);

    const result = await registerTask(ctx);

    expect(result).toMatchObject({ family: "model-catalogue", revision: 2, registered: true });
    const stderr = ctx.captured.stderr();
    // The diff: the role, the two secrets (whose values are never shown) and the logs moving to
    // CloudWatch Logs, as everything an older mcctl registered does.
    expect(stderr).toContain(
      [
        "Task definition: a new revision of model-catalogue, changed from model-catalogue:1 (the revision mcctl.json describes):",
        `  + executionRoleArn: = ${ROLE_ARN}`,
        "  ~ mc env MC_SUPERVISOR_PASSWORD: plain text ******** → SSM /mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD",
        "  ~ mc env METADATA_PASSWORD: plain text ******** → SSM /mcctl/model-catalogue/METADATA_PASSWORD",
        '  ~ mc logConfiguration: {"logDriver":"syslog"} → {"logDriver":"awslogs","options":{"awslogs-group":"/ecs/model-catalogue","awslogs-region":"eu-west-1","awslogs-stream-prefix":"mcctl"}}',
      ].join("\n"),
    );
    expect(stderr).toContain(
      "  + METADATA_PASSWORD: plain text → SSM /mcctl/model-catalogue/METADATA_PASSWORD (from model-catalogue:1)",
    );
    expect(stderr).toContain(
      "  + MC_SUPERVISOR_PASSWORD: plain text → SSM /mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD (from model-catalogue:1)",
    );
    expect(stderr).toContain("Execution role: + create mcctl-model-catalogue-execution");
    expect(stderr).toContain(
      "Older revisions of model-catalogue still hold secrets in plain text: once model-catalogue:2 runs, `mcctl secrets purge-plaintext` deletes them (they can no longer be rolled back to).",
    );

    // SSM holds exactly the values the old revision had in plain text, as SecureStrings.
    expect(sim.ssm.parameter(PARAMETER)).toMatchObject({
      type: "SecureString",
      value: PLAIN.METADATA_PASSWORD,
      keyId: "alias/aws/ssm",
      version: 1,
    });
    expect(sim.ssm.parameter(SUPERVISOR_PARAMETER)).toMatchObject({
      type: "SecureString",
      value: PLAIN.MC_SUPERVISOR_PASSWORD,
      version: 1,
    });
    // The new revision holds references and the role that reads them, never a value.
    const registered = sim.ecs.describeTaskDefinition({ taskDefinition: "model-catalogue:2" }).taskDefinition;
    expect(registered?.executionRoleArn).toBe(ROLE_ARN);
    expect(mcContainer("model-catalogue:2")?.secrets).toEqual([
      { name: "MC_SUPERVISOR_PASSWORD", valueFrom: valueFrom("MC_SUPERVISOR_PASSWORD") },
      { name: "METADATA_PASSWORD", valueFrom: valueFrom("METADATA_PASSWORD") },
    ]);
    expect(mcContainer("model-catalogue:2")?.environment?.map((entry) => entry.name)).not.toContain(
      "METADATA_PASSWORD",
    );
    expectNoPlainValue(JSON.stringify(registered));
    expectNoPlainValue(JSON.stringify(sim.callsOf("RegisterTaskDefinition")));
    // The parameters and the role exist before the revision that names them.
    const order = sim.calls.map((call) => call.command);
    expect(order.indexOf("CreateRole")).toBeLessThan(order.indexOf("PutParameter"));
    expect(order.lastIndexOf("PutParameter")).toBeLessThan(order.indexOf("RegisterTaskDefinition"));

    const saved = await readFile(ctx.settings.path, "utf8");
    expect(JSON.parse(saved)).toMatchObject({ taskDefinition: "model-catalogue:2" });
    expectNoPlainValue(saved);
    expectNoPlainValue(ctx.captured.all());
  });

  it("a second register-task changes nothing: no new revision, no parameter written", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN });
    const first = context(legacy.settings);
    await registerTask(first);
    sim.clearCalls();

    const again = context(await savedSettings(first.settings.path), first.settings.path);
    await expect(registerTask(again)).resolves.toMatchObject({ registered: false, revision: 2 });

    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(0);
    expect(sim.callsOf("PutParameter")).toHaveLength(0);
    expect(mutatingCalls()).toEqual([]);
    expect(again.captured.stdout()).toContain("model-catalogue:2 is up to date");
    expect(again.captured.stderr()).toContain(
      "  METADATA_PASSWORD: unchanged (SSM version 1, set 2026-11-25T03:00:00.000Z)",
    );
    expect(again.captured.stderr()).not.toContain("purge-plaintext");
    expect(sim.ssm.parameter(PARAMETER)?.version).toBe(1);
  });

  it("--dry-run shows the move and writes nothing", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN });
    const ctx = testContext({ settings: legacy.settings, env: {} });
    await runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({ dryRun: true }));
    expect(ctx.captured.stderr()).toContain(
      "  + METADATA_PASSWORD: plain text → SSM /mcctl/model-catalogue/METADATA_PASSWORD (from model-catalogue:1)",
    );
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ssm.parameters()).toEqual([]);
    expectNoPlainValue(ctx.captured.all());
  });

  it("leaves the running task alone; the new revision's task gets the password from SSM once it runs", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN });
    await runService(sim, legacy.revision);
    const before = runningTask(sim);
    expect(before.environment.METADATA_PASSWORD).toBe(PLAIN.METADATA_PASSWORD);
    const ctx = context(legacy.settings);

    await registerTask(ctx);

    expect(sim.callsOf("UpdateService")).toHaveLength(0);
    expect(runningTask(sim).arn).toBe(before.arn);
    await runUntilSettled(
      runRollback(
        context(await savedSettings(ctx.settings.path), ctx.settings.path),
        RollbackOptionsSchema.parse({ to: "2", pollInterval: "3s" }),
      ),
    );
    const after = runningTask(sim);
    expect(after.revision).toBe("model-catalogue:2");
    expect(after.environment.METADATA_PASSWORD).toBe(PLAIN.METADATA_PASSWORD);
    expect(after.environment.MC_SUPERVISOR_PASSWORD).toBe(PLAIN.MC_SUPERVISOR_PASSWORD);
  });
});

describe("upgrade --tag on a running deployment with plain-text secrets", () => {
  it("stores the plain values first, registers the new revision with references, and the new task gets the password", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN, image: "metadata/registry:2.0.0" });
    await runService(sim, legacy.revision);
    const ctx = context(legacy.settings);

    const result = await upgrade(ctx, { tag: "2.0.1" });

    expect(result).toMatchObject({ from: "model-catalogue:1", to: "model-catalogue:2" });
    const stderr = ctx.captured.stderr();
    expect(stderr).toContain("  ~ mc image: metadata/registry:2.0.0 → metadata/registry:2.0.1");
    expect(stderr).toContain(
      "  ~ mc env METADATA_PASSWORD: plain text ******** → SSM /mcctl/model-catalogue/METADATA_PASSWORD",
    );
    expect(stderr).toContain(
      "Secrets: SSM Parameter Store SecureStrings under /mcctl/model-catalogue, encrypted with the AWS-managed key alias/aws/ssm:",
    );
    expect(stderr).toContain(
      "  + METADATA_PASSWORD: plain text → SSM /mcctl/model-catalogue/METADATA_PASSWORD (from model-catalogue:1)",
    );
    expect(stderr).toContain(
      "  + MC_SUPERVISOR_PASSWORD: plain text → SSM /mcctl/model-catalogue/MC_SUPERVISOR_PASSWORD (from model-catalogue:1)",
    );
    expect(stderr).toMatch(/ {2}1\. pre-pull the new images /);
    expect(stderr).toContain("  2. store the secrets in SSM Parameter Store (above)");
    expect(stderr).toContain("  3. create log group /ecs/model-catalogue");
    expect(stderr).toContain(
      "  4. register a new revision of model-catalogue (a copy of model-catalogue:1 with the new images, secrets from SSM)",
    );

    // Stored before the revision that references them, which is registered before the service is touched.
    // (The one-off pre-pull revision, with images only, comes before all of it.)
    const order = sim.calls
      .filter((call) => (call.input as { family?: string }).family !== "model-catalogue-prepull")
      .map((call) => call.command);
    expect(order.indexOf("CreateRole")).toBeGreaterThanOrEqual(0);
    expect(order.indexOf("CreateRole")).toBeLessThan(order.indexOf("PutParameter"));
    expect(order.lastIndexOf("PutParameter")).toBeLessThan(order.indexOf("RegisterTaskDefinition"));
    expect(order.indexOf("RegisterTaskDefinition")).toBeLessThan(order.indexOf("UpdateService"));
    expect(sim.ssm.parameter(PARAMETER)).toMatchObject({
      type: "SecureString",
      value: PLAIN.METADATA_PASSWORD,
      version: 1,
    });
    expect(sim.ssm.parameter(SUPERVISOR_PARAMETER)?.value).toBe(PLAIN.MC_SUPERVISOR_PASSWORD);

    const [registered] = sim
      .callsOf("RegisterTaskDefinition")
      .filter((call) => call.input.family === "model-catalogue");
    expect(registered?.input.executionRoleArn).toBe(ROLE_ARN);
    const mc = registered?.input.containerDefinitions?.find((container) => container.name === "mc");
    expect(mc?.image).toBe("metadata/registry:2.0.1");
    expect(mc?.secrets).toEqual([
      { name: "MC_SUPERVISOR_PASSWORD", valueFrom: valueFrom("MC_SUPERVISOR_PASSWORD") },
      { name: "METADATA_PASSWORD", valueFrom: valueFrom("METADATA_PASSWORD") },
    ]);
    expectNoPlainValue(JSON.stringify(registered?.input));

    // The new task read its secrets from SSM through the execution role when it started.
    const task = runningTask(sim);
    expect(task.revision).toBe("model-catalogue:2");
    expect(task.environment.METADATA_PASSWORD).toBe(PLAIN.METADATA_PASSWORD);
    expect(task.environment.MC_SUPERVISOR_PASSWORD).toBe(PLAIN.MC_SUPERVISOR_PASSWORD);

    const saved = await readFile(ctx.settings.path, "utf8");
    expect(JSON.parse(saved)).toMatchObject({
      taskDefinition: "model-catalogue:2",
      mc: { image: "metadata/registry:2.0.1" },
    });
    expectNoPlainValue(saved);
    expectNoPlainValue(ctx.captured.all());
  });

  it("after the upgrade a plain register-task finds nothing to change", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN, image: "metadata/registry:2.0.0" });
    await runService(sim, legacy.revision);
    const first = context(legacy.settings);
    await upgrade(first, { tag: "2.0.1" });
    sim.clearCalls();

    const again = context(await savedSettings(first.settings.path), first.settings.path);
    await expect(registerTask(again)).resolves.toMatchObject({ registered: false, revision: 2 });
    expect(mutatingCalls()).toEqual([]);
    expect(again.captured.stderr()).toContain(
      "Task definition: model-catalogue:2 (the revision mcctl.json describes) is up to date; nothing to register.",
    );
  });

  it("from a revision registered with SSM references but not yet in service, stores nothing and puts it in service", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN, image: "metadata/registry:2.0.0" });
    await runService(sim, legacy.revision);
    const registration = context(legacy.settings);
    await registerTask(registration);
    sim.clearCalls();

    const ctx = context(await savedSettings(registration.settings.path), registration.settings.path);
    const result = await upgrade(ctx, { tag: "2.0.1" });

    expect(result).toMatchObject({ from: "model-catalogue:1", to: "model-catalogue:3" });
    expect(ctx.captured.stderr()).not.toContain("Secrets: SSM Parameter Store");
    expect(ctx.captured.stderr()).toContain(
      "  2. register a new revision of model-catalogue (a copy of model-catalogue:2 with the new images)",
    );
    expect(sim.callsOf("PutParameter")).toHaveLength(0);
    expect(sim.callsOf("CreateRole")).toHaveLength(0);
    const [registered] = sim.callsOf("RegisterTaskDefinition");
    expectNoPlainValue(JSON.stringify(registered?.input));
    const task = runningTask(sim);
    expect(task.revision).toBe("model-catalogue:3");
    expect(task.environment.METADATA_PASSWORD).toBe(PLAIN.METADATA_PASSWORD);
  });

  it("--dry-run lists the secrets section and writes nothing", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN, image: "metadata/registry:2.0.0" });
    await runService(sim, legacy.revision);
    const ctx = testContext({ settings: legacy.settings, env: {} });
    await upgrade(ctx, { tag: "2.0.1", dryRun: true });
    expect(ctx.captured.stderr()).toContain(
      "  + METADATA_PASSWORD: plain text → SSM /mcctl/model-catalogue/METADATA_PASSWORD (from model-catalogue:1)",
    );
    expect(ctx.captured.stdout()).toBe(
      "dry run: nothing was changed in AWS and nothing was saved to mcctl.json\n",
    );
    expect(mutatingCalls()).toEqual([]);
    expect(sim.ssm.parameters()).toEqual([]);
    expect(runningTask(sim).revision).toBe("model-catalogue:1");
  });

  it("with floating tags (--skip-pull) keeps the revision, and warns that it holds plain text", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN });
    await runService(sim, legacy.revision);
    const ctx = context(legacy.settings);

    const result = await upgrade(ctx, { skipPull: true });

    expect(result).toMatchObject({ from: "model-catalogue:1", to: "model-catalogue:1" });
    expect(ctx.captured.stderr()).toContain(
      "⚠ model-catalogue:1 holds MC_SUPERVISOR_PASSWORD, METADATA_PASSWORD in plain text; this upgrade keeps that revision. `mcctl register-task` moves them to SSM.",
    );
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(0);
    expect(sim.callsOf("PutParameter")).toHaveLength(0);
    expect(sim.ssm.parameters()).toEqual([]);
    expect(runningTask(sim).revision).toBe("model-catalogue:1");
    expectNoPlainValue(ctx.captured.all());
  });
});
