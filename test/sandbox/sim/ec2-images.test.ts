import { DescribeImagesCommand, EC2Client, type Image } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ECS_AMI_OWNER, imageIdFor } from "../../../src/sandbox/sim/ec2-model.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

const AL2 = "amzn2-ami-ecs-hvm-2.0.20241010-x86_64-ebs";
const AL2_SEARCH = {
  Owners: ["amazon"],
  Filters: [{ Name: "name", Values: ["amzn2-ami-ecs-hvm-*-x86_64-ebs"] }],
};

let sim: SimulatedAws;
let ec2: EC2Client;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws({ accountId: "111122223333" });
  sim.install();
  ec2 = new EC2Client({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const names = (images: Image[] | undefined) => (images ?? []).map((image) => image.Name).sort();

describe("DescribeImages and deprecated AMIs", () => {
  it("deprecates a public AMI two years after its creation, to the minute", async () => {
    const { Images = [] } = await ec2.send(
      new DescribeImagesCommand({ ImageIds: [imageIdFor(AL2, "eu-west-1")] }),
    );
    expect(Images[0]).toMatchObject({
      Name: AL2,
      CreationDate: "2024-10-10T21:04:18.000Z",
      DeprecationTime: "2026-10-10T21:04:00.000Z",
    });
  });

  it("leaves deprecated AMIs out of a search: the old Amazon Linux 2 name search finds nothing today", async () => {
    const { Images } = await ec2.send(new DescribeImagesCommand(AL2_SEARCH));
    expect(Images).toEqual([]);
    const all = await ec2.send(new DescribeImagesCommand({ ...AL2_SEARCH, IncludeDeprecated: true }));
    expect(names(all.Images)).toContain(AL2);
    // Two months earlier, before the newest one was deprecated, the search found it.
    vi.setSystemTime(Date.parse("2026-09-25T03:00:00Z"));
    expect(names((await ec2.send(new DescribeImagesCommand(AL2_SEARCH))).Images)).toEqual([AL2]);
  });

  it("describes a deprecated AMI by its id, and lists the owner's own deprecated AMIs", async () => {
    const { Images = [] } = await ec2.send(
      new DescribeImagesCommand({ ImageIds: [imageIdFor(AL2, "eu-west-1")] }),
    );
    expect(names(Images)).toEqual([AL2]);
    sim.ec2.addImage({
      name: "my-golden-image",
      creationDate: "2024-01-01T00:00:00.000Z",
      deprecationTime: "2025-01-01T00:00:00.000Z",
    });
    const own = await ec2.send(new DescribeImagesCommand({ Owners: ["self"] }));
    expect(names(own.Images)).toEqual(["my-golden-image"]);
  });

  it("lists the current Amazon Linux 2023 releases, which are not deprecated", async () => {
    const { Images } = await ec2.send(
      new DescribeImagesCommand({
        Owners: [ECS_AMI_OWNER],
        Filters: [{ Name: "name", Values: ["al2023-ami-ecs-hvm-*"] }],
      }),
    );
    expect(names(Images)).toEqual([
      "al2023-ami-ecs-hvm-2023.0.20260923-kernel-6.1-arm64",
      "al2023-ami-ecs-hvm-2023.0.20260923-kernel-6.1-x86_64",
      "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-arm64",
      "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64",
    ]);
  });
});
