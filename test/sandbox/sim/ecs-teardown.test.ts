import {
  ClusterContainsContainerInstancesException,
  ClusterContainsServicesException,
  ClusterContainsTasksException,
  ClusterNotFoundException,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { addMcHost, mcServiceInput, mcTaskDefinition } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const CLUSTER_ARN = "arn:aws:ecs:eu-west-1:123456789012:cluster/mc";
let sim: SimulatedAws;
let ecs: ECSClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  ecs = new ECSClient({ region: "eu-west-1" });
  sim.ecs.addCluster("mc", { tags: [{ key: "app", value: "mcctl" }] });
  sim.ecs.registerTaskDefinition(mcTaskDefinition());
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to fail"),
    (error: unknown) => error,
  );

/** One host, the mc service with its task RUNNING (placed at 1 s, RUNNING at 11 s). */
async function runningService(): Promise<{ containerInstanceArn: string; taskArn: string }> {
  const { containerInstance } = addMcHost(sim, "mc");
  await ecs.send(new CreateServiceCommand(mcServiceInput()));
  await vi.advanceTimersByTimeAsync(12_000);
  const [task] = sim.ecs.tasks({ lastStatus: "RUNNING" });
  return { containerInstanceArn: containerInstance.containerInstanceArn ?? "", taskArn: task?.taskArn ?? "" };
}

async function listed(): Promise<string[]> {
  return (await ecs.send(new ListContainerInstancesCommand({ cluster: "mc" }))).containerInstanceArns ?? [];
}

describe("DeregisterContainerInstance", () => {
  it("refuses while a task runs on the instance, unless forced", async () => {
    const { containerInstanceArn } = await runningService();
    const refused = await fail(
      ecs.send(
        new DeregisterContainerInstanceCommand({ cluster: "mc", containerInstance: containerInstanceArn }),
      ),
    );
    expect(refused).toBeInstanceOf(InvalidParameterException);
    expect(refused).toMatchObject({ message: "Found running tasks on the instance." });
    expect(await listed()).toEqual([containerInstanceArn]);
  });

  it("with force: INACTIVE, no longer listed; its task runs on, orphaned, and its service starts another copy", async () => {
    const { containerInstanceArn, taskArn } = await runningService();
    const other = addMcHost(sim, "mc").containerInstance.containerInstanceArn ?? "";
    const { containerInstance } = await ecs.send(
      new DeregisterContainerInstanceCommand({
        cluster: "mc",
        containerInstance: containerInstanceArn.split("/").pop(),
        force: true,
      }),
    );
    expect(containerInstance).toMatchObject({
      containerInstanceArn,
      status: "INACTIVE",
      runningTasksCount: 0,
    });
    expect(await listed()).toEqual([other]);
    const described = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: "mc", containerInstances: [containerInstanceArn] }),
    );
    expect(described.containerInstances?.[0]?.status).toBe("INACTIVE");
    // "These tasks remain running until you terminate the instance", no longer accounted for by ECS.
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: "mc", tasks: [taskArn] }));
    expect(tasks[0]).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING" });
    expect(
      (await ecs.send(new ListTasksCommand({ cluster: "mc", serviceName: "mc" }))).taskArns,
    ).not.toContain(taskArn);
    await vi.advanceTimersByTimeAsync(1_000);
    const [replacement] = sim.ecs.tasks({ lastStatus: "PENDING" });
    expect(replacement?.containerInstanceArn).toBe(other);
    expect(sim.ecs.tasks({ lastStatus: "RUNNING" }).map((task) => task.taskArn)).toEqual([taskArn]);
  });

  it("an orphaned task stops when its host is terminated, and never keeps the cluster from being deleted", async () => {
    const { containerInstanceArn, taskArn } = await runningService();
    const ec2InstanceId = (await describeInstance(containerInstanceArn)).ec2InstanceId ?? "";
    await ecs.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
    await ecs.send(new DeleteServiceCommand({ cluster: "mc", service: "mc", force: true }));
    // Deregistered before the scheduler stopped it: the task is orphaned while it still runs.
    await ecs.send(
      new DeregisterContainerInstanceCommand({
        cluster: "mc",
        containerInstance: containerInstanceArn,
        force: true,
      }),
    );
    const taskNow = async () =>
      (await ecs.send(new DescribeTasksCommand({ cluster: "mc", tasks: [taskArn] }))).tasks?.[0];
    expect((await taskNow())?.lastStatus).toBe("RUNNING");
    await vi.advanceTimersByTimeAsync(sim.ecs.timings.schedulerDelayMs + sim.ecs.timings.stoppingMs);
    // No longer accounted for: neither the service's draining nor DeleteCluster waits for it.
    expect(
      (await ecs.send(new DescribeServicesCommand({ cluster: "mc", services: ["mc"] }))).services?.[0]
        ?.status,
    ).toBe("INACTIVE");
    expect((await taskNow())?.lastStatus).toBe("RUNNING");
    const { cluster } = await ecs.send(new DeleteClusterCommand({ cluster: "mc" }));
    expect(cluster?.status).toBe("INACTIVE");

    sim.ecs.ec2InstanceStateChanged(ec2InstanceId, "terminated");
    expect(sim.ecs.tasks({}).find((task) => task.taskArn === taskArn)).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "TerminationNotice",
      stoppedReason: `Host EC2 (instance ${ec2InstanceId}) terminated.`,
    });
  });

  it("deregisters an idle instance without force; again is harmless", async () => {
    const { containerInstance } = addMcHost(sim, "mc");
    const arn = containerInstance.containerInstanceArn ?? "";
    await ecs.send(new DeregisterContainerInstanceCommand({ cluster: "mc", containerInstance: arn }));
    const again = await ecs.send(
      new DeregisterContainerInstanceCommand({ cluster: "mc", containerInstance: arn }),
    );
    expect(again.containerInstance?.status).toBe("INACTIVE");
    expect(await listed()).toEqual([]);
    expect(
      sim.ecs.describeClusters({ clusters: ["mc"] }).clusters?.[0]?.registeredContainerInstancesCount,
    ).toBe(0);
  });

  it("fails for an unknown container instance or cluster", async () => {
    expect(
      await fail(
        ecs.send(
          new DeregisterContainerInstanceCommand({ cluster: "mc", containerInstance: "0123456789abcdef" }),
        ),
      ),
    ).toBeInstanceOf(InvalidParameterException);
    expect(
      await fail(
        ecs.send(new DeregisterContainerInstanceCommand({ cluster: "nope", containerInstance: "x" })),
      ),
    ).toBeInstanceOf(ClusterNotFoundException);
  });
});

describe("DeleteService", () => {
  it("with desiredCount 0: DRAINING, then INACTIVE once its task has stopped", async () => {
    await runningService();
    await ecs.send(new UpdateServiceCommand({ cluster: "mc", service: "mc", desiredCount: 0 }));
    const { service } = await ecs.send(new DeleteServiceCommand({ cluster: "mc", service: "mc" }));
    expect(service?.status).toBe("DRAINING");
    expect((await ecs.send(new ListServicesCommand({ cluster: "mc" }))).serviceArns).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(sim.ecs.timings.schedulerDelayMs + sim.ecs.timings.stoppingMs);
    const described = await ecs.send(new DescribeServicesCommand({ cluster: "mc", services: ["mc"] }));
    expect(described.services?.[0]?.status).toBe("INACTIVE");
    expect((await ecs.send(new ListServicesCommand({ cluster: "mc" }))).serviceArns).toEqual([]);
  });

  it("refuses a service scaled above 0 unless forced", async () => {
    await runningService();
    expect(await fail(ecs.send(new DeleteServiceCommand({ cluster: "mc", service: "mc" })))).toMatchObject({
      name: "InvalidParameterException",
      message: "The service cannot be stopped while it is scaled above 0.",
    });
    const { service } = await ecs.send(
      new DeleteServiceCommand({ cluster: "mc", service: "mc", force: true }),
    );
    expect(service).toMatchObject({ status: "DRAINING", desiredCount: 0 });
    await vi.advanceTimersByTimeAsync(sim.ecs.timings.schedulerDelayMs + sim.ecs.timings.stoppingMs);
    expect(sim.ecs.describeServices({ cluster: "mc", services: ["mc"] }).services?.[0]?.status).toBe(
      "INACTIVE",
    );
  });
});

describe("DeleteCluster", () => {
  it("refuses while container instances, tasks or services remain, each with its exception", async () => {
    const { containerInstanceArn } = await runningService();
    const deleteCluster = () => fail(ecs.send(new DeleteClusterCommand({ cluster: "mc" })));

    const instances = await deleteCluster();
    expect(instances).toBeInstanceOf(ClusterContainsContainerInstancesException);
    expect(instances).toMatchObject({
      message: "The Cluster cannot be deleted while Container Instances are active or draining.",
    });

    // The scheduler stops the service's task 1 s later; it is STOPPING for 20 s while the service drains. A task
    // stopping does not keep the instance from being deregistered.
    await ecs.send(new DeleteServiceCommand({ cluster: "mc", service: "mc", force: true }));
    await vi.advanceTimersByTimeAsync(sim.ecs.timings.schedulerDelayMs);
    await ecs.send(
      new DeregisterContainerInstanceCommand({ cluster: "mc", containerInstance: containerInstanceArn }),
    );
    const tasks = await deleteCluster();
    expect(tasks).toBeInstanceOf(ClusterContainsTasksException);
    expect(tasks).toMatchObject({ message: "The Cluster cannot be deleted while Tasks are active." });

    await vi.advanceTimersByTimeAsync(sim.ecs.timings.stoppingMs);
    const { cluster } = await ecs.send(new DeleteClusterCommand({ cluster: "mc" }));
    expect(cluster).toMatchObject({ clusterArn: CLUSTER_ARN, status: "INACTIVE" });
  });

  it("refuses while a service is ACTIVE, even with nothing running", async () => {
    await ecs.send(new CreateServiceCommand(mcServiceInput({ desiredCount: 0 })));
    const error = await fail(ecs.send(new DeleteClusterCommand({ cluster: CLUSTER_ARN })));
    expect(error).toBeInstanceOf(ClusterContainsServicesException);
    expect(error).toMatchObject({ message: "The Cluster cannot be deleted while Services are active." });
  });

  it("leaves an INACTIVE cluster that DescribeClusters still describes and CreateCluster revives", async () => {
    await ecs.send(new DeleteClusterCommand({ cluster: "mc" }));
    const { clusters = [] } = await ecs.send(new DescribeClustersCommand({ clusters: ["mc"] }));
    expect(clusters).toEqual([expect.objectContaining({ clusterName: "mc", status: "INACTIVE" })]);
    expect(await fail(ecs.send(new ListServicesCommand({ cluster: "mc" })))).toBeInstanceOf(
      ClusterNotFoundException,
    );
    expect(await fail(ecs.send(new DeleteClusterCommand({ cluster: "mc" })))).toBeInstanceOf(
      ClusterNotFoundException,
    );
    await ecs.send(new CreateClusterCommand({ clusterName: "mc", tags: [{ key: "round", value: "2" }] }));
    const revived = await ecs.send(new DescribeClustersCommand({ clusters: ["mc"], include: ["TAGS"] }));
    expect(revived.clusters?.[0]).toMatchObject({ status: "ACTIVE", tags: [{ key: "round", value: "2" }] });
  });

  it("fails with ClusterNotFoundException for an unknown cluster", async () => {
    expect(await fail(ecs.send(new DeleteClusterCommand({ cluster: "nope" })))).toMatchObject({
      name: "ClusterNotFoundException",
      message: "Cluster not found.",
    });
  });

  it("takes faults and logs the call", async () => {
    sim.faults.inject({
      command: "DeleteCluster",
      match: (input) => input.cluster === "mc",
      error: "throttling",
    });
    expect(await fail(ecs.send(new DeleteClusterCommand({ cluster: "mc" })))).toMatchObject({
      name: "ThrottlingException",
    });
    expect(sim.ecs.describeClusters({ clusters: ["mc"] }).clusters?.[0]?.status).toBe("ACTIVE");
    expect(sim.callsOf("DeleteCluster", "ECS").map((call) => call.input.cluster)).toEqual(["mc"]);
  });
});

describe("cluster tags", () => {
  it("DescribeClusters returns the tags only with include TAGS; CreateCluster keeps them", async () => {
    await ecs.send(
      new CreateClusterCommand({ clusterName: "other", tags: [{ key: "app", value: "mcctl" }] }),
    );
    const plain = await ecs.send(new DescribeClustersCommand({ clusters: ["other"] }));
    expect(plain.clusters?.[0]?.tags).toBeUndefined();
    const tagged = await ecs.send(
      new DescribeClustersCommand({ clusters: ["other", "mc"], include: ["TAGS"] }),
    );
    expect(tagged.clusters?.map((cluster) => cluster.tags)).toEqual([
      [{ key: "app", value: "mcctl" }],
      [{ key: "app", value: "mcctl" }],
    ]);
  });

  it("ListTagsForResource answers a cluster's and a service's tags", async () => {
    expect((await ecs.send(new ListTagsForResourceCommand({ resourceArn: CLUSTER_ARN }))).tags).toEqual([
      { key: "app", value: "mcctl" },
    ]);
    const { service } = await ecs.send(
      new CreateServiceCommand(mcServiceInput({ desiredCount: 0, tags: [{ key: "part", value: "web" }] })),
    );
    expect(
      (await ecs.send(new ListTagsForResourceCommand({ resourceArn: service?.serviceArn ?? "" }))).tags,
    ).toEqual([{ key: "part", value: "web" }]);
    expect(
      await fail(
        ecs.send(
          new ListTagsForResourceCommand({ resourceArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/gone" }),
        ),
      ),
    ).toBeInstanceOf(ClusterNotFoundException);
    expect(
      await fail(
        ecs.send(
          new ListTagsForResourceCommand({
            resourceArn: "arn:aws:ecs:eu-west-1:123456789012:service/mc/gone",
          }),
        ),
      ),
    ).toBeInstanceOf(ServiceNotFoundException);
  });
});

describe("EC2 hosts going away", () => {
  it("a host shutting down disconnects its agent; terminated, it is deregistered and its task stops", async () => {
    const { containerInstanceArn, taskArn } = await runningService();
    const ec2InstanceId = (await describeInstance(containerInstanceArn)).ec2InstanceId ?? "";
    sim.ecs.ec2InstanceStateChanged(ec2InstanceId, "shutting-down");
    expect(await describeInstance(containerInstanceArn)).toMatchObject({
      status: "ACTIVE",
      agentConnected: false,
    });
    sim.ecs.ec2InstanceStateChanged(ec2InstanceId, "terminated");
    expect(await describeInstance(containerInstanceArn)).toMatchObject({
      status: "INACTIVE",
      agentConnected: false,
    });
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: "mc", tasks: [taskArn] }));
    expect(tasks[0]).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "TerminationNotice",
      stoppedReason: `Host EC2 (instance ${ec2InstanceId}) terminated.`,
    });
    // Nowhere to run the replacement.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sim.ecs.tasks({ lastStatus: "PENDING" })).toEqual([]);
  });
});

async function describeInstance(arn: string) {
  const { containerInstances = [] } = await ecs.send(
    new DescribeContainerInstancesCommand({ cluster: "mc", containerInstances: [arn] }),
  );
  return containerInstances[0] ?? {};
}
