import { describe, expect, it, vi } from "vitest";
import { resolveAwsConfig } from "../../src/aws/config.js";
import { createLogsApi } from "../../src/aws/logs.js";
import { InterruptedError, McctlError } from "../../src/errors.js";
import { type LogSource, type ReadEvent, readLogs } from "../../src/operations/log-reader.js";
import { until } from "../helpers/logs.js";
import { TEST_START, useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();

const GROUP = "/ecs/model-catalogue";
const TASK_A = "aaaaaaaa11111111aaaaaaaa11111111";
const TASK_B = "bbbbbbbb22222222bbbbbbbb22222222";
const streamOf = (task: string) => `mcctl/mc/${task}`;
const SOURCE_A: LogSource = { group: GROUP, streams: [{ taskId: TASK_A, stream: streamOf(TASK_A) }] };
const SOURCE_AB: LogSource = {
  group: GROUP,
  streams: [
    { taskId: TASK_A, stream: streamOf(TASK_A) },
    { taskId: TASK_B, stream: streamOf(TASK_B) },
  ],
};

const logsApi = () => createLogsApi(resolveAwsConfig({ region: "eu-west-1" }));
const filterCalls = () => sim.callsOf("FilterLogEvents");
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
        return looks === 1
          ? SOURCE_A
          : { group: GROUP, streams: [SOURCE_AB.streams[1] as LogSource["streams"][0]] };
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
