import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import { McctlError } from "../../../src/errors.js";
import { waitForContainerInstance } from "../../../src/operations/setup/wait-instance.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { emptyAccount, launchWithMcctl } from "../../helpers/setup-compute.js";
import { setupAwsFor, testApplyIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { runUntilSettled } from "../../helpers/time.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };

let sim: SimulatedAws;
let aws: SetupAws;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws();
  sim.install();
  aws = setupAwsFor(config);
  emptyAccount(sim);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const apply = () => testApplyIo({ pollIntervalMs: 5_000, waitTimeoutMs: 15 * 60_000 });

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await runUntilSettled(promise).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("waitForContainerInstance", () => {
  it("waits until the launched instance registers, showing its EC2 state, and returns its DNS name and ARN", async () => {
    const { instanceId } = await launchWithMcctl(aws);
    const launchedAt = Date.now();
    sim.clearCalls();
    const { io, captured } = apply();

    const registered = await runUntilSettled(waitForContainerInstance(io, aws, "default", instanceId));

    expect(registered.ec2InstanceId).toBe(instanceId);
    expect(registered.publicDnsName).toMatch(/compute\.amazonaws\.com$/);
    expect(registered.containerInstanceArn).toMatch(/container-instance\/default\//);
    expect(registered.containerInstance.ec2InstanceId).toBe(instanceId);
    // Registration takes the simulated 30 s pending + 60 s agent start: the wait must have polled.
    expect(sim.callsOf("ListContainerInstances").length).toBeGreaterThan(5);
    expect(Date.now() - launchedAt).toBeGreaterThanOrEqual(90_000);
    const stderr = captured.stderr();
    expect(stderr).toContain(`… Waiting for ${instanceId} to register in ECS cluster default\n`);
    expect(stderr).toContain(`Waiting for ${instanceId} to register in ECS cluster default: EC2 pending`);
    expect(stderr).toContain(`Waiting for ${instanceId} to register in ECS cluster default: EC2 running`);
    expect(stderr).toMatch(
      new RegExp(`✔ ${instanceId} registered in ECS cluster default \\(1m \\d\\ds\\)\\n$`),
    );
  });

  it("an instance that never registers (its profile deleted after launch): times out with the likely causes", async () => {
    const { instanceId } = await launchWithMcctl(aws);
    sim.iam.removeInstanceProfile("ecsInstanceRole");

    const error = await failure(waitForContainerInstance(apply().io, aws, "default", instanceId));

    expect(error.message).toBe(
      `EC2 instance ${instanceId} did not register in ECS cluster default within 15m 00s (EC2 state: running)`,
    );
    expect(error.suggestion).toMatch(
      /instance profile ecsInstanceRole: its role needs the AmazonEC2ContainerServiceforEC2Role/,
    );
    expect(error.suggestion).toMatch(/ECS_CLUSTER=default/);
    expect(error.suggestion).toMatch(/internet gateway or a NAT gateway/);
    expect(error.suggestion).toContain(`run mcctl setup again: it waits for ${instanceId}`);
    expect(Date.now() - (sim.callsOf("RunInstances")[0]?.at ?? 0)).toBeGreaterThanOrEqual(14 * 60_000);
    expect(Date.now() - (sim.callsOf("RunInstances")[0]?.at ?? 0)).toBeLessThan(16 * 60_000);
  });

  it("the timeout's advice names the profile and subnet the instance really has", async () => {
    sim.iam.addInstanceProfile("mc-instances");
    const { instanceId } = await launchWithMcctl(aws, {
      settings: { setup: { instance: { type: "m5.xlarge", instanceProfile: "mc-instances" } } },
    });
    const [launched] = sim.ec2.instances();
    // Without its profile, the agent never registers.
    sim.iam.removeInstanceProfile("mc-instances");

    const error = await failure(
      waitForContainerInstance(apply().io, aws, "default", instanceId, {
        instanceProfile: "the-plan-said-this",
        subnetId: "subnet-from-the-plan",
      }),
    );

    expect(error.suggestion).toContain("(1) instance profile mc-instances: its role needs");
    expect(launched?.SubnetId).toMatch(/^subnet-/);
    expect(error.suggestion).toContain(`subnet ${launched?.SubnetId} needs a route`);
    // The instance has a public address: no remark that it lacks one.
    expect(error.suggestion).toContain("or a NAT gateway. The ECS agent logs");
  });

  it("an instance EC2 no longer knows ends the wait at once", async () => {
    const { instanceId } = await launchWithMcctl(aws);
    sim.ec2.setInstanceState(instanceId, "terminated");
    // EC2 forgets a terminated instance after about an hour.
    await vi.advanceTimersByTimeAsync(2 * 60 * 60_000);

    const error = await failure(waitForContainerInstance(apply().io, aws, "default", instanceId));

    expect(error.message).toBe(`EC2 instance ${instanceId} no longer exists`);
    expect(error.suggestion).toBe("Run mcctl setup again to launch a new container instance.");
  });

  it("a stopping instance will not register either: it says to start it", async () => {
    const { instanceId } = await launchWithMcctl(aws);
    sim.ec2.setInstanceState(instanceId, "stopping");

    const error = await failure(waitForContainerInstance(apply().io, aws, "default", instanceId));

    expect(error.message).toBe(`EC2 instance ${instanceId} is stopping and will not register`);
    expect(error.suggestion).toMatch(/^Start it \(aws ec2 start-instances --instance-ids i-/);
  });

  it("waiting in the wrong cluster (ECS_CLUSTER mismatch) also ends with the hint", async () => {
    sim.ecs.addCluster("other");
    const { instanceId } = await launchWithMcctl(aws);

    const error = await failure(waitForContainerInstance(apply().io, aws, "other", instanceId));

    expect(error.suggestion).toMatch(/ECS_CLUSTER=other/);
  });

  it("a stopped instance ends the wait at once", async () => {
    const { instanceId } = await launchWithMcctl(aws);
    sim.ec2.setInstanceState(instanceId, "stopped");

    const started = Date.now();
    const error = await failure(waitForContainerInstance(apply().io, aws, "default", instanceId));

    expect(error.message).toMatch(new RegExp(`^EC2 instance ${instanceId} is stopped`));
    expect(error.suggestion).toMatch(/start-instances/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("a terminated instance ends the wait at once and says a re-run launches a new one", async () => {
    const { instanceId } = await launchWithMcctl(aws);
    sim.ec2.setInstanceState(instanceId, "terminated");

    const started = Date.now();
    const error = await failure(waitForContainerInstance(apply().io, aws, "default", instanceId));

    expect(error.message).toMatch(new RegExp(`^EC2 instance ${instanceId} is terminated`));
    expect(error.suggestion).toBe("Run mcctl setup again to launch a new container instance.");
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("throttling while waiting is retried", async () => {
    const { instanceId } = await launchWithMcctl(aws);
    const fault = sim.faults.inject({
      service: "ECS",
      command: "ListContainerInstances",
      error: "throttling",
      times: 3,
    });

    const registered = await runUntilSettled(
      waitForContainerInstance(apply().io, aws, "default", instanceId),
    );

    expect(fault.fired).toBe(3);
    expect(registered.ec2InstanceId).toBe(instanceId);
  });

  it("an error that is not worth another try ends the wait at once", async () => {
    const { instanceId } = await launchWithMcctl(aws);
    sim.faults.inject({ service: "ECS", command: "ListContainerInstances", error: "access-denied" });

    const started = Date.now();
    const error = await failure(waitForContainerInstance(apply().io, aws, "default", instanceId));

    expect(error.message).toMatch(/^AWS denied ecs:ListContainerInstances/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
