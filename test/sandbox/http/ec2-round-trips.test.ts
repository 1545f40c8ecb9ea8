// Every EC2 operation the simulator answers, through a real EC2Client and the sandbox's HTTP server
// (ec2Query: EC2's own key names, `Name.N` lists, `<item>` answers), against the same call made straight to
// a twin simulator.
import { describe, it } from "vitest";
import { ec2Commands } from "../../../src/sandbox/sim/ec2.js";
import { ECS_AMI_OWNER, imageIdFor } from "../../../src/sandbox/sim/ec2-model.js";
import type { SimulatedAws } from "../../helpers/sim.js";
import { ecsUserData, seedEmptyAccount } from "../../helpers/sim-fixtures.js";
import { expectRoundTrip, type Scenario, useServedPair } from "./round-trip.js";

const pair = useServedPair();

const AL2 = "amzn2-ami-ecs-hvm-2.0.20241010-x86_64-ebs";
const account = (sim: SimulatedAws) => seedEmptyAccount(sim);
const vpcId = (sim: SimulatedAws) => sim.ec2.vpcs()[0]?.VpcId ?? "";
const groupId = (sim: SimulatedAws, name: string) => sim.ec2.securityGroup(name)?.GroupId ?? "";
const groups = (sim: SimulatedAws) => {
  sim.ec2.createSecurityGroup({ GroupName: "mc-db", Description: "db", VpcId: vpcId(sim) });
  sim.ec2.createSecurityGroup({ GroupName: "mc-hosts", Description: "hosts", VpcId: vpcId(sim) });
};
const mysqlFromHosts = (sim: SimulatedAws) => ({
  GroupId: groupId(sim, "mc-db"),
  IpPermissions: [
    {
      IpProtocol: "tcp",
      FromPort: 3306,
      ToPort: 3306,
      UserIdGroupPairs: [{ GroupId: groupId(sim, "mc-hosts"), Description: "mc hosts" }],
    },
  ],
});
const launched = (sim: SimulatedAws) =>
  sim.ec2.runInstances({
    ImageId: imageIdFor(AL2, sim.region),
    InstanceType: "m5.xlarge",
    MinCount: 1,
    MaxCount: 1,
    ClientToken: "launch-1",
  });
const instanceId = (sim: SimulatedAws) => sim.ec2.instances()[0]?.InstanceId ?? "";

const scenarios: Record<keyof typeof ec2Commands, Scenario> = {
  DescribeInstances: {
    arrange: [account, launched, 60_000],
    input: (sim) => ({
      InstanceIds: [instanceId(sim)],
      Filters: [{ Name: "instance-state-name", Values: ["pending", "running"] }],
    }),
  },
  RunInstances: {
    arrange: [account],
    input: (sim) => ({
      ImageId: imageIdFor(AL2, sim.region),
      InstanceType: "m5.xlarge",
      KeyName: "mc",
      MinCount: 1,
      MaxCount: 1,
      ClientToken: "run-1",
      IamInstanceProfile: { Name: "ecsInstanceRole" },
      UserData: ecsUserData("mc"),
      SecurityGroupIds: [sim.ec2.securityGroups()[0]?.GroupId ?? ""],
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 40, VolumeType: "gp3" } }],
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "mc-host" }] }],
    }),
  },
  TerminateInstances: {
    arrange: [account, launched, 60_000],
    input: (sim) => ({ InstanceIds: [instanceId(sim)] }),
  },
  DescribeVpcs: {
    arrange: [account],
    input: () => ({ Filters: [{ Name: "isDefault", Values: ["true"] }] }),
  },
  DescribeSubnets: {
    arrange: [account],
    input: (sim) => ({
      Filters: [
        { Name: "vpc-id", Values: [vpcId(sim)] },
        { Name: "default-for-az", Values: ["true"] },
      ],
    }),
  },
  DescribeSecurityGroups: {
    arrange: [account, groups, (sim) => sim.ec2.authorizeSecurityGroupIngress(mysqlFromHosts(sim))],
    input: (sim) => ({ GroupIds: [groupId(sim, "mc-db"), groupId(sim, "default")] }),
  },
  CreateSecurityGroup: {
    arrange: [account],
    input: (sim) => ({
      GroupName: "mc-hosts",
      Description: "Model Catalogue hosts",
      VpcId: vpcId(sim),
      TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "app", Value: "mc" }] }],
    }),
  },
  AuthorizeSecurityGroupIngress: { arrange: [account, groups], input: mysqlFromHosts },
  RevokeSecurityGroupIngress: {
    arrange: [account, groups, (sim) => sim.ec2.authorizeSecurityGroupIngress(mysqlFromHosts(sim))],
    input: mysqlFromHosts,
  },
  DeleteSecurityGroup: {
    arrange: [account, groups],
    input: (sim) => ({ GroupId: groupId(sim, "mc-hosts") }),
  },
  DescribeKeyPairs: {
    arrange: [
      account,
      (sim) => sim.ec2.addKeyPair("ops", { keyType: "ed25519", tags: [{ Key: "a", Value: "b" }] }),
    ],
    input: () => ({ KeyNames: ["mc", "ops"], IncludePublicKey: false }),
  },
  DescribeImages: {
    input: () => ({
      Owners: [ECS_AMI_OWNER, "amazon"],
      Filters: [{ Name: "name", Values: ["amzn2-ami-ecs-hvm-*-x86_64-ebs"] }],
      IncludeDeprecated: true,
    }),
  },
  DescribeInstanceTypeOfferings: {
    input: () => ({
      LocationType: "region",
      Filters: [{ Name: "instance-type", Values: ["m5.xlarge", "t3.large", "r7g.2xlarge"] }],
    }),
  },
  DescribeInstanceTypes: { input: () => ({ InstanceTypes: ["m5.xlarge", "t4g.large"] }) },
};

describe("EC2 over HTTP (ec2Query)", () => {
  it.each(Object.entries(scenarios))("%s answers what the simulator answers", async (operation, scenario) => {
    const [Command] = ec2Commands[operation as keyof typeof ec2Commands];
    await expectRoundTrip(pair, "EC2", operation, Command, scenario);
  });
});
