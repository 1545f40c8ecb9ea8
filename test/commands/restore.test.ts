import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BackupOptionsSchema, runBackup } from "../../src/commands/backup.js";
import { RestoreOptionsSchema, runRestore } from "../../src/commands/restore.js";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import type { McctlError } from "../../src/errors.js";
import { scriptedAsker } from "../helpers/asker.js";
import { testContext } from "../helpers/context.js";
import { taskFailures } from "../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws({ rds: { timings: { snapshotMs: 4 * 60_000 } } });

afterEach(() => {
  vi.clearAllMocks();
});

const PASSWORD = "Restore-Db-Pass-1";
const PARAMETER = "/mcctl/model-catalogue/METADATA_PASSWORD";
const MUTATING = /^(Create|Put|Run|Register|Update|Delete|Modify|Stop|Start|Restore)/;

/** An RDS instance, the password in SSM, and a service on a revision that reads it from there. */
async function deployment() {
  const db = sim.rds.addInstance({
    DBInstanceIdentifier: "model-catalogue",
    Engine: "mysql",
    EngineVersion: "5.7.44",
    DBInstanceClass: "db.t3.small",
    AllocatedStorage: 20,
    MasterUsername: "mcadmin",
    MasterUserPassword: PASSWORD,
    DBName: "mc",
    StorageEncrypted: true,
    Tags: [{ Key: "managed-by", Value: "mcctl" }],
  });
  const jdbcUrl = `jdbc:mysql://${db.Endpoint?.Address}:3306/mc?autoReconnect=true`;
  sim.ssm.putParameterDirectly({ Name: PARAMETER, Value: PASSWORD, Type: "SecureString" });
  sim.ecs.addCluster("default");
  sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
  const input = mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.0.0" });
  const mc = input.containerDefinitions?.[0];
  mc?.environment?.push(
    { name: "METADATA_JDBC_URL", value: jdbcUrl },
    { name: "METADATA_USERNAME", value: "mcadmin" },
  );
  if (mc) mc.secrets = [{ name: "METADATA_PASSWORD", valueFrom: PARAMETER }];
  sim.iam.addRole("exec", {
    inline: {
      ssm: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: "*" }],
      },
    },
  });
  sim.ecs.registerTaskDefinition({ ...input, executionRoleArn: "arn:aws:iam::123456789012:role/exec" });
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
  await vi.advanceTimersByTimeAsync(60_000);
  const settings: Settings = {
    taskFamily: "model-catalogue",
    environment: { METADATA_JDBC_URL: jdbcUrl, METADATA_USERNAME: "mcadmin" },
    setup: { database: { identifier: "model-catalogue", create: true } },
  };
  return { jdbcUrl, settings, endpoint: db.Endpoint?.Address ?? "" };
}

const context = (settings: Settings, extra: Parameters<typeof testContext>[0] = {}) =>
  testContext({ settings, options: { yes: true }, ...extra });
const saved = async (path: string) => JSON.parse(await readFile(path, "utf8")) as Settings;

async function backup(settings: Settings): Promise<string> {
  await runUntilSettled(runBackup(context(settings), BackupOptionsSchema.parse({ wait: true })));
  return sim.callsOf("CreateDBSnapshot").at(-1)?.input.DBSnapshotIdentifier ?? "";
}

const restore = (ctx: ReturnType<typeof context>, raw: Record<string, unknown> = {}) =>
  runUntilSettled(
    runRestore(ctx, RestoreOptionsSchema.parse({ pollInterval: "3s", ...raw })),
    3 * 60 * 60_000,
  );

const runningRevision = () =>
  sim.ecs
    .tasks({ serviceName: "mc", lastStatus: "RUNNING" })
    .map((task) => task.taskDefinitionArn?.split("/").pop());

describe("mcctl restore", () => {
  it("restores the newest snapshot into a new instance while the service runs, then moves the service onto it", async () => {
    const { settings } = await deployment();
    const snapshot = await backup(settings);
    sim.clearCalls();
    const ctx = context(settings);
    const result = await restore(ctx);

    const restored = sim.callsOf("RestoreDBInstanceFromDBSnapshot")[0]?.input;
    expect(restored).toMatchObject({
      DBSnapshotIdentifier: snapshot,
      DBInstanceClass: "db.t3.small",
      CopyTagsToSnapshot: true,
    });
    const identifier = restored?.DBInstanceIdentifier ?? "";
    expect(identifier).toMatch(/^model-catalogue-from-\d{8}t\d{6}z$/);
    expect(restored?.Tags).toContainEqual({ Key: "mcctl:restored-from", Value: snapshot });
    expect(sim.rds.restoredFrom(identifier)).toBe(snapshot);
    // The master user has the deployment's password, which SSM holds: no new version was written.
    expect(sim.rds.masterPassword(identifier)).toBe(PASSWORD);
    expect(sim.ssm.parameter(PARAMETER)?.version).toBe(1);
    // The service was touched only once the instance was available with its password.
    const commands = sim.calls.map((call) => call.command);
    const firstServiceChange = commands.indexOf("UpdateService");
    expect(commands.indexOf("ModifyDBInstance")).toBeLessThan(firstServiceChange);
    expect(commands.lastIndexOf("DescribeDBInstances")).toBeLessThan(firstServiceChange);
    // The new revision names the new instance.
    expect(runningRevision()).toEqual(["model-catalogue:2"]);
    const endpoint = sim.rds.instance(identifier)?.Endpoint?.Address ?? "";
    const env = sim.callsOf("RegisterTaskDefinition")[0]?.input.containerDefinitions?.[0]?.environment ?? [];
    expect(env.find((entry) => entry.name === "METADATA_JDBC_URL")?.value).toBe(
      `jdbc:mysql://${endpoint}:3306/mc?autoReconnect=true`,
    );
    // The old instance is kept, and mcctl.json says which is which.
    expect(sim.rds.instance("model-catalogue")?.DBInstanceStatus).toBe("available");
    const after = await saved(ctx.settings.path);
    expect(after.environment?.METADATA_JDBC_URL).toBe(`jdbc:mysql://${endpoint}:3306/mc?autoReconnect=true`);
    expect(after.setup?.database).toMatchObject({ identifier, replaced: ["model-catalogue"] });
    expect(after.taskDefinition).toBe("model-catalogue:2");
    expect(result).toMatchObject({ snapshot, instance: identifier, to: "model-catalogue:2" });
    const stderr = ctx.captured.stderr();
    expect(stderr).toMatch(/Model Catalogue is unavailable about/);
    expect(stderr).toContain("it is kept");
    expect(ctx.captured.all()).not.toContain(PASSWORD);

    // Restoring the same snapshot again: nothing to do.
    sim.clearCalls();
    const again = context(after, { settingsPath: ctx.settings.path });
    await restore(again, { snapshot });
    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
    expect(again.captured.all()).toContain("Nothing to do");
  });

  it("on a terminal, the operator chooses which snapshot to restore (the default is the newest)", async () => {
    const { settings } = await deployment();
    const older = await backup(settings);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    const newer = await backup(settings);
    sim.clearCalls();
    const script = scriptedAsker({ "Restore ": true }, { "Which snapshot": older });
    const ctx = testContext({ settings, interactive: true, ask: script.asker });
    await restore(ctx);
    expect(script.asked).toContain("Which snapshot should be restored?");
    expect(sim.callsOf("RestoreDBInstanceFromDBSnapshot")[0]?.input.DBSnapshotIdentifier).toBe(older);
    expect(newer).not.toBe(older);
  });

  it("a restore that runs out of time leaves the service as it was, and the same command goes on from there", async () => {
    const { settings } = await deployment();
    const snapshot = await backup(settings);
    sim.clearCalls();
    const first = context(settings);
    const error = (await restore(first, { snapshot, databaseTimeout: "2m" }).catch(
      (caught: unknown) => caught,
    )) as McctlError;
    expect(error.message).toMatch(/timed out after 2m 00s waiting for MySQL instance model-catalogue-from-/);
    expect(error.suggestion).toContain(`mcctl restore ${snapshot}`);
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
    expect(runningRevision()).toEqual(["model-catalogue:1"]);

    const second = context(settings, { settingsPath: first.settings.path });
    await restore(second, { snapshot });
    expect(sim.callsOf("RestoreDBInstanceFromDBSnapshot")).toHaveLength(1);
    expect(second.captured.stderr()).toContain("restored from");
    expect(runningRevision()).toEqual(["model-catalogue:2"]);
  });

  it("SIGTERM while RDS restores: the service untouched, exit 143, the way to go on said, and a re-run goes on", async () => {
    const { settings } = await deployment();
    const snapshot = await backup(settings);
    sim.clearCalls();
    const first = context(settings);
    const success = first.output.success.bind(first.output);
    first.output.success = (message: string) => {
      success(message);
      if (message.startsWith("Asked RDS to restore")) process.emit("SIGTERM");
    };
    const error = (await restore(first, { snapshot }).catch((caught: unknown) => caught)) as McctlError;
    expect(error.exitCode).toBe(143);
    expect(first.captured.stderr()).toContain(
      `Interrupted: stopping the wait; mc was not touched. RDS goes on with model-catalogue-from-`,
    );
    expect(first.captured.stderr()).toContain(`\`mcctl restore ${snapshot}\` goes on from there`);
    expect(sim.calls.filter((call) => call.service === "ECS" && MUTATING.test(call.command))).toEqual([]);
    expect(runningRevision()).toEqual(["model-catalogue:1"]);

    await restore(context(settings, { settingsPath: first.settings.path }), { snapshot });
    expect(sim.callsOf("RestoreDBInstanceFromDBSnapshot")).toHaveLength(1);
    expect(runningRevision()).toEqual(["model-catalogue:2"]);
  });

  it("--delete-old deletes the replaced instance after a final snapshot, once the service runs on the new one", async () => {
    const { settings } = await deployment();
    await backup(settings);
    sim.clearCalls();
    const ctx = context(settings);
    await restore(ctx, { deleteOld: true });
    const deletion = sim.callsOf("DeleteDBInstance")[0];
    expect(deletion?.input).toMatchObject({
      DBInstanceIdentifier: "model-catalogue",
      SkipFinalSnapshot: false,
    });
    expect(deletion?.input.FinalDBSnapshotIdentifier).toMatch(/^mcctl-model-catalogue-final-/);
    const commands = sim.calls.map((call) => call.command);
    expect(commands.indexOf("DeleteDBInstance")).toBeGreaterThan(commands.lastIndexOf("UpdateService"));
    expect((await saved(ctx.settings.path)).setup?.database?.replaced).toBeUndefined();
  });

  it("when the new task fails on the restored database, the service goes back to its revision on the old one", async () => {
    const { settings } = await deployment();
    await backup(settings);
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:2.0.0"),
      match: (taskDefinition) => taskDefinition.revision === 2,
      times: Number.POSITIVE_INFINITY,
    });
    const error = await restore(context(settings)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(runningRevision()).toEqual(["model-catalogue:1"]);
    expect(sim.rds.instance("model-catalogue")?.DBInstanceStatus).toBe("available");
  });

  it("with no service (after destroy): restores the instance with a new password in SSM, and setup builds the rest", async () => {
    const { settings } = await deployment();
    const snapshot = await backup(settings);
    sim.ecs.updateService({ cluster: "default", service: "mc", desiredCount: 0 });
    await vi.advanceTimersByTimeAsync(60_000);
    sim.ecs.deleteService({ cluster: "default", service: "mc" });
    sim.ssm.deleteParameter({ Name: PARAMETER });
    await vi.advanceTimersByTimeAsync(60_000);
    sim.clearCalls();
    const ctx = context(settings);
    await restore(ctx, { snapshot });
    const identifier = sim.callsOf("RestoreDBInstanceFromDBSnapshot")[0]?.input.DBInstanceIdentifier ?? "";
    const stored = sim.ssm.parameter(PARAMETER);
    expect(stored?.value).toBeDefined();
    expect(stored?.value).not.toBe(PASSWORD);
    expect(sim.rds.masterPassword(identifier)).toBe(stored?.value);
    expect(sim.calls.filter((call) => call.service === "ECS" && MUTATING.test(call.command))).toEqual([]);
    expect(ctx.captured.all()).not.toContain(stored?.value ?? "never");
    expect((await saved(ctx.settings.path)).setup?.database?.identifier).toBe(identifier);
  });

  it("without --yes and without a terminal, it changes nothing and says what is missing", async () => {
    const { settings } = await deployment();
    await backup(settings);
    sim.clearCalls();
    const error = (await restore(testContext({ settings })).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toContain("confirmation (--yes)");
    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
  });

  it("refuses METADATA_JDBC_URL in the environment, which would undo the restore at the next register-task", async () => {
    const { settings, jdbcUrl } = await deployment();
    await backup(settings);
    const error = (await restore(context(settings, { env: { METADATA_JDBC_URL: jdbcUrl } })).catch(
      (caught: unknown) => caught,
    )) as McctlError;
    expect(error.message).toMatch(/METADATA_JDBC_URL is set in the environment/);
  });
});

describe("mcctl rollback --with-database", () => {
  it("undoes an upgrade with its database: the previous revision on an instance restored from the upgrade's snapshot", async () => {
    const { settings } = await deployment();
    const upgradeContext = context(settings);
    await runUntilSettled(
      runUpgrade(upgradeContext, UpgradeOptionsSchema.parse({ tag: "2.0.1", pollInterval: "3s" })),
      3 * 60 * 60_000,
    );
    const snapshot = sim.callsOf("CreateDBSnapshot")[0]?.input.DBSnapshotIdentifier ?? "";
    expect(runningRevision()).toEqual(["model-catalogue:2"]);
    sim.clearCalls();
    const ctx = context(await saved(upgradeContext.settings.path), {
      settingsPath: upgradeContext.settings.path,
    });
    await runUntilSettled(
      runRollback(ctx, RollbackOptionsSchema.parse({ withDatabase: true, pollInterval: "3s" })),
      3 * 60 * 60_000,
    );
    const identifier = sim.callsOf("RestoreDBInstanceFromDBSnapshot")[0]?.input.DBInstanceIdentifier ?? "";
    expect(sim.rds.restoredFrom(identifier)).toBe(snapshot);
    expect(runningRevision()).toEqual(["model-catalogue:3"]);
    const registered = sim.callsOf("RegisterTaskDefinition")[0]?.input.containerDefinitions?.[0];
    expect(registered?.image).toBe("metadata/registry:2.0.0");
    const endpoint = sim.rds.instance(identifier)?.Endpoint?.Address ?? "";
    expect(registered?.environment?.find((entry) => entry.name === "METADATA_JDBC_URL")?.value).toContain(
      endpoint,
    );
    const stderr = ctx.captured.stderr();
    expect(stderr).toContain(`Snapshot: ${snapshot}`);
    expect(stderr).toMatch(
      /Data written since .* is not in the restored database: it stays only in model-catalogue/,
    );
  });

  it("without a snapshot from before the upgrade, it refuses and changes nothing", async () => {
    const { settings } = await deployment();
    await runUntilSettled(
      runUpgrade(
        context(settings),
        UpgradeOptionsSchema.parse({ tag: "2.0.1", snapshot: false, pollInterval: "3s" }),
      ),
      3 * 60 * 60_000,
    );
    sim.clearCalls();
    const error = (await runUntilSettled(
      runRollback(context(settings), RollbackOptionsSchema.parse({ withDatabase: true, pollInterval: "3s" })),
    ).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toMatch(
      /model-catalogue:2 was not registered by an upgrade that took a database snapshot/,
    );
    expect(sim.calls.filter((call) => MUTATING.test(call.command))).toEqual([]);
  });
});
