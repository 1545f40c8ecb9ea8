import { describe, expect, it, vi } from "vitest";
import { type LogsOptions, LogsOptionsSchema, runLogs } from "../../src/commands/logs.js";
import { RestartOptionsSchema, runRestart } from "../../src/commands/restart.js";
import { parseOptions } from "../../src/driver/options.js";
import { McctlError, UsageError } from "../../src/errors.js";
import { testContext } from "../helpers/context.js";
import { runService, seedLegacyRevision } from "../helpers/deployments.js";
import { LOG_TEST_SECRETS, linesOf, registerModelCatalogue, until } from "../helpers/logs.js";
import { taskFailures } from "../helpers/sim.js";
import { addMcHost, mcServiceInput } from "../helpers/sim-fixtures.js";
import { TEST_START, useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();

const GROUP = "/ecs/model-catalogue";
const IMAGE_LINE = "INFO  Starting Grails application (image metadata/registry:2)";

/** The ISO time `seconds` after the test started (TEST_START, 03:00:00Z). */
const at = (seconds: number) => new Date(TEST_START + seconds * 1_000).toISOString();
/** A line of `mcctl logs` as printed without --json. */
const line = (seconds: number, task: string, message: string, container = "mc") =>
  `${at(seconds)} ${container} ${task.slice(0, 8)} ${message}`;

const logsOptions = (raw: Record<string, unknown> = {}): LogsOptions => LogsOptionsSchema.parse(raw);
const idOf = (arn: string | undefined) => arn?.split("/").pop() ?? "";
const taskIds = (lastStatus: "RUNNING" | "STOPPED" | "PENDING") =>
  sim.ecs.tasks({ serviceName: "mc", lastStatus }).map((task) => idOf(task.taskArn));
/** The tasks of `mc` that stopped before their containers started (image pull, secrets, log group). */
const diedBeforeStarting = () =>
  sim.ecs
    .tasks({ serviceName: "mc", lastStatus: "STOPPED" })
    .filter((task) => task.stopCode === "TaskFailedToStart")
    .map((task) => idOf(task.taskArn));
/** FilterLogEvents calls that CloudWatch Logs rejected for naming a stream that does not exist. */
const rejectedForMissingStreams = () =>
  filterCalls().filter(
    (call) => (call.error as Error | undefined)?.message === "The specified log stream does not exist.",
  );

/**
 * model-catalogue:1 registered by register-task (awslogs into /ecs/model-catalogue), service `mc` running
 * it for a minute: its task RUNNING since 03:00:11. `beforeTasks` scripts output or failures before any
 * task is placed. The calls made so far are forgotten.
 */
async function deploy(beforeTasks: () => void = () => {}) {
  await registerModelCatalogue();
  beforeTasks();
  await runService(sim, "model-catalogue:1");
  return taskIds("RUNNING")[0] ?? "";
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

/** The messages of printed lines (after the time, the container and the task). */
const messagesOf = (text: string) => linesOf(text).map((printed) => printed.split(" ").slice(3).join(" "));
/** The task ids (8 characters) of printed lines, each once. */
const tasksOf = (text: string) => [...new Set(linesOf(text).map((printed) => printed.split(" ")[2]))];

/** Whether a follow has ended (by itself: it should not before Ctrl-C). */
const isSettled = (run: { settled(): boolean }) => run.settled();

const filterCalls = () => sim.callsOf("FilterLogEvents");

/** Starts `mcctl logs --follow`; `stop()` sends Ctrl-C and resolves with what runLogs resolved with. */
function follow(context: ReturnType<typeof testContext>, raw: Record<string, unknown> = {}) {
  const following = runLogs(context, logsOptions({ follow: true, pollInterval: "5s", ...raw }));
  let settled = false;
  following.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  return {
    following,
    settled: () => settled,
    waitFor: (condition: () => boolean) => runUntilSettled(until(condition)),
    stop: async () => {
      process.emit("SIGINT");
      return runUntilSettled(following);
    },
  };
}

describe("mcctl logs", () => {
  it("prints the mc lines since --since with ISO timestamps, container and task, across FilterLogEvents pages", async () => {
    const task = await deploy();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    sim.logs.setOptions({ pageSize: 2 });
    const context = testContext();

    const count = await runLogs(context, logsOptions({ since: "2026-11-25T03:00:30Z" }));

    expect(context.captured.stdout()).toBe(
      [
        line(53, task, "INFO  Server startup in 42000 ms"),
        line(71, task, "INFO  Model Catalogue is up (1 min)"),
        line(131, task, "INFO  Model Catalogue is up (2 min)"),
        line(191, task, "INFO  Model Catalogue is up (3 min)"),
        line(251, task, "INFO  Model Catalogue is up (4 min)"),
        line(311, task, "INFO  Model Catalogue is up (5 min)"),
        "",
      ].join("\n"),
    );
    expect(count).toBe(6);
    const calls = filterCalls();
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const call of calls) {
      expect(call.input).toMatchObject({
        logGroupName: GROUP,
        logStreamNames: [`mcctl/mc/${task}`],
        startTime: Date.parse("2026-11-25T03:00:30Z"),
      });
      expect(call.input.filterPattern).toBeUndefined();
    }
    expect(calls[0]?.input.nextToken).toBeUndefined();
    expect(calls.slice(1).every((call) => typeof call.input.nextToken === "string")).toBe(true);
    expect(context.captured.stderr()).toBe("");
  });

  it("reads a relative --since back from now, 10 minutes by default", async () => {
    const task = await deploy();
    await vi.advanceTimersByTimeAsync(5 * 60_000);

    const recent = testContext();
    await runLogs(recent, logsOptions({ since: "3m" }));
    expect(linesOf(recent.captured.stdout())).toEqual([
      line(191, task, "INFO  Model Catalogue is up (3 min)"),
      line(251, task, "INFO  Model Catalogue is up (4 min)"),
      line(311, task, "INFO  Model Catalogue is up (5 min)"),
    ]);
    expect(filterCalls()[0]?.input.startTime).toBe(TEST_START + 3 * 60_000);

    sim.clearCalls();
    const byDefault = testContext();
    await expect(runLogs(byDefault, logsOptions())).resolves.toBe(9);
    expect(filterCalls()[0]?.input.startTime).toBe(TEST_START + 6 * 60_000 - 10 * 60_000);
    expect(linesOf(byDefault.captured.stdout())[0]).toBe(line(11, task, IMAGE_LINE));
  });

  it("merges the lines of two running tasks in time order, across pages", async () => {
    await registerModelCatalogue();
    const started: string[] = [];
    sim.ecs.scriptContainerOutput("model-catalogue", "mc", (taskId) => {
      started.push(taskId);
      return started.length === 1
        ? ["first 0s", { afterMs: 20_000, message: "first 20s" }, { afterMs: 40_000, message: "first 40s" }]
        : [
            { afterMs: 10_000, message: "second 10s" },
            { afterMs: 30_000, message: "second 30s" },
          ];
    });
    sim.ecs.addCluster("default");
    addMcHost(sim, "default", { instanceId: "i-0123456789abcdef0" });
    addMcHost(sim, "default", { instanceId: "i-0123456789abcdef1" });
    sim.ecs.createService(
      mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue:1", desiredCount: 2 }),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    sim.logs.setOptions({ pageSize: 2 });
    const context = testContext();

    await expect(runLogs(context, logsOptions())).resolves.toBe(5);

    const [first = "", second = ""] = started;
    expect(linesOf(context.captured.stdout())).toEqual([
      line(11, first, "first 0s"),
      line(21, second, "second 10s"),
      line(31, first, "first 20s"),
      line(41, second, "second 30s"),
      line(51, first, "first 40s"),
    ]);
    expect(filterCalls()[0]?.input.logStreamNames?.slice().sort()).toEqual(
      [`mcctl/mc/${first}`, `mcctl/mc/${second}`].sort(),
    );
    expect(filterCalls().length).toBeGreaterThanOrEqual(3);
  });

  it("--container mc-es prints Elasticsearch's lines from its own stream", async () => {
    const task = await deploy();
    const context = testContext();

    await runLogs(context, logsOptions({ container: "mc-es" }));

    expect(linesOf(context.captured.stdout())).toEqual([
      line(
        11,
        task,
        "[INFO ][node                     ] [mc-es] initializing ... (image metadata/registry-elasticsearch:2)",
        "mc-es",
      ),
      line(14, task, "[INFO ][node                     ] [mc-es] started", "mc-es"),
      line(
        15,
        task,
        "[INFO ][gateway                  ] [mc-es] recovered [1] indices into cluster_state",
        "mc-es",
      ),
    ]);
    expect(filterCalls().map((call) => call.input.logStreamNames)).toEqual([[`mcctl/mc-es/${task}`]]);
  });

  it("--container takes only mc or mc-es", () => {
    expect(() => parseOptions(LogsOptionsSchema, { container: "es" })).toThrow("--container is mc or mc-es");
  });

  it("--grep sends the text as an exact phrase and prints only the matching lines", async () => {
    const task = await deploy();
    const context = testContext();

    await expect(runLogs(context, logsOptions({ grep: "mc-es:9200" }))).resolves.toBe(1);

    expect(filterCalls()[0]?.input.filterPattern).toBe('"mc-es:9200"');
    expect(context.captured.stdout()).toBe(
      `${line(26, task, "INFO  Connected to Elasticsearch at mc-es:9200")}\n`,
    );
  });

  it("--grep finds a phrase holding double quotes and backslashes, escaped", async () => {
    const task = await deploy(() => {
      sim.ecs.scriptContainerOutput("model-catalogue", "mc", [
        'WARN  user "admin" locked',
        { afterMs: 1_000, message: "WARN  user admin locked" },
        { afterMs: 2_000, message: "WARN  path C:\\data\\mc not found" },
        { afterMs: 3_000, message: "WARN  path C:datamc not found" },
      ]);
    });

    const quoted = testContext();
    await runLogs(quoted, logsOptions({ grep: '"admin"' }));
    expect(filterCalls()[0]?.input.filterPattern).toBe('"\\"admin\\""');
    expect(linesOf(quoted.captured.stdout())).toEqual([line(11, task, 'WARN  user "admin" locked')]);

    const backslashes = testContext();
    await runLogs(backslashes, logsOptions({ grep: "C:\\data\\mc" }));
    expect(filterCalls()[1]?.input.filterPattern).toBe('"C:\\\\data\\\\mc"');
    expect(linesOf(backslashes.captured.stdout())).toEqual([
      line(13, task, "WARN  path C:\\data\\mc not found"),
    ]);
  });

  it("--json prints one compact JSON object a line: timestamp, container, whole task id, message", async () => {
    const task = await deploy();
    const context = testContext({ json: true });

    await runLogs(context, logsOptions());

    const printed = linesOf(context.captured.stdout());
    const records = printed.map((text) => JSON.parse(text) as unknown);
    expect(records).toEqual([
      { timestamp: at(11), container: "mc", task, message: IMAGE_LINE },
      { timestamp: at(13), container: "mc", task, message: "INFO  Connecting to the database" },
      { timestamp: at(26), container: "mc", task, message: "INFO  Connected to Elasticsearch at mc-es:9200" },
      { timestamp: at(53), container: "mc", task, message: "INFO  Server startup in 42000 ms" },
    ]);
    expect(printed).toEqual(records.map((record) => JSON.stringify(record)));
    expect(Object.keys(records[0] as object)).toEqual(["timestamp", "container", "task", "message"]);
  });

  it("during a restart, says the new task has not started yet instead of failing", async () => {
    const oldTask = await deploy();
    sim.ecs.stopTask({ cluster: "default", task: oldTask, reason: "Task stopped by user" });
    await vi.advanceTimersByTimeAsync(25_000);
    const [pending = ""] = taskIds("PENDING");
    expect(pending).not.toBe("");
    sim.clearCalls();
    const context = testContext();

    await expect(runLogs(context, logsOptions())).resolves.toBe(0);

    expect(context.captured.stdout()).toBe("");
    expect(context.captured.stderr()).toBe(
      `  task ${pending.slice(0, 8)} has not started mc yet: nothing to read from it so far\n`,
    );
    expect(filterCalls()).toHaveLength(0);
  });

  it("reads the running task while another one is starting", async () => {
    const task = await deploy();
    addMcHost(sim, "default", { instanceId: "i-0123456789abcdef1" });
    sim.ecs.updateService({ cluster: "default", service: "mc", desiredCount: 2 });
    await vi.advanceTimersByTimeAsync(3_000);
    const [pending = ""] = taskIds("PENDING");
    expect(pending).not.toBe("");
    sim.clearCalls();
    const context = testContext();

    await expect(runLogs(context, logsOptions())).resolves.toBe(4);

    expect(tasksOf(context.captured.stdout())).toEqual([task.slice(0, 8)]);
    expect(context.captured.stderr()).toBe(
      `  task ${pending.slice(0, 8)} has not started mc yet: nothing to read from it so far\n`,
    );
    expect(filterCalls().map((call) => call.input.logStreamNames)).toEqual([[`mcctl/mc/${task}`]]);
  });

  it("says on stderr when nothing was printed since --since, and returns 0", async () => {
    await deploy();
    const context = testContext();

    await expect(runLogs(context, logsOptions({ since: "5s" }))).resolves.toBe(0);

    expect(context.captured.stdout()).toBe("");
    expect(context.captured.stderr()).toBe(`  no mc output in ${GROUP} since ${at(55)}\n`);
  });
});

describe("mcctl logs --previous and --task", () => {
  /** Two tasks die in turn (the first with an older error), the third runs. */
  async function crashingDeployment() {
    await deploy(() => {
      sim.ecs.scriptTaskFailure(taskFailures.essentialContainerExited("mc", 1, ["ERROR Something older"]));
      sim.ecs.scriptTaskFailure(taskFailures.essentialContainerExited("mc", 1));
    });
    await vi.advanceTimersByTimeAsync(60_000);
    const stopped = sim.ecs
      .tasks({ serviceName: "mc", lastStatus: "STOPPED" })
      .sort((a, b) => (a.stoppedAt?.getTime() ?? 0) - (b.stoppedAt?.getTime() ?? 0))
      .map((task) => idOf(task.taskArn));
    expect(stopped).toHaveLength(2);
    expect(taskIds("RUNNING")).toHaveLength(1);
    sim.clearCalls();
    return { older: stopped[0] ?? "", newest: stopped[1] ?? "", running: taskIds("RUNNING")[0] ?? "" };
  }

  it("--previous reads the newest stopped task, down to the line it died with", async () => {
    const { newest } = await crashingDeployment();
    const context = testContext();

    await runLogs(context, logsOptions({ previous: true }));

    const stdout = context.captured.stdout();
    expect(messagesOf(stdout)).toEqual([
      IMAGE_LINE,
      "INFO  Connecting to the database",
      "ERROR Unable to connect to database",
    ]);
    expect(tasksOf(stdout)).toEqual([newest.slice(0, 8)]);
    expect(sim.callsOf("ListTasks")[0]?.input).toMatchObject({ serviceName: "mc", desiredStatus: "STOPPED" });
    expect(filterCalls()[0]?.input.logStreamNames).toEqual([`mcctl/mc/${newest}`]);
  });

  it("--previous passes over a newer task that died before its container started, saying it wrote nothing", async () => {
    const first = await deploy();
    sim.ecs.scriptTaskFailure(taskFailures.cannotPullImage("metadata/registry:2"));
    sim.ecs.stopTask({ cluster: "default", task: first, reason: "Task stopped by user" });
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    const [died = ""] = diedBeforeStarting();
    expect(died).not.toBe("");
    expect(taskIds("RUNNING")).toHaveLength(1);
    sim.clearCalls();
    const context = testContext();

    await expect(runLogs(context, logsOptions({ previous: true, since: "1h" }))).resolves.toBe(5);

    const stdout = context.captured.stdout();
    expect(tasksOf(stdout)).toEqual([first.slice(0, 8)]);
    expect(messagesOf(stdout).at(-1)).toBe("INFO  Model Catalogue is up (1 min)");
    expect(context.captured.stderr()).toBe(
      `  task ${died.slice(0, 8)} stopped before mc started (CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref docker.io/metadata/registry:2: not found): it wrote nothing\n`,
    );
    expect(filterCalls().map((call) => call.input.logStreamNames)).toEqual([[`mcctl/mc/${first}`]]);
  });

  it("--task of a task that died before its container started says it wrote nothing, reading nothing", async () => {
    const first = await deploy();
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:2"),
      times: Number.POSITIVE_INFINITY,
    });
    sim.ecs.stopTask({ cluster: "default", task: first, reason: "Task stopped by user" });
    await vi.advanceTimersByTimeAsync(45_000);
    const [died = ""] = diedBeforeStarting();
    expect(died).not.toBe("");
    sim.clearCalls();

    const context = testContext();
    await expect(runLogs(context, logsOptions({ task: died }))).resolves.toBe(0);
    expect(context.captured.stdout()).toBe("");
    expect(context.captured.stderr()).toMatch(
      new RegExp(
        `^  task ${died.slice(0, 8)} stopped before mc started \\(CannotPullContainerError: .*\\): it wrote nothing\n$`,
      ),
    );
    expect(filterCalls()).toHaveLength(0);
  });

  it("--task reads that task, by id or by ARN, stopped or running", async () => {
    const { older, running } = await crashingDeployment();

    const byId = testContext();
    await runLogs(byId, logsOptions({ task: older }));
    expect(messagesOf(byId.captured.stdout())).toEqual([
      IMAGE_LINE,
      "INFO  Connecting to the database",
      "ERROR Something older",
    ]);
    expect(tasksOf(byId.captured.stdout())).toEqual([older.slice(0, 8)]);

    const byArn = testContext();
    await runLogs(byArn, logsOptions({ task: `arn:aws:ecs:eu-west-1:123456789012:task/default/${older}` }));
    expect(byArn.captured.stdout()).toBe(byId.captured.stdout());

    const current = testContext();
    await runLogs(current, logsOptions({ task: running }));
    expect(tasksOf(current.captured.stdout())).toEqual([running.slice(0, 8)]);
    expect(messagesOf(current.captured.stdout())).not.toContain("ERROR Unable to connect to database");
  });

  it("--task of a task ECS does not know is an error naming it", async () => {
    await deploy();
    const error = await failure(
      runLogs(testContext(), logsOptions({ task: "0123456789abcdef0123456789abcdef" })),
    );
    expect(error.message).toBe("task 0123456789abcdef0123456789abcdef was not found in cluster default");
    expect(error.suggestion).toBe("`mcctl status` lists the service's tasks.");
    expect(filterCalls()).toHaveLength(0);
  });

  it("--previous without any stopped task says ECS keeps them about an hour", async () => {
    await deploy();
    const error = await failure(runLogs(testContext(), logsOptions({ previous: true })));
    expect(error.message).toBe("no stopped task of mc is known (ECS keeps stopped tasks about an hour)");
    expect(error.suggestion).toBe("Without --previous, mcctl logs reads the running tasks.");
  });
});

describe("mcctl logs refuses", () => {
  it("a revision that logs with syslog, naming the driver and suggesting register-task", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: { ...LOG_TEST_SECRETS } });
    await runService(sim, legacy.revision);

    const mc = await failure(runLogs(testContext(), logsOptions()));
    expect(mc.message).toBe(
      "model-catalogue:1 sends mc's output to syslog on the instance, not to CloudWatch Logs",
    );
    expect(mc.suggestion).toBe(
      "`mcctl register-task` moves the logs to CloudWatch Logs (then put the revision in service); until then read them on the instance over ssh.",
    );

    const es = await failure(runLogs(testContext(), logsOptions({ container: "mc-es" })));
    expect(es.message).toBe(
      "model-catalogue:1 sends mc-es's output to json-file on the instance, not to CloudWatch Logs",
    );
    expect(filterCalls()).toHaveLength(0);
  });

  it("a service that runs no task, without --follow", async () => {
    await registerModelCatalogue();
    sim.ecs.addCluster("default");
    addMcHost(sim, "default", { instanceId: "i-0123456789abcdef0" });
    sim.ecs.createService(
      mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue:1", desiredCount: 0 }),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    sim.clearCalls();

    const error = await failure(runLogs(testContext(), logsOptions()));
    expect(error.message).toBe("mc runs no task in cluster default now");
    expect(error.suggestion).toBe(
      "`mcctl logs --previous` reads the newest stopped task; `mcctl status` says why none runs.",
    );
    expect(filterCalls()).toHaveLength(0);
  });

  it("--since that is neither a duration nor a past ISO time, before any AWS call", async () => {
    await deploy();
    const garbage = await runLogs(testContext(), logsOptions({ since: "yesterday" })).catch(
      (caught: unknown) => caught,
    );
    expect(garbage).toBeInstanceOf(UsageError);
    expect((garbage as UsageError).message).toBe(
      '--since "yesterday" is neither a duration like 10m, 2h or 1d nor an ISO time like 2026-12-01T03:00:00Z',
    );
    expect((garbage as UsageError).suggestion).toBe("See `mcctl logs --help`.");

    const future = await runLogs(testContext(), logsOptions({ since: "2026-11-25T04:00:00Z" })).catch(
      (caught: unknown) => caught,
    );
    expect(future).toBeInstanceOf(UsageError);
    expect((future as UsageError).message).toBe('--since "2026-11-25T04:00:00Z" is in the future');
    expect(sim.calls).toHaveLength(0);
  });

  it("--follow with --previous or --task", async () => {
    for (const raw of [{ previous: true }, { task: "0123456789abcdef0123456789abcdef" }]) {
      const error = await runLogs(testContext(), logsOptions({ follow: true, ...raw })).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toBe(
        "--follow reads the service's running tasks: leave out --previous and --task",
      );
    }
    expect(sim.calls).toHaveLength(0);
  });

  it("fails with the translated error when CloudWatch Logs throttles a read without --follow", async () => {
    await deploy();
    sim.faults.inject({
      service: "CloudWatchLogs",
      command: "FilterLogEvents",
      error: "throttling",
      times: 1,
    });

    const error = await failure(runLogs(testContext(), logsOptions()));

    expect(error.message).toBe("AWS is throttling logs:FilterLogEvents requests");
    expect(error.suggestion).toBe("Wait a minute and run the command again.");
    expect(filterCalls()).toHaveLength(1);
  });
});

describe("mcctl logs --follow", () => {
  it("keeps printing new lines, each once, and ends cleanly on Ctrl-C with the count", async () => {
    const task = await deploy();
    const context = testContext();
    const run = follow(context);

    await run.waitFor(() => context.captured.stdout().includes("(3 min)"));
    const count = await run.stop();

    const expected = [
      line(11, task, IMAGE_LINE),
      line(13, task, "INFO  Connecting to the database"),
      line(26, task, "INFO  Connected to Elasticsearch at mc-es:9200"),
      line(53, task, "INFO  Server startup in 42000 ms"),
      line(71, task, "INFO  Model Catalogue is up (1 min)"),
      line(131, task, "INFO  Model Catalogue is up (2 min)"),
      line(191, task, "INFO  Model Catalogue is up (3 min)"),
    ];
    expect(linesOf(context.captured.stdout())).toEqual(expected);
    expect(count).toBe(expected.length);
    expect(context.captured.stderr()).toBe(`  Following ${GROUP} (Ctrl-C stops)\n⚠ Stopped following\n`);
    // The first look from --since (10 minutes), then one every --poll-interval; none after Ctrl-C.
    const calls = filterCalls();
    expect(calls[0]?.input.startTime).toBe(TEST_START + 60_000 - 10 * 60_000);
    const gaps = calls.slice(1).map((call, index) => call.at - (calls[index]?.at ?? 0));
    expect(new Set(gaps)).toEqual(new Set([5_000]));
    const stoppedAt = Date.now();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(filterCalls()).toHaveLength(calls.length);
    expect(calls.every((call) => call.at <= stoppedAt)).toBe(true);
  });

  it("picks up the new task after `mcctl restart`, waiting out the moment without one", async () => {
    const oldTask = await deploy();
    const context = testContext();
    const run = follow(context);
    await run.waitFor(() => context.captured.stdout().includes("(1 min)"));

    const restart = testContext({ options: { yes: true } });
    await runUntilSettled(runRestart(restart, RestartOptionsSchema.parse({ pollInterval: "3s" })));
    const [newTask = ""] = taskIds("RUNNING");
    expect(newTask).not.toBe(oldTask);
    await run.waitFor(() =>
      context.captured.stdout().includes(`${newTask.slice(0, 8)} INFO  Server startup`),
    );
    const count = await run.stop();

    const printed = linesOf(context.captured.stdout());
    expect(new Set(printed).size).toBe(printed.length);
    expect(count).toBe(printed.length);
    const oldLines = printed.filter((text) => text.includes(` ${oldTask.slice(0, 8)} `));
    const newLines = printed.filter((text) => text.includes(` ${newTask.slice(0, 8)} `));
    expect(messagesOf(oldLines.join("\n"))).toEqual([
      IMAGE_LINE,
      "INFO  Connecting to the database",
      "INFO  Connected to Elasticsearch at mc-es:9200",
      "INFO  Server startup in 42000 ms",
      "INFO  Model Catalogue is up (1 min)",
    ]);
    expect(messagesOf(newLines.join("\n"))).toEqual([
      IMAGE_LINE,
      "INFO  Connecting to the database",
      "INFO  Connected to Elasticsearch at mc-es:9200",
      "INFO  Server startup in 42000 ms",
    ]);
    expect(printed).toEqual([...oldLines, ...newLines]);
    // While no task ran the follow went on looking for the new one.
    const oldStopped = sim.ecs.tasks({ serviceName: "mc" }).find((task) => idOf(task.taskArn) === oldTask);
    const gap = [oldStopped?.stoppingAt?.getTime() ?? 0, oldStopped?.stoppedAt?.getTime() ?? 0];
    const during = (call: { at: number }) => call.at > (gap[0] ?? 0) + 5_000 && call.at < (gap[1] ?? 0);
    expect(
      sim.callsOf("ListTasks").filter((call) => during(call) && call.input?.serviceName === "mc").length,
    ).toBeGreaterThan(0);
    expect(context.captured.stderr()).not.toMatch(/✖|Error/);
  });

  it("keeps printing across a task that died before its container started, and prints its replacement's lines", async () => {
    const oldTask = await deploy();
    const context = testContext();
    const run = follow(context);
    await run.waitFor(() => context.captured.stdout().includes("Server startup"));

    sim.ecs.scriptTaskFailure(taskFailures.cannotPullImage("metadata/registry:2"));
    sim.ecs.stopTask({ cluster: "default", task: oldTask, reason: "Task stopped by user" });
    const replacement = () => taskIds("RUNNING").find((id) => id !== oldTask);
    const deadline = Date.now() + 5 * 60_000;
    await run.waitFor(
      () =>
        context.captured.stdout().includes(`${replacement()?.slice(0, 8)} INFO  Server startup`) ||
        Date.now() >= deadline,
    );
    await run.stop();

    const [died = ""] = diedBeforeStarting();
    expect(died).not.toBe("");
    const newTask = replacement() ?? "";
    expect(newTask).not.toBe("");
    const printed = linesOf(context.captured.stdout());
    expect(
      messagesOf(printed.filter((text) => text.includes(` ${newTask.slice(0, 8)} `)).join("\n")),
    ).toEqual([
      IMAGE_LINE,
      "INFO  Connecting to the database",
      "INFO  Connected to Elasticsearch at mc-es:9200",
      "INFO  Server startup in 42000 ms",
    ]);
    expect(printed.some((text) => text.includes(` ${died.slice(0, 8)} `))).toBe(false);
    // The stream of the task that never started was never named: CloudWatch would refuse the whole look.
    expect(filterCalls().some((call) => call.input.logStreamNames?.includes(`mcctl/mc/${died}`))).toBe(false);
    expect(rejectedForMissingStreams()).toEqual([]);
  });

  it("still prints what the replaced task wrote just before it was stopped", async () => {
    const stopping = "INFO  Stopping Model Catalogue";
    const oldTask = await deploy(() => {
      sim.ecs.scriptContainerOutput(
        "model-catalogue",
        "mc",
        ["INFO  up", { afterMs: 51_000, message: stopping }],
        {
          times: 1,
        },
      );
    });
    const context = testContext();
    const run = follow(context);
    await run.waitFor(() => context.captured.stdout().includes("INFO  up"));
    // The old task prints a line at 03:01:02 and is stopped at 03:01:03, between two looks (03:01:00, 03:01:05).
    // The line reaches CloudWatch Logs with the driver's batch of 03:01:06, while the task is STOPPING.
    await vi.advanceTimersByTimeAsync(TEST_START + 63_000 - Date.now());
    sim.ecs.stopTask({ cluster: "default", task: oldTask, reason: "Task stopped by user" });
    const newTask = () => taskIds("RUNNING").find((id) => id !== oldTask);
    await run.waitFor(() => newTask() !== undefined && context.captured.stdout().includes("Server startup"));
    await run.stop();

    expect(sim.logs.events(GROUP, `mcctl/mc/${oldTask}`).map((event) => event.message)).toEqual([
      "INFO  up",
      stopping,
    ]);
    expect(linesOf(context.captured.stdout())).toContain(line(62, oldTask, stopping));
  });

  it("with two tasks, prints a line that one task's driver shipped after a newer line of the other", async () => {
    await registerModelCatalogue();
    const started: string[] = [];
    sim.ecs.scriptContainerOutput("model-catalogue", "mc", (taskId) => {
      started.push(taskId);
      // The first task runs from 03:00:11 (batches at :16, :21, :26…), the second from 03:00:14 (:19, :24, :29…).
      return started.length === 1
        ? [{ afterMs: 14_000, message: "first task at 03:00:25" }]
        : [{ afterMs: 10_500, message: "second task at 03:00:24.5" }];
    });
    sim.ecs.addCluster("default");
    addMcHost(sim, "default", { instanceId: "i-0123456789abcdef0" });
    addMcHost(sim, "default", { instanceId: "i-0123456789abcdef1" });
    sim.ecs.createService(mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue:1" }));
    await vi.advanceTimersByTimeAsync(3_000);
    sim.ecs.updateService({ cluster: "default", service: "mc", desiredCount: 2 });
    await vi.advanceTimersByTimeAsync(TEST_START + 16_500 - Date.now());
    const context = testContext();
    const run = follow(context);

    await run.waitFor(() => Date.now() >= TEST_START + 40_000);
    await run.stop();

    const [first = "", second = ""] = started;
    // Both lines are in CloudWatch Logs: the second task's reached it at 03:00:29, after the first's (03:00:26).
    expect(sim.logs.events(GROUP, `mcctl/mc/${second}`).map((event) => event.message)).toEqual([
      "second task at 03:00:24.5",
    ]);
    expect(linesOf(context.captured.stdout()).sort()).toEqual(
      [line(24.5, second, "second task at 03:00:24.5"), line(25, first, "first task at 03:00:25")].sort(),
    );
  });

  it("started while a restart has no task running, waits for the new task instead of failing", async () => {
    const oldTask = await deploy();
    sim.ecs.stopTask({ cluster: "default", task: oldTask, reason: "Task stopped by user" });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(taskIds("RUNNING")).toEqual([]);
    const context = testContext();
    const run = follow(context);

    await run.waitFor(() => context.captured.stdout().includes("Server startup") || isSettled(run));
    const outcome = await run.stop().catch((caught: unknown) => caught);

    expect(outcome).not.toBeInstanceOf(Error);
    const [newTask = ""] = taskIds("RUNNING");
    expect(newTask).not.toBe(oldTask);
    const newLines = linesOf(context.captured.stdout()).filter((text) =>
      text.includes(` ${newTask.slice(0, 8)} `),
    );
    expect(messagesOf(newLines.join("\n"))).toEqual([
      IMAGE_LINE,
      "INFO  Connecting to the database",
      "INFO  Connected to Elasticsearch at mc-es:9200",
      "INFO  Server startup in 42000 ms",
    ]);
  });

  it("backs off when CloudWatch Logs throttles, then goes on at the poll interval", async () => {
    const task = await deploy();
    sim.faults.inject({
      service: "CloudWatchLogs",
      command: "FilterLogEvents",
      error: "throttling",
      times: 2,
    });
    const context = testContext();
    const run = follow(context);

    await run.waitFor(() => filterCalls().length >= 5);
    const count = await run.stop();

    const calls = filterCalls();
    expect(calls.slice(0, 2).every((call) => call.error !== undefined)).toBe(true);
    expect(calls.slice(2).every((call) => call.error === undefined)).toBe(true);
    const gaps = calls.slice(1, 5).map((call, index) => call.at - (calls[index]?.at ?? 0));
    expect(gaps).toEqual([10_000, 20_000, 5_000, 5_000]);
    expect(linesOf(context.captured.stdout())).toEqual([
      line(11, task, IMAGE_LINE),
      line(13, task, "INFO  Connecting to the database"),
      line(26, task, "INFO  Connected to Elasticsearch at mc-es:9200"),
      line(53, task, "INFO  Server startup in 42000 ms"),
      line(71, task, "INFO  Model Catalogue is up (1 min)"),
    ]);
    expect(count).toBe(5);
    expect(context.captured.stderr()).not.toMatch(/throttl/i);
  });

  it("stays within CloudWatch Logs' rate limit by backing off, printing every line once", async () => {
    const task = await deploy(() => {
      sim.ecs.scriptContainerOutput(
        "model-catalogue",
        "mc",
        Array.from({ length: 7 }, (_, index) => ({ afterMs: index * 1_000, message: `line ${index}` })),
      );
    });
    sim.logs.setOptions({ pageSize: 2, filterLogEventsPerSecond: 1 });
    const context = testContext();
    const run = follow(context);

    await run.waitFor(() => context.captured.stdout().includes("line 6"));
    const count = await run.stop();

    expect(linesOf(context.captured.stdout())).toEqual(
      Array.from({ length: 7 }, (_, index) => line(11 + index, task, `line ${index}`)),
    );
    expect(count).toBe(7);
    expect(
      filterCalls().some((call) => (call.error as Error | undefined)?.name === "ThrottlingException"),
    ).toBe(true);
  });

  it("prints compact JSON records with --json", async () => {
    const task = await deploy();
    const context = testContext({ json: true });
    const run = follow(context);
    await run.waitFor(() => context.captured.stdout().includes("(1 min)"));
    await run.stop();

    expect(linesOf(context.captured.stdout()).at(-1)).toBe(
      JSON.stringify({
        timestamp: at(71),
        container: "mc",
        task,
        message: "INFO  Model Catalogue is up (1 min)",
      }),
    );
  });
});
