import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEc2Api, type Ec2Api } from "../../src/aws/ec2.js";
import { createSimulatedAws, type SimulatedAws } from "../helpers/sim.js";

const KNOWN = "i-0aaaaaaaaaaaaaaa1";
const OTHER = "i-0bbbbbbbbbbbbbbb2";
const GONE = "i-0ccccccccccccccc3";

let sim: SimulatedAws;
let ec2: Ec2Api;

beforeEach(() => {
  vi.useFakeTimers();
  sim = createSimulatedAws();
  sim.install();
  sim.ec2.addInstance({ instanceId: KNOWN });
  sim.ec2.addInstance({ instanceId: OTHER });
  ec2 = createEc2Api({ region: "eu-west-1", maxAttempts: 1, retryMode: "standard" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const ids = (instances: { InstanceId?: string }[]) => instances.map((instance) => instance.InstanceId);

describe("Ec2Api.describeInstances", () => {
  it("describes the instances in one call, once per id", async () => {
    expect(ids(await ec2.describeInstances([KNOWN, OTHER, KNOWN]))).toEqual([KNOWN, OTHER]);
    expect(sim.callsOf("DescribeInstances").map((call) => call.input.InstanceIds)).toEqual([[KNOWN, OTHER]]);
  });

  it("leaves out instances EC2 no longer knows instead of failing", async () => {
    expect(ids(await ec2.describeInstances([GONE, KNOWN]))).toEqual([KNOWN]);
    expect(await ec2.describeInstances([GONE])).toEqual([]);
    expect(await ec2.describeInstances([])).toEqual([]);
  });

  it("says so when EC2 throttles", async () => {
    sim.faults.inject({ service: "EC2", error: "throttling" });
    await expect(ec2.describeInstances([KNOWN])).rejects.toThrow(
      "AWS is throttling ec2:DescribeInstances requests",
    );
  });
});
