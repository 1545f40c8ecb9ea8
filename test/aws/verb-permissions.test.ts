import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DeploymentScope } from "../../src/aws/permissions.js";
import { permissionsOf, VERBS, type Verb } from "../../src/aws/verb-permissions.js";

const README = new URL("../../README.md", import.meta.url);
const BEGIN =
  "<!-- permissions: generated from src/aws/*-permissions.ts; UPDATE_README=1 npx vitest run test/aws/verb-permissions.test.ts -->";
const END = "<!-- end of generated permissions -->";

/** Placeholders that show where each name goes; no customer KMS key (its kms:* actions are a note). */
const SCOPE: DeploymentScope = {
  partition: "aws",
  region: "REGION",
  account: "ACCOUNT",
  cluster: "CLUSTER",
  service: "SERVICE",
  family: "FAMILY",
  bucket: "BUCKET",
  database: "DB",
  secretsPath: "/mcctl/FAMILY",
  executionRole: "mcctl-FAMILY-execution",
  instanceProfile: "ecsInstanceRole",
  instanceRole: "ecsInstanceRole",
  logGroup: "/ecs/FAMILY",
};

/** Each command's actions, and the resource each is granted on, as `mcctl permissions` prints them. */
function permissionsTable(): string {
  const rows = VERBS.map((verb: Verb) => {
    const actions = new Map<string, Set<string>>();
    for (const permission of permissionsOf([verb])) {
      // No resource: nothing to grant (GetCallerIdentity; a customer key that is not configured).
      if (permission.resources(SCOPE).length === 0) continue;
      for (const action of permission.actions) {
        const resources = actions.get(action) ?? new Set<string>();
        for (const resource of permission.resources(SCOPE)) resources.add(resource === "*" ? "*" : "scoped");
        actions.set(action, resources);
      }
    }
    const listed = [...actions.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([action, resources]) => `\`${action}\`${resources.has("*") ? " (`*`)" : ""}`);
    return `| \`mcctl ${verb}\` | ${listed.join(", ")} |`;
  });
  return [
    BEGIN,
    "| command | IAM actions (`*`: AWS allows no narrower resource) |",
    "| --- | --- |",
    ...rows,
    END,
  ].join("\n");
}

describe("the README's permission table", () => {
  it("is what the declarations give (UPDATE_README=1 writes it)", () => {
    const text = readFileSync(README, "utf8");
    const start = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    expect(start, "README.md has the generated permissions block").toBeGreaterThanOrEqual(0);
    const current = text.slice(start, end + END.length);
    const wanted = permissionsTable();
    if (process.env.UPDATE_README === "1" && current !== wanted) {
      writeFileSync(README, text.replace(current, wanted));
      return;
    }
    expect(current).toBe(wanted);
  });
});

describe("permissionsOf", () => {
  it("gives every wrapper's declaration once, whichever verbs share it", () => {
    const restart = permissionsOf(["restart"]);
    const both = permissionsOf(["restart", "logs"]);
    expect(new Set(both).size).toBe(both.length);
    expect(both.length).toBeGreaterThanOrEqual(restart.length);
    expect(both.flatMap((permission) => permission.actions)).toContain("ecs:UpdateService");
  });

  it("never grants a whole service: no action ends in a wildcard", () => {
    const actions = permissionsOf(VERBS).flatMap((permission) => permission.actions);
    expect(actions.filter((action) => action.includes("*"))).toEqual([]);
  });
});
