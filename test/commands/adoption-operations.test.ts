import { describe, expect, it, vi } from "vitest";
import { BackupOptionsSchema, runBackup } from "../../src/commands/backup.js";
import { runRestart } from "../../src/commands/restart.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
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
