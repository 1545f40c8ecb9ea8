import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ecsUserData,
  encodeUserData,
  validateClusterName,
  validateDataPath,
} from "../../src/domain/user-data.js";

describe("ecsUserData", () => {
  it("is a bash script that joins the cluster and creates the Elasticsearch data directory", () => {
    const script = ecsUserData("default");
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain("echo 'ECS_CLUSTER=default' >> /etc/ecs/ecs.config");
    expect(script).toContain("mkdir -p '/opt/docker-volumes/mc-es-data'");
    expect(script).toContain("set -euo pipefail");
  });

  it("uses another data path when given", () => {
    expect(ecsUserData("mc", "/data/es")).toContain("mkdir -p '/data/es'");
  });

  it("refuses cluster names and paths that could break out of the script", () => {
    expect(() => ecsUserData("a; rm -rf /")).toThrow(/ECS cluster name/);
    expect(() => ecsUserData("")).toThrow(/ECS cluster name/);
    expect(() => ecsUserData("x".repeat(256))).toThrow(/ECS cluster name/);
    expect(() => ecsUserData("mc", "relative/path")).toThrow(/data path/);
    expect(() => ecsUserData("mc", "/opt/it's")).toThrow(/data path/);
    expect(() => ecsUserData("mc", "/opt/../etc")).toThrow(/data path/);
    expect(validateClusterName("Model_Catalogue-1")).toBeUndefined();
    expect(validateDataPath("/opt/docker-volumes/mc-es-data")).toBeUndefined();
  });

  it("does what it says when bash runs it (with /etc/ecs moved into a scratch directory)", () => {
    const root = mkdtempSync(join(tmpdir(), "mcctl-user-data-"));
    try {
      const script = ecsUserData("my-cluster", `${root}/opt/docker-volumes/mc-es-data`).replaceAll(
        "/etc/ecs",
        `${root}/etc/ecs`,
      );
      const run = spawnSync("bash", ["-c", script], { encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(readFileSync(`${root}/etc/ecs/ecs.config`, "utf8")).toBe("ECS_CLUSTER=my-cluster\n");
      expect(statSync(`${root}/opt/docker-volumes/mc-es-data`).isDirectory()).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("is base64-encoded for RunInstances", () => {
    const script = ecsUserData("default");
    const encoded = encodeUserData(script);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(encoded, "base64").toString("utf8")).toBe(script);
  });
});
