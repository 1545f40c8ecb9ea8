import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { LogConfiguration, RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws, taskFailures } from "../../helpers/sim.js";
import { addMcHost, mcServiceInput, mcTaskDefinition } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const GROUP = "/ecs/model-catalogue";
/** Scheduler 1 s + PENDING 10 s: the containers start at T0 + 11 s. */
const STARTED = T0 + 11_000;

let sim: SimulatedAws;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws({ accountId: "111122223333" });
  sim.install();
  sim.ecs.addCluster("mc");
  addMcHost(sim, "mc");
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

/** The mc task definition with both containers on awslogs (as mcctl registers it). */
function withAwslogs(options: Record<string, string> = {}): RegisterTaskDefinitionCommandInput {
  const definition = mcTaskDefinition();
  const logConfiguration: LogConfiguration = {
    logDriver: "awslogs",
    options: {
      "awslogs-group": GROUP,
      "awslogs-region": "eu-west-1",
      "awslogs-stream-prefix": "mcctl",
      ...options,
    },
  };
  return {
    ...definition,
    containerDefinitions: definition.containerDefinitions?.map((c) => ({ ...c, logConfiguration })),
  };
}

function start(options: Record<string, string> = {}): void {
  sim.ecs.registerTaskDefinition(withAwslogs(options));
  sim.ecs.createService(mcServiceInput());
}

const taskId = (status: "RUNNING" | "STOPPED" = "RUNNING") =>
  sim.ecs.tasks({ lastStatus: status })[0]?.taskArn?.split("/").at(-1) ?? "";

const messages = (stream: string) => sim.logs.events(GROUP, stream).map((event) => event.message);

describe("awslogs: the log group", () => {
  it("a task whose log group does not exist stops before RUNNING with the agent's CannotStartContainerError", async () => {
    start();
    await vi.advanceTimersByTimeAsync(12_000);
    const [task] = sim.ecs.tasks({ lastStatus: "STOPPED" });
    expect(task).toMatchObject({
      stopCode: "TaskFailedToStart",
      stoppedReason: "Essential container in task exited",
    });
    expect(task?.startedAt).toBeUndefined();
    // mc links to mc-es, so mc-es starts first and is the one that fails; mc never starts.
    const [mc, es] = task?.containers ?? [];
    expect(es?.name).toBe("mc-es");
    // The agent keeps 255 characters: the request id is cut short, as in reported stopped tasks.
    expect(es?.reason).toMatch(
      /^CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist\.\n\tstatus code: 400, request id: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]$/,
    );
    expect(es?.reason).toHaveLength(255);
    expect(mc?.reason).toBeUndefined();
    expect(sim.logs.group(GROUP)).toBeUndefined();
  });

  it("a group created before the containers start is used; one in another region is not there", async () => {
    start();
    await vi.advanceTimersByTimeAsync(5_000);
    sim.logs.addGroup(GROUP);
    await vi.advanceTimersByTimeAsync(7_000);
    const id = taskId();
    expect(sim.logs.group(GROUP)?.streams).toEqual([`mcctl/mc-es/${id}`, `mcctl/mc/${id}`]);

    sim.ecs.registerTaskDefinition(withAwslogs({ "awslogs-region": "us-east-1" }));
    sim.ecs.updateService({ cluster: "mc", service: "mc", taskDefinition: "mc:2" });
    await vi.advanceTimersByTimeAsync(60_000);
    const failed = sim.ecs
      .tasks({ lastStatus: "STOPPED" })
      .filter((t) => t.taskDefinitionArn?.endsWith(":2"));
    expect(failed[0]?.containers?.find((c) => c.name === "mc-es")?.reason).toContain(
      "ResourceNotFoundException: The specified log group does not exist.",
    );
  });

  it('"awslogs-create-group": "true" creates the group as the containers start', async () => {
    start({ "awslogs-create-group": "true" });
    await vi.advanceTimersByTimeAsync(12_000);
    const id = taskId();
    expect(sim.logs.group(GROUP)).toMatchObject({
      creationTime: STARTED,
      retentionInDays: undefined,
      streams: [`mcctl/mc-es/${id}`, `mcctl/mc/${id}`],
    });
  });

  it("without a stream prefix each stream is named after the Docker container id", async () => {
    sim.logs.addGroup(GROUP);
    const definition = withAwslogs();
    for (const container of definition.containerDefinitions ?? []) {
      delete container.logConfiguration?.options?.["awslogs-stream-prefix"];
    }
    sim.ecs.registerTaskDefinition(definition);
    sim.ecs.createService(mcServiceInput());
    await vi.advanceTimersByTimeAsync(12_000);
    const runtimeIds = sim.ecs.tasks({ lastStatus: "RUNNING" })[0]?.containers?.map((c) => c.runtimeId ?? "");
    expect(runtimeIds?.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(sim.logs.group(GROUP)?.streams).toEqual([...(runtimeIds ?? [])].sort());
  });
});

describe("awslogs: what the containers print", () => {
  beforeEach(() => {
    sim.logs.addGroup(GROUP, { retentionInDays: 30 });
  });

  it("startup lines reach <prefix>/<container>/<task id> at their times, ingested in 5-second batches", async () => {
    start();
    await vi.advanceTimersByTimeAsync(15_000);
    // Printed from 11 s on, shipped at 16 s.
    expect(sim.logs.events(GROUP)).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    const id = taskId();
    expect(sim.logs.events(GROUP).map(({ eventId: _, ...event }) => event)).toEqual([
      {
        logStreamName: `mcctl/mc-es/${id}`,
        timestamp: STARTED,
        message:
          "[INFO ][node                     ] [mc-es] initializing ... (image metadata/registry-elasticsearch:2)",
        ingestionTime: STARTED + 5_000,
      },
      {
        logStreamName: `mcctl/mc/${id}`,
        timestamp: STARTED,
        message: "INFO  Starting Grails application (image metadata/registry:2)",
        ingestionTime: STARTED + 5_000,
      },
      {
        logStreamName: `mcctl/mc/${id}`,
        timestamp: STARTED + 2_000,
        message: "INFO  Connecting to the database",
        ingestionTime: STARTED + 5_000,
      },
      {
        logStreamName: `mcctl/mc-es/${id}`,
        timestamp: STARTED + 3_000,
        message: "[INFO ][node                     ] [mc-es] started",
        ingestionTime: STARTED + 5_000,
      },
      {
        logStreamName: `mcctl/mc-es/${id}`,
        timestamp: STARTED + 4_000,
        message: "[INFO ][gateway                  ] [mc-es] recovered [1] indices into cluster_state",
        ingestionTime: STARTED + 5_000,
      },
    ]);
  });

  it("Model Catalogue reports its startup after 42 s and then a line a minute while it runs", async () => {
    start();
    await vi.advanceTimersByTimeAsync(11_000 + 3 * 60_000 + 5_000);
    expect(messages(`mcctl/mc/${taskId()}`)).toEqual([
      "INFO  Starting Grails application (image metadata/registry:2)",
      "INFO  Connecting to the database",
      "INFO  Connected to Elasticsearch at mc-es:9200",
      "INFO  Server startup in 42000 ms",
      "INFO  Model Catalogue is up (1 min)",
      "INFO  Model Catalogue is up (2 min)",
      "INFO  Model Catalogue is up (3 min)",
    ]);
    const times = sim.logs.events(GROUP, `mcctl/mc/${taskId()}`).map((event) => event.timestamp - STARTED);
    expect(times).toEqual([0, 2_000, 15_000, 42_000, 60_000, 120_000, 180_000]);
  });

  it("a container that fails prints its last line before it exits; the task stops and its stream ends there", async () => {
    sim.ecs.scriptTaskFailure(taskFailures.essentialContainerExited("mc", 1));
    start();
    await vi.advanceTimersByTimeAsync(11_000 + 5_000 + 1_000);
    const id = taskId("STOPPED");
    const events = sim.logs.events(GROUP, `mcctl/mc/${id}`);
    expect(
      events.map((event) => [event.timestamp - STARTED, event.message, event.ingestionTime - STARTED]),
    ).toEqual([
      [0, "INFO  Starting Grails application (image metadata/registry:2)", 5_000],
      [2_000, "INFO  Connecting to the database", 5_000],
      // The driver ships what it holds when the container exits.
      [5_000, "ERROR Unable to connect to database", 5_000],
    ]);
    // mc-es runs on until the task's other containers are stopped a second later.
    expect(messages(`mcctl/mc-es/${id}`)).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(sim.logs.events(GROUP, `mcctl/mc/${id}`)).toEqual(events);
  });

  it("an out-of-memory kill prints nothing more: the stream ends with what the container printed until then", async () => {
    sim.ecs.scriptTaskFailure({ ...taskFailures.outOfMemory("mc"), afterMs: 90_000 });
    start();
    await vi.advanceTimersByTimeAsync(11_000 + 90_000 + 1_000);
    expect(messages(`mcctl/mc/${taskId("STOPPED")}`).slice(-2)).toEqual([
      "INFO  Server startup in 42000 ms",
      "INFO  Model Catalogue is up (1 min)",
    ]);
  });

  it("scripted output replaces the default: lines per task id, timed lines and a line a minute", async () => {
    const script = sim.ecs.scriptContainerOutput(
      "mc",
      "mc",
      (id) => [`INFO  task ${id}`, { afterMs: 30_000, message: "WARN  slow start" }],
      { everyMinute: (minute) => `INFO  tick ${minute}` },
    );
    sim.ecs.scriptContainerOutput("other-family", "mc", ["never"]);
    start();
    await vi.advanceTimersByTimeAsync(11_000 + 2 * 60_000 + 5_000);
    const id = taskId();
    expect(messages(`mcctl/mc/${id}`)).toEqual([
      `INFO  task ${id}`,
      "WARN  slow start",
      "INFO  tick 1",
      "INFO  tick 2",
    ]);
    expect(messages(`mcctl/mc-es/${id}`)[0]).toContain("[mc-es] initializing");
    expect({ applied: script.applied, remaining: script.remaining }).toEqual({
      applied: 1,
      remaining: Infinity,
    });
  });

  it("FilterLogEvents reads an hour of both containers page by page while the task runs", async () => {
    start();
    await vi.advanceTimersByTimeAsync(11_000 + 60 * 60_000);
    const client = new CloudWatchLogsClient({ region: "eu-west-1" });
    const pages: number[] = [];
    const read: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken }));
      pages.push(page.events?.length ?? 0);
      read.push(...(page.events?.map((event) => event.message ?? "") ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    // mc: 4 startup lines and 60 a minute; mc-es: 3 and 60 (the last minute's lines are not shipped yet).
    expect(pages).toEqual([50, 50, 25]);
    expect(read.at(-1)).toBe("INFO  Model Catalogue is up (59 min)");
    expect(sim.callsOf("FilterLogEvents").map((call) => call.input.nextToken === undefined)).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("an awsvpc task's containers start, and print, when it goes ACTIVATING", async () => {
    sim.ecs.registerTaskDefinition({ ...withAwslogs(), networkMode: "awsvpc" });
    sim.ecs.createService(mcServiceInput());
    // Scheduler 1 s, PROVISIONING 2 s, PENDING 10 s: ACTIVATING at 13 s, RUNNING at 14 s.
    await vi.advanceTimersByTimeAsync(13_500);
    expect(sim.ecs.tasks()[0]?.lastStatus).toBe("ACTIVATING");
    await vi.advanceTimersByTimeAsync(5_000);
    const first = sim.logs.events(GROUP, `mcctl/mc/${taskId()}`)[0];
    expect([first?.timestamp, first?.ingestionTime]).toEqual([T0 + 13_000, T0 + 18_000]);
  });

  it("a deleted group loses what the containers print afterwards", async () => {
    start();
    await vi.advanceTimersByTimeAsync(11_000 + 60_000);
    const id = taskId();
    sim.logs.deleteLogGroup({ logGroupName: GROUP });
    sim.logs.addGroup(GROUP);
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(sim.logs.group(GROUP)?.streams).toEqual([]);
    expect(messages(`mcctl/mc/${id}`)).toEqual([]);
  });
});
