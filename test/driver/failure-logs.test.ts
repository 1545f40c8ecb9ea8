import { describe, expect, it, vi } from "vitest";
import { RestartOptionsSchema, runRestart } from "../../src/commands/restart.js";
import { buildTaskDefinition, DEFAULT_TASK_SETTINGS } from "../../src/domain/task-definition.js";
import { McctlError } from "../../src/errors.js";
import { testContext } from "../helpers/context.js";
import { TEST_WIRING } from "../helpers/secrets.js";
import { taskFailures } from "../helpers/sim.js";
import { addMcHost, mcServiceInput } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();

/** A service whose revision logs to /ecs/model-catalogue (mcctl's default), steady with one task. */
async function awslogsService(options: { logging?: "awslogs" | "syslog" } = {}) {
  const task =
    options.logging === "syslog"
      ? { ...DEFAULT_TASK_SETTINGS, logging: { driver: "syslog" as const } }
      : DEFAULT_TASK_SETTINGS;
  sim.logs.addGroup("/ecs/model-catalogue");
  sim.ecs.registerTaskDefinition(buildTaskDefinition(task, { METADATA_HOST: "mc.example.com" }, TEST_WIRING));
  sim.ecs.addCluster("default");
  addMcHost(sim, "default", { instanceId: "i-0123456789abcdef0" });
  sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue" }));
  await vi.advanceTimersByTimeAsync(60_000);
  sim.clearCalls();
}

const restart = (context = testContext({ options: { yes: true } })) =>
  runUntilSettled(runRestart(context, RestartOptionsSchema.parse({ pollInterval: "3s" }))).then(
    () => ({ context, error: undefined }),
    (error: unknown) => ({ context, error: error as McctlError }),
  );

describe("the failure screen", () => {
  it("shows the last lines of the container that stopped, under its stop reason", async () => {
    await awslogsService();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.essentialContainerExited("mc", 1, ["ERROR Unable to connect to database"]),
      times: Number.POSITIVE_INFINITY,
      afterMs: 1_000,
    });
    const { context, error } = await restart();

    expect(error?.message).toMatch(/the deployment of mc is failing/);
    const stderr = context.captured.stderr();
    const reason = stderr.indexOf("stopped: ");
    const heading = stderr.search(/Last \d+ lines of mc \(task [0-9a-f]+, \/ecs\/model-catalogue\):/);
    expect(reason).toBeGreaterThanOrEqual(0);
    expect(heading).toBeGreaterThan(reason);
    const shown = stderr
      .slice(heading)
      .split("\n")
      .filter((line) => /^ {2}\d{4}-/.test(line));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThanOrEqual(20);
    expect(shown.at(-1)).toMatch(/ERROR Unable to connect to database$/);
    expect(stderr).toMatch(/More: mcctl logs --task [0-9a-f]+ --container mc --since 1h/);
  });

  it("shows the newest 20 lines of a container that wrote many pages of them", async () => {
    await awslogsService();
    const lines = Array.from({ length: 1_200 }, (_, index) => `INFO  line ${index + 1}`);
    sim.ecs.scriptContainerOutput("model-catalogue", "mc", lines);
    sim.ecs.scriptTaskFailure({
      ...taskFailures.essentialContainerExited("mc", 1, ["ERROR Unable to connect to database"]),
      times: Number.POSITIVE_INFINITY,
      afterMs: 1_000,
    });
    const { context, error } = await restart();

    expect(error?.message).toMatch(/the deployment of mc is failing/);
    const stderr = context.captured.stderr();
    expect(stderr).toMatch(/Last 20 lines of mc \(task [0-9a-f]+, \/ecs\/model-catalogue\):/);
    const shown = stderr
      .split("\n")
      .filter((line) => /^ {2}\d{4}-/.test(line))
      .map((line) => line.split(" ").slice(3).join(" "));
    expect(shown).toEqual([...lines.slice(-19), "ERROR Unable to connect to database"]);
  });

  it("says the container wrote nothing when its task died before it started (no log stream)", async () => {
    await awslogsService();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:2"),
      times: Number.POSITIVE_INFINITY,
    });
    const { context, error } = await restart();

    expect(error?.message).toMatch(/the deployment of mc is failing: .*CannotPullContainerError/);
    const stderr = context.captured.stderr();
    expect(stderr).toMatch(
      /mc of task [0-9a-f]+ wrote nothing: it stopped before its container started \(no log stream in \/ecs\/model-catalogue\)/,
    );
    expect(stderr).not.toMatch(/could not be read/);
    expect(stderr).not.toMatch(/Last \d+ lines/);
  });

  it("points at the instance when the revision logs there, and adds nothing when the restart works", async () => {
    await awslogsService({ logging: "syslog" });
    sim.ecs.scriptTaskFailure({
      ...taskFailures.essentialContainerExited("mc", 1),
      times: Number.POSITIVE_INFINITY,
      afterMs: 1_000,
    });
    const failed = await restart();
    expect(failed.error).toBeInstanceOf(McctlError);
    expect(failed.context.captured.stderr()).toMatch(
      /mc of task [0-9a-f]+ logged on the instance \(syslog\)/,
    );
    expect(sim.callsOf("FilterLogEvents", "CloudWatchLogs")).toHaveLength(0);
  });

  it("reads nothing when the restart succeeds", async () => {
    await awslogsService();
    const { error, context } = await restart();
    expect(error).toBeUndefined();
    expect(context.captured.stderr()).not.toMatch(/Last \d+ lines/);
    expect(sim.callsOf("FilterLogEvents", "CloudWatchLogs")).toHaveLength(0);
  });
});
