import type { DBSnapshot } from "@aws-sdk/client-rds";
import { describe, expect, it } from "vitest";
import {
  describeSnapshot,
  expectedOutage,
  predictedEndpoint,
  restorable,
  restoredIdentifier,
  snapshotReason,
  withJdbcHost,
} from "../../src/domain/restore.js";
import { madeByMcctl } from "../../src/domain/snapshot-list.js";

const at = (iso: string) => new Date(iso);
const snapshot = (id: string, created: string, extra: Partial<DBSnapshot> = {}): DBSnapshot => ({
  DBSnapshotIdentifier: id,
  DBInstanceIdentifier: "model-catalogue",
  SnapshotCreateTime: at(created),
  Status: "available",
  ...extra,
});

describe("restoredIdentifier", () => {
  it("names the instance after the database and the snapshot's time, so that a re-run finds it", () => {
    expect(restoredIdentifier("model-catalogue", at("2026-12-01T03:04:05Z"))).toBe(
      "model-catalogue-from-20261201t030405z",
    );
  });

  it("does not grow when a restored instance is restored again", () => {
    expect(restoredIdentifier("model-catalogue-from-20261201t030405z", at("2026-12-02T00:00:00Z"))).toBe(
      "model-catalogue-from-20261202t000000z",
    );
  });

  it("stays within RDS's 63 characters and ends without a hyphen before the suffix", () => {
    const id = restoredIdentifier(`${"a".repeat(40)}-${"b".repeat(30)}`, at("2026-12-01T03:04:05Z"));
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
    expect(id).not.toMatch(/--/);
  });
});

describe("withJdbcHost", () => {
  const url = "jdbc:mysql://old.abc123.eu-west-1.rds.amazonaws.com:3306/mc?autoReconnect=true&useUnicode=yes";

  it("replaces the host and keeps the port, database and parameters", () => {
    expect(withJdbcHost(url, "new.abc123.eu-west-1.rds.amazonaws.com")).toBe(
      "jdbc:mysql://new.abc123.eu-west-1.rds.amazonaws.com:3306/mc?autoReconnect=true&useUnicode=yes",
    );
  });

  it("takes the new port when given, and adds one to a URL without", () => {
    expect(withJdbcHost(url, "h", 3307)).toBe("jdbc:mysql://h:3307/mc?autoReconnect=true&useUnicode=yes");
    expect(withJdbcHost("jdbc:mysql://db/mc", "h", 3306)).toBe("jdbc:mysql://h:3306/mc");
  });

  it("refuses what is not a MySQL JDBC URL", () => {
    expect(() => withJdbcHost("jdbc:postgresql://db/mc", "h")).toThrow(/not a MySQL JDBC URL/);
  });
});

describe("predictedEndpoint", () => {
  it("puts the new identifier in front of the account's RDS domain", () => {
    expect(predictedEndpoint("mc-from-x", "model-catalogue.abc123.eu-west-1.rds.amazonaws.com")).toBe(
      "mc-from-x.abc123.eu-west-1.rds.amazonaws.com",
    );
  });

  it("knows nothing for a host outside RDS", () => {
    expect(predictedEndpoint("mc", "db.example.com")).toBeUndefined();
    expect(predictedEndpoint("mc", undefined)).toBeUndefined();
  });
});

describe("snapshotReason and madeByMcctl", () => {
  it("says why mcctl took it: an upgrade's tag, a final snapshot, a backup", () => {
    const tagged = snapshot("mcctl-model-catalogue-before-2-0-1-20261201t030405z", "2026-12-01T03:04:05Z", {
      TagList: [
        { Key: "managed-by", Value: "mcctl" },
        { Key: "mcctl:before", Value: "2.0.1" },
      ],
    });
    expect(snapshotReason(tagged)).toBe("before upgrade 2.0.1");
    expect(
      snapshotReason(snapshot("mcctl-model-catalogue-final-20261201t030405z", "2026-12-01T03:04:05Z")),
    ).toBe("final, when the database was deleted");
    expect(
      snapshotReason(snapshot("mcctl-model-catalogue-backup-20261201t030405z", "2026-12-01T03:04:05Z")),
    ).toBe("backup");
    expect(snapshotReason(snapshot("nightly", "2026-12-01T03:04:05Z"))).toBe("not made by mcctl");
  });

  it("counts a snapshot as mcctl's by its tag or its name", () => {
    expect(madeByMcctl({ DBSnapshotIdentifier: "x", TagList: [{ Key: "managed-by", Value: "mcctl" }] })).toBe(
      true,
    );
    expect(madeByMcctl({ DBSnapshotIdentifier: "mcctl-db-final-20261201t030405z" })).toBe(true);
    expect(madeByMcctl({ DBSnapshotIdentifier: "nightly", TagList: [] })).toBe(false);
  });
});

describe("restorable and describeSnapshot", () => {
  it("keeps the available snapshots, newest first", () => {
    const list = restorable([
      snapshot("a", "2026-12-01T00:00:00Z"),
      snapshot("b", "2026-12-03T00:00:00Z"),
      snapshot("c", "2026-12-04T00:00:00Z", { Status: "creating" }),
      snapshot("d", "2026-12-02T00:00:00Z"),
    ]);
    expect(list.map((item) => item.DBSnapshotIdentifier)).toEqual(["b", "d", "a"]);
  });

  it("shows the time, the age, the size and the reason", () => {
    const line = describeSnapshot(
      snapshot("mcctl-model-catalogue-final-20261201t030405z", "2026-12-01T03:04:05.123Z", {
        AllocatedStorage: 20,
      }),
      at("2026-12-01T05:04:05.123Z"),
    );
    expect(line).toBe(
      "mcctl-model-catalogue-final-20261201t030405z: 2026-12-01T03:04:05Z (2h 0m ago), 20 GiB, final, when the database was deleted",
    );
  });
});

describe("expectedOutage", () => {
  it("adds the stop to the last start when ECS said how long it took", () => {
    expect(expectedOutage(90_000, 30_000)).toMatch(/^about 2m/);
    expect(expectedOutage(90_000, 30_000)).toContain("took 1m 30s to start");
  });

  it("says what it is made of when the start time is unknown", () => {
    expect(expectedOutage(undefined, 30_000)).toBe(
      "as long as a restart: the old task stops (up to 30s), then the new one starts",
    );
  });
});
