import type { DBSnapshot } from "@aws-sdk/client-rds";
import { describe, expect, it } from "vitest";
import { madeByMcctl, purposeInName, snapshotRows } from "../../src/domain/snapshot-list.js";
import { snapshotIdentifier } from "../../src/domain/snapshots.js";

const NOW = new Date("2026-12-01T03:04:05Z");

describe("purposeInName", () => {
  it("reads back the purpose snapshotIdentifier put in the name", () => {
    for (const purpose of ["final", "backup", "before-2-0-1"]) {
      expect(purposeInName(snapshotIdentifier("model-catalogue", purpose, NOW), "model-catalogue")).toBe(
        purpose,
      );
    }
  });

  it("keeps what follows mcctl- when the instance is not the one in the name, and nothing for other names", () => {
    expect(purposeInName("mcctl-old-db-final-20261201t030405z", "model-catalogue")).toBe("old-db-final");
    expect(purposeInName("rds:model-catalogue-2026-12-01-03-04", "model-catalogue")).toBeUndefined();
  });
});

describe("snapshotRows", () => {
  const snapshot = (id: string, instance: string, at: string | undefined, tagged = true): DBSnapshot => ({
    DBSnapshotIdentifier: id,
    DBInstanceIdentifier: instance,
    SnapshotCreateTime: at ? new Date(at) : undefined,
    Status: at ? "available" : "creating",
    TagList: tagged ? [{ Key: "managed-by", Value: "mcctl" }] : [],
  });

  it("keeps mcctl's snapshots of the databases, the one being taken first, then newest first", () => {
    const rows = snapshotRows(
      [
        snapshot("mcctl-a-backup-1", "a", "2026-11-01T00:00:00Z"),
        snapshot("by-hand", "a", "2026-11-03T00:00:00Z", false),
        snapshot("mcctl-b-final-1", "b", "2026-11-02T00:00:00Z", false),
        snapshot("mcctl-a-backup-2", "A", undefined),
        snapshot("mcctl-c-backup-1", "c", "2026-11-04T00:00:00Z"),
      ],
      ["a", "B"],
      new Set(["a"]),
    );
    expect(rows.map((row) => [row.identifier, row.instanceExists, row.byMcctl])).toEqual([
      ["mcctl-a-backup-2", true, true],
      ["mcctl-b-final-1", false, false],
      ["mcctl-a-backup-1", true, true],
    ]);
    expect(snapshotRows([snapshot("mcctl-c-backup-1", "c", undefined)], [], new Set())).toHaveLength(1);
  });

  it("names an upgrade's snapshot by its label", () => {
    const before = {
      ...snapshot("mcctl-a-before-2-0-1-x", "a", "2026-11-01T00:00:00Z"),
      TagList: [{ Key: "mcctl:before", Value: "2.0.1" }],
    };
    expect(madeByMcctl(before)).toBe(true);
    expect(snapshotRows([before], ["a"], new Set())[0]).toMatchObject({
      purpose: "before 2.0.1",
      before: "2.0.1",
    });
  });
});
