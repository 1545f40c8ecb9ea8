/**
 * Issue 19: the sandbox account across separate processes of the BUILT binary, as an operator practises:
 * setup, status, restart, upgrade, rollback, destroy, each its own `node bin/mcctl.js --sandbox …`, sharing
 * the account through .mcctl/sandbox.jsonl. After each change a plain `register-task --yes` changes nothing.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, childEnv, makeTempDir, type RunResult, removeTempDir, runCli } from "../bin/harness.js";

let dir: string;
beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir();
});
afterAll(() => removeTempDir(dir));

const SANDBOX_LINE = /^SANDBOX: a simulated AWS account/;

async function sandbox(...args: string[]): Promise<RunResult> {
  const result = await runCli(["--sandbox", ...args], {
    cwd: dir,
    env: childEnv(dir),
    stdin: "ignore",
    timeoutMs: 120_000,
  });
  // Every screen in sandbox mode says so first.
  expect(result.stderr.split("\n")[0]).toMatch(SANDBOX_LINE);
  return result;
}

function expectSuccess(result: RunResult): void {
  expect(result.timedOut).toBe(false);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
}

async function expectNothingToRegister(): Promise<void> {
  const result = await sandbox("register-task", "--yes");
  expectSuccess(result);
  expect(result.stdout + result.stderr).toMatch(/Nothing to do/);
}

const settings = async () => JSON.parse(await readFile(join(dir, "mcctl.json"), "utf8"));

describe("the sandbox account across processes", () => {
  it("setup --yes installs Model Catalogue without a terminal or AWS credentials", async () => {
    const result = await sandbox("setup", "--yes");
    expectSuccess(result);
    expect(result.stdout + result.stderr).toMatch(/steady/i);
    expect(await settings()).toMatchObject({ sandbox: true, taskDefinition: "model-catalogue:1" });
    await expectNothingToRegister();
  }, 240_000);

  it("status, in another process, sees the service running", async () => {
    const result = await sandbox("status", "--json");
    expectSuccess(result);
    const status = JSON.parse(result.stdout);
    expect(status).toMatchObject({ service: { runningCount: 1, desiredCount: 1 } });
  }, 120_000);

  it("restart --yes scales to 0 and back", async () => {
    const result = await sandbox("restart", "--yes");
    expectSuccess(result);
    expect(result.stdout + result.stderr).toMatch(/STOPPED|stopped/);
    await expectNothingToRegister();
  }, 120_000);

  it("upgrade --tag 2.0.1 --yes puts a new revision in service", async () => {
    const result = await sandbox("upgrade", "--tag", "2.0.1", "--yes");
    expectSuccess(result);
    expect(await settings()).toMatchObject({ mc: { image: "metadata/registry:2.0.1" } });
    await expectNothingToRegister();
  }, 240_000);

  it("rollback --yes goes back to the revision before", async () => {
    const result = await sandbox("rollback", "--yes");
    expectSuccess(result);
    const status = JSON.parse((await sandbox("status", "--json")).stdout);
    expect(JSON.stringify(status)).toMatch(/metadata\/registry:2"/);
    await expectNothingToRegister();
  }, 240_000);

  it("a command without --sandbox refuses the sandbox's mcctl.json", async () => {
    const result = await runCli(["status"], { cwd: dir, env: childEnv(dir), stdin: "ignore" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/mcctl\.json was written in the sandbox/);
    expect(result.stderr).not.toMatch(SANDBOX_LINE);
  });

  it("destroy --yes removes the deployment", async () => {
    const result = await sandbox("destroy", "--yes");
    expectSuccess(result);
    const status = await sandbox("status");
    expect(status.stdout + status.stderr).toMatch(/INACTIVE \(deleted\)/);
  }, 240_000);
});
