import { afterEach, describe, expect, it, vi } from "vitest";
import { runRestart } from "../../src/commands/restart.js";
import { McctlError } from "../../src/errors.js";
import { testContext } from "../helpers/context.js";
import { taskFailures } from "../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws({ timings: { provisioningMs: 2_000, pendingMs: 10_000, stoppingMs: 20_000 } });

afterEach(() => {
  vi.restoreAllMocks();
});

/** A running Model Catalogue: cluster, one instance, the service steady with one task. */
async function runningService(desiredCount = 1) {
  sim.ecs.addCluster("default");
  sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
  if (desiredCount > 1) sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0def" });
  sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
  sim.ecs.createService(
    mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue", desiredCount }),
  );
  await vi.advanceTimersByTimeAsync(60_000);
  expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(desiredCount);
  sim.clearCalls();
}

const options = (overrides: Record<string, unknown> = {}) => ({
  timeout: 15 * 60_000,
  pollInterval: 3_000,
  checkHealth: false,
  dryRun: false,
  count: 1,
  ...overrides,
});

const desiredCounts = () => sim.callsOf("UpdateService").map((call) => call.input.desiredCount);

describe("restart", () => {
  it("scales to 0, waits until every task is STOPPED, then scales back and waits until steady", async () => {
    await runningService();
    const [oldTask] = sim.ecs.tasks({ serviceName: "mc" });
    const context = testContext({ options: { yes: true } });

    const result = await runUntilSettled(runRestart(context, options()));

    expect(desiredCounts()).toEqual([0, 1]);
    const scaleUp = sim.callsOf("UpdateService")[1];
    const stopped = sim.ecs.tasks({ serviceName: "mc" }).find((task) => task.taskArn === oldTask?.taskArn);
    expect(stopped?.lastStatus).toBe("STOPPED");
    // Scale-up never happens while the old task still holds port 80, and happens within one poll of its stop.
    expect(scaleUp?.at).toBeGreaterThanOrEqual(stopped?.stoppedAt?.getTime() ?? Number.POSITIVE_INFINITY);
    expect((scaleUp?.at ?? 0) - (stopped?.stoppedAt?.getTime() ?? 0)).toBeLessThanOrEqual(3_000);
    // The stop took several polls: the wait really watched the STOPPING task.
    const pollsBeforeScaleUp = sim.calls.filter(
      (call) => call.command === "DescribeTasks" && call.at < (scaleUp?.at ?? 0),
    );
    expect(pollsBeforeScaleUp.length).toBeGreaterThanOrEqual(5);
    expect(result).toMatchObject({ targetCount: 1 });
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(1);
    expect(context.captured.stderr()).toMatch(/task \w+ stopped: Scaling activity/);
    expect(context.captured.stdout()).toMatch(/mc restarted: 1 task\(s\) running model-catalogue:1/);
  });

  it("uses at most three ECS calls per poll", async () => {
    await runningService();
    await runUntilSettled(runRestart(testContext({ options: { yes: true } }), options()));
    const polls = sim.callsOf("DescribeServices").length;
    const pollingCalls = sim.calls.filter((call) =>
      ["DescribeServices", "ListTasks", "DescribeTasks"].includes(call.command),
    ).length;
    expect(pollingCalls / polls).toBeLessThanOrEqual(3);
  });

  it("restores the previous desired count of 2", async () => {
    await runningService(2);
    await runUntilSettled(runRestart(testContext({ options: { yes: true } }), options()));
    expect(desiredCounts()).toEqual([0, 2]);
  });

  it("starts a service that was already at 0 with --count", async () => {
    await runningService();
    sim.ecs.updateService({ cluster: "default", service: "mc", desiredCount: 0 });
    await vi.advanceTimersByTimeAsync(60_000);
    sim.clearCalls();
    await runUntilSettled(runRestart(testContext({ options: { yes: true } }), options({ count: 1 })));
    expect(desiredCounts()).toEqual([0, 1]);
  });

  it("--check-health waits until METADATA_SCHEME://METADATA_HOST/ answers 200", async () => {
    sim.ecs.addCluster("default");
    sim.ecs.addContainerInstance("default", { ec2InstanceId: "i-0abc" });
    const definition = mcTaskDefinition({ family: "model-catalogue" });
    definition.containerDefinitions?.[0]?.environment?.push({
      name: "METADATA_HOST",
      value: "mc.example.org",
    });
    sim.ecs.registerTaskDefinition(definition);
    sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
    await vi.advanceTimersByTimeAsync(60_000);
    const answers = [503, 503, 200];
    const fetchMock = vi.fn(async (_url: string) => new Response("", { status: answers.shift() ?? 200 }));
    vi.stubGlobal("fetch", fetchMock);
    try {
      await runUntilSettled(
        runRestart(testContext({ options: { yes: true } }), options({ checkHealth: true })),
      );
    } finally {
      vi.unstubAllGlobals();
    }
    expect(fetchMock).toHaveBeenCalledTimes(3);
    expect(fetchMock.mock.calls[0]?.[0]).toBe("http://mc.example.org/");
  });

  it("--dry-run prints the plan and changes nothing", async () => {
    await runningService();
    const context = testContext();
    await runUntilSettled(runRestart(context, options({ dryRun: true })));
    expect(sim.callsOf("UpdateService")).toHaveLength(0);
    expect(context.captured.stderr()).toContain("set the desired count of mc from 1 to 0");
  });

  it("rides out throttling and a dropped connection while waiting", async () => {
    await runningService();
    sim.faults.inject({ service: "ECS", command: "DescribeTasks", error: "throttling", times: 2, after: 2 });
    sim.faults.inject({ service: "ECS", command: "ListTasks", error: "connection-reset", after: 4 });
    await runUntilSettled(runRestart(testContext({ options: { yes: true } }), options()));
    expect(desiredCounts()).toEqual([0, 1]);
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(1);
  });

  it("fails fast when the new tasks cannot pull their image, with the reason and advice", async () => {
    await runningService();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:2"),
      times: Number.POSITIVE_INFINITY,
    });
    const started = Date.now();
    const error = (await runUntilSettled(
      runRestart(testContext({ options: { yes: true } }), options()),
    ).catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/deployment of mc is failing: CannotPullContainerError/);
    expect(error.suggestion).toMatch(/image could not be pulled/);
    expect(Date.now() - started).toBeLessThan(5 * 60_000);
  });

  it("fails fast on containers killed for memory", async () => {
    await runningService();
    // The JVM is killed moments after the container starts, before the service was ever steady.
    sim.ecs.scriptTaskFailure({
      ...taskFailures.outOfMemory(),
      times: Number.POSITIVE_INFINITY,
      afterMs: 500,
    });
    const error = (await runUntilSettled(
      runRestart(testContext({ options: { yes: true } }), options()),
    ).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toMatch(/OutOfMemoryError/);
    expect(error.suggestion).toMatch(/lower -Xmx/);
  });

  it("shows placement failures with their likely cause", async () => {
    await runningService();
    // Another service is waiting for room on the only instance: it takes the memory mc frees.
    sim.ecs.registerTaskDefinition({
      family: "squatter",
      containerDefinitions: [{ name: "app", image: "busybox", memory: 2048, cpu: 128, essential: true }],
    });
    sim.ecs.createService({
      cluster: "default",
      serviceName: "squatter",
      taskDefinition: "squatter",
      desiredCount: 0,
    });
    const context = testContext({ options: { yes: true } });
    const restart = runRestart(context, options({ timeout: 3 * 60_000 }));
    restart.catch(() => {});
    await vi.advanceTimersByTimeAsync(5_000);
    sim.ecs.updateService({ cluster: "default", service: "squatter", desiredCount: 1 });
    const outcome = await runUntilSettled(restart).catch((caught: unknown) => caught);
    expect(outcome).toBeInstanceOf(McctlError);
    expect(context.captured.stderr()).toMatch(/event: \(service mc\) was unable to place a task/);
    expect(context.captured.stderr()).toMatch(/likely cause: No container instance has enough free memory/);
  });

  it("when the tasks do not stop in time, restores the desired count and says how to follow up", async () => {
    await runningService();
    sim.ecs.setTimings({ stoppingMs: 30 * 60_000 });
    const error = (await runUntilSettled(
      runRestart(testContext({ options: { yes: true } }), options({ timeout: 2 * 60_000 })),
    ).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toMatch(/timed out after 2m 00s waiting for the tasks of mc to stop/);
    expect(error.message).toMatch(/the desired count was restored to 1/);
    expect(desiredCounts()).toEqual([0, 1]);
  });

  it("when the service does not become steady in time, says so with the state it saw", async () => {
    await runningService();
    sim.ecs.setTimings({ pendingMs: 60 * 60_000 });
    const error = (await runUntilSettled(
      runRestart(testContext({ options: { yes: true } }), options({ timeout: 3 * 60_000 })),
    ).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toMatch(
      /waiting for mc to become steady \(last seen: 1 task starting \(PENDING\), 0 of 1 running/,
    );
    expect(error.suggestion).toMatch(/mcctl status/);
    expect(desiredCounts()).toEqual([0, 1]);
  });

  it("restores the count when AWS applied the scale-down but its answer was lost", async () => {
    await runningService();
    sim.faults.inject({
      service: "ECS",
      command: "UpdateService",
      match: (input) => input.desiredCount === 0,
      error: new Error("socket hang up"),
      applied: true,
    });
    const error = (await runUntilSettled(
      runRestart(testContext({ options: { yes: true } }), options()),
    ).catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toMatch(/the desired count was restored to 1/);
    expect(desiredCounts()).toEqual([0, 1]);
    expect(
      sim.ecs.describeServices({ cluster: "default", services: ["mc"] }).services?.[0]?.desiredCount,
    ).toBe(1);
  });

  describe("Ctrl-C", () => {
    it("while waiting for the stop: restores the desired count and exits 130", async () => {
      await runningService();
      const context = testContext({ options: { yes: true } });
      const restart = runRestart(context, options());
      restart.catch(() => {});
      await vi.advanceTimersByTimeAsync(7_000);
      expect(desiredCounts()).toEqual([0]);
      process.emit("SIGINT");
      const error = (await runUntilSettled(restart).catch((caught: unknown) => caught)) as McctlError;
      expect(error.exitCode).toBe(130);
      expect(error.message).toMatch(/desired count of mc was restored to 1/);
      expect(desiredCounts()).toEqual([0, 1]);
      expect(context.captured.stderr()).toMatch(/Interrupted: restoring the desired count of mc to 1/);
    });

    it.each([
      ["SIGTERM", 143],
      ["SIGHUP", 129],
    ] as const)(
      "%s while waiting for the stop behaves like Ctrl-C: restores the count, exits %i",
      async (signal, code) => {
        await runningService();
        const context = testContext({ options: { yes: true } });
        const restart = runRestart(context, options());
        restart.catch(() => {});
        await vi.advanceTimersByTimeAsync(7_000);
        expect(desiredCounts()).toEqual([0]);
        process.emit(signal);
        const error = (await runUntilSettled(restart).catch((caught: unknown) => caught)) as McctlError;
        expect(error.exitCode).toBe(code);
        expect(error.message).toMatch(/desired count of mc was restored to 1/);
        expect(desiredCounts()).toEqual([0, 1]);
        expect(
          sim.ecs.describeServices({ cluster: "default", services: ["mc"] }).services?.[0]?.desiredCount,
        ).toBe(1);
      },
    );

    it("while waiting for steady: leaves the desired count alone and exits 130", async () => {
      await runningService();
      const restart = runRestart(testContext({ options: { yes: true } }), options());
      restart.catch(() => {});
      await vi.advanceTimersByTimeAsync(26_000);
      expect(desiredCounts()).toEqual([0, 1]);
      process.emit("SIGINT");
      const error = (await runUntilSettled(restart).catch((caught: unknown) => caught)) as McctlError;
      expect(error.exitCode).toBe(130);
      expect(desiredCounts()).toEqual([0, 1]);
    });

    it("a second Ctrl-C quits at once and prints the command that restores the count", async () => {
      await runningService();
      const exit = vi.spyOn(process, "exit").mockImplementation(() => undefined as never);
      // The restore call hangs long enough for the operator to press Ctrl-C again.
      sim.faults.inject({
        service: "ECS",
        command: "UpdateService",
        match: (input) => input.desiredCount === 1,
        error: "server",
        times: 10,
      });
      const context = testContext({ options: { yes: true } });
      const restart = runRestart(context, options());
      restart.catch(() => {});
      await vi.advanceTimersByTimeAsync(7_000);
      process.emit("SIGINT");
      process.emit("SIGINT");
      expect(exit).toHaveBeenCalledWith(130);
      expect(context.captured.stderr()).toContain(
        "Restore it: aws ecs update-service --cluster default --service mc --desired-count 1",
      );
      await runUntilSettled(restart).catch(() => undefined);
    });
  });
});
