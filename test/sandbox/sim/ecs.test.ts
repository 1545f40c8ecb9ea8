import { readFileSync } from "node:fs";
import {
  ClientException,
  ClusterNotFoundException,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListTasksCommand,
  type RegisterTaskDefinitionCommandInput,
  type Resource,
  ServiceNotActiveException,
  ServiceNotFoundException,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws, taskFailures } from "../../helpers/sim.js";
import { mcServiceInput, mcTaskDefinition, seedMcCluster } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms);

let sim: SimulatedAws;
let client: ECSClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  client = new ECSClient({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

async function service(name = "mc", cluster = "mc") {
  const { services } = await client.send(new DescribeServicesCommand({ cluster, services: [name] }));
  const found = services?.[0];
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

async function onlyTask(desiredStatus: "RUNNING" | "STOPPED" = "RUNNING", cluster = "mc") {
  const { taskArns = [] } = await client.send(new ListTasksCommand({ cluster, desiredStatus }));
  expect(taskArns).toHaveLength(1);
  const { tasks = [] } = await client.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
  const [task] = tasks;
  if (!task) throw new Error("no task");
  return task;
}

async function remaining(cluster = "mc") {
  const { containerInstanceArns = [] } = await client.send(new ListContainerInstancesCommand({ cluster }));
  const { containerInstances = [] } = await client.send(
    new DescribeContainerInstancesCommand({ cluster, containerInstances: containerInstanceArns.slice(0, 1) }),
  );
  const resources = containerInstances[0]?.remainingResources ?? [];
  const find = (name: string): Resource | undefined => resources.find((r) => r.name === name);
  return {
    cpu: find("CPU")?.integerValue,
    memory: find("MEMORY")?.integerValue,
    ports: find("PORTS")?.stringSetValue,
    runningTasksCount: containerInstances[0]?.runningTasksCount,
    pendingTasksCount: containerInstances[0]?.pendingTasksCount,
  };
}

const messages = async (name = "mc") => (await service(name)).events?.map((e) => e.message) ?? [];

/** Default timings: the scheduler acts 1 s after an API call; DescribeServices counts trail the tasks by 1 s. */
const SCHEDULER = 1_000;
const LAG = 1_000;

/** The mc task definition in another network mode (awsvpc: no host port of its own, as ECS requires). */
function inNetworkMode(networkMode: "bridge" | "host" | "awsvpc"): RegisterTaskDefinitionCommandInput {
  const definition = mcTaskDefinition();
  return {
    ...definition,
    networkMode,
    containerDefinitions: definition.containerDefinitions?.map((container) =>
      networkMode === "awsvpc" && container.portMappings
        ? { ...container, portMappings: [{ containerPort: 8080, protocol: "tcp" }] }
        : container,
    ),
  };
}

describe("task lifecycle", () => {
  it.each([
    ["no networkMode (bridge, the default on EC2)", undefined],
    ["bridge", "bridge"],
    ["host", "host"],
  ] as const)(
    "%s: PENDING → RUNNING, never PROVISIONING; placed a scheduler delay after CreateService",
    async (_name, networkMode) => {
      sim.ecs.addCluster("mc");
      sim.ecs.addContainerInstance("mc");
      sim.ecs.registerTaskDefinition(networkMode ? inNetworkMode(networkMode) : mcTaskDefinition());
      const statuses = new Set<string>();
      const look = async () => {
        const task = await onlyTask();
        statuses.add(task.lastStatus ?? "");
        return task;
      };
      await client.send(new CreateServiceCommand(mcServiceInput()));

      expect(sim.ecs.tasks()).toEqual([]); // nothing is placed inside the call
      await vi.advanceTimersByTimeAsync(SCHEDULER - 1);
      expect(sim.ecs.tasks()).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect((await look()).lastStatus).toBe("PENDING");
      await vi.advanceTimersByTimeAsync(9_999);
      expect((await look()).lastStatus).toBe("PENDING");
      await vi.advanceTimersByTimeAsync(1);
      const task = await look();
      expect([...statuses]).toEqual(["PENDING", "RUNNING"]);
      expect(task).toMatchObject({
        lastStatus: "RUNNING",
        desiredStatus: "RUNNING",
        createdAt: at(1_000),
        pullStartedAt: at(1_000),
        pullStoppedAt: at(1_000), // images of unknown size take no time; starting the containers takes pendingMs
        startedAt: at(11_000),
        group: "service:mc",
        launchType: "EC2",
        cpu: "3072",
        memory: "14336",
      });
      expect(task.taskArn).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:task\/mc\/[0-9a-f]{32}$/);
      expect(task.containers?.map((c) => [c.name, c.lastStatus])).toEqual([
        ["mc", "RUNNING"],
        ["mc-es", "RUNNING"],
      ]);
      if (networkMode !== "host") {
        expect(task.containers?.[0]?.networkBindings).toEqual([
          { bindIP: "0.0.0.0", containerPort: 8080, hostPort: 80, protocol: "tcp" },
        ]);
      }
    },
  );

  it("awsvpc: PROVISIONING → PENDING → ACTIVATING → RUNNING, and STOPPING → DEPROVISIONING → STOPPED", async () => {
    sim.ecs.addCluster("mc");
    sim.ecs.addContainerInstance("mc");
    sim.ecs.registerTaskDefinition(inNetworkMode("awsvpc"));
    await client.send(new CreateServiceCommand(mcServiceInput()));
    const seen: Array<[number, string | undefined]> = [];
    const step = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      seen.push([Date.now() - T0, sim.ecs.tasks()[0]?.lastStatus]);
    };
    await step(SCHEDULER); // 1 s
    await step(1_999);
    await step(1); // 3 s: interface attached
    await step(10_000); // 13 s: pulled and started
    await step(1_000); // 14 s: networking configured
    const running = await onlyTask();
    expect(running).toMatchObject({ createdAt: at(1_000), pullStartedAt: at(3_000), startedAt: at(14_000) });

    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
    await step(SCHEDULER); // 15 s: the scheduler stops it
    await step(20_000); // 35 s: containers gone, the interface not yet
    expect((await remaining()).memory).toBe(1024); // still held while DEPROVISIONING
    await step(2_000); // 37 s
    expect(seen).toEqual([
      [1_000, "PROVISIONING"],
      [2_999, "PROVISIONING"],
      [3_000, "PENDING"],
      [13_000, "ACTIVATING"],
      [14_000, "RUNNING"],
      [15_000, "STOPPING"],
      [35_000, "DEPROVISIONING"],
      [37_000, "STOPPED"],
    ]);
    expect(await onlyTask("STOPPED")).toMatchObject({
      stoppingAt: at(15_000),
      executionStoppedAt: at(35_000),
      stoppedAt: at(37_000),
    });
    expect((await remaining()).memory).toBe(15360);
  });

  it("processes a long gap event by event, so timestamps are those of each transition", async () => {
    seedMcCluster(sim);
    const created = await client.send(new CreateServiceCommand(mcServiceInput()));
    // Like real ECS, the CreateService response is the service before the scheduler acted.
    expect(created.service).toMatchObject({ runningCount: 0, pendingCount: 0, events: [] });

    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const svc = await service();
    const deployment = svc.deployments?.[0];
    expect(svc).toMatchObject({ status: "ACTIVE", desiredCount: 1, runningCount: 1, pendingCount: 0 });
    expect(deployment).toMatchObject({
      status: "PRIMARY",
      rolloutState: "COMPLETED",
      rolloutStateReason: `ECS deployment ${deployment?.id} completed.`,
      runningCount: 1,
      failedTasks: 0,
      updatedAt: at(11_000),
    });
    expect(deployment?.id).toMatch(/^ecs-svc\/\d{19}$/);
    const taskId = (await onlyTask()).taskArn?.split("/").pop();
    expect(svc.events?.map((e) => [e.createdAt, e.message])).toEqual([
      [at(11_000), "(service mc) has reached a steady state."],
      [at(11_000), `(service mc) (deployment ${deployment?.id}) deployment completed.`],
      [at(1_000), `(service mc) has started 1 tasks: (task ${taskId}).`],
    ]);
  });

  it("honours per-test timings, down to a scheduler without delay and counts without lag", async () => {
    sim.ecs.setTimings({ pendingMs: 1_000, stoppingMs: 5_000, schedulerDelayMs: 0, serviceCountsLagMs: 0 });
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await onlyTask()).lastStatus).toBe("RUNNING");
    expect(await service()).toMatchObject({ runningCount: 1 });
    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await onlyTask("STOPPED")).stoppedAt).toEqual(at(6_000));
  });
});

describe("the scheduler and the counts after an API call", () => {
  /** A service whose one task runs (at 11 s) and is counted (at 12 s). */
  async function running() {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(12_000);
    expect(await service()).toMatchObject({ runningCount: 1, pendingCount: 0 });
    return onlyTask();
  }

  it("UpdateService returns at once with the new desired count and the old counts; the task still runs", async () => {
    const task = await running();
    const { service: answered } = await client.send(
      new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }),
    );
    expect(answered).toMatchObject({ desiredCount: 0, runningCount: 1, pendingCount: 0 });
    expect(await service()).toMatchObject({ desiredCount: 0, runningCount: 1 });
    expect(await onlyTask()).toMatchObject({
      taskArn: task.taskArn,
      lastStatus: "RUNNING",
      desiredStatus: "RUNNING",
    });

    await vi.advanceTimersByTimeAsync(SCHEDULER - 1);
    expect(await onlyTask()).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING" });
    await vi.advanceTimersByTimeAsync(1); // 13 s: the scheduler acts
    expect(await onlyTask("STOPPED")).toMatchObject({ lastStatus: "STOPPING", stoppingAt: at(13_000) });
    expect(await service()).toMatchObject({ runningCount: 1 }); // the counts trail the task
    await vi.advanceTimersByTimeAsync(LAG - 1);
    expect(await service()).toMatchObject({ runningCount: 1 });
    await vi.advanceTimersByTimeAsync(1); // 14 s
    expect(await service()).toMatchObject({ runningCount: 0, pendingCount: 0 });
    expect((await service()).deployments?.[0]).toMatchObject({ runningCount: 0 });
  });

  it("counts a new task as pending, then running, each a lag after the task", async () => {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    const counts = async () => {
      const svc = await service();
      return [
        svc.runningCount,
        svc.pendingCount,
        svc.deployments?.[0]?.runningCount,
        svc.deployments?.[0]?.pendingCount,
      ];
    };
    await vi.advanceTimersByTimeAsync(SCHEDULER); // 1 s: placed, PENDING
    expect(await counts()).toEqual([0, 0, 0, 0]);
    await vi.advanceTimersByTimeAsync(LAG); // 2 s
    expect(await counts()).toEqual([0, 1, 0, 1]);
    await vi.advanceTimersByTimeAsync(9_000); // 11 s: RUNNING
    expect((await onlyTask()).lastStatus).toBe("RUNNING");
    expect(await counts()).toEqual([0, 1, 0, 1]);
    await vi.advanceTimersByTimeAsync(LAG); // 12 s
    expect(await counts()).toEqual([1, 0, 1, 0]);
  });

  it("calls within the delay are picked up on the same scheduler pass", async () => {
    await running(); // t = 12 s
    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
    await vi.advanceTimersByTimeAsync(600);
    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
    await vi.advanceTimersByTimeAsync(400); // 13 s: one delay after the first call
    expect(await onlyTask("STOPPED")).toMatchObject({ lastStatus: "STOPPING", stoppingAt: at(13_000) });
  });

  it("a longer scheduler delay keeps the task running longer", async () => {
    sim.ecs.setTimings({ schedulerDelayMs: 5_000 });
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(sim.ecs.tasks()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect((await onlyTask()).createdAt).toEqual(at(5_000));
  });

  it("the scheduler does not act early when something else happens during the delay", async () => {
    seedMcCluster(sim);
    sim.ecs.addContainerInstance("mc"); // room for both
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "other" }));
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(500);
    // Another service's own scheduler pass (at 1.5 s) must not start mc's task early (due at 1 s)... nor
    // the other way round: the other service waits for its own delay.
    await client.send(
      new CreateServiceCommand(mcServiceInput({ serviceName: "other", taskDefinition: "other" })),
    );
    await vi.advanceTimersByTimeAsync(500); // 1 s
    expect(sim.ecs.tasks({ serviceName: "mc" })).toHaveLength(1);
    expect(sim.ecs.tasks({ serviceName: "other" })).toEqual([]);
    await vi.advanceTimersByTimeAsync(500); // 1.5 s
    expect(sim.ecs.tasks({ serviceName: "other" })[0]?.createdAt).toEqual(at(1_500));
  });
});

describe("resources", () => {
  it("are reserved at placement, still held while STOPPING, and released only at STOPPED", async () => {
    seedMcCluster(sim);
    expect(await remaining()).toMatchObject({
      cpu: 4096,
      memory: 15360,
      ports: ["22", "2375", "2376", "51678", "51679"],
    });

    await client.send(new CreateServiceCommand(mcServiceInput()));
    expect(await remaining()).toMatchObject({ cpu: 4096, memory: 15360, pendingTasksCount: 0 });
    await vi.advanceTimersByTimeAsync(SCHEDULER);
    expect(await remaining()).toMatchObject({ cpu: 1024, memory: 1024, pendingTasksCount: 1 });
    await vi.advanceTimersByTimeAsync(11_000);
    expect(await remaining()).toMatchObject({
      cpu: 1024,
      memory: 1024,
      ports: ["22", "2375", "2376", "51678", "51679", "80"],
      runningTasksCount: 1,
    });

    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
    await vi.advanceTimersByTimeAsync(SCHEDULER);
    const stopping = await onlyTask("STOPPED"); // desiredStatus STOPPED already, lastStatus not yet
    expect(stopping).toMatchObject({
      lastStatus: "STOPPING",
      desiredStatus: "STOPPED",
      stoppingAt: at(13_000),
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: `Scaling activity initiated by (deployment ${stopping.startedBy})`,
    });
    expect((await client.send(new ListTasksCommand({ cluster: "mc" }))).taskArns).toEqual([]);

    await vi.advanceTimersByTimeAsync(19_999);
    expect(await remaining()).toMatchObject({
      cpu: 1024,
      memory: 1024,
      ports: expect.arrayContaining(["80"]),
    });

    await vi.advanceTimersByTimeAsync(1);
    expect(await remaining()).toMatchObject({
      cpu: 4096,
      memory: 15360,
      ports: ["22", "2375", "2376", "51678", "51679"],
    });
    const stopped = await onlyTask("STOPPED");
    expect(stopped).toMatchObject({ lastStatus: "STOPPED", stoppedAt: at(33_000) });
    expect(stopped.containers?.map((c) => [c.lastStatus, c.exitCode])).toEqual([
      ["STOPPED", 143],
      ["STOPPED", 143],
    ]);
    expect((await messages())[0]).toBe("(service mc) has reached a steady state.");
  });

  it("reports cluster counts", async () => {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER);
    const { clusters } = await client.send(new DescribeClustersCommand({ clusters: ["mc"] }));
    expect(clusters?.[0]).toMatchObject({
      clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/mc",
      clusterName: "mc",
      status: "ACTIVE",
      registeredContainerInstancesCount: 1,
      runningTasksCount: 0,
      pendingTasksCount: 1,
      activeServicesCount: 1,
    });
  });
});

describe("placement", () => {
  it("emits the insufficient-memory event when no instance has room, without flooding", async () => {
    sim.ecs.addCluster("mc");
    const instance = sim.ecs.addContainerInstance("mc", { memoryMiB: 8192 });
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(60_000);

    const id = instance.containerInstanceArn?.split("/").pop();
    expect(await messages()).toEqual([
      `(service mc) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${id}) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
    ]);
    expect(await service()).toMatchObject({ runningCount: 0, pendingCount: 0 });
  });

  it("emits the port variant when only the host port is taken", async () => {
    sim.ecs.addCluster("mc");
    const instance = sim.ecs.addContainerInstance("mc", { cpu: 16_384, memoryMiB: 65_536 });
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "other" }));
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await client.send(
      new CreateServiceCommand(mcServiceInput({ serviceName: "other", taskDefinition: "other" })),
    );
    await vi.advanceTimersByTimeAsync(SCHEDULER);

    const id = instance.containerInstanceArn?.split("/").pop();
    expect((await messages("other"))[0]).toBe(
      `(service other) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${id}) is already using a port required by your task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
    );
  });

  it("says so when the cluster has no container instances, and places once one registers", async () => {
    sim.ecs.addCluster("mc");
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER);
    expect((await messages())[0]).toContain("Reason: No Container Instances were found in your cluster.");

    await vi.advanceTimersByTimeAsync(5_000);
    sim.ecs.addContainerInstance("mc"); // placed at once: the agent's registration wakes the scheduler
    await vi.advanceTimersByTimeAsync(10_000 + LAG);
    expect(await service()).toMatchObject({ runningCount: 1 });
  });
});

describe("services", () => {
  it("scale 1 → 0 → 1: UpdateService(desiredCount 1) after the last task reached STOPPED starts a new task", async () => {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(12_000);
    const first = await onlyTask();

    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
    // Right after the call the task is still desired RUNNING: the scheduler has not acted yet.
    expect((await onlyTask()).taskArn).toBe(first.taskArn);
    while (sim.ecs.tasks({ lastStatus: "STOPPED" }).length === 0) await vi.advanceTimersByTimeAsync(5_000);
    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 1 }));
    await vi.advanceTimersByTimeAsync(12_000);

    const second = await onlyTask();
    expect(second.taskArn).not.toBe(first.taskArn);
    expect(second.lastStatus).toBe("RUNNING");
    const stoppedAt = (await onlyTask("STOPPED")).stoppedAt?.getTime() ?? Number.NaN;
    const scaleUp = sim.callsOf("UpdateService").find((call) => call.input.desiredCount === 1);
    expect(scaleUp?.at).toBeGreaterThanOrEqual(stoppedAt);
    expect(await service()).toMatchObject({ desiredCount: 1, runningCount: 1 });
  });

  it("a new deployment (min 0 %, max 100 %) stops the old task first and starts the new one once it is STOPPED", async () => {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(60_000); // t = 60 s
    const old = await onlyTask();
    const revision2 = sim.ecs.registerTaskDefinition(mcTaskDefinition({ image: "metadata/registry:3" }));
    const updated = await client.send(
      new UpdateServiceCommand({ cluster: "mc", service: "mc", taskDefinition: "mc:2" }),
    );
    expect(updated.service?.taskDefinition).toBe(revision2.taskDefinition?.taskDefinitionArn);
    expect(updated.service?.deployments?.map((d) => [d.status, d.taskDefinition?.split("/").pop()])).toEqual([
      ["PRIMARY", "mc:2"],
      ["ACTIVE", "mc:1"],
    ]);

    // The call only created the deployment: the old task runs until the scheduler acts.
    expect((await onlyTask()).lastStatus).toBe("RUNNING");
    expect((await service()).events?.[0]?.message).toBe("(service mc) has reached a steady state.");

    // While the old task is STOPPING it keeps memory and port 80: the new one cannot be placed.
    await vi.advanceTimersByTimeAsync(SCHEDULER); // 61 s
    const during = await service();
    expect(during.deployments?.[0]).toMatchObject({
      rolloutState: "IN_PROGRESS",
      pendingCount: 0,
      runningCount: 0,
    });
    expect(during.events?.[0]?.message).toContain("has insufficient memory available");
    expect(during.events?.[1]?.message).toBe(
      `(service mc) has stopped 1 running tasks: (task ${old.taskArn?.split("/").pop()}).`,
    );

    await vi.advanceTimersByTimeAsync(20_000); // old STOPPED at 81 s → new placed at once
    const fresh = await onlyTask();
    expect(fresh).toMatchObject({ lastStatus: "PENDING", createdAt: at(81_000) });
    expect(fresh.taskDefinitionArn).toBe(revision2.taskDefinition?.taskDefinitionArn);
    expect(fresh.containers?.[0]?.image).toBe("metadata/registry:3");

    await vi.advanceTimersByTimeAsync(12_000);
    const done = await service();
    expect(done.deployments).toHaveLength(1);
    expect(done.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      rolloutState: "COMPLETED",
      runningCount: 1,
    });
    expect(done.events?.[0]).toMatchObject({
      message: "(service mc) has reached a steady state.",
      createdAt: at(91_000),
    });
  });

  it("forceNewDeployment with min 100 % / max 200 % on one instance gets stuck: the old task keeps running", async () => {
    seedMcCluster(sim);
    await client.send(
      new CreateServiceCommand(
        mcServiceInput({ deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 } }),
      ),
    );
    await vi.advanceTimersByTimeAsync(12_000);
    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", forceNewDeployment: true }));
    await vi.advanceTimersByTimeAsync(SCHEDULER + 10 * 60_000);
    const svc = await service();
    expect(svc.deployments?.map((d) => [d.status, d.runningCount, d.rolloutState])).toEqual([
      ["PRIMARY", 0, "IN_PROGRESS"],
      ["ACTIVE", 1, "COMPLETED"],
    ]);
    expect(svc.events?.filter((e) => e.message?.includes("unable to place"))).toHaveLength(3); // 0, 5, 10 min
  });

  it("StopTask stops a task and the service replaces it once resources are free", async () => {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(12_000);
    const task = await onlyTask();
    const { task: stopped } = await client.send(
      new StopTaskCommand({ cluster: "mc", task: task.taskArn, reason: "restart by mcctl" }),
    );
    expect(stopped).toMatchObject({
      lastStatus: "STOPPING",
      stopCode: "UserInitiated",
      stoppedReason: "restart by mcctl",
    });
    // STOPPED at 32 s; the scheduler (due at 13 s) could not place the replacement before: port 80 was held.
    await vi.advanceTimersByTimeAsync(20_000 + 10_000);
    expect((await onlyTask()).startedAt).toEqual(at(12_000 + 20_000 + 10_000));
  });

  it("mirrors ECS errors and failures", async () => {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));

    const again = client.send(new CreateServiceCommand(mcServiceInput()));
    await expect(again).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(again).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "Creation of service was not idempotent.",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      client.send(new CreateServiceCommand(mcServiceInput({ cluster: "nope" }))),
    ).rejects.toMatchObject({
      name: "ClusterNotFoundException",
      message: "Cluster not found.",
    });
    await expect(
      client.send(new UpdateServiceCommand({ cluster: "mc", service: "ghost", desiredCount: 1 })),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);
    await expect(
      client.send(new DescribeTaskDefinitionCommand({ taskDefinition: "mc:99" })),
    ).rejects.toMatchObject({ name: "ClientException", message: "Unable to describe task definition." });

    const described = await client.send(
      new DescribeServicesCommand({ cluster: "mc", services: ["mc", "ghost"] }),
    );
    expect(described.services?.map((s) => s.serviceName)).toEqual(["mc"]);
    expect(described.failures).toEqual([
      { arn: "arn:aws:ecs:eu-west-1:123456789012:service/mc/ghost", reason: "MISSING" },
    ]);
    const clusters = await client.send(new DescribeClustersCommand({ clusters: ["mc", "gone"] }));
    expect(clusters.failures).toEqual([
      { arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/gone", reason: "MISSING" },
    ]);
    const tasks = await client.send(new DescribeTasksCommand({ cluster: "mc", tasks: ["0123456789abcdef"] }));
    expect(tasks.failures).toEqual([
      { arn: "arn:aws:ecs:eu-west-1:123456789012:task/mc/0123456789abcdef", reason: "MISSING" },
    ]);

    sim.ecs.deleteService({ cluster: "mc", service: "mc", force: true });
    await expect(
      client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 1 })),
    ).rejects.toBeInstanceOf(ServiceNotActiveException);
    sim.ecs.addCluster("old", { status: "INACTIVE" });
    await expect(
      client.send(new CreateServiceCommand(mcServiceInput({ cluster: "old" }))),
    ).rejects.toBeInstanceOf(ClusterNotFoundException);
  });

  it("DeleteService drains the service to INACTIVE", async () => {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(12_000);
    expect(() => sim.ecs.deleteService({ cluster: "mc", service: "mc" })).toThrow(InvalidParameterException);
    expect(sim.ecs.deleteService({ cluster: "mc", service: "mc", force: true }).service?.status).toBe(
      "DRAINING",
    );
    await vi.advanceTimersByTimeAsync(SCHEDULER + 20_000 - 1);
    expect((await service()).status).toBe("DRAINING");
    await vi.advanceTimersByTimeAsync(1);
    expect((await service()).status).toBe("INACTIVE");
    expect(sim.ecs.listServices({ cluster: "mc" }).serviceArns).toEqual([]);
  });
});

describe("scripted task failures", () => {
  it("CannotPullContainerError: the task stops before RUNNING and counts as a failed task", async () => {
    seedMcCluster(sim);
    sim.ecs.scriptTaskFailure(taskFailures.cannotPullImage("metadata/registry:nope"));
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(SCHEDULER + 10_000); // the pull fails at the end of PENDING

    const failed = await onlyTask("STOPPED");
    const reason =
      "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref docker.io/metadata/registry:nope: not found";
    expect(failed).toMatchObject({
      lastStatus: "STOPPING",
      stopCode: "TaskFailedToStart",
      stoppedReason: reason,
    });
    expect(failed.startedAt).toBeUndefined();
    expect(failed.containers?.[0]).toMatchObject({ name: "mc", lastStatus: "STOPPED", reason });
    expect(failed.containers?.[0]?.exitCode).toBeUndefined();
    expect((await service()).deployments?.[0]).toMatchObject({ failedTasks: 1, rolloutState: "IN_PROGRESS" });

    // Only one failure was scripted: the replacement (placed once the failed task is STOPPED) runs.
    await vi.advanceTimersByTimeAsync(1_000 + 10_000);
    expect((await onlyTask()).lastStatus).toBe("RUNNING");
    expect((await service()).deployments?.[0]).toMatchObject({ failedTasks: 1, rolloutState: "COMPLETED" });
  });

  it("the circuit breaker fails the deployment after repeated failed starts and rolls back", async () => {
    seedMcCluster(sim);
    await client.send(
      new CreateServiceCommand(
        mcServiceInput({
          deploymentConfiguration: {
            minimumHealthyPercent: 0,
            maximumPercent: 100,
            deploymentCircuitBreaker: { enable: true, rollback: true },
          },
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(12_000);
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ image: "metadata/registry:nope" }));
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:nope"),
      match: (td) => td.revision === 2,
      times: Number.POSITIVE_INFINITY,
    });
    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", taskDefinition: "mc:2" }));
    await vi.advanceTimersByTimeAsync(10 * 60_000);

    const svc = await service();
    expect(svc.taskDefinition).toMatch(/:task-definition\/mc:1$/);
    expect(svc.deployments).toHaveLength(1);
    expect(svc.deployments?.[0]).toMatchObject({ status: "PRIMARY", rolloutState: "COMPLETED" });
    expect(svc.deployments?.[0]?.taskDefinition).toMatch(/mc:1$/);
    const failedMessage = svc.events?.find((e) => e.message?.includes("deployment failed"))?.message;
    expect(failedMessage).toMatch(
      /^\(service mc\) \(deployment ecs-svc\/\d+\) deployment failed: tasks failed to start\.$/,
    );
    expect(
      sim.ecs.tasks({ serviceName: "mc" }).filter((t) => t.stopCode === "TaskFailedToStart"),
    ).toHaveLength(3);
  });

  it("without rollback a failed deployment stops launching tasks", async () => {
    sim = createSimulatedAws({ circuitBreaker: { enabled: true, threshold: 2 } });
    sim.install();
    seedMcCluster(sim);
    sim.ecs.scriptTaskFailure({ ...taskFailures.cannotPullImage("metadata/registry:2"), times: 5 });
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect((await service()).deployments?.[0]).toMatchObject({
      rolloutState: "FAILED",
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
      failedTasks: 2,
    });
    expect(sim.ecs.tasks()).toHaveLength(2);
  });

  it("OutOfMemoryError while RUNNING: the container says why (exit 137), the task that an essential container exited; not a failed start", async () => {
    seedMcCluster(sim);
    sim.ecs.scriptTaskFailure({ ...taskFailures.outOfMemory("mc"), afterMs: 30_000 });
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(12_000 + 30_000 + 1_000);

    const dead = await onlyTask("STOPPED");
    expect(dead).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      stoppingAt: at(41_000), // RUNNING at 11 s, killed 30 s later
      stoppedAt: at(42_000),
    });
    expect(dead.containers?.map((c) => [c.name, c.exitCode, c.reason])).toEqual([
      ["mc", 137, "OutOfMemoryError: Container killed due to memory usage"],
      ["mc-es", 143, undefined],
    ]);
    expect((await service()).deployments?.[0]?.failedTasks).toBe(0);
    expect((await onlyTask()).createdAt).toEqual(at(42_000));
  });

  it("an essential container that exits on its own: exit code, no reason of its own; the other container is stopped (143)", async () => {
    seedMcCluster(sim);
    sim.ecs.scriptTaskFailure(taskFailures.essentialContainerExited("mc", 1));
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(60_000);

    const dead = sim.ecs.tasks({ lastStatus: "STOPPED" })[0];
    expect(dead).toMatchObject({
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
    });
    expect(dead?.containers?.map((c) => [c.name, c.exitCode, c.reason])).toEqual([
      ["mc", 1, undefined],
      ["mc-es", 143, undefined],
    ]);
  });
});

describe("task definitions", () => {
  it("registers revisions and echoes the definition the way ECS does", () => {
    const first = sim.ecs.registerTaskDefinition(mcTaskDefinition()).taskDefinition;
    expect(first).toMatchObject({
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/mc:1",
      family: "mc",
      revision: 1,
      status: "ACTIVE",
      compatibilities: ["EC2"],
      registeredAt: at(0),
      registeredBy: "arn:aws:iam::123456789012:user/test",
      placementConstraints: [],
    });
    expect(first?.containerDefinitions?.[1]).toMatchObject({
      name: "mc-es",
      environment: [],
      volumesFrom: [],
      portMappings: [],
      essential: true,
    });
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    sim.ecs.deregisterTaskDefinition({ taskDefinition: "mc:3" });

    expect(sim.ecs.describeTaskDefinition({ taskDefinition: "mc" }).taskDefinition?.revision).toBe(2);
    expect(sim.ecs.describeTaskDefinition({ taskDefinition: "mc:3" }).taskDefinition?.status).toBe(
      "INACTIVE",
    );
    expect(
      sim.ecs.describeTaskDefinition({
        taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/mc:1",
      }).taskDefinition?.revision,
    ).toBe(1);
    expect(sim.ecs.listTaskDefinitions({ familyPrefix: "mc", sort: "DESC" }).taskDefinitionArns).toEqual([
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/mc:2",
      "arn:aws:ecs:eu-west-1:123456789012:task-definition/mc:1",
    ]);
    expect(() => sim.ecs.describeTaskDefinition({ taskDefinition: "nope" })).toThrow(ClientException);
    // A deregistered revision's number is not given again: ECS counts on from the highest ever registered.
    expect(sim.ecs.registerTaskDefinition(mcTaskDefinition()).taskDefinition?.revision).toBe(4);
    expect(
      sim.ecs.listTaskDefinitions({ familyPrefix: "mc", status: "INACTIVE" }).taskDefinitionArns,
    ).toEqual(["arn:aws:ecs:eu-west-1:123456789012:task-definition/mc:3"]);
  });

  it("accepts the seed fixture (nulls and all) and derives requirements and requiresAttributes", () => {
    const seed = JSON.parse(readFileSync("test/fixtures/seed-task-definition.json", "utf8"));
    const { taskDefinition } = sim.ecs.registerTaskDefinition(seed as RegisterTaskDefinitionCommandInput);
    expect(taskDefinition?.containerDefinitions?.[0]).not.toHaveProperty("hostname");
    expect(taskDefinition?.requiresAttributes).toEqual(
      expect.arrayContaining([
        { name: "com.amazonaws.ecs.capability.logging-driver.syslog" },
        { name: "com.amazonaws.ecs.capability.logging-driver.json-file" },
      ]),
    );
    const { containerDefinitions: _omitted, ...rest } = mcTaskDefinition();
    expect(() => sim.ecs.registerTaskDefinition({ ...rest, containerDefinitions: [] })).toThrow(
      ClientException,
    );
  });
});

describe("listing", () => {
  it("paginates container instances with nextToken and maxResults", async () => {
    sim.ecs.addCluster("mc");
    for (let i = 0; i < 5; i++) sim.ecs.addContainerInstance("mc");
    const first = await client.send(new ListContainerInstancesCommand({ cluster: "mc", maxResults: 2 }));
    const second = await client.send(
      new ListContainerInstancesCommand({ cluster: "mc", maxResults: 2, nextToken: first.nextToken }),
    );
    const third = await client.send(
      new ListContainerInstancesCommand({ cluster: "mc", maxResults: 2, nextToken: second.nextToken }),
    );
    expect(first.containerInstanceArns).toHaveLength(2);
    expect(third.containerInstanceArns).toHaveLength(1);
    expect(third.nextToken).toBeUndefined();
    const all = [first, second, third].flatMap((page) => page.containerInstanceArns ?? []);
    expect(new Set(all).size).toBe(5);
  });

  it("keeps STOPPED tasks listable for an hour, then forgets them", async () => {
    seedMcCluster(sim);
    await client.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(12_000);
    const task = await onlyTask();
    await client.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
    await vi.advanceTimersByTimeAsync(SCHEDULER + 20_000 + 59 * 60_000);
    expect((await onlyTask("STOPPED")).taskArn).toBe(task.taskArn);
    await vi.advanceTimersByTimeAsync(60_000);
    const { taskArns } = await client.send(new ListTasksCommand({ cluster: "mc", desiredStatus: "STOPPED" }));
    expect(taskArns).toEqual([]);
    const { failures } = await client.send(
      new DescribeTasksCommand({ cluster: "mc", tasks: [task.taskArn ?? ""] }),
    );
    expect(failures?.[0]?.reason).toBe("MISSING");
  });
});
