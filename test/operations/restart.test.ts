import { describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { McctlError } from "../../src/errors.js";
import { type RestartRequest, restartService } from "../../src/operations/restart.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { captureOutput } from "../helpers/context.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";
import { mcServiceInput, seedMcCluster } from "../sim/fixtures.js";

const sim = useSimulatedAws();
const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };

/** The mc service in cluster mc, steady with one task on mc:1. */
async function steadyService() {
  seedMcCluster(sim);
  sim.ecs.createService(mcServiceInput());
  await vi.advanceTimersByTimeAsync(60_000);
  const [task] = sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });
  expect(task).toBeDefined();
  sim.clearCalls();
  return task?.taskArn?.split("/").pop() as string;
}

function restart(overrides: Partial<RestartRequest> = {}) {
  const captured = captureOutput();
  const run = restartService(createEcsApi(config), terminalReporter(captured.output), {
    cluster: "mc",
    service: "mc",
    countWhenStopped: 1,
    timeoutMs: 15 * 60_000,
    pollIntervalMs: 3_000,
    ...overrides,
  });
  run.catch(() => {});
  return { run, captured };
}

const serviceEvents = () =>
  sim.ecs.describeServices({ cluster: "mc", services: ["mc"] }).services?.[0]?.events ?? [];

describe("restartService", () => {
  it("shows the service events of the restart, not those from before it", async () => {
    const oldTask = await steadyService();
    const before = serviceEvents().map((event) => event.message);
    expect(before).toContainEqual(expect.stringContaining(`has started 1 tasks: (task ${oldTask})`));

    const { run, captured } = restart();
    await runUntilSettled(run);

    const stderr = captured.stderr();
    // What happened during the restart is news: the old task stopped, a new one started.
    expect(stderr).toContain(`event: (service mc) has stopped 1 running tasks: (task ${oldTask}).`);
    const [newTask] = sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" });
    expect(stderr).toContain(
      `event: (service mc) has started 1 tasks: (task ${newTask?.taskArn?.split("/").pop()}).`,
    );
    // The start of the task it just stopped is history: shown as news it would read as a second task.
    expect(stderr).not.toContain(`has started 1 tasks: (task ${oldTask})`);
    expect(stderr.match(/event: /g)).toHaveLength(serviceEvents().length - before.length);
  });

  it("fails before any change when the service does not exist", async () => {
    seedMcCluster(sim);
    const { run } = restart();
    const error = (await runUntilSettled(run).catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe("service mc does not exist or is not ACTIVE in cluster mc");
    expect(error.suggestion).toMatch(/mcctl create-service/);
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
  });
});
