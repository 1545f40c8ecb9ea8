import { readFile } from "node:fs/promises";
import { describe, expect, it, vi } from "vitest";
import { BackupOptionsSchema, runBackup } from "../../src/commands/backup.js";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { runRestart } from "../../src/commands/restart.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import { testContext } from "../helpers/context.js";
import { runningTask } from "../helpers/deployments.js";
import { HAND_MADE_FAMILY, HAND_MADE_SECRETS, seedHandMadeService } from "../helpers/hand-made.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();

/** The RDS instance the hand-made revision's METADATA_JDBC_URL points at. */
function database(): string {
  const db = sim.rds.addInstance({
    DBInstanceIdentifier: "catalogue-db",
    Engine: "mysql",
    EngineVersion: "8.0.40",
    DBInstanceClass: "db.t3.small",
    AllocatedStorage: 20,
    MasterUsername: "username",
    DBName: "mc",
    status: "available",
  });
  return `jdbc:mysql://${db.Endpoint?.Address}:3306/mc?autoReconnect=true`;
}

/** No mcctl.json: the deployment is known only by what runs. */
const noSettings = () => testContext({ env: {}, options: { yes: true } });

describe("operating a deployment made by hand, without mcctl.json", () => {
  it("backup --wait snapshots the database the revision in service names", async () => {
    await seedHandMadeService(sim, { jdbcUrl: database() });
    const ctx = noSettings();
    const result = await runUntilSettled(runBackup(ctx, BackupOptionsSchema.parse({ wait: true })));
    expect(result.snapshot).toMatch(/^mcctl-catalogue-db-backup-/);
    expect(sim.rds.snapshot(result.snapshot)?.Status).toBe("available");
    expect(sim.callsOf("CreateDBSnapshot")[0]?.input.DBInstanceIdentifier).toBe("catalogue-db");
  });

  it("backup still says so when no revision in service names a database", async () => {
    await expect(runBackup(noSettings(), BackupOptionsSchema.parse({}))).rejects.toThrow(
      "the task definition has no METADATA_JDBC_URL mcctl can read",
    );
  });

  it("upgrade --tag takes the revision in service as its base, snapshots its database and moves its secrets", async () => {
    const { revision } = await seedHandMadeService(sim, { jdbcUrl: database() });
    const ctx = noSettings();
    const result = await runUntilSettled(
      runUpgrade(ctx, UpgradeOptionsSchema.parse({ tag: "2.1.0", pollInterval: "3s" })),
    );
    expect(result).toMatchObject({ from: revision, to: `${HAND_MADE_FAMILY}:2` });
    expect(sim.callsOf("CreateDBSnapshot")).toHaveLength(1);
    const task = runningTask(sim);
    expect(task.revision).toBe(`${HAND_MADE_FAMILY}:2`);
    expect(task.environment.METADATA_PASSWORD).toBe(HAND_MADE_SECRETS.METADATA_PASSWORD);
    const image = sim.ecs
      .describeTaskDefinition({ taskDefinition: `${HAND_MADE_FAMILY}:2` })
      .taskDefinition?.containerDefinitions?.find((container) => container.name === "mc")?.image;
    expect(image).toBe("metadata/registry:2.1.0");
    for (const value of Object.values(HAND_MADE_SECRETS)) expect(ctx.captured.all()).not.toContain(value);
  });

  it("after upgrade --tag, mcctl.json describes the new revision whole, so register-task finds every value", async () => {
    await seedHandMadeService(sim);
    const ctx = noSettings();
    await runUntilSettled(runUpgrade(ctx, UpgradeOptionsSchema.parse({ tag: "2.1.0", pollInterval: "3s" })));
    const file = await readFile(ctx.settings.path, "utf8");
    for (const value of Object.values(HAND_MADE_SECRETS)) expect(file).not.toContain(value);
    const settings = JSON.parse(file) as Settings;
    expect(settings).toMatchObject({
      taskFamily: HAND_MADE_FAMILY,
      taskDefinition: `${HAND_MADE_FAMILY}:2`,
      mc: { image: "metadata/registry:2.1.0" },
      environment: { METADATA_USERNAME: "username", MC_MAIL_HOST: "mx.example.com" },
    });
    sim.clearCalls();
    const register = () =>
      runRegisterTask(
        testContext({ settings, settingsPath: ctx.settings.path, env: {}, options: { yes: true } }),
        RegisterTaskOptionsSchema.parse({}),
      );
    // mcctl always sets the search container's heap (ES_HEAP_SIZE), which the hand-made revision left out.
    await expect(register()).resolves.toMatchObject({ registered: true, revision: 3 });
    expect(sim.callsOf("PutParameter")).toHaveLength(0);
  });

  it("restart restarts the revision in service", async () => {
    const { revision } = await seedHandMadeService(sim);
    const before = runningTask(sim);
    await runUntilSettled(
      runRestart(noSettings(), {
        timeout: 15 * 60_000,
        pollInterval: 3_000,
        checkHealth: false,
        dryRun: false,
        count: 1,
      }),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    const after = runningTask(sim);
    expect(after.arn).not.toBe(before.arn);
    expect(after.revision).toBe(revision);
  });
});
