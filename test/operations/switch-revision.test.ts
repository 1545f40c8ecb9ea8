import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { ExitCode, InterruptedError, McctlError } from "../../src/errors.js";
import { type RevisionSwitch, switchRevision } from "../../src/operations/switch-revision.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { captureOutput } from "../helpers/context.js";
import { taskFailures } from "../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition, seedMcCluster } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();
const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };

/** The mc service steady on mc:1, with mc:2 (tag 2.1) and mc:3 (tag 2.2) registered beside it. */
async function steadyOnRevision1(): Promise<TaskDefinition> {
  seedMcCluster(sim);
  sim.ecs.createService(mcServiceInput());
  await vi.advanceTimersByTimeAsync(60_000);
  sim.ecs.registerTaskDefinition(mcTaskDefinition({ image: "metadata/registry:2.1" }));
  sim.ecs.registerTaskDefinition(mcTaskDefinition({ image: "metadata/registry:2.2" }));
  sim.clearCalls();
  return sim.ecs.describeTaskDefinition({ taskDefinition: "mc:1" }).taskDefinition as TaskDefinition;
}

const arnOf = (revision: string) =>
  sim.ecs.describeTaskDefinition({ taskDefinition: revision }).taskDefinition?.taskDefinitionArn as string;

function switchTo(current: TaskDefinition, overrides: Partial<RevisionSwitch> = {}) {
  const captured = captureOutput();
  const run = switchRevision(createEcsApi(config), terminalReporter(captured.output), {
    cluster: "mc",
    service: "mc",
    current,
    target: { existingArn: arnOf("mc:2") },
    verb: "upgrade",
    rollbackOnFailure: false,
    timeoutMs: 15 * 60_000,
    pollIntervalMs: 3_000,
    ...overrides,
  });
  run.catch(() => {});
  return { run, captured };
}

const failure = (promise: Promise<unknown>) =>
  runUntilSettled(promise).then(
    () => undefined,
    (caught: unknown) => caught as McctlError,
  );

const runningRevisions = () =>
  sim.ecs
    .tasks({ serviceName: "mc", lastStatus: "RUNNING" })
    .map((task) => task.taskDefinitionArn?.split("/").pop());

describe("switchRevision", () => {
  it("moves the service to the target revision and says which one runs", async () => {
    const current = await steadyOnRevision1();
    const { run } = switchTo(current);
    const result = await runUntilSettled(run);
    expect(result).toMatchObject({ from: "mc:1", to: "mc:2", runningArn: arnOf("mc:2") });
    expect(runningRevisions()).toEqual(["mc:2"]);
  });

  it("does not call it done when someone points the service at another revision meanwhile", async () => {
    const current = await steadyOnRevision1();
    const { run } = switchTo(current);
    // Another operator's deploy lands while mcctl waits for the old task to stop.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sim.callsOf("UpdateService").map((call) => call.input.desiredCount)).toEqual([0]);
    sim.ecs.updateService({ cluster: "mc", service: "mc", taskDefinition: "mc:3" });

    const error = await failure(run);

    expect(runningRevisions()).toEqual(["mc:3"]);
    expect(error).toBeInstanceOf(McctlError);
    expect(error?.message).toBe("upgrade failed: mc runs mc:3 instead of mc:2");
    expect(error?.suggestion).toBe(
      "Someone else changed the service meanwhile; check it with `mcctl status`. mc now points at mc:2; to go back: mcctl rollback --to 1",
    );
  });

  it("rolls back to the revision it ran before when the new one fails and the plan said so", async () => {
    const current = await steadyOnRevision1();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.essentialContainerExited("mc", 1),
      match: (taskDefinition) => taskDefinition.revision === 2,
      times: Number.POSITIVE_INFINITY,
      afterMs: 500,
    });
    const { run, captured } = switchTo(current, { rollbackOnFailure: true, verb: "roll back" });

    const error = await failure(run);

    expect(runningRevisions()).toEqual(["mc:1"]);
    expect(error?.message).toMatch(
      /^roll back failed and was rolled back: mc runs mc:1 again \(the deployment of mc is failing: Essential container in task exited; mc exited 1/,
    );
    expect(error?.suggestion).toMatch(/docker logs/);
    expect(captured.stderr()).toContain("Rolling back mc to mc:1…");
    expect(sim.callsOf("UpdateService").map((call) => call.input.taskDefinition?.split("/").pop())).toEqual([
      "mc:2",
      undefined,
      "mc:1",
      undefined,
    ]);
  });

  it("when the rollback fails too, says both and where to look", async () => {
    const current = await steadyOnRevision1();
    // The instance went bad: no revision starts any more.
    sim.ecs.scriptTaskFailure({
      ...taskFailures.essentialContainerExited("mc", 1),
      times: Number.POSITIVE_INFINITY,
      afterMs: 500,
    });
    const { run } = switchTo(current, { rollbackOnFailure: true });
    const error = await failure(run);
    expect(error?.message).toMatch(
      /^upgrade failed \(the deployment of mc is failing: .*\) and so did the rollback to mc:1: the deployment of mc is failing: /,
    );
    expect(error?.suggestion).toBe(
      "Look at `mcctl status` and the service events; fix the cause, then `mcctl restart`.",
    );
  });

  it("an interrupt during the switch is not taken for a failure: no rollback, the signal's exit code", async () => {
    const current = await steadyOnRevision1();
    const controller = new AbortController();
    const { run } = switchTo(current, { rollbackOnFailure: true, signal: controller.signal });
    await vi.advanceTimersByTimeAsync(5_000);
    controller.abort(new InterruptedError("Interrupted (SIGTERM)", { exitCode: ExitCode.terminated }));
    const error = await failure(run);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error?.exitCode).toBe(ExitCode.terminated);
    // Restored to 1 on the new revision; nothing went back to mc:1.
    expect(sim.callsOf("UpdateService").map((call) => call.input.taskDefinition?.split("/").pop())).toEqual([
      "mc:2",
      undefined,
    ]);
  });

  it("an interrupt during the rollback ends it there, with the signal's exit code", async () => {
    const current = await steadyOnRevision1();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.essentialContainerExited("mc", 1),
      match: (taskDefinition) => taskDefinition.revision === 2,
      times: Number.POSITIVE_INFINITY,
      afterMs: 500,
    });
    const controller = new AbortController();
    const { run } = switchTo(current, {
      rollbackOnFailure: true,
      signal: controller.signal,
      onPhase: (phase) => {
        if (phase === "waiting-for-stop" && sim.callsOf("UpdateService").length > 2) {
          controller.abort(new InterruptedError("Interrupted (SIGHUP)", { exitCode: ExitCode.hangup }));
        }
      },
    });
    const error = await failure(run);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error?.exitCode).toBe(ExitCode.hangup);
    expect(error?.message).toMatch(/^Interrupted \(SIGHUP\)/);
  });
});
