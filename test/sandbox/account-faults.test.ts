import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task } from "@aws-sdk/client-ecs";
import { isThrottlingError } from "@smithy/core/retry";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { SANDBOX_FAULTS, type SandboxAccount } from "../../src/sandbox/account.js";
import {
  containerLog,
  createMcService,
  describeService,
  isSteady,
  ManualClock,
  send,
  serviceTasks,
  waitUntil,
} from "../helpers/sandbox-account.js";

/**
 * Each fault is arranged by one process (`mcctl sandbox fail …`), journaled, and strikes in the next one, which
 * replays the arrangement: here a first open arranges it and closes, a second open drives the service with
 * `sim.send` as mcctl would.
 */
let stateFile: string;
let clock: ManualClock;
const opened: SandboxAccount[] = [];

beforeEach(async () => {
  stateFile = join(mkdtempSync(join(tmpdir(), "mcctl-sandbox-faults-")), "account.jsonl");
  clock = new ManualClock();
  const account = clock.open(stateFile);
  await createMcService(account, clock);
  account.close();
});
afterEach(() => {
  for (const account of opened.splice(0)) account.close();
});

function open(): SandboxAccount {
  const account = clock.open(stateFile);
  opened.push(account);
  return account;
}

/** Arranges `fault` in a process of its own; returns what it said. */
function arrangeAndClose(fault: Parameters<SandboxAccount["arrange"]>[0], service?: string): string {
  const account = clock.open(stateFile);
  try {
    return account.arrange(fault, service === undefined ? {} : { service: service as never });
  } finally {
    account.close();
  }
}

const arrangements = () =>
  readFileSync(stateFile, "utf8")
    .split("\n")
    .filter((line) => line.includes('"type":"arrange"'))
    .map((line) => JSON.parse(line) as { fault: string; service?: string; at: number });

/**
 * mcctl's restart in short: a new deployment, then polls every second until the service is steady on two looks
 * in a row (a task that dies right after starting looks steady for a moment).
 */
async function forceNewDeployment(account: SandboxAccount): Promise<number> {
  await send(account, "ECS", "UpdateService", { cluster: "mc", service: "mc", forceNewDeployment: true });
  clock.advance(1_000);
  let steadyLooks = 0;
  return waitUntil(clock, async () => {
    steadyLooks = isSteady(await describeService(account)) ? steadyLooks + 1 : 0;
    return steadyLooks === 2;
  });
}

const stoppedTasks = async (account: SandboxAccount) =>
  (await serviceTasks(account)).filter((task) => task.lastStatus === "STOPPED");

/**
 * Closes the account and opens it again: the replay (the arrangement, then the calls that met it) rebuilds the
 * service and its tasks as they were, and the fault, used up, does not strike again.
 */
async function expectSameAfterReopening(account: SandboxAccount): Promise<SandboxAccount> {
  const look = async (target: SandboxAccount) => ({
    service: await describeService(target),
    tasks: await serviceTasks(target),
  });
  const before = await look(account);
  account.close();
  const reopened = open();
  expect(await look(reopened)).toEqual(before);
  expect(await forceNewDeployment(reopened)).toBeLessThan(15_000);
  expect(
    (await stoppedTasks(reopened)).filter((task) => task.stopCode === "EssentialContainerExited"),
  ).toHaveLength(before.tasks.filter((task) => task.stopCode === "EssentialContainerExited").length);
  return reopened;
}

const exitOf = (task: Task | undefined) => task?.containers?.find((container) => container.name === "mc");

describe("sandbox faults", () => {
  it("are listed with their help", () => {
    expect(SANDBOX_FAULTS.map((fault) => fault.name)).toEqual([
      "task-fails-to-start",
      "out-of-memory",
      "placement-failure",
      "throttling",
      "endpoint-hang",
    ]);
    for (const fault of SANDBOX_FAULTS) expect(fault.help).toMatch(/^The next .+\.$/);
  });

  it("task-fails-to-start: the next task's essential container logs why and exits; the service replaces it", async () => {
    const said = arrangeAndClose("task-fails-to-start");
    expect(said).toContain('"Essential container in task exited"');
    expect(arrangements()).toEqual([{ type: "arrange", at: clock.now, fault: "task-fails-to-start" }]);

    const account = open();
    await forceNewDeployment(account);
    const stopped = await stoppedTasks(account);
    // Only the next task: the deployment's old task was stopped by the scheduler, the replacement runs.
    expect(stopped.map((task) => task.stopCode)).toEqual([
      "ServiceSchedulerInitiated",
      "EssentialContainerExited",
    ]);
    const failed = stopped[1];
    expect(failed?.stoppedReason).toBe("Essential container in task exited");
    expect(exitOf(failed)).toMatchObject({ exitCode: 1 });
    const log = await containerLog(account, failed as Task);
    expect(log[0]).toMatch(/^INFO {2}Starting Grails application/);
    expect(log.at(-1)).toBe("ERROR Unable to connect to database");
    expect(isSteady(await describeService(account))).toBe(true);
    await expectSameAfterReopening(account);
  });

  it("out-of-memory: the next task is killed with exit code 137 moments after it is RUNNING", async () => {
    const said = arrangeAndClose("out-of-memory");
    expect(said).toContain("OutOfMemoryError: Container killed due to memory usage");
    expect(arrangements().map((entry) => entry.fault)).toEqual(["out-of-memory"]);

    const account = open();
    await forceNewDeployment(account);
    const killed = (await stoppedTasks(account)).find((task) => task.stopCode === "EssentialContainerExited");
    expect(killed?.stoppedReason).toBe("Essential container in task exited");
    expect(exitOf(killed)).toMatchObject({
      exitCode: 137,
      reason: "OutOfMemoryError: Container killed due to memory usage",
    });
    // Soon enough that a wait for steady state (two looks a poll apart) sees it go.
    const ranMs = (killed?.stoppingAt?.getTime() ?? 0) - (killed?.startedAt?.getTime() ?? 0);
    expect(ranMs).toBeGreaterThan(0);
    expect(ranMs).toBeLessThanOrEqual(2_000);
    await expectSameAfterReopening(account);
  });

  it("placement-failure: no container instance has room for a while, with ECS's event, then ECS's retry places the task", async () => {
    const said = arrangeAndClose("placement-failure");
    expect(said).toContain("unable to place a task");
    expect(arrangements().map((entry) => entry.fault)).toEqual(["placement-failure"]);

    const account = open();
    const tookMs = await forceNewDeployment(account);
    const events = (await describeService(account)).events?.map((event) => event.message) ?? [];
    expect(events).toContainEqual(
      expect.stringMatching(
        /^\(service mc\) was unable to place a task because no container instance met all of its requirements\. The closest matching \(container-instance [0-9a-f]+\) has insufficient memory available\./,
      ),
    );
    expect(tookMs).toBeGreaterThanOrEqual(30_000);
    expect(tookMs).toBeLessThanOrEqual(60_000);
    // Replayed, the refused placements and the retry come out the same; the next placement is not refused.
    await expectSameAfterReopening(account);
  });

  it("throttling: the next requests to the service get its throttling error, which the SDK retries; then it answers", async () => {
    const said = arrangeAndClose("throttling");
    expect(said).toContain('ThrottlingException "Rate exceeded"');
    expect(arrangements()).toEqual([expect.objectContaining({ fault: "throttling", service: "ECS" })]);

    const account = open();
    // Another service is not affected.
    await expect(send(account, "STS", "GetCallerIdentity")).resolves.toBeDefined();
    for (let attempt = 0; attempt < 3; attempt++) {
      const error = await describeService(account).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: "ThrottlingException", message: "Rate exceeded" });
      expect(isThrottlingError(error as never)).toBe(true);
    }
    expect(isSteady(await describeService(account))).toBe(true);
    // Replayed, the throttled calls use the fault up again: the next process is not throttled.
    account.close();
    expect(isSteady(await describeService(open()))).toBe(true);
  });

  it("throttling of another service gets that service's own error", async () => {
    expect(arrangeAndClose("throttling", "EC2")).toContain("RequestLimitExceeded");
    const account = open();
    await expect(send(account, "EC2", "DescribeInstances")).rejects.toMatchObject({
      name: "RequestLimitExceeded",
    });
  });

  it("endpoint-hang: pending for the HTTP server until it says it has left a request unanswered", () => {
    expect(arrangeAndClose("endpoint-hang")).toContain("gets no answer");
    arrangeAndClose("endpoint-hang", "CloudWatchLogs");
    expect(arrangements().map((entry) => [entry.fault, entry.service])).toEqual([
      ["endpoint-hang", "ECS"],
      ["endpoint-hang", "CloudWatchLogs"],
    ]);

    const first = clock.open(stateFile);
    expect(first.pendingHttpFaults()).toEqual([
      { fault: "hang", service: "ECS", times: 1 },
      { fault: "hang", service: "CloudWatchLogs", times: 1 },
    ]);
    first.arrange("endpoint-hang");
    expect(first.pendingHttpFaults()[0]).toEqual({ fault: "hang", service: "ECS", times: 2 });
    first.httpFaultTaken("ECS");
    first.httpFaultTaken("CloudWatchLogs");
    first.close();

    const second = open();
    expect(second.pendingHttpFaults()).toEqual([{ fault: "hang", service: "ECS", times: 1 }]);
    second.httpFaultTaken("ECS");
    expect(second.pendingHttpFaults()).toEqual([]);
  });

  it("refuses an unknown fault, or a service for a fault that takes none, and journals neither", () => {
    const account = open();
    expect(() => account.arrange("disk-full" as never)).toThrow(UsageError);
    expect(() => account.arrange("out-of-memory", { service: "ECS" })).toThrow(UsageError);
    expect(() => account.arrange("throttling", { service: "Lambda" as never })).toThrow(/unknown service/);
    expect(arrangements()).toEqual([]);
  });
});

describe("the faults' help", () => {
  it("states the durations and counts the account uses", async () => {
    const { PLACEMENT_FAILURE_MS, THROTTLED_ATTEMPTS } = await import("../../src/sandbox/account-faults.js");
    const help = Object.fromEntries(SANDBOX_FAULTS.map((fault) => [fault.name, fault.help]));
    expect(help["placement-failure"]).toContain(`${PLACEMENT_FAILURE_MS / 1000} s`);
    expect(help.throttling).toContain(`next ${THROTTLED_ATTEMPTS} requests`);
  });
});
