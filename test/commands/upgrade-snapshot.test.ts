import { afterEach, describe, expect, it, vi } from "vitest";
import { limitsInForce } from "../../src/aws/limits.js";
import { BackupOptionsSchema, runBackup } from "../../src/commands/backup.js";
import { BackupListOptionsSchema, runBackupList } from "../../src/commands/backup-list.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import { McctlError } from "../../src/errors.js";
import { testContext } from "../helpers/context.js";
import { taskFailures } from "../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws({ rds: { timings: { snapshotMs: 4 * 60_000 } } });

afterEach(() => {
  vi.clearAllMocks();
});

/** The database's RDS instance, available, and a service whose revision's METADATA_JDBC_URL points at it. */
async function deployment(options: { jdbcHost?: string; dbStatus?: string } = {}) {
  const db = sim.rds.addInstance({
    DBInstanceIdentifier: "model-catalogue",
    Engine: "mysql",
    EngineVersion: "5.7.44",
    DBInstanceClass: "db.t3.small",
    AllocatedStorage: 20,
    MasterUsername: "mc",
    DBName: "mc",
    status: options.dbStatus ?? "available",
  });
  const host = options.jdbcHost ?? db.Endpoint?.Address ?? "";
  const jdbcUrl = `jdbc:mysql://${host}:3306/mc?autoReconnect=true`;
  sim.ecs.addCluster("default");
  sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
  const input = mcTaskDefinition({ family: "model-catalogue", image: "metadata/registry:2.0.0-beta-10" });
  input.containerDefinitions?.[0]?.environment?.push({ name: "METADATA_JDBC_URL", value: jdbcUrl });
  sim.ecs.registerTaskDefinition(input);
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
  await vi.advanceTimersByTimeAsync(60_000);
  sim.clearCalls();
  return { jdbcUrl };
}

const upgradeContext = () => testContext({ options: { yes: true } });
// The snapshot's own order (before any change to the service): the pre-pull before it has its own tests.
const upgrade = (raw: Record<string, unknown>, context = upgradeContext()) =>
  runUntilSettled(
    runUpgrade(context, UpgradeOptionsSchema.parse({ pollInterval: "3s", prepull: false, ...raw })),
  );
const order = () => sim.calls.map((call) => call.command);

describe("upgrade takes a database snapshot first", () => {
  it("snapshots the RDS instance METADATA_JDBC_URL points at, waits until available, then upgrades", async () => {
    await deployment();
    const context = upgradeContext();
    await upgrade({ tag: "2.0.1" }, context);

    const [created] = sim.callsOf("CreateDBSnapshot");
    const name = created?.input.DBSnapshotIdentifier ?? "";
    expect(name).toMatch(/^mcctl-model-catalogue-before-2-0-1-20261125t03\d{4}z$/);
    expect(created?.input.DBInstanceIdentifier).toBe("model-catalogue");
    expect(created?.input.Tags).toContainEqual({ Key: "managed-by", Value: "mcctl" });
    expect(sim.rds.snapshot(name)?.Status).toBe("available");
    // Nothing is changed in ECS before RDS reports the snapshot available.
    const firstChange = order().findIndex((command) => /^(Register|Update)/.test(command));
    const lastLook = order().lastIndexOf("DescribeDBSnapshots");
    expect(order().indexOf("CreateDBSnapshot")).toBeLessThan(firstChange);
    expect(lastLook).toBeLessThan(firstChange);
    const stderr = context.captured.stderr();
    expect(stderr).toContain(
      `1. take RDS snapshot ${name} of model-catalogue and wait until it is available`,
    );
    expect(stderr).toContain(`Snapshot ${name} is available`);
    expect(
      sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" }).map((task) => task.taskDefinitionArn),
    ).toEqual([expect.stringMatching(/model-catalogue:2$/)]);
  });

  it("--no-snapshot takes none and says so as a warning in the plan", async () => {
    await deployment();
    const context = upgradeContext();
    await upgrade({ tag: "2.0.1", snapshot: false }, context);
    expect(sim.callsOf("CreateDBSnapshot")).toHaveLength(0);
    expect(context.captured.stderr()).toContain(
      "⚠ --no-snapshot: no database snapshot is taken; a schema migration by the new version cannot be undone",
    );
  });

  it("a database that is no RDS instance here is said, and the upgrade goes on", async () => {
    await deployment({ jdbcHost: "db.example.com" });
    const context = upgradeContext();
    await upgrade({ tag: "2.0.1" }, context);
    expect(sim.callsOf("CreateDBSnapshot")).toHaveLength(0);
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(1);
    expect(context.captured.stderr()).toContain(
      "db.example.com (METADATA_JDBC_URL) is no RDS instance in this account and region: mcctl cannot snapshot it",
    );
  });

  it("refuses in the plan when the instance is not available, changing nothing", async () => {
    await deployment({ dbStatus: "modifying" });
    const error = (await upgrade({ tag: "2.0.1" }).catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(
      "database model-catalogue is modifying, and RDS snapshots only an available instance",
    );
    expect(error.suggestion).toContain("--no-snapshot");
    expect(order().filter((command) => /^(Create|Register|Update)/.test(command))).toEqual([]);
  });

  it("stops before the service is touched when RDS reports the snapshot failed", async () => {
    await deployment();
    sim.rds.scriptSnapshotFailure({ DBInstanceIdentifier: "model-catalogue" });
    const error = (await upgrade({ tag: "2.0.1" }).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toMatch(/^RDS reports snapshot mcctl-model-catalogue-before-2-0-1-\w+ failed$/);
    expect(error.suggestion).toMatch(/^Nothing else was changed/);
    expect(order().filter((command) => /^(Register|Update)/.test(command))).toEqual([]);
  });

  it("with --yes, the snapshot's wait does not count towards --timeout, and the calls after it are bounded", async () => {
    await deployment();
    // --yes: the command's deadline counts from its start; the snapshot takes 4 minutes, --timeout is 2.
    const context = { ...upgradeContext(), deadline: Date.now() + 2 * 60_000 };
    const seen: (number | undefined)[] = [];
    sim.faults.inject({
      service: "ECS",
      command: "RegisterTaskDefinition",
      match: () => {
        seen.push(limitsInForce(context.aws.limits).deadline);
        return false;
      },
      error: "throttling",
    });
    await upgrade({ tag: "2.0.1", timeout: "2m" }, context);

    expect(
      sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" }).map((task) => task.taskDefinitionArn),
    ).toEqual([expect.stringMatching(/model-catalogue:2$/)]);
    // The registration after the snapshot ends by the restart's deadline: --timeout from the apply's start,
    // moved on by the snapshot's 4 minutes, not the command's deadline, which had passed.
    const [registeredBy] = seen;
    expect(registeredBy).toBeGreaterThan(context.deadline + 4 * 60_000 - 60_000);
    expect(registeredBy).toBeLessThanOrEqual(context.deadline + 5 * 60_000);
  });

  it("a failed upgrade names the snapshot and the mcctl commands that undo it with the database", async () => {
    await deployment();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:nope"),
      match: (taskDefinition) => taskDefinition.revision === 2,
      times: Number.POSITIVE_INFINITY,
    });
    const error = (await upgrade({ tag: "nope", rollbackOnFailure: true }).catch(
      (caught: unknown) => caught,
    )) as McctlError;
    const name = sim.callsOf("CreateDBSnapshot")[0]?.input.DBSnapshotIdentifier ?? "";
    expect(error.message).toMatch(/upgrade failed and was rolled back/);
    expect(error.exitCode).toBe(1);
    expect(error.suggestion).toContain(
      `The database snapshot ${name} holds model-catalogue as it was before the upgrade`,
    );
    expect(error.suggestion).toContain(
      "`mcctl rollback --with-database` while the service runs the new revision",
    );
    expect(error.suggestion).toContain(`\`mcctl restore ${name}\` once it is back on model-catalogue:1`);
    expect(error.suggestion).not.toContain("aws rds");
    const tags = sim.callsOf("CreateDBSnapshot")[0]?.input.Tags ?? [];
    expect(tags).toContainEqual({ Key: "mcctl:revision", Value: "model-catalogue:1" });
    // The revision the upgrade registered names the snapshot, for rollback --with-database.
    expect(sim.callsOf("RegisterTaskDefinition")[0]?.input.tags).toContainEqual({
      key: "mcctl:snapshot-before",
      value: name,
    });
  });
});

describe("mcctl backup", () => {
  const settings = (jdbcUrl: string) => ({ environment: { METADATA_JDBC_URL: jdbcUrl } });

  it("--dry-run names the instance and the snapshot and takes none", async () => {
    const { jdbcUrl } = await deployment();
    const context = testContext({ settings: settings(jdbcUrl), options: { yes: false } });
    const result = await runBackup(context, BackupOptionsSchema.parse({ dryRun: true }));
    expect(result.snapshot).toMatch(/^mcctl-model-catalogue-backup-20261125t03\d{4}z$/);
    expect(context.captured.stderr()).toContain(
      `  1. take RDS snapshot ${result.snapshot} of model-catalogue`,
    );
    expect(sim.callsOf("CreateDBSnapshot")).toHaveLength(0);
  });

  it("takes one and returns at once; --wait waits until it is available; list shows both, newest first", async () => {
    const { jdbcUrl } = await deployment();
    const first = await runBackup(
      testContext({ settings: settings(jdbcUrl), options: { yes: true } }),
      BackupOptionsSchema.parse({}),
    );
    expect(sim.rds.snapshot(first.snapshot)?.Status).toBe("creating");
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const second = await runUntilSettled(
      runBackup(
        testContext({ settings: settings(jdbcUrl), options: { yes: true } }),
        BackupOptionsSchema.parse({ wait: true }),
      ),
    );
    expect(sim.rds.snapshot(second.snapshot)?.Status).toBe("available");

    const listing = testContext({ settings: settings(jdbcUrl), json: true });
    const rows = await runBackupList(listing, BackupListOptionsSchema.parse({}));
    expect(rows.map((row) => [row.identifier, row.status, row.sizeGiB, row.byMcctl])).toEqual([
      [second.snapshot, "available", 20, true],
      [first.snapshot, "available", 20, true],
    ]);
    expect(JSON.parse(listing.captured.stdout()).instance).toBe("model-catalogue");
  });

  it("list still lists the snapshots once the instance is gone (after destroy), by its identifier", async () => {
    const { jdbcUrl } = await deployment();
    const taken = await runUntilSettled(
      runBackup(
        testContext({ settings: settings(jdbcUrl), options: { yes: true } }),
        BackupOptionsSchema.parse({ wait: true }),
      ),
    );
    sim.rds.deleteDBInstance({ DBInstanceIdentifier: "model-catalogue", SkipFinalSnapshot: true });
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    const listing = testContext({ settings: settings(jdbcUrl), json: true });
    const rows = await runBackupList(listing, BackupListOptionsSchema.parse({}));
    expect(rows.map((row) => row.identifier)).toEqual([taken.snapshot]);
    expect(JSON.parse(listing.captured.stdout())).toMatchObject({
      instance: "model-catalogue",
      exists: false,
    });
    // A database outside RDS names no instance: never a failure; it says so and lists every snapshot mcctl
    // made in the region.
    const elsewhere = testContext({ settings: settings("jdbc:mysql://db.example.com/mc") });
    const everyOne = await runBackupList(elsewhere, {});
    expect(everyOne.map((row) => row.identifier)).toEqual([taken.snapshot]);
    expect(elsewhere.captured.stdout()).toContain("db.example.com (METADATA_JDBC_URL) is no RDS instance");
  });

  it("refuses when METADATA_JDBC_URL names no RDS instance of this account and region", async () => {
    await deployment();
    const attempt = runBackup(
      testContext({ settings: settings("jdbc:mysql://db.example.com/mc"), options: { yes: true } }),
      BackupOptionsSchema.parse({}),
    );
    await expect(attempt).rejects.toThrow("db.example.com (METADATA_JDBC_URL) is no RDS instance");
    expect(sim.callsOf("CreateDBSnapshot")).toHaveLength(0);
  });
});
