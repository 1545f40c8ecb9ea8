import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackupListOptionsSchema, runBackupList } from "../../src/commands/backup-list.js";
import { DestroyOptionsSchema, runDestroy } from "../../src/commands/destroy.js";
import { RestoreOptionsSchema, runRestore } from "../../src/commands/restore.js";
import { RollbackOptionsSchema, runRollback } from "../../src/commands/rollback.js";
import { runSetupCommand, SetupOptionsSchema } from "../../src/commands/setup.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import { AccountLife } from "../helpers/one-truth.js";

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
const savedSettings = () => life.savedSettings();
const expectNothingToChange = () => life.expectNothingToChange();

const runningRevision = () =>
  life.sim.ecs
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
    upgradeSnapshot = life.sim.callsOf("CreateDBSnapshot").at(-1)?.input.DBSnapshotIdentifier ?? "";
    expect(upgradeSnapshot).toMatch(/^mcctl-model-catalogue-before-2-0-1-/);
    expect(runningRevision()).toEqual(["model-catalogue:2"]);
    await expectNothingToChange();
  });

  it("rollback --with-database: the old revision runs on an instance restored from that very snapshot", async () => {
    await run(
      runRollback(await context(), RollbackOptionsSchema.parse({ withDatabase: true, pollInterval: "3s" })),
    );
    const restored =
      life.sim.callsOf("RestoreDBInstanceFromDBSnapshot").at(-1)?.input.DBInstanceIdentifier ?? "";
    expect(life.sim.rds.restoredFrom(restored)).toBe(upgradeSnapshot);
    expect(runningRevision()).toEqual(["model-catalogue:3"]);
    const settings = await expectNothingToChange();
    expect(settings.mc?.image).toBe("metadata/registry:2");
    expect(jdbcHostOf(settings)).toBe(life.sim.rds.instance(restored)?.Endpoint?.Address);
    expect(settings.setup?.database).toMatchObject({ identifier: restored, replaced: ["model-catalogue"] });
    // The password the service reads from SSM opens the restored database.
    expect(life.sim.rds.masterPassword(restored)).toBe(SECRETS.METADATA_PASSWORD);
  });

  it("destroy deletes both instances after final snapshots, and keeps every answer", async () => {
    await run(runDestroy(await context(), DestroyOptionsSchema.parse({ pollInterval: "10s" })));
    const finals = life.sim.callsOf("DeleteDBInstance").map((call) => call.input.FinalDBSnapshotIdentifier);
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
    expect(life.sim.rds.restoredFrom(restored)).toBe(finalSnapshot);
    const { METADATA_PASSWORD: _inSsm, ...others } = SECRETS;
    const outcome = await run(runSetupCommand(await context(others), SetupOptionsSchema.parse({})));
    expect(outcome.complete).toBe(true);
    const after = await expectNothingToChange();
    for (const name of Object.keys(SECRETS)) expect(after.environment?.[name]).not.toBe(false);
    for (const name of ["MC_SUPERVISOR_PASSWORD", "MC_S3_KEY", "MC_S3_SECRET"]) {
      expect(life.sim.ssm.parameter(`/mcctl/model-catalogue/${name}`)?.value).toBe(
        SECRETS[name as keyof typeof SECRETS],
      );
    }
    const password = life.sim.ssm.parameter("/mcctl/model-catalogue/METADATA_PASSWORD")?.value;
    expect(life.sim.rds.masterPassword(restored)).toBe(password);
    expect(runningRevision()).toHaveLength(1);
  });
});
