import {
  type _InstanceType,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  EC2Client,
  paginateDescribeInstanceTypes,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEc2Api } from "../../../src/aws/ec2.js";
import { ec2InstanceTypes } from "../../../src/sandbox/sim/ec2-model.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

let sim: SimulatedAws;
let client: EC2Client;

beforeEach(() => {
  sim = createSimulatedAws();
  sim.install();
  client = new EC2Client({ region: "eu-west-1", maxAttempts: 1 });
});

afterEach(() => sim.restore());

const describe_ = (input: DescribeInstanceTypesCommandInput = {}) =>
  client.send(new DescribeInstanceTypesCommand(input));

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as Error & { Code?: string },
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error & { Code?: string; $metadata?: { httpStatusCode?: number } };
}

describe("EC2 DescribeInstanceTypes", () => {
  it("describes a type: vCPUs, nominal memory, architectures, generation", async () => {
    const { InstanceTypes } = await describe_({ InstanceTypes: ["t3.small", "m6g.xlarge"] });

    expect(InstanceTypes).toEqual([
      expect.objectContaining({
        InstanceType: "m6g.xlarge",
        CurrentGeneration: true,
        BareMetal: false,
        ProcessorInfo: { SupportedArchitectures: ["arm64"] },
        VCpuInfo: { DefaultVCpus: 4 },
        MemoryInfo: { SizeInMiB: 16384 },
      }),
      expect.objectContaining({
        InstanceType: "t3.small",
        CurrentGeneration: true,
        BurstablePerformanceSupported: true,
        ProcessorInfo: { SupportedArchitectures: ["x86_64"] },
        VCpuInfo: { DefaultVCpus: 2 },
        MemoryInfo: { SizeInMiB: 2048 },
      }),
    ]);
  });

  it("an unknown type, or one the region does not support, fails the whole call with InvalidInstanceType", async () => {
    const error = await failure(
      describe_({ InstanceTypes: ["t3.small", "x9.huge" as _InstanceType, "m3.xlarge"] }),
    );

    expect(error.name).toBe("InvalidInstanceType");
    expect(error.message).toBe("The following supplied instance types do not exist: [x9.huge, m3.xlarge]");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    // IncludeUnsupportedInRegion describes a known type the region does not offer, previous generation and all.
    const { InstanceTypes } = await describe_({
      InstanceTypes: ["m3.xlarge"],
      IncludeUnsupportedInRegion: true,
    });
    expect(InstanceTypes?.[0]).toMatchObject({ CurrentGeneration: false, MemoryInfo: { SizeInMiB: 15360 } });
  });

  it("without InstanceTypes: every type the region supports; filters narrow them, with wildcards", async () => {
    sim.ec2.setOfferedInstanceTypes(["t3.small", "m5.xlarge", "m6g.xlarge", "m3.xlarge", "c5.xlarge"]);

    const all = await describe_();
    expect(all.InstanceTypes?.map((info) => info.InstanceType)).toEqual([
      "c5.xlarge",
      "m3.xlarge",
      "m5.xlarge",
      "m6g.xlarge",
      "t3.small",
    ]);
    const current = await describe_({
      Filters: [
        { Name: "current-generation", Values: ["true"] },
        { Name: "processor-info.supported-architecture", Values: ["x86_64"] },
        { Name: "vcpu-info.default-vcpus", Values: ["4"] },
      ],
    });
    expect(current.InstanceTypes?.map((info) => info.InstanceType)).toEqual(["c5.xlarge", "m5.xlarge"]);
    const named = await describe_({ Filters: [{ Name: "instance-type", Values: ["m*.xlarge"] }] });
    expect(named.InstanceTypes?.map((info) => info.InstanceType)).toEqual([
      "m3.xlarge",
      "m5.xlarge",
      "m6g.xlarge",
    ]);
    const memory = await describe_({ Filters: [{ Name: "memory-info.size-in-mib", Values: ["16384"] }] });
    expect(memory.InstanceTypes?.map((info) => info.InstanceType)).toEqual(["m5.xlarge", "m6g.xlarge"]);
    await expect(describe_({ Filters: [{ Name: "hypervisor", Values: ["nitro"] }] })).rejects.toThrow(
      'simulated EC2 does not implement the DescribeInstanceTypes filter "hypervisor"',
    );
  });

  it("pages with MaxResults (5 to 100) and NextToken", async () => {
    sim.ec2.setOfferedInstanceTypes(() => true);
    const first = await describe_({ MaxResults: 5 });
    expect(first.InstanceTypes).toHaveLength(5);
    expect(first.NextToken).toBeDefined();
    const second = await describe_({ MaxResults: 5, NextToken: first.NextToken });
    expect(second.InstanceTypes?.[0]?.InstanceType).not.toBe(first.InstanceTypes?.[0]?.InstanceType);

    const names: string[] = [];
    for await (const page of paginateDescribeInstanceTypes({ client, pageSize: 7 }, {})) {
      names.push(...(page.InstanceTypes ?? []).map((info) => info.InstanceType ?? ""));
    }
    expect(names).toEqual(Object.keys(ec2InstanceTypes).sort());

    for (const bad of [4, 101]) {
      const error = await failure(describe_({ MaxResults: bad }));
      expect(error.name).toBe("InvalidParameterValue");
      expect(error.message).toBe(
        `Value ( ${bad} ) for parameter maxResults is invalid. Expecting a value between 5 and 100.`,
      );
    }
    expect((await failure(describe_({ NextToken: "nonsense" }))).name).toBe("InvalidParameterValue");
  });

  it("the Ec2Api wrapper: a type the region does not support is undefined; the current x86_64 list follows every page", async () => {
    const ec2 = createEc2Api({ region: "eu-west-1", maxAttempts: 1, retryMode: "standard" });
    expect(await ec2.describeInstanceType("m3.xlarge")).toBeUndefined();
    expect((await ec2.describeInstanceType("m5.xlarge"))?.VCpuInfo?.DefaultVCpus).toBe(4);
    const current = (await ec2.currentInstanceTypes("x86_64")).map((info) => info.InstanceType);
    expect(current).toContain("m5.xlarge");
    expect(current).not.toContain("m3.xlarge");
    expect(current).not.toContain("m6g.xlarge");
    expect(sim.callsOf("DescribeInstanceTypes", "EC2").at(-1)?.input).toMatchObject({
      Filters: expect.arrayContaining([{ Name: "current-generation", Values: ["true"] }]),
    });
  });
});
