import {
  DescribeVpcsCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { allow, policy, refusal } from "../../helpers/policies.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { ecsUserData, seedEmptyAccount } from "../../helpers/sim-fixtures.js";

const ACCOUNT = "123456789012";
const USER = `arn:aws:iam::${ACCOUNT}:user/test`;

let sim: SimulatedAws;
let ec2: EC2Client;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2025-03-01T09:00:00.000Z"));
  sim = createSimulatedAws();
  sim.install();
  ec2 = new EC2Client({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

describe("EC2", () => {
  let launch: RunInstancesCommandInput;

  beforeEach(() => {
    const account = seedEmptyAccount(sim);
    const imageId = sim.ec2.describeImages({ Owners: ["amazon"] }).Images?.[0]?.ImageId ?? "";
    launch = {
      ImageId: imageId,
      InstanceType: "m5.xlarge",
      MinCount: 1,
      MaxCount: 1,
      KeyName: account.keyPairName,
      IamInstanceProfile: { Name: account.instanceProfileName },
      UserData: ecsUserData("mc"),
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "app", Value: "mc" }] }],
    };
  });

  const runEverything = allow("ec2:RunInstances");
  const tagOnLaunch = allow("ec2:CreateTags", "*", { StringEquals: { "ec2:CreateAction": "RunInstances" } });

  it("answers a Describe call without resource-level permissions as UnauthorizedOperation", async () => {
    sim.setCallerPolicies([policy(allow("ec2:DescribeVpcs", `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc/*`))]);
    const denied = await refusal(ec2.send(new DescribeVpcsCommand({})));
    expect(denied).toBeInstanceOf(EC2ServiceException);
    expect(denied).toMatchObject({ name: "UnauthorizedOperation", $metadata: { httpStatusCode: 403 } });
    expect(denied.message).toBe(
      `You are not authorized to perform this operation. User: ${USER} is not authorized to perform: ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action`,
    );
    sim.setCallerPolicies([policy(allow("ec2:DescribeVpcs"))]);
    await ec2.send(new DescribeVpcsCommand({}));
  });

  it("authorizes RunInstances on each resource the launch uses, the image's ARN without an account", async () => {
    sim.setCallerPolicies([policy(runEverything, tagOnLaunch, allow("iam:PassRole"))]);
    await ec2.send(new RunInstancesCommand(launch));
    const resources = sim.authorizations
      .filter((record) => record.action === "ec2:RunInstances")
      .map((record) => record.resource.replace(/(sg|subnet)-[0-9a-f]+$/, "$1-…"));
    expect(resources).toEqual([
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/*`,
      `arn:aws:ec2:eu-west-1::image/${launch.ImageId}`,
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:network-interface/*`,
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-…`,
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/subnet-…`,
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/*`,
      `arn:aws:ec2:eu-west-1:${ACCOUNT}:key-pair/mc`,
    ]);
  });

  it("names the first resource refused, with EC2's encoded message", async () => {
    const scoped = ["instance/*", "network-interface/*", "security-group/*", "subnet/*", "volume/*"].map(
      (resource) => `arn:aws:ec2:eu-west-1:${ACCOUNT}:${resource}`,
    );
    sim.setCallerPolicies([
      policy(
        allow("ec2:RunInstances", [...scoped, "arn:aws:ec2:eu-west-1::image/*"]),
        tagOnLaunch,
        allow("iam:PassRole"),
      ),
    ]);
    const denied = await refusal(ec2.send(new RunInstancesCommand(launch)));
    expect(denied.name).toBe("UnauthorizedOperation");
    expect(denied.message).toMatch(
      new RegExp(
        `^You are not authorized to perform this operation\\. User: ${USER} is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:eu-west-1:${ACCOUNT}:key-pair/mc because no identity-based policy allows the ec2:RunInstances action\\. Encoded authorization failure message: [0-9a-f]+$`,
      ),
    );
    expect(sim.ec2.instances()).toEqual([]);
  });

  it("needs ec2:CreateTags for the instance's TagSpecifications, with ec2:CreateAction", async () => {
    sim.setCallerPolicies([policy(runEverything, allow("iam:PassRole"))]);
    const denied = await refusal(ec2.send(new RunInstancesCommand(launch)));
    expect(denied.message).toContain(
      `ec2:CreateTags on resource: arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/* because no identity-based policy allows the ec2:CreateTags action`,
    );
  });

  it("needs iam:PassRole on the instance profile's role, passed to ec2.amazonaws.com", async () => {
    const role = sim.iam.instanceProfile("ecsInstanceRole")?.Roles?.[0]?.Arn ?? "";
    sim.setCallerPolicies([policy(runEverything, tagOnLaunch)]);
    const denied = await refusal(ec2.send(new RunInstancesCommand(launch)));
    expect(denied.message).toContain(
      `User: ${USER} is not authorized to perform: iam:PassRole on resource: ${role} because no identity-based policy allows the iam:PassRole action`,
    );
    const passTo = (service: string) =>
      allow("iam:PassRole", role, { StringEquals: { "iam:PassedToService": service } });
    sim.setCallerPolicies([policy(runEverything, tagOnLaunch, passTo("ecs-tasks.amazonaws.com"))]);
    await expect(ec2.send(new RunInstancesCommand(launch))).rejects.toMatchObject({
      name: "UnauthorizedOperation",
    });
    sim.setCallerPolicies([policy(runEverything, tagOnLaunch, passTo("ec2.amazonaws.com"))]);
    const { Instances = [] } = await ec2.send(new RunInstancesCommand(launch));
    expect(Instances).toHaveLength(1);
  });
});
