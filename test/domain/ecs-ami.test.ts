import { describe, expect, it } from "vitest";
import {
  containerInstanceAmiId,
  endOfSupportWarning,
  instanceTypeArchitecture,
  isPastEndOfSupport,
  operatingSystemOfImage,
  parseRecommendedEcsAmi,
  recommendedEcsAmiParameter,
} from "../../src/domain/ecs-ami.js";

describe("instanceTypeArchitecture", () => {
  it.each([
    ["m5.xlarge", "x86_64"],
    ["m3.xlarge", "x86_64"],
    ["t3a.large", "x86_64"],
    ["m6i.xlarge", "x86_64"],
    ["g4dn.xlarge", "x86_64"],
    ["m5zn.large", "x86_64"],
    ["p4de.24xlarge", "x86_64"],
    ["m7i-flex.large", "x86_64"],
    ["t4g.medium", "arm64"],
    ["m6g.xlarge", "arm64"],
    ["m7gd.large", "arm64"],
    ["c7gn.large", "arm64"],
    ["x2gd.large", "arm64"],
    ["im4gn.large", "arm64"],
    ["is4gen.large", "arm64"],
    ["g5g.xlarge", "arm64"],
    ["a1.large", "arm64"],
  ])("%s is %s", (instanceType, architecture) => {
    expect(instanceTypeArchitecture(instanceType)).toBe(architecture);
  });
});

describe("recommendedEcsAmiParameter", () => {
  it("names the Amazon Linux 2023 parameter, with arm64/ for Graviton", () => {
    expect(recommendedEcsAmiParameter("x86_64")).toBe(
      "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended",
    );
    expect(recommendedEcsAmiParameter("arm64")).toBe(
      "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended",
    );
  });
});

describe("parseRecommendedEcsAmi", () => {
  it("reads the documented JSON object", () => {
    const value = JSON.stringify({
      schema_version: 1,
      image_name: "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64",
      image_id: "ami-0123456789abcdef0",
      os: "Amazon Linux 2023",
      ecs_runtime_version: "Docker version 25.0.8",
      ecs_agent_version: "1.97.1",
    });
    expect(parseRecommendedEcsAmi(value)).toEqual({
      imageId: "ami-0123456789abcdef0",
      imageName: "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64",
      os: "Amazon Linux 2023",
      ecsAgentVersion: "1.97.1",
    });
  });

  it.each([
    ["not JSON", "ami-0123456789abcdef0"],
    ["no image_id", '{"os":"Amazon Linux 2023"}'],
    ["an image_id that is no AMI id", '{"image_id":"i-0123456789abcdef0"}'],
    ["an array", '["ami-0123456789abcdef0"]'],
    ["null", "null"],
  ])("refuses %s", (_case, value) => {
    expect(parseRecommendedEcsAmi(value)).toBeUndefined();
  });
});

describe("operatingSystemOfImage and its end of support", () => {
  it("knows Amazon Linux 2023, Amazon Linux 2 and the Amazon Linux AMI by their AMI names", () => {
    expect(operatingSystemOfImage("al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-arm64")).toEqual({
      name: "Amazon Linux 2023",
      supportEnds: "2029-06-30",
    });
    expect(operatingSystemOfImage("amzn2-ami-ecs-hvm-2.0.20241010-x86_64-ebs")).toEqual({
      name: "Amazon Linux 2",
      supportEnds: "2026-06-30",
    });
    expect(operatingSystemOfImage("amzn2-ami-ecs-kernel-5.10-hvm-2.0.20241010-x86_64-ebs")?.name).toBe(
      "Amazon Linux 2",
    );
    expect(operatingSystemOfImage("amzn-ami-2018.03.20231218-amazon-ecs-optimized")).toEqual({
      name: "Amazon Linux AMI",
      supportEnds: "2023-12-31",
    });
    expect(operatingSystemOfImage("bottlerocket-aws-ecs-2-x86_64-v1.20.0")).toBeUndefined();
  });

  it("counts the last day as supported", () => {
    const al2 = { name: "Amazon Linux 2", supportEnds: "2026-06-30" };
    expect(isPastEndOfSupport(al2, Date.parse("2026-06-30T23:59:59Z"))).toBe(false);
    expect(isPastEndOfSupport(al2, Date.parse("2026-07-01T00:00:00Z"))).toBe(true);
  });
});

describe("endOfSupportWarning", () => {
  const host = {
    ec2InstanceId: "i-0123456789abcdef0",
    imageId: "ami-0aaaabbbbccccdddd",
    imageName: "amzn2-ami-ecs-hvm-2.0.20241010-x86_64-ebs",
  };

  it("names the instance, the OS, the AMI, the date and what to do once support has ended", () => {
    const warning = endOfSupportWarning(host, Date.parse("2026-11-25T03:00:00Z"));
    expect(warning).toMatch(
      /^i-0123456789abcdef0 runs Amazon Linux 2 \(ami-0aaaabbbbccccdddd\), whose support ended on 2026-06-30: /,
    );
    expect(warning).toContain("aws ec2 terminate-instances --instance-ids i-0123456789abcdef0");
    expect(warning).toContain("`mcctl setup`");
  });

  it("says nothing while the OS is supported, for Amazon Linux 2023, or for an AMI EC2 no longer describes", () => {
    expect(endOfSupportWarning(host, Date.parse("2026-06-30T12:00:00Z"))).toBeUndefined();
    const now = Date.parse("2026-11-25T03:00:00Z");
    expect(
      endOfSupportWarning(
        { ...host, imageName: "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64" },
        now,
      ),
    ).toBeUndefined();
    expect(endOfSupportWarning({ ...host, imageName: undefined }, now)).toBeUndefined();
    expect(
      endOfSupportWarning({ ...host, imageName: "ubuntu/images/hvm-ssd/ubuntu-jammy" }, now),
    ).toBeUndefined();
  });
});

describe("containerInstanceAmiId", () => {
  it("takes the agent's ecs.ami-id attribute, else EC2's ImageId", () => {
    expect(
      containerInstanceAmiId(
        [{ name: "ecs.ami-id", value: "ami-0aaaabbbbccccdddd" }],
        "ami-0eeeeffff00001111",
      ),
    ).toBe("ami-0aaaabbbbccccdddd");
    expect(containerInstanceAmiId([{ name: "ecs.os-type", value: "linux" }], "ami-0eeeeffff00001111")).toBe(
      "ami-0eeeeffff00001111",
    );
    expect(containerInstanceAmiId(undefined, undefined)).toBeUndefined();
  });
});
