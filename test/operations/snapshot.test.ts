import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createRdsApi, type RdsApi } from "../../src/aws/rds.js";
import { McctlError } from "../../src/errors.js";
import { type SnapshotRequest, takeSnapshot } from "../../src/operations/snapshot.js";
import { testApplyIo } from "../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";
import { runUntilSettled } from "../helpers/time.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const ID = "mcctl-model-catalogue-backup-20261125t030000z";

let sim: SimulatedAws;
let rds: RdsApi;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws({ rds: { timings: { snapshotMs: 4 * 60_000 } } });
  sim.install();
  rds = createRdsApi(config);
  sim.rds.addInstance({ DBInstanceIdentifier: "model-catalogue", Engine: "mysql", AllocatedStorage: 20 });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

function take(overrides: Partial<SnapshotRequest> = {}) {
  const { io, captured } = testApplyIo();
  const taking = takeSnapshot(rds, io.reporter, {
    snapshot: ID,
    instance: "model-catalogue",
    tags: { "managed-by": "mcctl" },
    wait: true,
    timeoutMs: 30 * 60_000,
    pollIntervalMs: 30_000,
    ...overrides,
  });
  return { taking, captured };
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await runUntilSettled(promise).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("takeSnapshot", () => {
  it("without waiting, says RDS is taking it and returns it creating", async () => {
    const { taking, captured } = take({ wait: false });
    const snapshot = await taking;
    expect(snapshot.Status).toBe("creating");
    expect(captured.stderr()).toBe(`✔ RDS is taking snapshot ${ID} of model-catalogue\n`);
    expect(sim.callsOf("DescribeDBSnapshots")).toHaveLength(0);
  });

  it("waits until available, showing RDS's progress and how long it took", async () => {
    const { taking, captured } = take();
    const snapshot = await runUntilSettled(taking);
    expect(snapshot.Status).toBe("available");
    const stderr = captured.stderr();
    expect(stderr).toContain(`… Waiting for snapshot ${ID}\n`);
    expect(stderr).toMatch(new RegExp(`snapshot ${ID}: creating \\d+% \\(30s\\)`));
    expect(stderr).toMatch(new RegExp(`✔ Snapshot ${ID} is available \\(4m 00s\\)`));
  });

  it("says so when the snapshot disappears while it waits, and when RDS reports it failed", async () => {
    const gone = take();
    await vi.advanceTimersByTimeAsync(1_000);
    sim.rds.failSnapshot(ID);
    const failed = await failure(gone.taking);
    expect(failed.message).toBe(`RDS reports snapshot ${ID} failed`);
    expect(failed.suggestion).toBe(
      "Nothing else was changed. Look at the instance's events: aws rds describe-events --source-identifier model-catalogue --source-type db-instance",
    );
  });

  it("times out naming the snapshot and the progress it last saw, and that RDS goes on", async () => {
    const error = await failure(take({ timeoutMs: 60_000 }).taking);
    expect(error.message).toMatch(
      new RegExp(`^timed out after 1m 00s waiting for snapshot ${ID} \\(creating \\d+%\\)$`),
    );
    expect(error.suggestion).toMatch(
      /^RDS goes on taking it; nothing else was changed\. `mcctl backup list`/,
    );
  });

  it("goes on through a throttled look, and ends when the snapshot no longer exists", async () => {
    sim.faults.inject({ service: "RDS", command: "DescribeDBSnapshots", error: "throttling", times: 1 });
    sim.faults.inject({
      service: "RDS",
      command: "DescribeDBSnapshots",
      error: Object.assign(new Error(`DBSnapshot ${ID} not found.`), { name: "DBSnapshotNotFoundFault" }),
      after: 1,
    });
    const { taking, captured } = take();
    const error = await failure(taking);
    expect(captured.stderr()).toMatch(/AWS did not answer, trying again/);
    expect(error.message).toBe(`snapshot ${ID} no longer exists`);
  });
});
