import { CloudWatchLogsClient, DeleteLogStreamCommand } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it, vi } from "vitest";
import { resolveAwsConfig } from "../../src/aws/config.js";
import { createLogsApi } from "../../src/aws/logs.js";
import { InterruptedError, McctlError } from "../../src/errors.js";
import {
  type LogSource,
  type LogStream,
  lastLogLines,
  type ReadEvent,
  readLogs,
} from "../../src/queries/log-reader.js";
import { until } from "../helpers/logs.js";
import { TEST_START, useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();

const GROUP = "/ecs/model-catalogue";
const TASK_A = "aaaaaaaa11111111aaaaaaaa11111111";
const TASK_B = "bbbbbbbb22222222bbbbbbbb22222222";
const streamOf = (task: string) => `mcctl/mc/${task}`;
/** The stream of a task whose container has started (or, with `start`, not yet or never). */
const streamEntry = (task: string, start: LogStream["start"] = "started"): LogStream => ({
  taskId: task,
  stream: streamOf(task),
  start,
});
const SOURCE_A: LogSource = { group: GROUP, streams: [streamEntry(TASK_A)] };
const SOURCE_AB: LogSource = { group: GROUP, streams: [streamEntry(TASK_A), streamEntry(TASK_B)] };

/** The stream of a task whose container has started and written nothing yet. */
const createStream = (task: string) =>
  sim.logs.createLogStream({ logGroupName: GROUP, logStreamName: streamOf(task) });

const logsApi = () => createLogsApi(resolveAwsConfig({ region: "eu-west-1" }));
const filterCalls = () => sim.callsOf("FilterLogEvents");
const describeCalls = () => sim.callsOf("DescribeLogStreams");
const gapsOf = (calls: readonly { at: number }[]) =>
  calls.slice(1).map((call, index) => call.at - (calls[index]?.at ?? 0));

/** readLogs with its events collected; `stop()` aborts and resolves with what readLogs resolved with. */
function reader(
  request: Partial<Parameters<typeof readLogs>[1]> & { source: () => Promise<LogSource> },
  options: { follow?: boolean } = {},
) {
  const controller = new AbortController();
  const events: ReadEvent[] = [];
  const reading = readLogs(
    logsApi(),
    {
      startTime: TEST_START - 60 * 60_000,
      follow: options.follow ?? true,
      intervalMs: 5_000,
      signal: controller.signal,
      ...request,
    },
    (event) => events.push(event),
  );
  reading.catch(() => {});
  return {
    events,
    messages: () => events.map((event) => event.message),
    reading,
    controller,
    waitFor: (condition: () => boolean) => runUntilSettled(until(condition)),
    stop: async (reason?: unknown) => {
      controller.abort(reason);
      return runUntilSettled(reading);
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("readLogs", () => {
  it("pages through FilterLogEvents and hands over every event once, in time order, with its task", async () => {
    sim.logs.addGroup(GROUP);
    sim.logs.putEvents(GROUP, streamOf(TASK_A), [
      { message: "a1", timestamp: TEST_START - 50_000 },
      { message: "a2", timestamp: TEST_START - 30_000 },
      { message: "a3", timestamp: TEST_START - 10_000 },
    ]);
    sim.logs.putEvents(GROUP, streamOf(TASK_B), [
      { message: "b1", timestamp: TEST_START - 40_000 },
      { message: "b2", timestamp: TEST_START - 20_000 },
    ]);
    sim.logs.putEvents(GROUP, "mcctl/mc-es/elsewhere", ["not asked for"], TEST_START - 15_000);
    sim.logs.setOptions({ pageSize: 2 });

    const events: ReadEvent[] = [];
    const count = await readLogs(
      logsApi(),
      { source: async () => SOURCE_AB, startTime: TEST_START - 45_000, follow: false, intervalMs: 5_000 },
      (event) => events.push(event),
    );

    expect(count).toBe(4);
    expect(
      events.map(({ message, taskId, stream, timestamp }) => ({ message, taskId, stream, timestamp })),
    ).toEqual([
      { message: "b1", taskId: TASK_B, stream: streamOf(TASK_B), timestamp: TEST_START - 40_000 },
      { message: "a2", taskId: TASK_A, stream: streamOf(TASK_A), timestamp: TEST_START - 30_000 },
      { message: "b2", taskId: TASK_B, stream: streamOf(TASK_B), timestamp: TEST_START - 20_000 },
      { message: "a3", taskId: TASK_A, stream: streamOf(TASK_A), timestamp: TEST_START - 10_000 },
    ]);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(4);
    const calls = filterCalls();
    expect(calls.map((call) => call.input.nextToken === undefined)).toEqual([true, false]);
    expect(calls.every((call) => call.input.startTime === TEST_START - 45_000)).toBe(true);
    expect(calls[0]?.input.logStreamNames).toEqual([streamOf(TASK_A), streamOf(TASK_B)]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes the filter pattern on every page", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["ERROR one", "INFO two", "ERROR three", "ERROR four"]);
    sim.logs.setOptions({ pageSize: 2 });
    const events: ReadEvent[] = [];
    await readLogs(
      logsApi(),
      {
        source: async () => SOURCE_A,
        startTime: 0,
        filterPattern: '"ERROR"',
        follow: false,
        intervalMs: 5_000,
      },
      (event) => events.push(event),
    );
    expect(events.map((event) => event.message)).toEqual(["ERROR one", "ERROR three", "ERROR four"]);
    expect(filterCalls().map((call) => call.input.filterPattern)).toEqual(['"ERROR"', '"ERROR"']);
  });

  it("without follow fails on a log group that does not exist", async () => {
    const error = await failure(
      readLogs(
        logsApi(),
        { source: async () => SOURCE_A, startTime: 0, follow: false, intervalMs: 5_000 },
        () => {},
      ),
    );
    expect(error.message).toMatch(
      /^logs:FilterLogEvents failed.*ResourceNotFoundException: The specified log group does not exist\.$/,
    );
  });
});

describe("readLogs following", () => {
  it("looks again every interval from the newest event: never twice, but a new event at that same time", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["first", "second"], TEST_START - 1_000);
    const read = reader({ source: async () => SOURCE_A });
    await read.waitFor(() => read.events.length === 2);

    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["late, same millisecond"], TEST_START - 1_000);
    await vi.advanceTimersByTimeAsync(5_000);
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["next"], TEST_START + 5_000);
    await vi.advanceTimersByTimeAsync(15_000);
    const count = await read.stop();

    expect(read.messages()).toEqual(["first", "second", "late, same millisecond", "next"]);
    expect(count).toBe(4);
    expect(filterCalls()[0]?.input.startTime).toBe(TEST_START - 60 * 60_000);
    expect(gapsOf(filterCalls())).toEqual([5_000, 5_000, 5_000, 5_000]);
  });

  it("prints an event of another stream that arrives after a newer one, though its time is older", async () => {
    // Each container's awslogs driver ships in its own 5-second batches: arrival order is not time order.
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["A at +2s"], TEST_START + 2_000);
    createStream(TASK_B);
    const read = reader({ source: async () => SOURCE_AB });
    await read.waitFor(() => read.events.length === 1);
    sim.logs.putEvents(GROUP, streamOf(TASK_B), ["B at +1s, shipped later"], TEST_START + 1_000);
    await vi.advanceTimersByTimeAsync(10_000);
    await read.stop();

    expect(filterCalls().length).toBeGreaterThanOrEqual(3);
    expect(read.messages()).toEqual(["A at +2s", "B at +1s, shipped later"]);
  });

  it("asks for the source before every look, so new tasks' streams are read besides the old ones'", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["from A"], TEST_START);
    sim.logs.putEvents(GROUP, streamOf(TASK_B), ["from B"], TEST_START + 1);
    let looks = 0;
    const read = reader({
      source: async () => {
        looks += 1;
        return looks === 1 ? SOURCE_A : { group: GROUP, streams: [streamEntry(TASK_B)] };
      },
    });
    await read.waitFor(() => read.events.length === 2);
    await read.stop();
    expect(read.events.map((event) => [event.message, event.taskId])).toEqual([
      ["from A", TASK_A],
      ["from B", TASK_B],
    ]);
    // A stopped task's stream is still read: its last lines may arrive after it was replaced.
    expect(filterCalls().map((call) => call.input.logStreamNames)).toEqual([
      [streamOf(TASK_A)],
      [streamOf(TASK_A), streamOf(TASK_B)],
    ]);
  });

  it("waits out a moment without any running task, reading on the streams it knows meanwhile", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["before"], TEST_START);
    createStream(TASK_B);
    let looks = 0;
    const read = reader({
      source: async () => {
        looks += 1;
        if (looks >= 2 && looks <= 4) throw new McctlError("mc runs no task in cluster default now");
        return SOURCE_AB;
      },
    });
    await read.waitFor(() => looks === 3);
    sim.logs.putEvents(GROUP, streamOf(TASK_B), ["after"], Date.now());
    await read.waitFor(() => read.events.length === 2);
    await read.stop();

    expect(read.messages()).toEqual(["before", "after"]);
    // "after" is read at the look that follows its arrival, though no task ran then.
    expect(looks).toBe(4);
    expect(filterCalls()).toHaveLength(4);
  });

  it("ends with the source's other errors", async () => {
    let looks = 0;
    const read = reader({
      source: async () => {
        looks += 1;
        if (looks === 2) throw new McctlError("model-catalogue:2 has no container named mc");
        return SOURCE_A;
      },
    });
    sim.logs.addGroup(GROUP);
    const error = await failure(runUntilSettled(read.reading));
    expect(error.message).toBe("model-catalogue:2 has no container named mc");
  });

  it("without follow, a moment without a running task is the error", async () => {
    const error = await failure(
      readLogs(
        logsApi(),
        {
          source: async () => {
            throw new McctlError("mc runs no task in cluster default now");
          },
          startTime: 0,
          follow: false,
          intervalMs: 5_000,
        },
        () => {},
      ),
    );
    expect(error.message).toBe("mc runs no task in cluster default now");
    expect(filterCalls()).toHaveLength(0);
  });

  it("waits for a log group or stream that does not exist yet, at the poll interval", async () => {
    const read = reader({ source: async () => SOURCE_A });
    await read.waitFor(() => filterCalls().length === 2);
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["finally"], Date.now());
    await read.waitFor(() => read.events.length === 1);
    await read.stop();

    expect(read.messages()).toEqual(["finally"]);
    expect(
      filterCalls()
        .slice(0, 2)
        .every((call) => (call.error as Error)?.name === "ResourceNotFoundException"),
    ).toBe(true);
    expect(gapsOf(filterCalls())).toEqual([5_000, 5_000]);
  });

  it("backs off while throttled, doubling the pause up to 30 s, and goes back to the interval after a good look", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["kept"], TEST_START);
    sim.faults.inject({
      service: "CloudWatchLogs",
      command: "FilterLogEvents",
      error: "throttling",
      times: 5,
    });
    const read = reader({ source: async () => SOURCE_A });

    await read.waitFor(() => filterCalls().length === 7);
    const count = await read.stop();

    expect(filterCalls().map((call) => call.error !== undefined)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(gapsOf(filterCalls())).toEqual([10_000, 20_000, 30_000, 30_000, 30_000, 5_000]);
    expect(read.messages()).toEqual(["kept"]);
    expect(count).toBe(1);
  });

  it("counts LimitExceededException as throttling too", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["kept"], TEST_START);
    sim.faults.inject({
      service: "CloudWatchLogs",
      command: "FilterLogEvents",
      error: () =>
        Object.assign(new Error("Resource limit exceeded."), {
          name: "LimitExceededException",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
        }),
      times: 1,
    });
    const read = reader({ source: async () => SOURCE_A });
    await read.waitFor(() => read.events.length === 1);
    await read.stop();
    expect(gapsOf(filterCalls())).toEqual([10_000]);
  });

  it("goes on after a look throttled between pages, printing every event once", async () => {
    sim.logs.putEvents(
      GROUP,
      streamOf(TASK_A),
      ["e1", "e2", "e3", "e4", "e5"].map((message, index) => ({
        message,
        timestamp: TEST_START - 5_000 + index,
      })),
    );
    sim.logs.setOptions({ pageSize: 2, filterLogEventsPerSecond: 1 });
    const read = reader({ source: async () => SOURCE_A });

    await read.waitFor(() => read.events.length === 5);
    await read.stop();

    expect(read.messages()).toEqual(["e1", "e2", "e3", "e4", "e5"]);
    const throttled = filterCalls().filter(
      (call) => (call.error as Error | undefined)?.name === "ThrottlingException",
    );
    expect(throttled.length).toBeGreaterThan(0);
  });

  it("ends with any other AWS error", async () => {
    sim.faults.inject({
      service: "CloudWatchLogs",
      command: "FilterLogEvents",
      error: "access-denied",
      times: 1,
    });
    const read = reader({ source: async () => SOURCE_A });
    const error = await failure(runUntilSettled(read.reading));
    expect(error.message).toMatch(/^AWS denied logs:FilterLogEvents/);
    expect(filterCalls()).toHaveLength(1);
  });

  it("ends cleanly when the signal aborts, resolving with the count and looking no more", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["one", "two"], TEST_START);
    const read = reader({ source: async () => SOURCE_A });
    await read.waitFor(() => filterCalls().length === 3);

    await expect(read.stop()).resolves.toBe(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(filterCalls()).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends cleanly when aborted with the interrupt trap's InterruptedError, and when aborted before it slept", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["one"], TEST_START);
    const trapped = reader({ source: async () => SOURCE_A });
    await trapped.waitFor(() => trapped.events.length === 1);
    await expect(trapped.stop(new InterruptedError("interrupted (Ctrl-C)"))).resolves.toBe(1);

    const controller = new AbortController();
    controller.abort();
    await expect(
      readLogs(
        logsApi(),
        {
          source: async () => SOURCE_A,
          startTime: 0,
          follow: true,
          intervalMs: 5_000,
          signal: controller.signal,
        },
        () => {},
      ),
    ).resolves.toBe(1);
  });
});

describe("readLogs and streams that do not exist", () => {
  const TASK_C = "cccccccc33333333cccccccc33333333";
  const refusals = () =>
    filterCalls().filter(
      (call) => (call.error as Error | undefined)?.message === "The specified log stream does not exist.",
    );

  it("names only the streams of containers that have started, and reads nothing while none has", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["from A"], TEST_START);
    sim.logs.putEvents(GROUP, "mcctl/mc/elsewhere", ["not asked for"], TEST_START);
    const source: LogSource = {
      group: GROUP,
      streams: [streamEntry(TASK_A), streamEntry(TASK_B, "starting"), streamEntry(TASK_C, "never")],
    };
    const events: ReadEvent[] = [];
    const read = (from: LogSource) =>
      readLogs(
        logsApi(),
        { source: async () => from, startTime: 0, follow: false, intervalMs: 5_000 },
        (event) => events.push(event),
      );

    await expect(read(source)).resolves.toBe(1);
    expect(filterCalls().map((call) => call.input.logStreamNames)).toEqual([[streamOf(TASK_A)]]);

    // No stream to name: no call at all, rather than FilterLogEvents without names (the whole group).
    const notYet: LogSource = { group: GROUP, streams: [streamEntry(TASK_B, "starting")] };
    await expect(read(notYet)).resolves.toBe(0);
    expect(filterCalls()).toHaveLength(1);
    expect(events.map((event) => event.message)).toEqual(["from A"]);
    expect(describeCalls()).toHaveLength(0);
  });

  it("following, reads a starting task's stream from the look at which its container has started", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["from A"], TEST_START);
    let looks = 0;
    const read = reader({
      source: async () => {
        looks += 1;
        return {
          group: GROUP,
          streams: [streamEntry(TASK_A), streamEntry(TASK_B, looks < 3 ? "starting" : "started")],
        };
      },
    });
    await read.waitFor(() => looks === 2);
    sim.logs.putEvents(GROUP, streamOf(TASK_B), ["from B"], Date.now());
    await read.waitFor(() => read.events.length === 2);
    await read.stop();

    expect(read.messages()).toEqual(["from A", "from B"]);
    expect(filterCalls().map((call) => call.input.logStreamNames)).toEqual([
      [streamOf(TASK_A)],
      [streamOf(TASK_A)],
      [streamOf(TASK_A), streamOf(TASK_B)],
    ]);
    expect(refusals()).toEqual([]);
  });

  it("refused for a started task's stream that does not exist, reads the others, and looks for it while the task runs", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["from A"], TEST_START);
    let looks = 0;
    const read = reader({
      source: async () => {
        looks += 1;
        return SOURCE_AB;
      },
    });
    await read.waitFor(() => looks === 3);
    sim.logs.putEvents(GROUP, streamOf(TASK_B), ["from B"], Date.now());
    await read.waitFor(() => read.events.length === 2);
    await read.stop();

    expect(read.messages()).toEqual(["from A", "from B"]);
    // The first look is refused, finds B missing (A and B were both unknown) and reads A alone.
    expect(filterCalls().map((call) => [call.input.logStreamNames, call.error !== undefined])).toEqual([
      [[streamOf(TASK_A), streamOf(TASK_B)], true],
      [[streamOf(TASK_A)], false],
      [[streamOf(TASK_A)], false],
      [[streamOf(TASK_A)], false],
      [[streamOf(TASK_A), streamOf(TASK_B)], false],
    ]);
    // Then B alone is looked for at each look, by its exact name, until it is there.
    expect(describeCalls().map((call) => call.input.logStreamNamePrefix)).toEqual([
      streamOf(TASK_A),
      streamOf(TASK_B),
      streamOf(TASK_B),
      streamOf(TASK_B),
      streamOf(TASK_B),
    ]);
    expect(describeCalls().every((call) => call.input.limit === 1)).toBe(true);
  });

  it("forgets a missing stream once its task is gone, and asks no more about it", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["from A"], TEST_START);
    let looks = 0;
    const read = reader({
      source: async () => {
        looks += 1;
        return looks === 1 ? SOURCE_AB : SOURCE_A;
      },
    });
    await read.waitFor(() => looks === 4);
    await read.stop();

    expect(refusals()).toHaveLength(1);
    expect(
      filterCalls()
        .slice(1)
        .map((call) => call.input.logStreamNames),
    ).toEqual([[streamOf(TASK_A)], [streamOf(TASK_A)], [streamOf(TASK_A)], [streamOf(TASK_A)]]);
    // Both streams were asked about at the first look, none afterwards.
    expect(describeCalls().map((call) => call.input.logStreamNamePrefix)).toEqual([
      streamOf(TASK_A),
      streamOf(TASK_B),
    ]);
  });

  it("without follow, refused for a missing stream, reads the others once more", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["a1", "a2"], TEST_START - 1_000);
    const events: ReadEvent[] = [];
    const count = await readLogs(
      logsApi(),
      { source: async () => SOURCE_AB, startTime: 0, follow: false, intervalMs: 5_000 },
      (event) => events.push(event),
    );

    expect(count).toBe(2);
    expect(events.map((event) => event.message)).toEqual(["a1", "a2"]);
    expect(filterCalls().map((call) => call.input.logStreamNames)).toEqual([
      [streamOf(TASK_A), streamOf(TASK_B)],
      [streamOf(TASK_A)],
    ]);
  });

  it("asks first about the streams it never read from, then about the others", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["from A"], TEST_START);
    createStream(TASK_B);
    const read = reader({ source: async () => SOURCE_AB });
    await read.waitFor(() => read.events.length === 1);
    // A's stream is deleted behind the reader's back: B, never read from, is asked about first.
    await runUntilSettled(
      new CloudWatchLogsClient({ region: "eu-west-1" }).send(
        new DeleteLogStreamCommand({ logGroupName: GROUP, logStreamName: streamOf(TASK_A) }),
      ),
    );
    sim.logs.putEvents(GROUP, streamOf(TASK_B), ["from B"], Date.now());
    await read.waitFor(() => read.events.length === 2);
    await read.stop();

    expect(read.messages()).toEqual(["from A", "from B"]);
    expect(describeCalls().map((call) => call.input.logStreamNamePrefix)).toEqual([
      streamOf(TASK_B),
      streamOf(TASK_A),
    ]);
    expect(filterCalls().at(-1)?.input.logStreamNames).toEqual([streamOf(TASK_B)]);
  });

  it("ends with DescribeLogStreams' error when it may not be asked, instead of going silent", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["from A"], TEST_START);
    sim.faults.inject({
      service: "CloudWatchLogs",
      command: "DescribeLogStreams",
      error: "access-denied",
      times: 1,
    });
    const read = reader({ source: async () => SOURCE_AB });
    const error = await failure(runUntilSettled(read.reading));
    expect(error.message).toMatch(/^AWS denied logs:DescribeLogStreams/);
  });
});

describe("lastLogLines", () => {
  const where = { group: GROUP, stream: streamOf(TASK_A), startTime: TEST_START - 60_000 };

  it("gives the newest lines, oldest first, reading back from the newest a page at a time", async () => {
    const lines = Array.from({ length: 100 }, (_, index) => `line ${index + 1}`);
    sim.logs.putEvents(GROUP, streamOf(TASK_A), lines, TEST_START - 1_000);
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["last"], TEST_START);
    sim.logs.setOptions({ pageSize: 3 });

    const last = await lastLogLines(logsApi(), where, 7);

    expect(last?.map((event) => event.message)).toEqual([...lines.slice(-6), "last"]);
    expect(filterCalls().map((call) => [call.input.startFromHead, call.input.limit])).toEqual([
      [false, 7],
      [false, 4],
      [false, 1],
    ]);
  });

  it("gives what there is of a short stream, and nothing before startTime", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["too old"], TEST_START - 120_000);
    sim.logs.putEvents(GROUP, streamOf(TASK_A), ["one", "two"], TEST_START);
    const last = await lastLogLines(logsApi(), where, 20);
    expect(last?.map((event) => event.message)).toEqual(["one", "two"]);
    expect(filterCalls()).toHaveLength(1);
  });

  it("reads a bounded number of pages", async () => {
    sim.logs.putEvents(
      GROUP,
      streamOf(TASK_A),
      Array.from({ length: 100 }, (_, index) => `line ${index}`),
    );
    sim.logs.setOptions({ pageSize: 1 });
    const last = await lastLogLines(logsApi(), where, 20);
    expect(last).toHaveLength(10);
    expect(filterCalls()).toHaveLength(10);
  });

  it("is undefined for a stream that does not exist: the container never started", async () => {
    sim.logs.putEvents(GROUP, streamOf(TASK_B), ["another task"]);
    await expect(lastLogLines(logsApi(), where, 20)).resolves.toBeUndefined();
    expect(describeCalls().map((call) => call.input.logStreamNamePrefix)).toEqual([streamOf(TASK_A)]);
  });

  it("fails with FilterLogEvents' error for a group that does not exist", async () => {
    const error = await failure(lastLogLines(logsApi(), where, 20));
    expect(error.message).toMatch(
      /^logs:FilterLogEvents failed.*ResourceNotFoundException: The specified log group does not exist\.$/,
    );
  });
});
