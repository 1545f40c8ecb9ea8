import { describe, expect, it, vi } from "vitest";
import { BackupListOptionsSchema, runBackupList } from "../../src/commands/backup-list.js";
import type { Settings } from "../../src/config/settings.js";
import { testContext } from "../helpers/context.js";
import { seedEmptyAccount } from "../helpers/sim-fixtures.js";
import { TEST_START, useSimulatedAws } from "../helpers/simulated-aws.js";

const sim = useSimulatedAws();
const MINUTE = 60_000;
const MCCTL = [
  { Key: "managed-by", Value: "mcctl" },
  { Key: "application", Value: "model-catalogue" },
];

/** A snapshot taken `minutesAgo` before the test's start. */
function snapshot(id: string, instance: string, minutesAgo: number, tags = MCCTL) {
  sim.rds.addSnapshot({
    DBSnapshotIdentifier: id,
    DBInstanceIdentifier: instance,
    SnapshotCreateTime: new Date(TEST_START - minutesAgo * MINUTE),
    Tags: tags,
  });
}

/** The database setup made, with a backup, an upgrade's snapshot and one taken by hand; its JDBC URL. */
function deployment(identifier = "model-catalogue") {
  seedEmptyAccount(sim);
  const db = sim.rds.addInstance({
    DBInstanceIdentifier: identifier,
    AllocatedStorage: 20,
    Tags: MCCTL,
    CopyTagsToSnapshot: true,
  });
  snapshot(`mcctl-${identifier}-backup-20261120t010000z`, identifier, 300);
  snapshot(`mcctl-${identifier}-before-2-0-1-20261121t010000z`, identifier, 200, [
    ...MCCTL,
    { Key: "mcctl:before", Value: "2.0.1" },
  ]);
  snapshot("taken-by-hand", identifier, 100, []);
  return `jdbc:mysql://${db.Endpoint?.Address}:3306/mc`;
}

async function destroyDatabase(identifier: string, final: string) {
  sim.rds.deleteDBInstance({ DBInstanceIdentifier: identifier, FinalDBSnapshotIdentifier: final });
  await vi.advanceTimersByTimeAsync(sim.rds.timings.snapshotMs + sim.rds.timings.deletingMs + MINUTE);
  expect(sim.rds.instance(identifier)).toBeUndefined();
}

async function list(settings: Settings) {
  const context = testContext({ settings, json: true });
  const rows = await runBackupList(context, BackupListOptionsSchema.parse({}));
  const text = testContext({ settings });
  await runBackupList(text, BackupListOptionsSchema.parse({}));
  return { rows, json: JSON.parse(context.captured.stdout()), text: text.captured.stdout() };
}

describe("backup list", () => {
  it("lists the snapshots mcctl made after destroy, the final one first, with why each was taken", async () => {
    const jdbcUrl = deployment();
    sim.rds.addInstance({ DBInstanceIdentifier: "someone-else" });
    snapshot("mcctl-someone-else-backup-20261122t010000z", "someone-else", 50);
    const final = "mcctl-model-catalogue-final-20261125t030000z";
    await destroyDatabase("model-catalogue", final);

    const { rows, json, text } = await list({
      environment: { METADATA_JDBC_URL: jdbcUrl },
      setup: { database: { identifier: "model-catalogue" } },
    });
    expect(rows.map((row) => [row.identifier, row.purpose, row.instanceExists])).toEqual([
      [final, "final", false],
      ["mcctl-model-catalogue-before-2-0-1-20261121t010000z", "before 2.0.1", false],
      ["mcctl-model-catalogue-backup-20261120t010000z", "backup", false],
    ]);
    expect(json).toMatchObject({
      instance: "model-catalogue",
      exists: false,
      scope: "deployment",
      databases: [{ identifier: "model-catalogue", exists: false }],
      snapshots: [
        { identifier: final, instance: "model-catalogue", status: "available", sizeGiB: 20, byMcctl: true },
        { before: "2.0.1" },
        { purpose: "backup" },
      ],
    });
    expect(text).toContain("Snapshots mcctl made of model-catalogue (gone), newest first:");
    expect(text).toContain(`  ${final}  available  `);
    expect(text).toContain("20 GiB  of model-catalogue (gone)  final");
    expect(text).not.toContain("taken-by-hand");
  });

  it("lists the snapshots of the instance a restore replaced and of the restored one", async () => {
    deployment();
    const restored = sim.rds.addInstance({
      DBInstanceIdentifier: "model-catalogue-r1",
      AllocatedStorage: 20,
    });
    snapshot("mcctl-model-catalogue-r1-backup-20261124t010000z", "model-catalogue-r1", 30);
    await destroyDatabase("model-catalogue", "mcctl-model-catalogue-final-20261125t030000z");

    const { rows, json, text } = await list({
      environment: { METADATA_JDBC_URL: `jdbc:mysql://${restored.Endpoint?.Address}:3306/mc` },
      setup: { database: { identifier: "model-catalogue-r1", replaced: ["model-catalogue"] } },
    });
    expect(rows.map((row) => [row.identifier, row.instance, row.instanceExists])).toEqual([
      ["mcctl-model-catalogue-final-20261125t030000z", "model-catalogue", false],
      ["mcctl-model-catalogue-r1-backup-20261124t010000z", "model-catalogue-r1", true],
      ["mcctl-model-catalogue-before-2-0-1-20261121t010000z", "model-catalogue", false],
      ["mcctl-model-catalogue-backup-20261120t010000z", "model-catalogue", false],
    ]);
    expect(rows[1]?.purpose).toBe("backup");
    expect(json.databases).toEqual([
      { identifier: "model-catalogue-r1", exists: true },
      { identifier: "model-catalogue", exists: false },
    ]);
    expect(text).toContain(
      "Snapshots mcctl made of model-catalogue-r1, model-catalogue (gone), newest first:",
    );
    expect(text).toContain("20 GiB  of model-catalogue-r1  backup");
  });

  it("lists every snapshot mcctl made in the region when no database of the deployment is known, and says so", async () => {
    deployment();
    sim.rds.addInstance({ DBInstanceIdentifier: "other" });
    snapshot("mcctl-other-final-20261123t010000z", "other", 60);

    for (const settings of [{}, { environment: { METADATA_JDBC_URL: "jdbc:mysql://db.example.com/mc" } }]) {
      const { rows, json, text } = await list(settings);
      expect(rows.map((row) => row.identifier)).toEqual([
        "mcctl-other-final-20261123t010000z",
        "mcctl-model-catalogue-before-2-0-1-20261121t010000z",
        "mcctl-model-catalogue-backup-20261120t010000z",
      ]);
      expect(json).toMatchObject({ scope: "region", databases: [] });
      expect(text).toContain("no database of this deployment is known");
      expect(text).toContain("Snapshots mcctl made in this region, newest first:");
      expect(text).toContain("of other  final");
    }
    const { text } = await list({ environment: { METADATA_JDBC_URL: "jdbc:mysql://db.example.com/mc" } });
    expect(text).toContain(
      "db.example.com (METADATA_JDBC_URL) is no RDS instance in this account and region",
    );
  });

  it("lists by setup's identifier when METADATA_JDBC_URL is not an RDS host, and says so", async () => {
    deployment();
    const { rows, json } = await list({
      environment: { METADATA_JDBC_URL: "jdbc:mysql://db.example.com/mc" },
      setup: { database: { identifier: "model-catalogue" } },
    });
    expect(rows).toHaveLength(2);
    expect(json).toMatchObject({ instance: "model-catalogue", exists: true, scope: "deployment" });
    expect(json.notes).toEqual([
      "db.example.com (METADATA_JDBC_URL) is no RDS instance in this account and region",
    ]);
  });

  it("says when there is no snapshot", async () => {
    seedEmptyAccount(sim);
    const { rows, text } = await list({ setup: { database: { identifier: "model-catalogue" } } });
    expect(rows).toEqual([]);
    expect(text).toContain("No snapshot mcctl made of model-catalogue (gone); `mcctl backup` takes one.");
  });
});
