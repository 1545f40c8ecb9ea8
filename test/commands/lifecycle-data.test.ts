import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BackupListOptionsSchema, runBackupList } from "../../src/commands/backup-list.js";
import { DestroyOptionsSchema, runDestroy } from "../../src/commands/destroy.js";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { RestoreOptionsSchema, runRestore } from "../../src/commands/restore.js";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import { testContext } from "../helpers/context.js";
import { TEST_START } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";
import { seedEmptyAccount } from "../sim/fixtures.js";
import { createSimulatedAws, type SimulatedAws } from "../sim/index.js";

/**
 * Issue 16, walked on one simulated account: nothing is lost. setup, an upgrade that snapshots the
 * database, its undo with the database, destroy, the snapshots listed without a database, the final
 * snapshot restored, and setup again with the secrets still set. After each step a plain
 * `register-task --yes` and `setup --yes` change nothing (the one truth).
 */
const SECRETS = {
  METADATA_PASSWORD: "Data-Db-Pass-1",
  MC_SUPERVISOR_PASSWORD: "Data-Sup-Pass-1",
  MC_S3_KEY: "AKIADATALIFE",
  MC_S3_SECRET: "Data-S3-Secret",
};
const MUTATING =
  /^(Create|Put|Run|Authorize|Register|Update|Delete|Modify|Stop|Start|Terminate|Deregister|Restore)/;
const FIRST_ANSWERS: Settings = {
  environment: { METADATA_HOST: "catalogue.example.org", MC_SUPERVISOR_EMAIL: "ops@example.org" },
  features: { mail: false, google: false, advanced: false },
  setup: { instance: { type: "m5.xlarge", keyPair: false } },
};

let sim: SimulatedAws;
let settingsPath: string;

beforeAll(async () => {
  vi.useFakeTimers();
  vi.setSystemTime(TEST_START);
  sim = createSimulatedAws({ ec2: { timings: { pendingMs: 30_000, ecsRegistrationMs: 60_000 } } });
  sim.install();
  seedEmptyAccount(sim);
  settingsPath = join(await mkdtemp(join(tmpdir(), "mcctl-data-")), "mcctl.json");
});

afterAll(() => {
  sim.restore();
  vi.useRealTimers();
});

const savedSettings = async () => JSON.parse(await readFile(settingsPath, "utf8")) as Settings;

async function context(env: NodeJS.ProcessEnv = {}, settings?: Settings) {
  return testContext({
    settings: settings ?? (await savedSettings()),
    settingsPath,
    env,
    options: { yes: true },
  });
}

const run = <T>(promise: Promise<T>) => runUntilSettled(promise, 6 * 60 * 60_000, 5_000);

const mutatingCallsSince = (start: number) =>
  sim.calls
    .slice(start)
    .filter((call) => MUTATING.test(call.command))
    .map((call) => `${call.service}:${call.command}`);

async function expectNothingToChange() {
  const before = await savedSettings();
  const start = sim.calls.length;
  const registration = await run(runRegisterTask(await context(), RegisterTaskOptionsSchema.parse({})));
  expect(registration).toMatchObject({ registered: false });
  const setup = await run(runSetupCommand(await context(), SetupOptionsSchema.parse({})));
  expect(setup).toMatchObject({ complete: true, created: [] });
  expect(mutatingCallsSince(start)).toEqual([]);
  expect(await savedSettings()).toEqual(before);
  return before;
}

const runningRevision = () =>
  sim.ecs
    .tasks({ serviceName: "mc", lastStatus: "RUNNING" })
    .map((task) => task.taskDefinitionArn?.split("/").pop());
const jdbcHostOf = (settings: Settings) =>
  String(settings.environment?.METADATA_JDBC_URL ?? "").replace(/^jdbc:mysql:\/\/([^:/]+).*$/, "$1");

let upgradeSnapshot = "";
let finalSnapshot = "";

describe("a deployment's data life: nothing is lost, and the one truth holds after each step", () => {
  it("setup on an empty account", async () => {
    const outcome = await run(
      runSetupCommand(await context(SECRETS, FIRST_ANSWERS), SetupOptionsSchema.parse({})),
    );
    expect(outcome.complete).toBe(true);
    await expectNothingToChange();
  });

  it("upgrade --tag 2.0.1 takes a snapshot first", async () => {
    await run(runUpgrade(await context(), UpgradeOptionsSchema.parse({ tag: "2.0.1", pollInterval: "3s" })));
    upgradeSnapshot = sim.callsOf("CreateDBSnapshot").at(-1)?.input.DBSnapshotIdentifier ?? "";
    expect(upgradeSnapshot).toMatch(/^mcctl-model-catalogue-before-2-0-1-/);
    expect(runningRevision()).toEqual(["model-catalogue:2"]);
    await expectNothingToChange();
  });

  it("rollback --with-database: the old revision runs on an instance restored from that very snapshot", async () => {
    await run(
      runRollback(await context(), RollbackOptionsSchema.parse({ withDatabase: true, pollInterval: "3s" })),
    );
    const restored = sim.callsOf("RestoreDBInstanceFromDBSnapshot").at(-1)?.input.DBInstanceIdentifier ?? "";
    expect(sim.rds.restoredFrom(restored)).toBe(upgradeSnapshot);
    expect(runningRevision()).toEqual(["model-catalogue:3"]);
    const settings = await expectNothingToChange();
    expect(settings.mc?.image).toBe("metadata/registry:2");
    expect(jdbcHostOf(settings)).toBe(sim.rds.instance(restored)?.Endpoint?.Address);
    expect(settings.setup?.database).toMatchObject({ identifier: restored, replaced: ["model-catalogue"] });
    // The password the service reads from SSM opens the restored database.
    expect(sim.rds.masterPassword(restored)).toBe(SECRETS.METADATA_PASSWORD);
  });

  it("destroy deletes both instances after final snapshots, and keeps every answer", async () => {
    await run(runDestroy(await context(), DestroyOptionsSchema.parse({ pollInterval: "10s" })));
    const finals = sim.callsOf("DeleteDBInstance").map((call) => call.input.FinalDBSnapshotIdentifier);
    expect(finals).toHaveLength(2);
    const settings = await savedSettings();
    const current = settings.setup?.database?.identifier ?? "";
    finalSnapshot = String(finals.find((name) => name?.startsWith(`mcctl-${current}-final-`)));
    expect(settings.setup?.database?.replaced).toBeUndefined();
    expect(settings.environment).toMatchObject(FIRST_ANSWERS.environment ?? {});
  });

  it("backup list lists every snapshot mcctl made, with no database left", async () => {
    const ctx = await context();
    const rows = (await run(runBackupList(ctx, BackupListOptionsSchema.parse({})))) as unknown as {
      identifier: string;
    }[];
    const listed = JSON.stringify(rows) + ctx.captured.all();
    for (const name of [upgradeSnapshot, finalSnapshot]) expect(listed).toContain(name);
  });

  it("restore of the final snapshot, then setup again with the secrets still set", async () => {
    await run(
      runRestore(
        await context(),
        RestoreOptionsSchema.parse({ snapshot: finalSnapshot, pollInterval: "3s" }),
      ),
    );
    const settings = await savedSettings();
    const restored = settings.setup?.database?.identifier ?? "";
    expect(sim.rds.restoredFrom(restored)).toBe(finalSnapshot);
    const { METADATA_PASSWORD: _inSsm, ...others } = SECRETS;
    const outcome = await run(runSetupCommand(await context(others), SetupOptionsSchema.parse({})));
    expect(outcome.complete).toBe(true);
    const after = await expectNothingToChange();
    for (const name of Object.keys(SECRETS)) expect(after.environment?.[name]).not.toBe(false);
    for (const name of ["MC_SUPERVISOR_PASSWORD", "MC_S3_KEY", "MC_S3_SECRET"]) {
      expect(sim.ssm.parameter(`/mcctl/model-catalogue/${name}`)?.value).toBe(
        SECRETS[name as keyof typeof SECRETS],
      );
    }
    const password = sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.value;
    expect(sim.rds.masterPassword(restored)).toBe(password);
    expect(runningRevision()).toHaveLength(1);
  });
});
