import {
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, modelCatalogueImageSizesMiB, type SimulatedAws } from "../../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms);
const SCHEDULER = 1_000;
const CHECK = 500;
const START = 10_000;
/** 700 + 400 MiB at 50 MiB/s. */
const BOTH_IMAGES = 22_000;

let sim: SimulatedAws;
let client: ECSClient;
let instanceArn: string;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  client = new ECSClient({ region: "eu-west-1" });
  sim.ecs.addCluster("mc");
  instanceArn = sim.ecs.addContainerInstance("mc").containerInstanceArn ?? "";
  for (const [repository, mib] of Object.entries(modelCatalogueImageSizesMiB)) {
    sim.ecs.setImageSize(repository, mib);
  }
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

async function tasks(desiredStatus: "RUNNING" | "STOPPED"): Promise<Task[]> {
  const { taskArns = [] } = await client.send(new ListTasksCommand({ cluster: "mc", desiredStatus }));
  if (taskArns.length === 0) return [];
  return (await client.send(new DescribeTasksCommand({ cluster: "mc", tasks: taskArns }))).tasks ?? [];
}

async function onlyTask(desiredStatus: "RUNNING" | "STOPPED" = "RUNNING"): Promise<Task> {
  const found = await tasks(desiredStatus);
  expect(found).toHaveLength(1);
  return found[0] as Task;
}

/** Scales the service to 0 and back to 1 once its task has stopped; returns when the new task was placed. */
async function restart(): Promise<void> {
  await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
  await vi.advanceTimersByTimeAsync(SCHEDULER + 20_000);
  expect(await tasks("RUNNING")).toEqual([]);
  await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 1 }));
  await vi.advanceTimersByTimeAsync(SCHEDULER);
}

describe("image pulls", () => {
  it("PENDING lasts the registry check, the download of both images at the instance's speed, and the start", async () => {
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + CHECK + BOTH_IMAGES + START - 1);
    expect((await onlyTask()).lastStatus).toBe("PENDING");
    expect(sim.ecs.cachedImages(instanceArn)).toEqual([
      "metadata/registry:2",
      "metadata/registry-elasticsearch:2",
    ]);
    await vi.advanceTimersByTimeAsync(1);
    const task = await onlyTask();
    expect(task).toMatchObject({
      lastStatus: "RUNNING",
      pullStartedAt: at(SCHEDULER),
      pullStoppedAt: at(SCHEDULER + CHECK + BOTH_IMAGES),
      startedAt: at(SCHEDULER + CHECK + BOTH_IMAGES + START),
    });
    expect(task.containers?.map((c) => c.imageDigest)).toEqual([
      sim.ecs.imageDigest("metadata/registry:2"),
      sim.ecs.imageDigest("metadata/registry-elasticsearch:2"),
    ]);
  });

  it("a slower instance takes longer: size / speed", async () => {
    sim.ecs.setPullSpeed(instanceArn, 10);
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + CHECK + 110_000);
    expect((await onlyTask()).pullStoppedAt).toEqual(at(SCHEDULER + CHECK + 110_000));
  });

  it("cached images are only checked with the registry (ECS_IMAGE_PULL_BEHAVIOR=default), not downloaded again", async () => {
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + CHECK + BOTH_IMAGES + START);
    await restart();
    const placedAt = Date.now() - T0;
    await vi.advanceTimersByTimeAsync(CHECK + START);
    const task = await onlyTask();
    expect(task).toMatchObject({
      lastStatus: "RUNNING",
      pullStartedAt: at(placedAt),
      pullStoppedAt: at(placedAt + CHECK),
    });
  });

  it("a floating tag pushed anew is downloaded again; the image that did not change is not", async () => {
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + CHECK + BOTH_IMAGES + START);
    const before = sim.ecs.cachedImageDigest(instanceArn, "metadata/registry:2");
    const pushed = sim.ecs.pushImage("metadata/registry:2");
    expect(pushed).not.toBe(before);
    await restart();
    const placedAt = Date.now() - T0;
    await vi.advanceTimersByTimeAsync(CHECK + 14_000);
    const task = await onlyTask();
    expect(task.pullStoppedAt).toEqual(at(placedAt + CHECK + 14_000));
    expect(task.containers?.[0]?.imageDigest).toBe(pushed);
    expect(sim.ecs.cachedImageDigest(instanceArn, "metadata/registry:2")).toBe(pushed);
  });

  it("images of unknown size cost nothing: PENDING is the start time alone", async () => {
    const definition = mcTaskDefinition();
    sim.ecs.registerTaskDefinition({
      ...definition,
      containerDefinitions: definition.containerDefinitions?.map((c) => ({
        ...c,
        image: `example/${c.name}:1`,
      })),
    });
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + START);
    expect(await onlyTask()).toMatchObject({ lastStatus: "RUNNING", pullStoppedAt: at(SCHEDULER) });
  });
});

describe("pulls that fail", () => {
  it("a tag the registry refuses: TaskFailedToStart with the agent's CannotPullContainerError", async () => {
    sim.ecs.refuseImage("metadata/registry:2.0.11");
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ image: "metadata/registry:2.0.11" }));
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + CHECK + 1_000);
    const [task] = (await tasks("STOPPED")).filter((t) => t.lastStatus === "STOPPED");
    const reason =
      "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref docker.io/metadata/registry:2.0.11: docker.io/metadata/registry:2.0.11: not found";
    expect(task).toMatchObject({
      stopCode: "TaskFailedToStart",
      stoppedReason: reason,
      stoppingAt: at(SCHEDULER + CHECK),
    });
    expect(task?.startedAt).toBeUndefined();
    expect(task?.containers?.map((c) => [c.name, c.reason])).toEqual([
      ["mc", reason],
      ["mc-es", undefined],
    ]);
    expect(sim.ecs.cachedImages(instanceArn)).toEqual([]);
  });

  it("a refused pull of an image the host has: the cached image is used (default pull behaviour)", async () => {
    sim.ecs.preloadImage(instanceArn, "metadata/registry:2");
    sim.ecs.refuseImage("metadata/registry:2", "CannotPullContainerError: registry unavailable");
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + CHECK + 8_000 + START);
    expect((await onlyTask()).lastStatus).toBe("RUNNING");
  });

  it("a refusal can be lifted", async () => {
    const refusal = sim.ecs.refuseImage("metadata/registry:2");
    refusal.cancel();
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + CHECK + BOTH_IMAGES + START);
    expect((await onlyTask()).lastStatus).toBe("RUNNING");
  });

  it("a full disk: CannotPullContainerError … no space left on device", async () => {
    sim.ecs.setDiskFull(instanceArn);
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + CHECK + 1_000);
    const [task] = await tasks("STOPPED");
    expect(task?.stopCode).toBe("TaskFailedToStart");
    expect(task?.stoppedReason).toMatch(
      /^CannotPullContainerError: write \/var\/lib\/docker\/tmp\/GetImageBlob\d{9}: no space left on device$/,
    );
  });
});
