import { describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { McctlError } from "../../src/errors.js";
import type { WaitReporter } from "../../src/operations/reporter.js";
import {
  ServiceMonitor,
  type SteadyWaitOptions,
  summarize,
  waitFor,
  waitForSteady,
} from "../../src/operations/service-monitor.js";
import { withElapsed } from "../../src/ui/output.js";
import { taskFailures } from "../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition, seedMcCluster } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();
const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };

/** What a wait shows: the live status line's texts and the lines kept on screen. */
function recordingReporter() {
  const progress: string[] = [];
  const lines: string[] = [];
  const retried: unknown[] = [];
  const reporter: WaitReporter = {
    // As the terminal shows it at that moment: the text, then the time since `since`.
    progress: (text, since) => progress.push(withElapsed(text, since)),
    line: (text) => lines.push(text),
    retrying: (error) => retried.push(error),
  };
  return { reporter, progress, lines, retried };
}

function monitorOf(reporter: WaitReporter) {
  return new ServiceMonitor(createEcsApi(config), "mc", "mc", reporter);
}

const steadyOptions = (overrides: Partial<SteadyWaitOptions> = {}): SteadyWaitOptions => ({
  deadline: Date.now() + 15 * 60_000,
  pollIntervalMs: 3_000,
  onTimeout: () => new McctlError("timed out"),
  ...overrides,
});

const failure = (promise: Promise<unknown>) =>
  runUntilSettled(promise).then(
    () => undefined,
    (caught: unknown) => caught as McctlError,
  );

async function steadyService() {
  seedMcCluster(sim);
  sim.ecs.createService(mcServiceInput());
  await vi.advanceTimersByTimeAsync(60_000);
  // (The simulator catches up with the clock when asked: this makes the first task start now.)
  expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(1);
  sim.clearCalls();
}

describe("ServiceMonitor", () => {
  it("shows each new service event once, in the order they happened", async () => {
    seedMcCluster(sim);
    sim.ecs.createService(mcServiceInput());
    const { reporter, lines } = recordingReporter();
    const monitor = monitorOf(reporter);
    // Nothing looked for a minute: several events wait, newest first in ECS's answer.
    await vi.advanceTimersByTimeAsync(60_000);
    await monitor.poll();
    await monitor.poll();
    const events = lines.filter((line) => line.startsWith("event: "));
    expect(events).toEqual([
      expect.stringMatching(/^event: \(service mc\) has started 1 tasks: \(task \w+\)\.$/),
      expect.stringMatching(/^event: \(service mc\) \(deployment ecs-svc\/\d+\) deployment completed\.$/),
      "event: (service mc) has reached a steady state.",
    ]);
  });

  it("adds the likely cause under a placement failure", async () => {
    seedMcCluster(sim);
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "big" }));
    sim.ecs.createService(mcServiceInput());
    sim.ecs.createService(mcServiceInput({ serviceName: "big", taskDefinition: "big" }));
    const { reporter, lines } = recordingReporter();
    const monitor = new ServiceMonitor(createEcsApi(config), "mc", "big", reporter);
    await vi.advanceTimersByTimeAsync(30_000);
    await monitor.poll();
    const placement = lines.findIndex((line) =>
      /event: \(service big\) was unable to place a task/.test(line),
    );
    expect(placement).toBeGreaterThanOrEqual(0);
    expect(lines[placement + 1]).toMatch(/^ {2}likely cause: /);
  });

  it("reports each task that stopped, once, with its reason, and keeps the failures", async () => {
    await steadyService();
    sim.ecs.scriptTaskFailure({ ...taskFailures.essentialContainerExited("mc", 3), afterMs: 500 });
    const { reporter, lines } = recordingReporter();
    const monitor = monitorOf(reporter);
    const [running] = await createEcsApi(config).describeTasks(
      "mc",
      sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" }).map((task) => task.taskArn as string),
    );
    monitor.track(running ? [running] : []);
    sim.ecs.updateService({ cluster: "mc", service: "mc", forceNewDeployment: true });
    for (let i = 0; i < 20; i += 1) {
      await monitor.poll();
      await vi.advanceTimersByTimeAsync(3_000);
    }
    const stops = lines.filter((line) => line.startsWith("task "));
    const oldId = running?.taskArn?.split("/").pop();
    expect(stops[0]).toMatch(
      new RegExp(
        `^task ${oldId} stopped: Scaling activity initiated by \\(deployment ecs-svc/\\d+\\); mc exited 143; mc-es exited 143$`,
      ),
    );
    expect(stops).toContainEqual(
      expect.stringMatching(
        /^task \w+ stopped: Essential container in task exited; mc exited 3; mc-es exited 143$/,
      ),
    );
    expect(new Set(stops).size).toBe(stops.length);
    // The scaling-down is deliberate; only the crash is a failure.
    expect(monitor.failures.map((entry) => entry.description)).toEqual([
      "Essential container in task exited; mc exited 3; mc-es exited 143",
    ]);
  });

  it("sees the stop of a task it was told about, even when ListTasks no longer lists it", async () => {
    await steadyService();
    const ecs = createEcsApi(config);
    const tasks = await ecs.describeTasks(
      "mc",
      sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" }).map((task) => task.taskArn as string),
    );
    const { reporter } = recordingReporter();
    const monitor = monitorOf(reporter);
    monitor.track(tasks);
    sim.ecs.updateService({ cluster: "mc", service: "mc", desiredCount: 0 });
    await vi.advanceTimersByTimeAsync(2_000);
    // Asked to stop, the task is no longer listed as RUNNING, but it is STOPPING and holds port 80.
    const { activeTasks } = await monitor.poll();
    expect(await ecs.listServiceTasks("mc", "mc", "RUNNING")).toEqual([]);
    expect(activeTasks.map((task) => [task.taskArn, task.lastStatus, task.desiredStatus])).toEqual([
      [tasks[0]?.taskArn, "STOPPING", "STOPPED"],
    ]);
  });

  it("stops describing a task once it saw it STOPPED, and describes nothing when nothing is left", async () => {
    await steadyService();
    const ecs = createEcsApi(config);
    const tasks = await ecs.describeTasks(
      "mc",
      sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" }).map((task) => task.taskArn as string),
    );
    const monitor = monitorOf(recordingReporter().reporter);
    monitor.track(tasks);
    sim.ecs.updateService({ cluster: "mc", service: "mc", desiredCount: 0 });
    let snapshot = await monitor.poll();
    for (let looks = 0; looks < 40 && snapshot.activeTasks.length > 0; looks += 1) {
      await vi.advanceTimersByTimeAsync(3_000);
      snapshot = await monitor.poll();
    }
    expect(snapshot.activeTasks).toEqual([]);
    sim.clearCalls();

    await monitor.poll();
    await monitor.poll();

    // A STOPPED task stays STOPPED: looking again would only spend the call budget of each poll.
    expect(sim.callsOf("DescribeTasks")).toHaveLength(0);
    expect(sim.calls.map((call) => call.command)).toEqual([
      "DescribeServices",
      "ListTasks",
      "DescribeServices",
      "ListTasks",
    ]);
  });

  it("ends the wait when someone deletes the service", async () => {
    await steadyService();
    const { reporter } = recordingReporter();
    const monitor = monitorOf(reporter);
    sim.ecs.deleteService({ cluster: "mc", service: "mc", force: true });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const error = await monitor.poll().then(
      () => undefined,
      (caught: unknown) => caught as McctlError,
    );
    expect(error).toBeInstanceOf(McctlError);
    expect(error?.message).toBe("service mc no longer exists in cluster mc");
    expect(error?.suggestion).toMatch(/mcctl create-service/);
  });
});

describe("summarize", () => {
  it("counts the tasks stopping and starting, with their ECS status, then the running ones", () => {
    expect(
      summarize({
        service: { desiredCount: 0, runningCount: 0, pendingCount: 0 },
        activeTasks: [{ desiredStatus: "STOPPED", lastStatus: "DEACTIVATING" }],
      }),
    ).toBe("1 task stopping (DEACTIVATING), 0 running");
    expect(
      summarize({
        service: {
          desiredCount: 1,
          runningCount: 1,
          pendingCount: 0,
          deployments: [{ status: "PRIMARY" }, { status: "ACTIVE" }],
        },
        activeTasks: [
          { desiredStatus: "STOPPED", lastStatus: "DEACTIVATING" },
          { desiredStatus: "STOPPED", lastStatus: "STOPPING" },
          { desiredStatus: "RUNNING", lastStatus: "PENDING" },
          { desiredStatus: "RUNNING", lastStatus: "RUNNING" },
        ],
      }),
    ).toBe(
      "2 tasks stopping (1 DEACTIVATING, 1 STOPPING), 1 task starting (PENDING), 1 of 1 running, 2 deployments",
    );
  });

  it("falls back on ECS's pending count when it has not seen the task yet", () => {
    expect(
      summarize({ service: { desiredCount: 1, runningCount: 0, pendingCount: 1 }, activeTasks: [] }),
    ).toBe("1 task pending, 0 of 1 running");
    expect(summarize({ service: {}, activeTasks: [] })).toBe("0 running");
  });
});

describe("waitFor", () => {
  it("shows what it waits for, the counts and the time so far while it waits", async () => {
    await steadyService();
    sim.ecs.setTimings({ stoppingMs: 30_000 });
    const { reporter, progress } = recordingReporter();
    sim.ecs.updateService({ cluster: "mc", service: "mc", desiredCount: 0 });
    const wait = waitFor(
      monitorOf(reporter),
      (snapshot) => snapshot.activeTasks.length === 0,
      { ...steadyOptions(), label: "Waiting for the tasks of mc to stop" },
      reporter,
    );
    await runUntilSettled(wait);
    expect(progress[0]).toMatch(
      /^Waiting for the tasks of mc to stop: (1 task stopping \(STOPPING\), )?\d running \(0s\)$/,
    );
    expect(progress).toContain(
      "Waiting for the tasks of mc to stop: 1 task stopping (STOPPING), 0 running (30s)",
    );
  });

  it("rides out throttling, telling the reporter, and ends at once on another error", async () => {
    await steadyService();
    sim.faults.inject({ service: "ECS", command: "DescribeServices", error: "throttling", times: 2 });
    const { reporter, retried } = recordingReporter();
    const done = await runUntilSettled(
      waitFor(monitorOf(reporter), () => true, { ...steadyOptions(), label: "Waiting" }, reporter),
    );
    expect(done.service.serviceName).toBe("mc");
    expect(retried).toHaveLength(2);

    sim.faults.inject({ service: "ECS", command: "DescribeServices", error: "access-denied" });
    const error = await failure(
      waitFor(monitorOf(reporter), () => true, { ...steadyOptions(), label: "Waiting" }, reporter),
    );
    expect(error?.message).toMatch(/AWS denied ecs:DescribeServices/);
  });

  it("gives the last state it saw to the timeout", async () => {
    await steadyService();
    const { reporter } = recordingReporter();
    const seen: unknown[] = [];
    const error = await failure(
      waitFor(
        monitorOf(reporter),
        () => false,
        {
          ...steadyOptions({ deadline: Date.now() + 10_000 }),
          label: "Waiting",
          onTimeout: (snapshot) => {
            seen.push(snapshot && summarize(snapshot));
            return new McctlError("timed out");
          },
        },
        reporter,
      ),
    );
    expect(error?.message).toBe("timed out");
    expect(seen).toEqual(["1 of 1 running"]);
  });
});

describe("waitForSteady", () => {
  it("believes a steady service on the second look, not the first", async () => {
    await steadyService();
    const { reporter } = recordingReporter();
    const started = Date.now();
    await runUntilSettled(waitForSteady(monitorOf(reporter), steadyOptions(), reporter));
    expect(sim.callsOf("DescribeServices")).toHaveLength(2);
    expect(Date.now() - started).toBe(3_000);
  });

  it("is not fooled by a task that crashes just after it was seen running", async () => {
    await steadyService();
    // Each new task dies 4 s after it starts: steady on one look, crashed by the next.
    sim.ecs.scriptTaskFailure({
      ...taskFailures.essentialContainerExited("mc", 1),
      afterMs: 4_000,
      times: 1,
    });
    sim.ecs.updateService({ cluster: "mc", service: "mc", forceNewDeployment: true });
    const { reporter, lines } = recordingReporter();
    const monitor = monitorOf(reporter);
    await runUntilSettled(waitForSteady(monitor, steadyOptions(), reporter));
    // It waited past the crash and the replacement: the task that runs now is not the one that crashed.
    expect(lines).toContainEqual(
      expect.stringMatching(/stopped: Essential container in task exited; mc exited 1/),
    );
    expect(monitor.failures).toHaveLength(1);
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(1);
  });

  it("fails once as many tasks failed as allowed, with each distinct reason and advice", async () => {
    await steadyService();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.essentialContainerExited("mc", 1),
      afterMs: 500,
      times: Number.POSITIVE_INFINITY,
    });
    sim.ecs.updateService({ cluster: "mc", service: "mc", forceNewDeployment: true });
    const { reporter } = recordingReporter();
    const monitor = monitorOf(reporter);
    const error = await failure(waitForSteady(monitor, steadyOptions({ maxFailures: 3 }), reporter));
    expect(monitor.failures).toHaveLength(3);
    expect(error?.message).toBe(
      "the deployment of mc is failing: Essential container in task exited; mc exited 1; mc-es exited 143",
    );
    expect(error?.suggestion).toMatch(/docker logs/);
  });

  it("without advice for the reason, says where to look", async () => {
    await steadyService();
    sim.ecs.scriptTaskFailure({
      stage: "PENDING",
      stopCode: "TaskFailedToStart",
      stoppedReason: "ResourceInitializationError: unable to create the volume",
      times: Number.POSITIVE_INFINITY,
    });
    sim.ecs.updateService({ cluster: "mc", service: "mc", forceNewDeployment: true });
    const { reporter } = recordingReporter();
    const error = await failure(waitForSteady(monitorOf(reporter), steadyOptions(), reporter));
    expect(error?.message).toBe(
      "the deployment of mc is failing: ResourceInitializationError: unable to create the volume",
    );
    expect(error?.suggestion).toBe(
      "Check the service events and the container logs, fix the cause, then run `mcctl restart`.",
    );
  });

  it("counts only failures of the revision being deployed, not of the one it replaces", async () => {
    await steadyService();
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ image: "metadata/registry:2.1" }));
    const { reporter } = recordingReporter();
    const monitor = monitorOf(reporter);
    // mc:1 fails once before it settles again; then mc:2 fails once before it settles.
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:2"),
      match: (taskDefinition) => taskDefinition.revision === 1,
    });
    sim.ecs.updateService({ cluster: "mc", service: "mc", forceNewDeployment: true });
    await runUntilSettled(waitForSteady(monitor, steadyOptions(), reporter));
    expect(monitor.failures).toHaveLength(1);

    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:2.1"),
      match: (taskDefinition) => taskDefinition.revision === 2,
    });
    sim.ecs.updateService({ cluster: "mc", service: "mc", taskDefinition: "mc:2" });
    const steady = await runUntilSettled(waitForSteady(monitor, steadyOptions(), reporter));
    expect(monitor.failures).toHaveLength(2);
    expect(steady.service.taskDefinition).toMatch(/mc:2$/);
  });

  it("joins distinct reasons and takes the advice of the first one it recognises", async () => {
    await steadyService();
    sim.ecs.scriptTaskFailure({
      stage: "PENDING",
      stopCode: "TaskFailedToStart",
      stoppedReason: "ResourceInitializationError: unable to create the volume",
    });
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:2"),
      times: Number.POSITIVE_INFINITY,
    });
    sim.ecs.updateService({ cluster: "mc", service: "mc", forceNewDeployment: true });
    // A reporter that does not listen for retries must not break the wait.
    const reporter: WaitReporter = { progress: () => {}, line: () => {} };
    sim.faults.inject({ service: "ECS", command: "DescribeServices", error: "throttling", after: 1 });
    const error = await failure(waitForSteady(monitorOf(reporter), steadyOptions(), reporter));
    expect(error?.message).toMatch(
      /^the deployment of mc is failing: ResourceInitializationError: unable to create the volume \| CannotPullContainerError: /,
    );
    expect(error?.suggestion).toMatch(/image could not be pulled/);
  });
});

describe("ServiceMonitor and a role mcctl has just created", () => {
  const ROLE = "mc-execution";
  const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;

  /** Service mc on a revision whose execution role was made again just now: ECS cannot assume it yet. */
  async function roleNotYetSeen() {
    seedMcCluster(sim);
    sim.iam.addRole(ROLE);
    sim.ecs.registerTaskDefinition({ ...mcTaskDefinition(), executionRoleArn: ROLE_ARN });
    sim.iam.setTimings({ propagationMs: 20_000 });
    sim.iam.removeRole(ROLE);
    sim.iam.createRole({
      RoleName: ROLE,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
    });
    const change = { name: ROLE, arn: ROLE_ARN, created: true, at: Date.now() };
    sim.ecs.createService(mcServiceInput({ taskDefinition: "mc:2" }));
    await vi.advanceTimersByTimeAsync(5_000);
    return change;
  }

  const assumeEvent = (lines: string[]) =>
    lines.findIndex((line) => line.includes(`ECS was unable to assume the role '${ROLE_ARN}'`));

  it("says that ECS waits for the new role instead of blaming the role", async () => {
    const change = await roleNotYetSeen();
    const { reporter, lines } = recordingReporter();
    await new ServiceMonitor(createEcsApi(config), "mc", "mc", reporter, change).poll();
    const event = assumeEvent(lines);
    expect(event).toBeGreaterThanOrEqual(0);
    expect(lines[event + 1]).toBe(
      `  waiting for the new role to be usable: IAM changes take seconds to reach ECS (role ${ROLE}): ECS tries again on its own`,
    );
  });

  it("without a change by mcctl, gives the likely cause, which does not say to create the role", async () => {
    await roleNotYetSeen();
    const { reporter, lines } = recordingReporter();
    await monitorOf(reporter).poll();
    const advice = lines[assumeEvent(lines) + 1];
    expect(advice).toMatch(
      /^ {2}likely cause: ECS could not assume the task execution role .* must exist and trust ecs-tasks/,
    );
    expect(advice).toMatch(/iam:PassRole/);
    expect(advice).not.toMatch(/create (the|a) role/i);
  });
});
