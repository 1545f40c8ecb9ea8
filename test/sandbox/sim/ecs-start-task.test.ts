import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  type RegisterTaskDefinitionCommandInput,
  StartTaskCommand,
  type StartTaskCommandInput,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, modelCatalogueImageSizesMiB, type SimulatedAws } from "../../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms);
const CHECK = 500;
const START = 10_000;
const ONE_OFF = 1_000;
const FAILED_STOPPING = 1_000;

let sim: SimulatedAws;
let client: ECSClient;
let first: string;
let second: string;

/** The pre-pull definition: both images, little memory, no ports. */
function prepullDefinition(tag = "2.0.12"): RegisterTaskDefinitionCommandInput {
  return {
    family: "mc-prepull",
    containerDefinitions: [
      { name: "mc", image: `metadata/registry:${tag}`, memory: 32, essential: true },
      { name: "mc-es", image: `metadata/registry-elasticsearch:${tag}`, memory: 32, essential: true },
    ],
  };
}

const oneOff = (instance: string, extra: Partial<StartTaskCommandInput> = {}): StartTaskCommandInput => ({
  cluster: "mc",
  taskDefinition: "mc-prepull",
  containerInstances: [instance],
  startedBy: "mcctl-prepull",
  overrides: {
    containerOverrides: [
      { name: "mc", command: ["true"] },
      { name: "mc-es", command: ["true"] },
    ],
  },
  tags: [{ key: "mcctl", value: "mc" }],
  ...extra,
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  client = new ECSClient({ region: "eu-west-1" });
  sim.ecs.addCluster("mc");
  first = sim.ecs.addContainerInstance("mc").containerInstanceArn ?? "";
  second = sim.ecs.addContainerInstance("mc").containerInstanceArn ?? "";
  sim.ecs.registerTaskDefinition(prepullDefinition());
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

async function describe1(taskArn: string | undefined): Promise<Task> {
  const { tasks = [] } = await client.send(
    new DescribeTasksCommand({ cluster: "mc", tasks: [taskArn ?? ""], include: ["TAGS"] }),
  );
  return tasks[0] as Task;
}

async function remainingMemory(instance: string): Promise<number | undefined> {
  const { containerInstances = [] } = await client.send(
    new DescribeContainerInstancesCommand({ cluster: "mc", containerInstances: [instance] }),
  );
  return containerInstances[0]?.remainingResources?.find((r) => r.name === "MEMORY")?.integerValue;
}

describe("StartTask", () => {
  it("places the task on exactly the named container instance, outside any service, with its overrides and tags", async () => {
    const started = await client.send(
      new StartTaskCommand(
        oneOff(second, {
          overrides: { containerOverrides: [{ name: "mc", command: ["true"], memory: 128 }] },
        }),
      ),
    );
    expect(started.failures).toEqual([]);
    const task = started.tasks?.[0];
    expect(task).toMatchObject({
      containerInstanceArn: second,
      lastStatus: "PENDING",
      desiredStatus: "RUNNING",
      group: "family:mc-prepull",
      startedBy: "mcctl-prepull",
      memory: "160",
      tags: [{ key: "mcctl", value: "mc" }],
    });
    expect(task?.overrides?.containerOverrides).toEqual([
      { name: "mc", command: ["true"], memory: 128 },
      { name: "mc-es" },
    ]);
    expect(task?.containers?.map((c) => [c.name, c.memory])).toEqual([
      ["mc", "128"],
      ["mc-es", "32"],
    ]);
    expect(await remainingMemory(second)).toBe(15360 - 160);
    expect(await remainingMemory(first)).toBe(15360);
  });

  it("a one-off command exits 0 right after it starts: EssentialContainerExited, with ECS's timestamps", async () => {
    for (const [repository, mib] of Object.entries(modelCatalogueImageSizesMiB)) {
      sim.ecs.setImageSize(repository, mib);
    }
    const started = await client.send(new StartTaskCommand(oneOff(first)));
    const arn = started.tasks?.[0]?.taskArn;
    const pulled = CHECK + 22_000;
    await vi.advanceTimersByTimeAsync(pulled + START + ONE_OFF + FAILED_STOPPING);
    const task = await describe1(arn);
    expect(task).toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      createdAt: at(0),
      pullStartedAt: at(0),
      pullStoppedAt: at(pulled),
      startedAt: at(pulled + START),
      stoppingAt: at(pulled + START + ONE_OFF),
      executionStoppedAt: at(pulled + START + ONE_OFF + FAILED_STOPPING),
      stoppedAt: at(pulled + START + ONE_OFF + FAILED_STOPPING),
    });
    expect(task.containers?.map((c) => [c.name, c.lastStatus, c.exitCode])).toEqual([
      ["mc", "STOPPED", 0],
      ["mc-es", "STOPPED", 0],
    ]);
    expect(sim.ecs.cachedImages(first)).toEqual([
      "metadata/registry:2.0.12",
      "metadata/registry-elasticsearch:2.0.12",
    ]);
    expect(sim.ecs.cachedImages(second)).toEqual([]);
    expect(await remainingMemory(first)).toBe(15360);
  });

  it("a scripted exit code is the container's exitCode", async () => {
    sim.ecs.scriptCommandExit({ match: "false", exitCode: 1, afterMs: 2_000 });
    const started = await client.send(
      new StartTaskCommand(
        oneOff(first, { overrides: { containerOverrides: [{ name: "mc", command: ["false"] }] } }),
      ),
    );
    await vi.advanceTimersByTimeAsync(START + 2_000 - 1);
    expect((await describe1(started.tasks?.[0]?.taskArn)).lastStatus).toBe("RUNNING");
    await vi.advanceTimersByTimeAsync(1 + FAILED_STOPPING);
    const task = await describe1(started.tasks?.[0]?.taskArn);
    expect(task.stopCode).toBe("EssentialContainerExited");
    // mc-es had no command of its own that ends: it is stopped with the task (SIGTERM).
    expect(task.containers?.map((c) => [c.name, c.exitCode])).toEqual([
      ["mc", 1],
      ["mc-es", 143],
    ]);
  });

  it("a container without a command override runs on", async () => {
    const started = await client.send(new StartTaskCommand(oneOff(first, { overrides: undefined })));
    await vi.advanceTimersByTimeAsync(START + 60_000);
    expect((await describe1(started.tasks?.[0]?.taskArn)).lastStatus).toBe("RUNNING");
  });

  it("StopTask stops it (UserInitiated)", async () => {
    const started = await client.send(new StartTaskCommand(oneOff(first, { overrides: undefined })));
    const arn = started.tasks?.[0]?.taskArn;
    await vi.advanceTimersByTimeAsync(2_000);
    await client.send(new StopTaskCommand({ cluster: "mc", task: arn, reason: "Pre-pull interrupted" }));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await describe1(arn)).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "UserInitiated",
      stoppedReason: "Pre-pull interrupted",
    });
  });

  it("a refused image stops it before RUNNING: TaskFailedToStart, CannotPullContainerError", async () => {
    sim.ecs.refuseImage("metadata/registry:2.0.12");
    const started = await client.send(new StartTaskCommand(oneOff(first)));
    await vi.advanceTimersByTimeAsync(CHECK + FAILED_STOPPING);
    const task = await describe1(started.tasks?.[0]?.taskArn);
    expect(task).toMatchObject({ lastStatus: "STOPPED", stopCode: "TaskFailedToStart" });
    expect(task.stoppedReason).toBe(
      "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref docker.io/metadata/registry:2.0.12: docker.io/metadata/registry:2.0.12: not found",
    );
  });

  it("after the pre-pull the service's new task only checks the registry", async () => {
    for (const [repository, mib] of Object.entries(modelCatalogueImageSizesMiB)) {
      sim.ecs.setImageSize(repository, mib);
    }
    sim.ecs.setContainerInstanceState(second, { status: "INACTIVE" });
    await client.send(new StartTaskCommand(oneOff(first)));
    await vi.advanceTimersByTimeAsync(60_000);
    const definition = mcTaskDefinition({ image: "metadata/registry:2.0.12" });
    sim.ecs.registerTaskDefinition({
      ...definition,
      containerDefinitions: definition.containerDefinitions?.map((c) =>
        c.name === "mc-es" ? { ...c, image: "metadata/registry-elasticsearch:2.0.12" } : c,
      ),
    });
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(1_000 + CHECK + START);
    const [task] = sim.ecs.tasks({ serviceName: "mc" });
    expect(task?.lastStatus).toBe("RUNNING");
  });
});

describe("StartTask failures, as ECS words them", () => {
  it("RESOURCE:MEMORY when the instance's remaining memory is too small; the other instance still gets its task", async () => {
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(1_000);
    const serviceInstance = sim.ecs.tasks({ serviceName: "mc" })[0]?.containerInstanceArn ?? "";
    const other = serviceInstance === first ? second : first;
    expect(await remainingMemory(serviceInstance)).toBe(1024);
    const started = await client.send(
      new StartTaskCommand(
        oneOff(serviceInstance, {
          containerInstances: [serviceInstance, other],
          overrides: { containerOverrides: [{ name: "mc", command: ["true"], memory: 1024 }] },
        }),
      ),
    );
    expect(started.failures).toEqual([{ arn: serviceInstance, reason: "RESOURCE:MEMORY" }]);
    expect(started.tasks?.map((t) => t.containerInstanceArn)).toEqual([other]);
  });

  it("RESOURCE:CPU", async () => {
    const started = await client.send(new StartTaskCommand(oneOff(first, { overrides: { cpu: "8192" } })));
    expect(started).toMatchObject({ tasks: [], failures: [{ arn: first, reason: "RESOURCE:CPU" }] });
  });

  it("MISSING, INACTIVE and AGENT", async () => {
    sim.ecs.setContainerInstanceState(first, { status: "INACTIVE" });
    sim.ecs.setContainerInstanceState(second, { agentConnected: false });
    const unknown = first.replace(/[0-9a-f]{32}$/, "0".repeat(32));
    const started = await client.send(
      new StartTaskCommand(oneOff(first, { containerInstances: [unknown, first, second] })),
    );
    expect(started).toEqual(
      expect.objectContaining({
        tasks: [],
        failures: [
          { arn: unknown, reason: "MISSING" },
          { arn: first, reason: "INACTIVE" },
          { arn: second, reason: "AGENT" },
        ],
      }),
    );
  });

  it("no container instances, or more than 10: InvalidParameterException", async () => {
    await expect(
      client.send(new StartTaskCommand(oneOff(first, { containerInstances: [] }))),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      client.send(new StartTaskCommand(oneOff(first, { containerInstances: Array(11).fill(first) }))),
    ).rejects.toThrow("Container instances cannot contain more than 10 elements.");
  });

  it("an unknown task definition: InvalidParameterException", async () => {
    await expect(
      client.send(new StartTaskCommand(oneOff(first, { taskDefinition: "nope" }))),
    ).rejects.toThrow("TaskDefinition not found.");
  });
});
