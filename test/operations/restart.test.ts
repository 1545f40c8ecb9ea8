import { describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { limitsInForce } from "../../src/aws/limits.js";
import { restartPhases } from "../../src/domain/restart-sequence.js";
import { ExitCode, InterruptedError, McctlError } from "../../src/errors.js";
import type { Reporter } from "../../src/operations/reporter.js";
import {
  type RestartPhase,
  type RestartRequest,
  RestartWatch,
  restartService,
} from "../../src/operations/restart.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { captureOutput } from "../helpers/context.js";
import { mcServiceInput, seedMcCluster } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

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

const desiredCounts = () => sim.callsOf("UpdateService").map((call) => call.input.desiredCount);
const desiredCountNow = () =>
  sim.ecs.describeServices({ cluster: "mc", services: ["mc"] }).services?.[0]?.desiredCount;
const sigterm = () => new InterruptedError("Interrupted (SIGTERM)", { exitCode: ExitCode.terminated });

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

  it("scales back up only once the old task is STOPPED, not when ECS stops counting it as running", async () => {
    const oldTask = await steadyService();
    // A quick scheduler and a slow stop: by the first look ListTasks no longer lists the old task as
    // RUNNING, yet it holds port 80 for 40 s. Only the task mcctl noted before the scale-down shows it.
    sim.ecs.setTimings({ stoppingMs: 40_000, schedulerDelayMs: 0 });
    const { run, captured } = restart();
    await runUntilSettled(run);

    const stopped = sim.ecs
      .tasks({ serviceName: "mc", lastStatus: "STOPPED" })
      .find((task) => task.taskArn?.endsWith(oldTask));
    const scaleUp = sim.callsOf("UpdateService").find((call) => call.input.desiredCount === 1);
    expect(stopped?.stoppedAt).toBeDefined();
    expect(scaleUp?.at).toBeGreaterThanOrEqual(stopped?.stoppedAt?.getTime() ?? Number.POSITIVE_INFINITY);
    expect(captured.stderr()).toContain(`task ${oldTask} stopped: `);
  });

  it("bounds every AWS call by the restart's deadline and signal, and lifts both to restore the count", async () => {
    await steadyService();
    const atUpdate: { desired?: number; signal: boolean; deadlineIn?: number }[] = [];
    sim.faults.inject({
      service: "ECS",
      command: "UpdateService",
      times: Number.POSITIVE_INFINITY,
      match: (input) => {
        // The limits of the phase the call is made in, as the transport reads them at its start.
        const limits = limitsInForce({});
        atUpdate.push({
          ...(input.desiredCount === undefined ? {} : { desired: input.desiredCount }),
          signal: limits.signal !== undefined,
          ...(limits.deadline === undefined ? {} : { deadlineIn: limits.deadline - Date.now() }),
        });
        return false;
      },
      error: "throttling",
    });
    const controller = new AbortController();
    const { run } = restart({ signal: controller.signal, timeoutMs: 10 * 60_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort(sigterm());
    await runUntilSettled(run).catch(() => undefined);

    expect(atUpdate).toEqual([
      { desired: 0, signal: true, deadlineIn: 10 * 60_000 },
      { desired: 1, signal: false, deadlineIn: 60_000 },
    ]);
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

  it("returns the count it restored, the revision it ended on and how many tasks it stopped", async () => {
    await steadyService();
    const { run, captured } = restart();
    const result = await runUntilSettled(run);
    expect(result).toMatchObject({ targetCount: 1, stoppedTasks: 1 });
    expect(result.taskDefinition).toMatch(/:task-definition\/mc:1$/);
    expect(result.service.runningCount).toBe(1);
    expect(captured.stderr()).toContain("mc is steady with 1 task(s) on mc:1");
  });

  it("starts a service found at 0 with the count the plan gave, and stops nothing", async () => {
    await steadyService();
    sim.ecs.updateService({ cluster: "mc", service: "mc", desiredCount: 0 });
    await vi.advanceTimersByTimeAsync(60_000);
    sim.clearCalls();
    const { run } = restart({ countWhenStopped: 2 });
    sim.ecs.addContainerInstance("mc", { ec2InstanceId: "i-0def" });
    const result = await runUntilSettled(run);
    expect(desiredCounts()).toEqual([0, 2]);
    expect(result).toMatchObject({ targetCount: 2, stoppedTasks: 0 });
  });

  it("changes nothing when interrupted before the scale-down", async () => {
    await steadyService();
    const controller = new AbortController();
    controller.abort(sigterm());
    const { run } = restart({ signal: controller.signal });
    const error = (await runUntilSettled(run).catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(ExitCode.terminated);
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
  });

  it("an interrupt while waiting for steady leaves the count alone: ECS is already starting the task", async () => {
    await steadyService();
    const controller = new AbortController();
    const phases: RestartPhase[] = [];
    const { run } = restart({
      signal: controller.signal,
      onPhase: (phase) => {
        phases.push(phase);
        if (phase === "waiting-for-steady") controller.abort(sigterm());
      },
    });
    const error = (await runUntilSettled(run).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toBe("Interrupted (SIGTERM)");
    expect(error.exitCode).toBe(ExitCode.terminated);
    expect(desiredCounts()).toEqual([0, 1]);
    expect(phases).toEqual(["scaling-down", "waiting-for-stop", "scaling-up", "waiting-for-steady"]);
  });

  it("an interrupt while waiting for the stop restores the count and keeps the signal's exit code", async () => {
    await steadyService();
    const controller = new AbortController();
    const { run, captured } = restart({ signal: controller.signal });
    await vi.advanceTimersByTimeAsync(5_000);
    controller.abort(sigterm());
    const error = (await runUntilSettled(run).catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(ExitCode.terminated);
    expect(error.message).toBe("Interrupted (SIGTERM); the desired count of mc was restored to 1");
    expect(error.suggestion).toMatch(/mcctl status/);
    expect(desiredCountNow()).toBe(1);
    expect(captured.stderr()).toContain("Desired count of mc restored to 1.");
  });

  it("when the restore itself fails, says the service may be at 0 and prints the command that restores it", async () => {
    await steadyService();
    sim.faults.inject({
      service: "ECS",
      command: "UpdateService",
      match: (input) => input.desiredCount === 1,
      error: "access-denied",
    });
    const controller = new AbortController();
    const { run, captured } = restart({ signal: controller.signal });
    await vi.advanceTimersByTimeAsync(5_000);
    controller.abort(sigterm());
    const error = (await runUntilSettled(run).catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toMatch(
      /^Interrupted \(SIGTERM\); then restoring the desired count to 1 failed \(AWS denied ecs:UpdateService .*\): mc may be left at desired count 0$/,
    );
    expect(error.suggestion).toBe(
      "Restore it now: aws ecs update-service --cluster mc --service mc --desired-count 1",
    );
    // The exit code still says what stopped the restart.
    expect(error.exitCode).toBe(ExitCode.terminated);
    expect(desiredCountNow()).toBe(0);
    expect(captured.stderr()).not.toContain("restored to 1");
  });

  it("a service deleted while waiting for the stop: nothing to restore, and it says how to get it back", async () => {
    await steadyService();
    const { run, captured } = restart();
    await vi.advanceTimersByTimeAsync(1_000);
    sim.ecs.deleteService({ cluster: "mc", service: "mc", force: true });
    const error = (await runUntilSettled(run).catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(
      "service mc no longer exists in cluster mc: there is no desired count to restore",
    );
    expect(error.suggestion).toMatch(/create it again with `mcctl create-service`/);
    expect(error.suggestion).not.toMatch(/update-service/);
    // It tried the restore once (the deletion could have failed), and claims nothing it did not do.
    expect(desiredCounts()).toEqual([0, 1]);
    expect(captured.stderr()).not.toContain("restored");
  });

  it("a scale-up that ECS refuses because the service is gone says so once, with what stopped the restart", async () => {
    await steadyService();
    sim.faults.inject({
      service: "ECS",
      command: "UpdateService",
      match: (input) => input.desiredCount === 1,
      error: () => Object.assign(new Error("Service was deleted."), { name: "ServiceNotActiveException" }),
      times: 2,
    });
    const { run } = restart();
    const error = (await runUntilSettled(run).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toBe(
      "service mc no longer exists in cluster mc: there is no desired count to restore",
    );
    expect(error.suggestion).toMatch(/mcctl create-service/);
  });

  it("an interrupt, then a restore refused because the service is gone: keeps the signal's exit code", async () => {
    await steadyService();
    sim.faults.inject({
      service: "ECS",
      command: "UpdateService",
      match: (input) => input.desiredCount === 1,
      error: () => Object.assign(new Error("Service not found."), { name: "ServiceNotFoundException" }),
    });
    const controller = new AbortController();
    const { run } = restart({ signal: controller.signal });
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort(sigterm());
    const error = (await runUntilSettled(run).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toBe(
      "Interrupted (SIGTERM); then service mc no longer exists in cluster mc: there is no desired count to restore",
    );
    expect(error.exitCode).toBe(ExitCode.terminated);
  });

  it("a timeout while at 0 keeps its message and advice, and adds that the count was restored", async () => {
    await steadyService();
    sim.ecs.setTimings({ stoppingMs: 30 * 60_000 });
    const { run } = restart({ timeoutMs: 60_000 });
    const error = (await runUntilSettled(run).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toBe(
      "timed out after 1m 00s waiting for the tasks of mc to stop (last seen: 1 task stopping (STOPPING), 0 running); the desired count was restored to 1",
    );
    expect(error.suggestion).toMatch(/^ECS starts the new task as soon as the old one has stopped/);
    expect(error.exitCode).toBe(ExitCode.failure);
    expect(desiredCountNow()).toBe(1);
  });
});

describe("restartService with a health check", () => {
  it("after steady, waits until the application answers 200, showing each other answer", async () => {
    await steadyService();
    const answers = [503, 200];
    const fetchMock = vi.fn(async (_url: string) => new Response("", { status: answers.shift() ?? 200 }));
    vi.stubGlobal("fetch", fetchMock);
    const progress: string[] = [];
    const phases: RestartPhase[] = [];
    const reporter: Reporter = {
      ...terminalReporter(captureOutput().output),
      wait: async (_label, work) =>
        (await work({ progress: (text) => progress.push(text), line: () => {} })).value,
    };
    try {
      await runUntilSettled(
        restartService(createEcsApi(config), reporter, {
          cluster: "mc",
          service: "mc",
          countWhenStopped: 1,
          timeoutMs: 15 * 60_000,
          pollIntervalMs: 3_000,
          healthUrl: "http://mc.example.org/",
          onPhase: (phase) => phases.push(phase),
        }),
      );
    } finally {
      vi.unstubAllGlobals();
    }
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(progress).toContain("Waiting for http://mc.example.org/ to answer HTTP 200 (last: HTTP 503)");
    // What ran is what the plan printed: the same list of phases, in the same order.
    expect(phases).toEqual(restartPhases("http://mc.example.org/"));
    expect(phases.at(-1)).toBe("checking-health");
  });
});

describe("RestartWatch: what the first and second interrupt say", () => {
  const keeps = ["Interrupted: stopping the wait; the service keeps its desired count.", "Quit."];
  const atZero = [
    "Interrupted: restoring the desired count of mc to 1…",
    "Quit before the desired count was restored: mc may be left at 0. Restore it: aws ecs update-service --cluster mc --service mc --desired-count 1",
  ];

  it("says the count is restored only from the scale-down call until the scale-up", async () => {
    await steadyService();
    const watch = new RestartWatch("mc");
    const messages = () => [watch.first(), watch.second()];
    const said: [string, string[]][] = [];
    // Whatever the phase, an interrupt during the scale-down call itself finds the service possibly at 0.
    sim.faults.inject({
      service: "ECS",
      command: "UpdateService",
      match: (input) => input.desiredCount === 0,
      error: () => {
        said.push(["during the scale-down call", messages()]);
        return new Error("socket hang up");
      },
      applied: true,
    });
    expect(messages()).toEqual(keeps);
    const { run } = restart({
      onPhase: (phase, state) => {
        watch.onPhase(phase, state);
        said.push([phase, messages()]);
      },
    });
    await runUntilSettled(run).catch(() => undefined);
    expect(said.filter(([when]) => when !== "scaling-down")).toEqual([
      ["during the scale-down call", atZero],
    ]);
    // After the restore the count is back: nothing left to restore.
    expect(messages()).toEqual(keeps);
  });

  it("while waiting for the stop and scaling up it restores; once scaled up it leaves the count alone", async () => {
    await steadyService();
    const watch = new RestartWatch("mc");
    const said: [string, string[]][] = [];
    const { run } = restart({
      onPhase: (phase, state) => {
        watch.onPhase(phase, state);
        said.push([phase, [watch.first(), watch.second()]]);
      },
    });
    await runUntilSettled(run);
    expect(said.filter(([when]) => when !== "scaling-down")).toEqual([
      ["waiting-for-stop", atZero],
      ["scaling-up", atZero],
      ["waiting-for-steady", keeps],
    ]);
  });
});
