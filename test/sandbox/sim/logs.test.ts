import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  type FilterLogEventsCommandInput,
  GetLogEventsCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  StartQueryCommand,
  TagResourceCommand,
  ThrottlingException,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws, type SimulatedAwsOptions } from "../../helpers/sim.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const ACCOUNT = "111122223333";
const GROUP = "/ecs/model-catalogue";
const GROUP_ARN = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${GROUP}`;

let sim: SimulatedAws;
let logs: CloudWatchLogsClient;

function boot(options: SimulatedAwsOptions = {}): void {
  sim?.restore();
  sim = createSimulatedAws({ accountId: ACCOUNT, ...options });
  sim.install();
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  boot();
  logs = new CloudWatchLogsClient({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** Every event FilterLogEvents returns, following nextToken; and the size of each page. */
async function filterAll(input: Omit<FilterLogEventsCommandInput, "nextToken">) {
  const pages: number[] = [];
  const messages: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ ...input, nextToken }));
    pages.push(page.events?.length ?? 0);
    messages.push(...(page.events?.map((event) => event.message ?? "") ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return { pages, messages };
}

describe("log groups", () => {
  it("creates a group that DescribeLogGroups shows with its ARN, creation time, retention and stored bytes", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP, tags: { app: "mcctl" } }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 30 }));
    sim.logs.putEvents(GROUP, "s", ["hello", "world!"]);
    const { logGroups, nextToken } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/" }),
    );
    expect(logGroups).toEqual([
      {
        logGroupName: GROUP,
        creationTime: T0,
        retentionInDays: 30,
        metricFilterCount: 0,
        arn: `${GROUP_ARN}:*`,
        storedBytes: 11,
        logGroupClass: "STANDARD",
        logGroupArn: GROUP_ARN,
      },
    ]);
    expect(nextToken).toBeUndefined();
    expect(sim.logs.group(GROUP)).toEqual({
      name: GROUP,
      arn: GROUP_ARN,
      creationTime: T0,
      retentionInDays: 30,
      kmsKeyId: undefined,
      tags: { app: "mcctl" },
      storedBytes: 11,
      streams: ["s"],
    });
  });

  it("refuses a second group of the same name, and names CloudWatch Logs does not accept", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    const again = await failure(logs.send(new CreateLogGroupCommand({ logGroupName: GROUP })));
    expect(again).toBeInstanceOf(ResourceAlreadyExistsException);
    expect((again as Error).message).toBe("The specified log group already exists");
    const message = async (logGroupName: string) => {
      const error = await failure(logs.send(new CreateLogGroupCommand({ logGroupName })));
      expect(error).toBeInstanceOf(InvalidParameterException);
      return (error as Error).message;
    };
    expect(await message("mc:prod")).toBe(
      "1 validation error detected: Value 'mc:prod' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
    );
    expect(await message("")).toBe(
      "2 validation errors detected: Value '' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; Value '' at 'logGroupName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const long = "a".repeat(513);
    expect(await message(long)).toBe(
      `1 validation error detected: Value '${long}' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512`,
    );
    expect(await message("aws/mine")).toBe("Log group names can't start with the string aws/");
    expect(sim.logs.groups()).toEqual([GROUP]);
  });

  it("pages DescribeLogGroups by prefix, 50 a page unless a smaller limit is asked for", async () => {
    for (let i = 0; i < 60; i++) sim.logs.addGroup(`/ecs/g-${String(i).padStart(2, "0")}`);
    sim.logs.addGroup("/other");
    const first = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/" }));
    expect(first.logGroups?.map((group) => group.logGroupName)).toHaveLength(50);
    const second = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/", nextToken: first.nextToken }),
    );
    expect(second.logGroups?.map((group) => group.logGroupName)).toEqual(
      Array.from({ length: 10 }, (_, i) => `/ecs/g-${50 + i}`),
    );
    expect(second.nextToken).toBeUndefined();
    const tooMany = await failure(logs.send(new DescribeLogGroupsCommand({ limit: 51 })));
    expect(tooMany).toMatchObject({
      name: "InvalidParameterException",
      message:
        "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
    });
  });

  it("deletes a group with its streams; deleting it again fails as CloudWatch Logs does", async () => {
    sim.logs.putEvents(GROUP, "s", ["one"]);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: GROUP }));
    expect(sim.logs.group(GROUP)).toBeUndefined();
    const again = await failure(logs.send(new DeleteLogGroupCommand({ logGroupName: GROUP })));
    expect(again).toBeInstanceOf(ResourceNotFoundException);
    expect((again as Error).message).toBe("The specified log group does not exist.");
  });

  it("accepts only CloudWatch Logs' retention values", async () => {
    sim.logs.addGroup(GROUP);
    const ten = await failure(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 10 })),
    );
    expect(ten).toBeInstanceOf(InvalidParameterException);
    expect((ten as Error).message).toBe(
      "1 validation error detected: Value '10' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]",
    );
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 3653 }));
    expect(sim.logs.group(GROUP)?.retentionInDays).toBe(3653);
    const missing = await failure(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: "/ecs/none", retentionInDays: 30 })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it("tags a group by its ARN without the trailing :*", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP, tags: { app: "mcctl" } }));
    await logs.send(new TagResourceCommand({ resourceArn: GROUP_ARN, tags: { env: "prod", app: "mc" } }));
    expect((await logs.send(new ListTagsForResourceCommand({ resourceArn: GROUP_ARN }))).tags).toEqual({
      app: "mc",
      env: "prod",
    });
    const wildcard = await failure(
      logs.send(new TagResourceCommand({ resourceArn: `${GROUP_ARN}:*`, tags: { env: "dev" } })),
    );
    expect(wildcard).toMatchObject({
      name: "InvalidParameterException",
      message: `Invalid resource ARN: ${GROUP_ARN}:*`,
    });
    const other = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/ecs/none`;
    expect(await failure(logs.send(new ListTagsForResourceCommand({ resourceArn: other })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe("log streams and PutLogEvents", () => {
  beforeEach(() => {
    sim.logs.addGroup(GROUP);
  });

  it("DescribeLogStreams lists by name, or by last event time newest first (not with a prefix)", async () => {
    for (const name of ["mcctl/mc/a", "mcctl/mc/b", "mcctl/mc-es/a"])
      await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: name }));
    sim.logs.putEvents(GROUP, "mcctl/mc/b", ["first"], T0 - 60_000);
    sim.logs.putEvents(GROUP, "mcctl/mc-es/a", ["later"], T0 - 1_000);
    const byName = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: GROUP, logStreamNamePrefix: "mcctl/mc/" }),
    );
    expect(byName.logStreams?.map((stream) => stream.logStreamName)).toEqual(["mcctl/mc/a", "mcctl/mc/b"]);
    const newest = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupIdentifier: GROUP_ARN,
        orderBy: "LastEventTime",
        descending: true,
      }),
    );
    expect(newest.logStreams?.[0]).toEqual({
      logStreamName: "mcctl/mc-es/a",
      creationTime: T0,
      firstEventTimestamp: T0 - 1_000,
      lastEventTimestamp: T0 - 1_000,
      lastIngestionTime: T0,
      arn: `${GROUP_ARN}:log-stream:mcctl/mc-es/a`,
      storedBytes: 0,
    });
    expect(newest.logStreams?.map((stream) => stream.logStreamName)).toEqual([
      "mcctl/mc-es/a",
      "mcctl/mc/b",
      "mcctl/mc/a",
    ]);
    const both = await failure(
      logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: GROUP,
          logStreamNamePrefix: "mcctl/",
          orderBy: "LastEventTime",
        }),
      ),
    );
    expect(both).toMatchObject({
      name: "InvalidParameterException",
      message: "Cannot order by LastEventTime with a logStreamNamePrefix.",
    });
    const again = await failure(
      logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "mcctl/mc/a" })),
    );
    expect(again).toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "The specified log stream already exists",
    });
  });

  it("PutLogEvents keeps events in order, rejects too old and too new ones, and refuses unordered batches", async () => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "s" }));
    const output = await logs.send(
      new PutLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: "s",
        logEvents: [
          { timestamp: T0 - 15 * 24 * 60 * 60_000, message: "too old" },
          { timestamp: T0 - 1_000, message: "kept" },
          { timestamp: T0 + 3 * 60 * 60_000, message: "too new" },
        ],
      }),
    );
    expect(output.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 0, tooNewLogEventStartIndex: 2 });
    expect(output.nextSequenceToken).toMatch(/^\d{56}$/);
    expect(
      sim.logs.events(GROUP).map((event) => [event.message, event.timestamp, event.ingestionTime]),
    ).toEqual([["kept", T0 - 1_000, T0]]);
    const unordered = await failure(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: "s",
          logEvents: [
            { timestamp: T0, message: "b" },
            { timestamp: T0 - 1, message: "a" },
          ],
        }),
      ),
    );
    expect(unordered).toMatchObject({
      name: "InvalidParameterException",
      message: "Log events in a single PutLogEvents request must be in chronological order.",
    });
    const noStream = await failure(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: "none",
          logEvents: [{ timestamp: T0, message: "x" }],
        }),
      ),
    );
    expect(noStream).toMatchObject({
      name: "ResourceNotFoundException",
      message: "The specified log stream does not exist.",
    });
  });
});

describe("GetLogEvents", () => {
  beforeEach(() => {
    sim.logs.putEvents(
      GROUP,
      "s",
      Array.from({ length: 120 }, (_, i) => ({ message: `line ${i}`, timestamp: T0 - 120_000 + i * 1_000 })),
    );
  });

  it("reads from the head a page at a time and hands back the same forward token at the end", async () => {
    const sizes: number[] = [];
    const read: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(
        new GetLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: "s",
          startFromHead: true,
          nextToken: token,
        }),
      );
      sizes.push(page.events?.length ?? 0);
      read.push(...(page.events?.map((event) => event.message ?? "") ?? []));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(sizes).toEqual([50, 50, 20, 0]);
    expect(read).toEqual(Array.from({ length: 120 }, (_, i) => `line ${i}`));

    sim.logs.putEvents(GROUP, "s", ["line 120"]);
    const tail = await logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "s", nextToken: token }),
    );
    expect(tail.events?.map((event) => event.message)).toEqual(["line 120"]);
  });

  it("starts at the tail by default and goes back with the backward token", async () => {
    const last = await logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "s", limit: 5 }),
    );
    expect(last.events?.map((event) => event.message)).toEqual([
      "line 115",
      "line 116",
      "line 117",
      "line 118",
      "line 119",
    ]);
    const before = await logs.send(
      new GetLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: "s",
        limit: 2,
        nextToken: last.nextBackwardToken,
      }),
    );
    expect(before.events?.map((event) => event.message)).toEqual(["line 113", "line 114"]);
    const window = await logs.send(
      new GetLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: "s",
        startTime: T0 - 10_000,
        endTime: T0 - 8_000,
      }),
    );
    expect(window.events?.map((event) => event.message)).toEqual(["line 110", "line 111"]);
    const bad = await failure(
      logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "s", nextToken: "x" })),
    );
    expect(bad).toMatchObject({
      name: "InvalidParameterException",
      message: "The specified nextToken is invalid.",
    });
  });
});

describe("FilterLogEvents", () => {
  it("interleaves the streams by timestamp, then ingestion time, with stream names and event ids", async () => {
    sim.logs.putEvents(GROUP, "mcctl/mc/1", ["mc starts"], T0 - 2_000);
    await vi.advanceTimersByTimeAsync(1_000);
    sim.logs.putEvents(GROUP, "mcctl/mc-es/1", ["es starts", "es started"], T0 - 2_000);
    sim.logs.putEvents(GROUP, "mcctl/mc/1", ["mc ready"], T0 - 1_000);
    const { events, nextToken, searchedLogStreams } = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP }),
    );
    expect(events?.map(({ eventId: _, ...event }) => event)).toEqual([
      { logStreamName: "mcctl/mc/1", timestamp: T0 - 2_000, message: "mc starts", ingestionTime: T0 },
      {
        logStreamName: "mcctl/mc-es/1",
        timestamp: T0 - 2_000,
        message: "es starts",
        ingestionTime: T0 + 1_000,
      },
      {
        logStreamName: "mcctl/mc-es/1",
        timestamp: T0 - 2_000,
        message: "es started",
        ingestionTime: T0 + 1_000,
      },
      { logStreamName: "mcctl/mc/1", timestamp: T0 - 1_000, message: "mc ready", ingestionTime: T0 + 1_000 },
    ]);
    expect(events?.map((event) => event.eventId).every((id) => /^\d{56}$/.test(id ?? ""))).toBe(true);
    expect(new Set(events?.map((event) => event.eventId)).size).toBe(4);
    expect(nextToken).toBeUndefined();
    expect(searchedLogStreams).toEqual([]);
  });

  it("matches terms (all of them), exact phrases, ?alternatives and exclusions, case-sensitively", async () => {
    sim.logs.putEvents(GROUP, "s", [
      "INFO  Starting Grails application",
      "INFO  Server startup in 42000 ms",
      "WARN  Slow query",
      "ERROR Unable to connect to database",
      "error in lower case",
    ]);
    const matching = async (filterPattern: string) =>
      (await filterAll({ logGroupName: GROUP, filterPattern })).messages;
    expect(await matching("")).toHaveLength(5);
    expect(await matching("ERROR")).toEqual(["ERROR Unable to connect to database"]);
    expect(await matching("INFO startup")).toEqual(["INFO  Server startup in 42000 ms"]);
    expect(await matching('"Server startup in"')).toEqual(["INFO  Server startup in 42000 ms"]);
    expect(await matching("?ERROR ?WARN")).toEqual([
      "WARN  Slow query",
      "ERROR Unable to connect to database",
    ]);
    expect(await matching("INFO -Grails")).toEqual(["INFO  Server startup in 42000 ms"]);
    const colon = await failure(
      logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: "ERROR:" })),
    );
    expect(colon).toMatchObject({
      name: "InvalidParameterException",
      message: "Invalid character(s) in term ':'",
    });
  });

  it("pages through every match with nextToken: `limit` events a page, or the simulator's page size", async () => {
    sim.logs.setOptions({ pageSize: 3 });
    sim.logs.putEvents(
      GROUP,
      "s",
      Array.from({ length: 8 }, (_, i) => `line ${i}`),
    );
    expect(await filterAll({ logGroupName: GROUP })).toEqual({
      pages: [3, 3, 2],
      messages: Array.from({ length: 8 }, (_, i) => `line ${i}`),
    });
    expect((await filterAll({ logGroupName: GROUP, limit: 2 })).pages).toEqual([2, 2, 2, 2]);
    const latest = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, startFromHead: false, limit: 2 }),
    );
    expect(latest.events?.map((event) => event.message)).toEqual(["line 7", "line 6"]);
  });

  it("keeps its place between pages while new events arrive", async () => {
    sim.logs.setOptions({ pageSize: 2 });
    sim.logs.putEvents(GROUP, "s", ["a", "b", "c"], T0 - 10_000);
    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }));
    await vi.advanceTimersByTimeAsync(1_000);
    sim.logs.putEvents(GROUP, "s", ["d"]);
    const second = await logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, nextToken: first.nextToken }),
    );
    expect([first, second].map((page) => page.events?.map((event) => event.message))).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(second.nextToken).toBeUndefined();
  });

  it("narrows by startTime and endTime (both included), stream names or a stream prefix, not both", async () => {
    sim.logs.putEvents(GROUP, "mcctl/mc/1", ["mc 1"], T0 - 3_000);
    sim.logs.putEvents(GROUP, "mcctl/mc/1", ["mc 2"], T0 - 2_000);
    sim.logs.putEvents(GROUP, "mcctl/mc-es/1", ["es 1"], T0 - 1_000);
    const messages = async (input: Omit<FilterLogEventsCommandInput, "logGroupName">) =>
      (await filterAll({ logGroupName: GROUP, ...input })).messages;
    expect(await messages({ startTime: T0 - 2_000, endTime: T0 - 1_000 })).toEqual(["mc 2", "es 1"]);
    expect(await messages({ logStreamNamePrefix: "mcctl/mc/" })).toEqual(["mc 1", "mc 2"]);
    expect(await messages({ logStreamNames: ["mcctl/mc-es/1"] })).toEqual(["es 1"]);
    const both = await failure(
      logs.send(
        new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: ["a"], logStreamNamePrefix: "a" }),
      ),
    );
    expect(both).toMatchObject({
      name: "InvalidParameterException",
      message: "Cannot specify both logStreamNames and logStreamNamePrefix.",
    });
    const tooMany = Array.from({ length: 101 }, (_, i) => `s${i}`);
    const listed = await failure(
      logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, logStreamNames: tooMany })),
    );
    expect((listed as Error).message).toBe(
      `1 validation error detected: Value '[${tooMany.join(", ")}]' at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to 100`,
    );
    const noGroup = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: "/ecs/none" })));
    expect(noGroup).toMatchObject({
      name: "ResourceNotFoundException",
      message: "The specified log group does not exist.",
    });
  });

  it("rejects the whole request when any one of the named streams does not exist, as CloudWatch does", async () => {
    sim.logs.putEvents(GROUP, "mcctl/mc/1", ["mc 1"], T0 - 1_000);
    sim.logs.addGroup("/ecs/empty");
    const named = (logGroupName: string, logStreamNames: string[]) =>
      failure(logs.send(new FilterLogEventsCommand({ logGroupName, logStreamNames })));

    for (const names of [["mcctl/mc/1", "mcctl/mc/2"], ["mcctl/mc/2", "mcctl/mc/1"], ["mcctl/mc/2"]]) {
      const rejected = await named(GROUP, names);
      expect(rejected).toBeInstanceOf(ResourceNotFoundException);
      expect(rejected).toMatchObject({ message: "The specified log stream does not exist." });
    }
    // A stream of another group does not count; a group that is missing is said first.
    expect(await named("/ecs/empty", ["mcctl/mc/1"])).toMatchObject({
      message: "The specified log stream does not exist.",
    });
    expect(await named("/ecs/none", ["mcctl/mc/2"])).toMatchObject({
      message: "The specified log group does not exist.",
    });
    // Once the stream exists, the same request reads both.
    sim.logs.putEvents(GROUP, "mcctl/mc/2", ["mc 2"], T0 - 500);
    expect(
      (await filterAll({ logGroupName: GROUP, logStreamNames: ["mcctl/mc/1", "mcctl/mc/2"] })).messages,
    ).toEqual(["mc 1", "mc 2"]);
  });

  it("with filterLogEventsPerSecond, throttles the calls past the quota within a second of simulated time", async () => {
    boot({ logs: { filterLogEventsPerSecond: 5 } });
    sim.logs.addGroup(GROUP);
    for (let i = 0; i < 5; i++) await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }));
    const sixth = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP })));
    expect(sixth).toBeInstanceOf(ThrottlingException);
    expect(sixth).toMatchObject({ message: "Rate exceeded", $retryable: { throttling: true } });
    await vi.advanceTimersByTimeAsync(999);
    expect(await failure(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP })))).toBeInstanceOf(
      ThrottlingException,
    );
    await vi.advanceTimersByTimeAsync(1);
    await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }));
    expect(
      sim.callsOf("FilterLogEvents").map((call) => [call.at - T0, (call.error as Error | undefined)?.name]),
    ).toEqual([
      [0, undefined],
      [0, undefined],
      [0, undefined],
      [0, undefined],
      [0, undefined],
      [0, "ThrottlingException"],
      [999, "ThrottlingException"],
      [1_000, undefined],
    ]);
  });

  it("a poller that backs off on ThrottlingException gets every page", async () => {
    boot({ logs: { filterLogEventsPerSecond: 2, pageSize: 10 } });
    sim.logs.putEvents(
      GROUP,
      "s",
      Array.from({ length: 45 }, (_, i) => `line ${i}`),
    );
    const read: string[] = [];
    let nextToken: string | undefined;
    let delay = 100;
    do {
      try {
        const page = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken }));
        read.push(...(page.events?.map((event) => event.message ?? "") ?? []));
        nextToken = page.nextToken;
        delay = 100;
      } catch (error) {
        if (!(error instanceof ThrottlingException)) throw error;
        await vi.advanceTimersByTimeAsync(delay);
        delay *= 2;
      }
    } while (nextToken);
    expect(read).toEqual(Array.from({ length: 45 }, (_, i) => `line ${i}`));
    expect(sim.callsOf("FilterLogEvents").filter((call) => call.error).length).toBeGreaterThan(0);
  });
});

describe("faults and what is not simulated", () => {
  it("named faults come as CloudWatch Logs' own exceptions", async () => {
    sim.logs.addGroup(GROUP);
    sim.faults.inject({ service: "CloudWatchLogs", command: "FilterLogEvents", error: "throttling" });
    const throttled = await failure(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP })));
    expect(throttled).toBeInstanceOf(ThrottlingException);
    sim.faults.inject({ service: "CloudWatchLogs", command: "DescribeLogStreams", error: "access-denied" });
    const denied = await failure(logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP })));
    expect(denied).toMatchObject({
      name: "AccessDeniedException",
      message: `User: arn:aws:iam::${ACCOUNT}:user/test is not authorized to perform: logs:DescribeLogStreams on resource: ${GROUP_ARN}:* because no identity-based policy allows the logs:DescribeLogStreams action`,
    });
  });

  it("commands the simulator does not implement fail loudly", async () => {
    const error = await failure(
      logs.send(
        new StartQueryCommand({
          logGroupName: GROUP,
          startTime: 0,
          endTime: 1,
          queryString: "fields @message",
        }),
      ),
    );
    expect((error as Error).message).toBe("simulated AWS does not implement CloudWatchLogs:StartQuery");
  });
});
