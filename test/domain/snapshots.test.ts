import { describe, expect, it } from "vitest";
import { jdbcHost, rdsIdentifierOf, snapshotIdentifier, snapshotTime } from "../../src/domain/snapshots.js";

const NOW = new Date("2026-12-01T03:04:05.678Z");

describe("snapshot names", () => {
  it("say which database, why and when, in what RDS accepts", () => {
    expect(snapshotTime(NOW)).toBe("20261201t030405z");
    expect(snapshotIdentifier("model-catalogue", "before-2.0.0-beta-11", NOW)).toBe(
      "mcctl-model-catalogue-before-2-0-0-beta-11-20261201t030405z",
    );
    expect(snapshotIdentifier("Model_Catalogue", "before-2", NOW)).toBe(
      "mcctl-model-catalogue-before-2-20261201t030405z",
    );
  });

  it("never hold two hyphens in a row, a hyphen at the end, or more than 255 characters", () => {
    const id = snapshotIdentifier("db--x-", `before--${"a".repeat(300)}-`, NOW);
    expect(id).not.toMatch(/--/);
    expect(id).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
    expect(id.length).toBeLessThanOrEqual(255);
    expect(id.endsWith("-20261201t030405z")).toBe(true);
    expect(snapshotIdentifier("db", "before-:latest@sha256", NOW)).toBe(
      "mcctl-db-before-latest-sha256-20261201t030405z",
    );
  });
});

describe("rdsIdentifierOf", () => {
  it("is the first label of an RDS endpoint, and nothing for any other host", () => {
    expect(rdsIdentifierOf("model-catalogue.c9akciq32.eu-west-1.rds.amazonaws.com")).toBe("model-catalogue");
    expect(rdsIdentifierOf("mc.abc.cn-north-1.rds.amazonaws.com.cn")).toBe("mc");
    expect(rdsIdentifierOf("db.example.com")).toBeUndefined();
    expect(rdsIdentifierOf("rds.amazonaws.com.example.org")).toBeUndefined();
    expect(rdsIdentifierOf(undefined)).toBeUndefined();
  });
});

describe("jdbcHost", () => {
  it("gives the host of a MySQL JDBC URL in lower case, and nothing for anything else", () => {
    expect(jdbcHost("jdbc:mysql://DB.abc.eu-west-1.rds.amazonaws.com:3306/mc?autoReconnect=true")).toBe(
      "db.abc.eu-west-1.rds.amazonaws.com",
    );
    expect(jdbcHost("jdbc:postgresql://db/mc")).toBeUndefined();
    expect(jdbcHost(undefined)).toBeUndefined();
  });
});
