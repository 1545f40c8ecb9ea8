import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { Settings } from "../../../src/config/settings.js";
import { CLUSTER_TAG, INSTANCE_NAME } from "../../../src/domain/setup-resources.js";
import { DEFAULT_TASK_SETTINGS, taskRequirements } from "../../../src/domain/task-definition.js";
import { McctlError, UsageError } from "../../../src/errors.js";
import { planCompute } from "../../../src/plan/setup/compute.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { imageIdFor } from "../../../src/sandbox/sim/ec2-model.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { emptyAccount, launchWithMcctl } from "../../helpers/setup-compute.js";
import { setupAwsFor, type TestPlanIoOptions, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { addMcHost, mcServiceInput, mcTaskDefinition } from "../../helpers/sim-fixtures.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const requirement = taskRequirements(DEFAULT_TASK_SETTINGS);
/** The ECS-optimized Amazon Linux 2023 AMI the simulated SSM public parameter recommends for x86_64. */
const AL2023_NAME = "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64";
const RECOMMENDED_AMI = imageIdFor(AL2023_NAME, "eu-west-1");
const MUTATING = /^(Create|Run|Authorize|Delete|Modify|Put|Register|Update|Terminate)/;
const M5: Settings = { setup: { instance: { type: "m5.xlarge" } } };

let sim: SimulatedAws;
let aws: SetupAws;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws();
  sim.install();
  aws = setupAwsFor(config);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => call.command);

function plan(options: TestPlanIoOptions = {}, service?: string, cluster = "default") {
  const planned = testPlanIo(options);
  return {
    ...planned,
    result: planCompute(planned.io, aws, { cluster, requirement, service }),
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

/** The model-catalogue service on the cluster, its one task running. */
async function runModelCatalogue(cluster = "default") {
  sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue" }));
  sim.ecs.createService(mcServiceInput({ cluster, taskDefinition: "model-catalogue" }));
  await vi.advanceTimersByTimeAsync(15_000);
  expect(sim.ecs.tasks({ lastStatus: "RUNNING" })).toHaveLength(1);
}

describe("planCompute on an empty account", () => {
  it("plans the cluster, the group and one instance with the answers given on a terminal; creates nothing", async () => {
    const vpc = emptyAccount(sim);
    sim.ec2.addKeyPair("ops");
    const { asker, asked } = scriptedAsker(
      { "instance type": "m5.xlarge", "instance profile": undefined },
      { "Key pair": "ops", Subnet: undefined },
    );
    const { result } = plan({ interactive: true, ask: asker });

    const compute = await result;

    expect(compute).toMatchObject({
      cluster: "default",
      createCluster: true,
      status: "launch",
      securityGroupIds: [],
      launch: {
        instanceType: "m5.xlarge",
        image: { id: RECOMMENDED_AMI },
        keyPair: "ops",
        subnetId: vpc.subnetIds[0],
        instanceProfile: "ecsInstanceRole",
        securityGroup: { id: undefined, openPorts: [80, 22] },
      },
    });
    expect(compute.fittingInstance).toBeUndefined();
    expect(compute.pendingInstanceId).toBeUndefined();
    expect(asked).toHaveLength(4);
    expect(compute.lines.map((line) => `${line.step}: ${line.state}`)).toEqual([
      "ECS cluster: create",
      "instance security group: create",
      "container instance: create",
    ]);
    expect(compute.lines[0]).toEqual({ step: "ECS cluster", state: "create", detail: "default" });
    expect(compute.lines[2]?.detail).toContain(RECOMMENDED_AMI);
    // A planner only looks.
    expect(mutatingCalls()).toEqual([]);
    expect(sim.calls.length).toBeGreaterThan(0);
    expect(sim.ecs.describeClusters({ clusters: ["default"] }).clusters).toEqual([]);
    expect(sim.ec2.instances()).toEqual([]);
  });

  it("a deleted (INACTIVE) cluster: says it will be created again", async () => {
    emptyAccount(sim);
    sim.ecs.addCluster("default", { status: "INACTIVE" });

    const compute = await plan({ settings: M5 }).result;

    expect(compute.createCluster).toBe(true);
    expect(compute.lines[0]).toEqual({
      step: "ECS cluster",
      state: "create",
      detail: "default (was INACTIVE: created again)",
    });
    expect(mutatingCalls()).toEqual([]);
  });

  it("an ACTIVE cluster without instances: used, and an instance is planned", async () => {
    emptyAccount(sim);
    sim.ecs.addCluster("default");

    const compute = await plan({ settings: M5 }).result;

    expect(compute).toMatchObject({ createCluster: false, status: "launch" });
    expect(compute.lines[0]).toEqual({ step: "ECS cluster", state: "exists", detail: "default (ACTIVE)" });
  });

  it("refuses a cluster name ECS would refuse, before any call", async () => {
    const error = await failure(plan({ settings: M5 }, undefined, "my cluster!").result);

    expect(error).toBeInstanceOf(UsageError);
    expect(error.suggestion).toContain("--cluster");
    expect(sim.calls).toEqual([]);
  });

  it("stops at a failing launch prerequisite (the instance profile) before anything is created", async () => {
    emptyAccount(sim, { role: null });

    const error = await failure(plan({ settings: M5 }).result);

    expect(error.message).toMatch(/^IAM instance profile ecsInstanceRole has no role/);
    expect(mutatingCalls()).toEqual([]);
  });
});

describe("planCompute on a partly or fully set-up account", () => {
  it("a registered instance with room: nothing planned, nothing asked; its security groups need DB access", async () => {
    emptyAccount(sim);
    const first = await launchWithMcctl(aws, { wait: true });
    sim.clearCalls();

    // Interactive: a question would fail the test (the default asker refuses to be asked).
    const { result, all } = plan({
      interactive: true,
      settings: { setup: { instance: { type: "m5.xlarge", instanceId: first.instanceId } } },
    });
    const compute = await result;

    expect(compute.status).toBe("ready");
    expect(compute.createCluster).toBe(false);
    expect(compute.fittingInstance?.ec2InstanceId).toBe(first.instanceId);
    expect(compute.fittingInstance?.containerInstanceArn).toBe(first.registered?.containerInstanceArn);
    expect(compute.fittingInstance?.publicDnsName).toMatch(/amazonaws\.com$/);
    expect(compute.securityGroupIds).toEqual([first.groupId]);
    expect(compute.launch).toBeUndefined();
    expect(mutatingCalls()).toEqual([]);
    expect(compute.lines).toEqual([
      { step: "ECS cluster", state: "exists", detail: "default (ACTIVE)" },
      {
        step: "container instance",
        state: "exists",
        detail: `${first.instanceId} in default has room for the task`,
      },
    ]);
    expect(all()).toBe("");
  });

  it("two registered instances in one group: the group the database must accept is listed once", async () => {
    emptyAccount(sim);
    const first = await launchWithMcctl(aws, { wait: true });
    const second = await launchWithMcctl(aws, { wait: true });
    expect(second.groupId).toBe(first.groupId);

    const compute = await plan({ settings: M5 }).result;

    expect(compute.status).toBe("ready");
    expect(compute.securityGroupIds).toEqual([first.groupId]);
    expect(compute.lines.filter((line) => line.step === "container instance")).toHaveLength(2);
  });

  it("the finished set-up: the instance is busy running Model Catalogue, still no second instance", async () => {
    emptyAccount(sim);
    const first = await launchWithMcctl(aws, { wait: true });
    await runModelCatalogue();
    sim.clearCalls();

    // Even with mcctl.json lost: the instance is found by its tags.
    const compute = await plan({ interactive: true }).result;

    expect(compute.status).toBe("ready");
    expect(compute.fittingInstance?.ec2InstanceId).toBe(first.instanceId);
    expect(mutatingCalls()).toEqual([]);
  });

  it("an instance launched by hand that runs the service counts when the service is named", async () => {
    emptyAccount(sim);
    sim.ecs.addCluster("default");
    const { instance } = addMcHost(sim, "default");
    await runModelCatalogue();

    const compute = await plan({ interactive: true }, "mc").result;

    expect(compute.status).toBe("ready");
    expect(compute.fittingInstance?.ec2InstanceId).toBe(instance.InstanceId);
    expect(mutatingCalls()).toEqual([]);
  });

  it("a busy instance that is not mcctl's and runs no service of ours: says why, and plans a launch", async () => {
    emptyAccount(sim);
    sim.ecs.addCluster("default");
    const { instance } = addMcHost(sim, "default", { cpu: 1024, memoryMiB: 2048 });
    const { result, infos } = plan({ settings: M5 }, "mc");

    const compute = await result;

    expect(compute.status).toBe("launch");
    expect(infos).toEqual([
      `Container instance ${instance.InstanceId} has no room for the task: 1024 of 3072 CPU units free, 2048 of 14336 MiB memory free`,
      "No EC2 key pairs in eu-west-1: the instance is launched without SSH access.",
    ]);
  });

  it("an instance launched earlier but not registered yet: waited for, never planned twice", async () => {
    emptyAccount(sim);
    const first = await launchWithMcctl(aws);
    expect(first.instanceId).toMatch(/^i-/);
    expect(
      sim.ecs.describeClusters({ clusters: ["default"] }).clusters?.[0]?.registeredContainerInstancesCount,
    ).toBe(0);

    // Remembered id …
    const remembered = await plan({
      settings: { setup: { instance: { type: "m5.xlarge", instanceId: first.instanceId } } },
    }).result;
    expect(remembered).toMatchObject({
      status: "pending",
      pendingInstanceId: first.instanceId,
      securityGroupIds: [first.groupId],
    });
    expect(remembered.launch).toBeUndefined();
    expect(remembered.lines.at(-1)).toEqual({
      step: "container instance",
      state: "pending",
      detail: `${first.instanceId} (m5.xlarge, pending) launched earlier, not yet registered in default: waiting for it`,
    });

    // … or, with mcctl.json lost, the tags.
    const lost = await plan().result;
    expect(lost).toMatchObject({ status: "pending", pendingInstanceId: first.instanceId });
    expect(sim.callsOf("RunInstances")).toHaveLength(1);
    expect(sim.ec2.instances()).toHaveLength(1);
    expect(mutatingCalls()).toEqual([
      "CreateCluster",
      "CreateSecurityGroup",
      "AuthorizeSecurityGroupIngress",
      "RunInstances",
    ]);
  });

  it("an instance remembered in mcctl.json without mcctl's tags is waited for too", async () => {
    emptyAccount(sim);
    sim.ecs.addCluster("default");
    const { InstanceId } = sim.ec2.addInstance({ instanceType: "m5.xlarge" });

    const compute = await plan({ settings: { setup: { instance: { instanceId: InstanceId } } } }).result;

    expect(compute).toMatchObject({ status: "pending", pendingInstanceId: InstanceId });
  });

  it("an instance mcctl launched that is too small even when idle: an error, not a second instance", async () => {
    emptyAccount(sim);
    sim.ecs.addCluster("default");
    addMcHost(sim, "default", {
      instanceType: "t3.large",
      cpu: 2048,
      memoryMiB: 7680,
      tags: [
        { Key: "Name", Value: INSTANCE_NAME },
        { Key: CLUSTER_TAG, Value: "default" },
      ],
    });

    const error = await failure(plan().result);

    expect(error.message).toMatch(/cannot run the task even when idle.*2048 of 3072 CPU units/);
    expect(error.suggestion).toMatch(/terminate-instances .*m5\.xlarge/);
    expect(mutatingCalls()).toEqual([]);
  });
});
