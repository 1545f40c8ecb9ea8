import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEc2Api } from "../../src/aws/ec2.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { McctlError } from "../../src/errors.js";
import { findServiceHosts } from "../../src/queries/service-hosts.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";
import { addMcHost, type HostOptions, mcServiceInput, mcTaskDefinition } from "../helpers/sim-fixtures.js";

const IDS = ["i-0aaaaaaaaaaaaaaa1", "i-0bbbbbbbbbbbbbbb2"];

describe("findServiceHosts", () => {
  let sim: SimulatedAws;
  const config = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" as const };
  const find = (usePrivateIp = false) =>
    findServiceHosts(createEcsApi(config), createEc2Api(config), "default", "mc", { usePrivateIp });

  beforeEach(() => {
    vi.useFakeTimers();
    sim = createSimulatedAws();
    sim.install();
    sim.ecs.addCluster("default");
  });

  afterEach(() => {
    sim.restore();
    vi.useRealTimers();
  });

  async function run(desiredCount: number, hosts: HostOptions[], hostPort = 80) {
    for (const host of hosts) addMcHost(sim, "default", host);
    sim.ecs.registerTaskDefinition(mcTaskDefinition({ family: "model-catalogue", hostPort }));
    sim.ecs.createService(
      mcServiceInput({ cluster: "default", taskDefinition: "model-catalogue", desiredCount }),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "RUNNING" })).toHaveLength(desiredCount);
  }

  it("follows each task to its container instance, EC2 instance and public DNS name", async () => {
    await run(2, [
      { instanceId: IDS[0], publicDnsName: "ec2-one.example.com" },
      { instanceId: IDS[1], publicDnsName: "ec2-two.example.com" },
    ]);
    const hosts = await find();
    expect(hosts.map((host) => [host.ec2InstanceId, host.host])).toEqual([
      [IDS[0], "ec2-one.example.com"],
      [IDS[1], "ec2-two.example.com"],
    ]);
    expect(hosts[0]?.containerInstanceArn).toMatch(/:container-instance\/default\/[0-9a-f]{32}$/);
  });

  it("uses the private IPs with --ssh-private-ip", async () => {
    await run(1, [
      { instanceId: IDS[0], publicDnsName: null, publicIpAddress: null, privateIpAddress: "10.0.3.4" },
    ]);
    expect((await find(true)).map((host) => host.host)).toEqual(["10.0.3.4"]);
  });

  it("fails with a suggestion when an instance has no public address and --ssh-private-ip was not given", async () => {
    await run(1, [
      { instanceId: IDS[0], publicDnsName: null, publicIpAddress: null, privateIpAddress: "10.0.3.4" },
    ]);
    const error = (await find().catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(`EC2 instance ${IDS[0]} has no public DNS name or public IP (running)`);
    expect(error.suggestion).toMatch(/--ssh-private-ip to connect to its private IP 10\.0\.3\.4/);
  });

  it("falls back to the public IP in a VPC without DNS host names", async () => {
    await run(1, [{ instanceId: IDS[0], publicDnsName: null, publicIpAddress: "3.250.7.8" }]);
    expect((await find()).map((host) => host.host)).toEqual(["3.250.7.8"]);
  });

  it("names each host once when several tasks share an instance", async () => {
    // Without a fixed host port two tasks fit on one big instance.
    await run(
      2,
      [{ instanceId: IDS[0], publicDnsName: "ec2-big.example.com", cpu: 8192, memoryMiB: 30720 }],
      0,
    );
    expect((await find()).map((host) => host.host)).toEqual(["ec2-big.example.com"]);
  });

  it("an EC2 instance EC2 no longer knows is named with its container instance, and where to look", async () => {
    await run(1, [{ instanceId: IDS[0] }]);
    sim.faults.inject({
      service: "EC2",
      command: "DescribeInstances",
      error: () =>
        Object.assign(new Error(`The instance ID '${IDS[0]}' does not exist`), {
          name: "InvalidInstanceID.NotFound",
        }),
    });
    const error = (await find().catch((caught: unknown) => caught)) as McctlError;
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toMatch(
      new RegExp(`^EC2 instance ${IDS[0]} \\(container instance [0-9a-f]{32}\\) was not found$`),
    );
    expect(error.suggestion).toBe("It may have been terminated: check `mcctl status` and the EC2 console.");
  });

  it("with --ssh-private-ip, an instance whose private IP EC2 does not give fails naming it", async () => {
    await run(1, [{ instanceId: IDS[0] }]);
    // The simulator always gives a private IP; EC2's answer is stripped of it here.
    const real = createEc2Api(config);
    const ec2 = {
      ...real,
      describeInstances: async (ids: readonly string[]) =>
        (await real.describeInstances(ids)).map((instance) => ({ ...instance, PrivateIpAddress: undefined })),
    };
    const error = (await findServiceHosts(createEcsApi(config), ec2, "default", "mc", {
      usePrivateIp: true,
    }).catch((caught: unknown) => caught)) as McctlError;
    expect(error.message).toBe(`EC2 instance ${IDS[0]} has no private IP address (running)`);
  });

  it("finds no host when no task runs", async () => {
    await run(0, [{ instanceId: IDS[0] }]);
    expect(await find()).toEqual([]);
    // ECS refuses DescribeTasks with no task, EC2 answers DescribeInstances with no id with every instance.
    expect(sim.callsOf("DescribeTasks")).toHaveLength(0);
    expect(sim.callsOf("DescribeInstances")).toHaveLength(0);
  });
});
