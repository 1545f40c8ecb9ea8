/**
 * Issue 19: each fault `mcctl sandbox fail` arranges is seen and handled by restart, across processes of the
 * BUILT binary on one sandbox account: the restart meets the fault (its output, or the account's journal for the
 * faults the SDK absorbs), still ends with the service steady, and says so.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_FAULTS, type SandboxFaultName } from "../../src/config/defaults.js";
import { assertBuilt, childEnv, makeTempDir, type RunResult, removeTempDir, runCli } from "../bin/harness.js";

let dir: string;
beforeAll(async () => {
  assertBuilt();
  dir = await makeTempDir();
  const setup = await mcctl("--sandbox", "setup", "--yes");
  expect(setup.code, setup.stderr).toBe(0);
}, 240_000);
afterAll(() => removeTempDir(dir));

function mcctl(...args: string[]): Promise<RunResult> {
  return runCli(args, { cwd: dir, env: childEnv(dir), stdin: "ignore", timeoutMs: 180_000 });
}

interface JournalLine {
  type: string;
  service?: string;
  operation?: string;
  failed?: true;
}

async function journal(): Promise<JournalLine[]> {
  const text = await readFile(join(dir, ".mcctl", "sandbox.jsonl"), "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as JournalLine);
}

/** What the restart must show of each fault: in its output, or in the calls the account answered. */
const SEEN: Record<SandboxFaultName, (output: string, during: JournalLine[]) => void> = {
  "task-fails-to-start": (output) =>
    expect(output).toMatch(/stopped: Essential container in task exited; mc exited 1\b/),
  "out-of-memory": (output) => expect(output).toMatch(/mc exited 137 \(OutOfMemoryError/),
  "placement-failure": (output) => expect(output).toMatch(/was unable to place a task/),
  throttling: (_output, during) =>
    expect(during.filter((line) => line.service === "ECS" && line.failed).length).toBeGreaterThanOrEqual(3),
  "endpoint-hang": (_output, during) =>
    expect(during.filter((line) => line.type === "http-fault-taken")).toHaveLength(1),
};

describe("restart rehearses every fault", () => {
  it.each(Object.keys(SANDBOX_FAULTS) as SandboxFaultName[])(
    "%s",
    async (fault) => {
      const arranged = await mcctl("sandbox", "fail", fault, "--yes");
      expect(arranged.code, arranged.stderr).toBe(0);
      const before = (await journal()).length;

      const restart = await mcctl("--sandbox", "restart", "--yes");
      const output = restart.stdout + restart.stderr;
      expect(restart.code, output).toBe(0);
      SEEN[fault](output, (await journal()).slice(before));
      expect(output).toMatch(/mc is steady with 1 task\(s\)/);

      const status = JSON.parse((await mcctl("--sandbox", "status", "--json")).stdout);
      expect(status).toMatchObject({ healthy: true, service: { runningCount: 1 } });
    },
    180_000,
  );
});
