import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  EC2Client,
  EC2ServiceException,
  StopInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeContainerInstancesCommand,
  ECSClient,
  ListContainerInstancesCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEc2Api } from "../../../src/aws/ec2.js";
import { McctlError } from "../../../src/errors.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { addMcHost, seedMcCluster } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const ID_A = "i-0aaaaaaaaaaaaaaa1";
const ID_B = "i-0bbbbbbbbbbbbbbb2";

let sim: SimulatedAws;
let client: EC2Client;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  client = new EC2Client({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const describeInstances = (input: DescribeInstancesCommandInput = {}) =>
  client.send(new DescribeInstancesCommand(input));

async function instancesOf(input: DescribeInstancesCommandInput = {}) {
  const { Reservations = [] } = await describeInstances(input);
  return Reservations.flatMap((reservation) => reservation.Instances ?? []);
}

describe("EC2 DescribeInstances", () => {
  it("answers in EC2's Reservations/Instances shape, with public DNS name and private IP", async () => {
    sim.ec2.addInstance({ instanceId: ID_A });
    sim.ec2.addInstance({
      instanceId: ID_B,
      publicDnsName: "ec2-3-250-1-2.eu-west-1.compute.amazonaws.com",
      privateIpAddress: "172.31.5.6",
      instanceType: "t3.large",
    });

    const output = await describeInstances({ InstanceIds: [ID_B] });
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(output.Reservations).toEqual([
      {
        ReservationId: expect.stringMatching(/^r-[0-9a-f]{17}$/),
        OwnerId: "123456789012",
        Groups: [],
        Instances: [
          expect.objectContaining({
            InstanceId: ID_B,
            InstanceType: "t3.large",
            State: { Code: 16, Name: "running" },
            PublicDnsName: "ec2-3-250-1-2.eu-west-1.compute.amazonaws.com",
            PrivateIpAddress: "172.31.5.6",
            PrivateDnsName: "ip-172-31-5-6.eu-west-1.compute.internal",
            LaunchTime: new Date(T0),
          }),
        ],
      },
    ]);

    const [first] = await instancesOf({ InstanceIds: [ID_A] });
    expect(first?.PublicIpAddress).toMatch(/^54\.170\.\d+\.\d+$/);
    expect(first?.PublicDnsName).toBe(
      `ec2-${first?.PublicIpAddress?.replaceAll(".", "-")}.eu-west-1.compute.amazonaws.com`,
    );
    expect(first?.PrivateIpAddress).toMatch(/^10\.0\.\d+\.\d+$/);
  });

  it("fails the whole call with InvalidInstanceID.NotFound for an unknown id, as EC2 does", async () => {
    sim.ec2.addInstance({ instanceId: ID_A });
    const error = await describeInstances({ InstanceIds: [ID_A, ID_B] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EC2ServiceException);
    expect(error).toMatchObject({
      name: "InvalidInstanceID.NotFound",
      Code: "InvalidInstanceID.NotFound",
      message: `The instance ID '${ID_B}' does not exist`,
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      describeInstances({ InstanceIds: ["i-0ccccccccccccccc3", "i-0ddddddddddddddd4"] }),
    ).rejects.toMatchObject({
      message: "The instance IDs 'i-0ccccccccccccccc3, i-0ddddddddddddddd4' do not exist",
    });
    await expect(describeInstances({ InstanceIds: ["i-nope"] })).rejects.toMatchObject({
      name: "InvalidInstanceID.Malformed",
      message: 'Invalid id: "i-nope"',
    });
  });

  it("lists every instance without ids, paginates with MaxResults and filters by state", async () => {
    for (let i = 0; i < 7; i++) sim.ec2.addInstance();
    sim.ec2.addInstance({ instanceId: ID_A, state: "stopped" });
    expect(await instancesOf()).toHaveLength(8);

    const first = await describeInstances({ MaxResults: 5 });
    expect(first.Reservations).toHaveLength(5);
    const second = await describeInstances({ MaxResults: 5, NextToken: first.NextToken });
    expect(second.Reservations).toHaveLength(3);
    expect(second.NextToken).toBeUndefined();

    const stopped = await instancesOf({ Filters: [{ Name: "instance-state-name", Values: ["stopped"] }] });
    expect(stopped.map((instance) => instance.InstanceId)).toEqual([ID_A]);
    await expect(describeInstances({ InstanceIds: [ID_A], MaxResults: 5 })).rejects.toMatchObject({
      name: "InvalidParameterCombination",
    });
    await expect(
      describeInstances({ Filters: [{ Name: "placement-group-name", Values: ["pg"] }] }),
    ).rejects.toThrow('simulated EC2 does not implement the DescribeInstances filter "placement-group-name"');
  });

  it('answers PublicDnsName "" for instances without a public address, or stopped ones', async () => {
    sim.ec2.addInstance({ instanceId: ID_A, publicDnsName: null, publicIpAddress: null });
    sim.ec2.addInstance({ instanceId: ID_B });
    sim.ec2.setInstanceState(ID_B, "stopped");
    const instances = await instancesOf({ InstanceIds: [ID_A, ID_B] });
    expect(instances.map((instance) => [instance.PublicDnsName, instance.PublicIpAddress])).toEqual([
      ["", undefined],
      ["", undefined],
    ]);
    expect(instances[1]?.State).toEqual({ Code: 80, Name: "stopped" });
    expect(instances[0]?.PrivateIpAddress).toBeDefined();
  });

  it("keeps a terminated instance visible for an hour, then no longer knows it", async () => {
    sim.ec2.addInstance({ instanceId: ID_A });
    sim.ec2.setInstanceState(ID_A, "terminated");
    expect((await instancesOf({ InstanceIds: [ID_A] }))[0]?.State?.Name).toBe("terminated");
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    await expect(describeInstances({ InstanceIds: [ID_A] })).rejects.toMatchObject({
      name: "InvalidInstanceID.NotFound",
    });
  });

  it("rejects ids that no EC2 instance could have when setting up", () => {
    expect(() => sim.ec2.addInstance({ instanceId: "i-0abc" })).toThrow(/not an instance id/);
    sim.ec2.addInstance({ instanceId: ID_A });
    expect(() => sim.ec2.addInstance({ instanceId: ID_A })).toThrow(/exists already/);
  });
});

describe("EC2 in the simulated AWS", () => {
  it("logs calls with service EC2 and rejects unimplemented EC2 commands loudly", async () => {
    sim.ec2.addInstance({ instanceId: ID_A });
    await describeInstances({ InstanceIds: [ID_A] });
    await expect(client.send(new StopInstancesCommand({ InstanceIds: [ID_A] }))).rejects.toThrow(
      "simulated AWS does not implement EC2:StopInstances",
    );
    expect(sim.calls.map((call) => [call.service, call.command, call.error === undefined])).toEqual([
      ["EC2", "DescribeInstances", true],
      ["EC2", "StopInstances", false],
    ]);
    expect(sim.callsOf("DescribeInstances", "EC2")[0]?.input.InstanceIds).toEqual([ID_A]);
  });

  it("injects faults with EC2's own error codes, only into EC2 calls", async () => {
    sim.ec2.addInstance({ instanceId: ID_A });
    sim.faults.inject({ service: "ECS", error: "server", times: Number.POSITIVE_INFINITY });
    sim.faults.inject({ service: "EC2", command: "DescribeInstances", error: "throttling" });
    sim.faults.inject({
      service: "EC2",
      command: "DescribeInstances",
      match: (input) => input.InstanceIds?.includes(ID_A) ?? false,
      error: "access-denied",
    });

    await expect(describeInstances()).rejects.toMatchObject({
      name: "RequestLimitExceeded",
      message: "Request limit exceeded.",
      $retryable: { throttling: true },
    });
    const denied = await describeInstances({ InstanceIds: [ID_A] }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(EC2ServiceException);
    expect(denied).toMatchObject({ name: "UnauthorizedOperation", $metadata: { httpStatusCode: 403 } });
    expect((denied as Error).message).toBe(
      "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/test is not " +
        "authorized to perform: ec2:DescribeInstances because no identity-based policy allows the " +
        "ec2:DescribeInstances action",
    );
    await expect(instancesOf({ InstanceIds: [ID_A] })).resolves.toHaveLength(1);
  });

  it("mcctl's EC2 layer turns UnauthorizedOperation into what to ask the administrator", async () => {
    sim.faults.inject({ service: "EC2", error: "access-denied" });
    const ec2 = createEc2Api({ region: "eu-west-1", maxAttempts: 1, retryMode: "standard" });
    const error = (await ec2.describeInstances([ID_A]).catch((e: unknown) => e)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(
      "AWS denied ec2:DescribeInstances in eu-west-1 for arn:aws:iam::123456789012:user/test",
    );
  });

  it("addMcHost links an EC2 instance and its container instance", async () => {
    seedMcCluster(sim);
    const { instance, containerInstance } = addMcHost(sim, "mc", {
      instanceId: ID_B,
      publicDnsName: null,
      privateIpAddress: "10.0.9.9",
      memoryMiB: 7680,
    });
    expect(containerInstance.ec2InstanceId).toBe(ID_B);
    expect(instance.PrivateIpAddress).toBe("10.0.9.9");

    const ecs = new ECSClient({ region: "eu-west-1" });
    const { containerInstanceArns = [] } = await ecs.send(
      new ListContainerInstancesCommand({ cluster: "mc" }),
    );
    const { containerInstances = [] } = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: "mc", containerInstances: containerInstanceArns }),
    );
    const ids = containerInstances.map((ci) => ci.ec2InstanceId ?? "");
    const instances = await instancesOf({ InstanceIds: ids });
    expect(instances.map((i) => [i.InstanceId, i.PublicDnsName === ""])).toEqual([
      [ids[0], false],
      [ID_B, true],
    ]);
  });
});
