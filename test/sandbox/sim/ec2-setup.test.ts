import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeInstanceTypeOfferingsCommand,
  type DescribeInstanceTypeOfferingsCommandInput,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import {
  DescribeContainerInstancesCommand,
  ECSClient,
  ListContainerInstancesCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { ecsUserData, type SeededAccount, seedEmptyAccount } from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
let sim: SimulatedAws;
let ec2: EC2Client;
let account: SeededAccount;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws();
  sim.install();
  ec2 = new EC2Client({ region: "eu-west-1" });
  account = seedEmptyAccount(sim);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to fail"),
    (e: unknown) => e,
  );

async function newestEcsImage(): Promise<string> {
  const { Images = [] } = await ec2.send(
    new DescribeImagesCommand({
      Owners: ["amazon"],
      Filters: [
        { Name: "name", Values: ["amzn2-ami-ecs-hvm-*-x86_64-ebs"] },
        { Name: "state", Values: ["available"] },
      ],
    }),
  );
  const newest = [...Images].sort((a, b) => (b.CreationDate ?? "").localeCompare(a.CreationDate ?? ""))[0];
  return newest?.ImageId ?? "";
}

async function launch(overrides: Partial<RunInstancesCommandInput> = {}) {
  const input: RunInstancesCommandInput = {
    ImageId: await newestEcsImage(),
    InstanceType: "m5.xlarge",
    KeyName: "mc",
    MinCount: 1,
    MaxCount: 1,
    IamInstanceProfile: { Name: "ecsInstanceRole" },
    UserData: ecsUserData("mc"),
    TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "mc-host" }] }],
    ...overrides,
  };
  return ec2.send(new RunInstancesCommand(input));
}

async function instancesOf(input: DescribeInstancesCommandInput = {}) {
  const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand(input));
  return Reservations.flatMap((reservation) => reservation.Instances ?? []);
}

describe("EC2 default VPC", () => {
  it("describes the default VPC, its subnets (one per AZ) and its default security group", async () => {
    const { Vpcs = [] } = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "isDefault", Values: ["true"] }] }),
    );
    expect(Vpcs).toEqual([
      expect.objectContaining({
        VpcId: account.vpcId,
        IsDefault: true,
        CidrBlock: "172.31.0.0/16",
        State: "available",
      }),
    ]);
    const { Subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [account.vpcId] },
          { Name: "default-for-az", Values: ["true"] },
        ],
      }),
    );
    expect(
      Subnets.map((subnet) => [subnet.AvailabilityZone, subnet.CidrBlock, subnet.MapPublicIpOnLaunch]),
    ).toEqual([
      ["eu-west-1a", "172.31.0.0/20", true],
      ["eu-west-1b", "172.31.16.0/20", true],
      ["eu-west-1c", "172.31.32.0/20", true],
    ]);
    expect(Subnets[0]?.AvailabilityZoneId).toBe("euw1-az1");
    const { SecurityGroups = [] } = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "group-name", Values: ["default"] },
          { Name: "vpc-id", Values: [account.vpcId] },
        ],
      }),
    );
    expect(SecurityGroups).toEqual([
      expect.objectContaining({
        GroupId: account.defaultSecurityGroupId,
        GroupName: "default",
        Description: "default VPC security group",
        IpPermissions: [
          expect.objectContaining({
            IpProtocol: "-1",
            UserIdGroupPairs: [expect.objectContaining({ GroupId: account.defaultSecurityGroupId })],
          }),
        ],
        IpPermissionsEgress: [
          expect.objectContaining({ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
        ],
      }),
    ]);
    await expect(
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: ["subnet-0123456789abcdef0"] })),
    ).rejects.toMatchObject({
      name: "InvalidSubnetID.NotFound",
      message: "The subnet ID 'subnet-0123456789abcdef0' does not exist",
    });
  });
});

describe("EC2 security groups", () => {
  it("creates a group, refuses a duplicate name in the VPC and finds it by name or id", async () => {
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "mc-db",
        Description: "Model Catalogue database",
        VpcId: account.vpcId,
      }),
    );
    expect(GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    const duplicate = await fail(
      ec2.send(
        new CreateSecurityGroupCommand({ GroupName: "mc-db", Description: "again", VpcId: account.vpcId }),
      ),
    );
    expect(duplicate).toBeInstanceOf(EC2ServiceException);
    expect(duplicate).toMatchObject({
      name: "InvalidGroup.Duplicate",
      Code: "InvalidGroup.Duplicate",
      message: `The security group 'mc-db' already exists for VPC '${account.vpcId}'`,
      $metadata: { httpStatusCode: 400 },
    });
    const byName = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["mc-*"] }] }),
    );
    expect(byName.SecurityGroups?.map((group) => group.GroupId)).toEqual([GroupId]);
    await expect(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })),
    ).rejects.toMatchObject({
      name: "InvalidGroup.NotFound",
      message: "The security group 'sg-0123456789abcdef0' does not exist",
    });
  });

  it("authorizes MySQL from the instances' group once; the same rule again is InvalidPermission.Duplicate", async () => {
    const { GroupId: dbGroup } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "mc-db", Description: "db", VpcId: account.vpcId }),
    );
    const { GroupId: hostGroup } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "mc-hosts", Description: "hosts", VpcId: account.vpcId }),
    );
    const mysqlFromHosts = {
      GroupId: dbGroup,
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 3306,
          ToPort: 3306,
          UserIdGroupPairs: [{ GroupId: hostGroup, Description: "mc hosts" }],
        },
      ],
    };
    const output = await ec2.send(new AuthorizeSecurityGroupIngressCommand(mysqlFromHosts));
    expect(output).toMatchObject({
      Return: true,
      SecurityGroupRules: [
        expect.objectContaining({
          GroupId: dbGroup,
          IsEgress: false,
          IpProtocol: "tcp",
          FromPort: 3306,
          ToPort: 3306,
          ReferencedGroupInfo: { GroupId: hostGroup, UserId: "123456789012" },
        }),
      ],
    });
    const duplicate = await fail(ec2.send(new AuthorizeSecurityGroupIngressCommand(mysqlFromHosts)));
    expect(duplicate).toMatchObject({
      name: "InvalidPermission.Duplicate",
      message: `the specified rule "peer: ${hostGroup}, TCP, from port: 3306, to port: 3306, ALLOW" already exists`,
    });
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: hostGroup,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    await expect(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: hostGroup,
          IpProtocol: "tcp",
          FromPort: 22,
          ToPort: 22,
          CidrIp: "0.0.0.0/0",
        }),
      ),
    ).rejects.toMatchObject({
      message: 'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
    });
    await expect(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: dbGroup,
          IpPermissions: [
            {
              IpProtocol: "tcp",
              FromPort: 3306,
              ToPort: 3306,
              UserIdGroupPairs: [{ GroupId: "sg-0123456789abcdef0" }],
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidGroup.NotFound" });
    await expect(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: dbGroup,
          IpPermissions: [{ IpProtocol: "tcp", IpRanges: [{ CidrIp: "10.0.0.0/8" }] }],
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.",
    });

    const db = sim.ec2.securityGroup(dbGroup ?? "");
    expect(db?.IpPermissions).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 3306,
        ToPort: 3306,
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [{ GroupId: hostGroup, UserId: "123456789012", Description: "mc hosts" }],
      },
    ]);
  });
});

describe("EC2 key pairs and images", () => {
  it("describes key pairs and fails with InvalidKeyPair.NotFound", async () => {
    const { KeyPairs = [] } = await ec2.send(new DescribeKeyPairsCommand({ KeyNames: ["mc"] }));
    expect(KeyPairs).toEqual([
      expect.objectContaining({ KeyName: "mc", KeyType: "rsa", KeyPairId: expect.stringMatching(/^key-/) }),
    ]);
    await expect(ec2.send(new DescribeKeyPairsCommand({ KeyNames: ["nope"] }))).rejects.toMatchObject({
      name: "InvalidKeyPair.NotFound",
      message: "The key pair 'nope' does not exist",
    });
  });

  it("lists several ECS-optimized AL2 images, not in date order, so the newest takes a sort", async () => {
    const { Images = [] } = await ec2.send(
      new DescribeImagesCommand({
        Owners: ["amazon"],
        Filters: [
          { Name: "name", Values: ["amzn2-ami-ecs-hvm-*-x86_64-ebs"] },
          { Name: "state", Values: ["available"] },
        ],
      }),
    );
    expect(Images.length).toBeGreaterThanOrEqual(4);
    for (const image of Images) {
      expect(image).toMatchObject({
        OwnerId: "591542846629",
        ImageOwnerAlias: "amazon",
        Architecture: "x86_64",
        State: "available",
      });
    }
    const dates = Images.map((image) => image.CreationDate ?? "");
    expect(dates).not.toEqual([...dates].sort());
    const newest = Images.find((image) => image.CreationDate === [...dates].sort().at(-1));
    expect(newest?.Name).toBe("amzn2-ami-ecs-hvm-2.0.20241010-x86_64-ebs");

    sim.ec2.addImage({
      name: "amzn2-ami-ecs-hvm-2.0.20250101-x86_64-ebs",
      creationDate: "2025-01-01T00:00:00.000Z",
      ownerId: "591542846629",
      ownerAlias: "amazon",
      state: "pending",
    });
    expect(await newestEcsImage()).toBe(newest?.ImageId);
    await expect(
      ec2.send(new DescribeImagesCommand({ ImageIds: ["ami-0123456789abcdef0"] })),
    ).rejects.toMatchObject({
      name: "InvalidAMIID.NotFound",
      message: "The image id '[ami-0123456789abcdef0]' does not exist",
    });
  });
});

describe("EC2 RunInstances", () => {
  it("launches a pending instance that runs after the configured time, with addresses from its subnet", async () => {
    const reservation = await launch();
    const [launched] = reservation.Instances ?? [];
    expect(launched).toMatchObject({
      State: { Code: 0, Name: "pending" },
      InstanceType: "m5.xlarge",
      KeyName: "mc",
      SubnetId: account.subnetIds[0],
      VpcId: account.vpcId,
      SecurityGroups: [{ GroupId: account.defaultSecurityGroupId, GroupName: "default" }],
      IamInstanceProfile: { Arn: "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole" },
      PrivateIpAddress: "172.31.0.10",
      PublicDnsName: "",
      Tags: [{ Key: "Name", Value: "mc-host" }],
    });
    expect(launched?.PublicIpAddress).toBeUndefined();
    const id = launched?.InstanceId ?? "";
    expect(sim.ec2.userDataOf(id)).toContain("ECS_CLUSTER=mc");

    await vi.advanceTimersByTimeAsync(30_000);
    const [running] = await instancesOf({ InstanceIds: [id] });
    expect(running?.State).toEqual({ Code: 16, Name: "running" });
    expect(running?.PublicDnsName).toMatch(/^ec2-54-170-\d+-\d+\.eu-west-1\.compute\.amazonaws\.com$/);

    // Setup looks for the instance it launched before.
    const tagged = await instancesOf({
      Filters: [
        { Name: "tag:Name", Values: ["mc-host"] },
        { Name: "instance-state-name", Values: ["pending", "running"] },
      ],
    });
    expect(tagged.map((instance) => instance.InstanceId)).toEqual([id]);
    expect(await instancesOf({ Filters: [{ Name: "tag-key", Values: ["Name"] }] })).toHaveLength(1);
    expect(await instancesOf({ Filters: [{ Name: "tag:Name", Values: ["other"] }] })).toHaveLength(0);
  });

  it("launches into a given subnet or network interface, and is idempotent per ClientToken", async () => {
    const subnetId = account.subnetIds[2];
    const viaNic = await launch({
      NetworkInterfaces: [
        {
          DeviceIndex: 0,
          SubnetId: subnetId,
          Groups: [account.defaultSecurityGroupId],
          AssociatePublicIpAddress: false,
        },
      ],
      ClientToken: "setup-1",
    });
    const again = await launch({
      NetworkInterfaces: [
        {
          DeviceIndex: 0,
          SubnetId: subnetId,
          Groups: [account.defaultSecurityGroupId],
          AssociatePublicIpAddress: false,
        },
      ],
      ClientToken: "setup-1",
    });
    expect(again.Instances?.[0]?.InstanceId).toBe(viaNic.Instances?.[0]?.InstanceId);
    expect(viaNic.Instances?.[0]).toMatchObject({
      SubnetId: subnetId,
      Placement: { AvailabilityZone: "eu-west-1c" },
    });
    await vi.advanceTimersByTimeAsync(30_000);
    const [instance] = await instancesOf({ InstanceIds: [viaNic.Instances?.[0]?.InstanceId ?? ""] });
    expect(instance?.PublicDnsName).toBe("");
    await expect(
      launch({ SubnetId: subnetId, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId }] }),
    ).rejects.toMatchObject({ name: "InvalidParameterCombination" });
  });

  it("fails like EC2 for unoffered and unknown types, missing profiles, key pairs, images and bad user data", async () => {
    const unsupported = await fail(launch({ InstanceType: "m3.xlarge" }));
    expect(unsupported).toBeInstanceOf(EC2ServiceException);
    expect(unsupported).toMatchObject({
      name: "Unsupported",
      Code: "Unsupported",
      message:
        "The requested configuration is currently not supported. Please check the documentation for supported configurations.",
    });
    await expect(launch({ IamInstanceProfile: { Name: "missingRole" } })).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message:
        "Value (missingRole) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name",
    });
    await expect(launch({ KeyName: "nope" })).rejects.toMatchObject({
      name: "InvalidKeyPair.NotFound",
      message: "The key pair 'nope' does not exist",
    });
    await expect(launch({ InstanceType: "m9.huge" as never })).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: "Invalid value 'm9.huge' for InstanceType.",
    });
    await expect(launch({ InstanceType: "t4g.medium" })).rejects.toMatchObject({
      name: "InvalidParameterValue",
    });
    await expect(launch({ ImageId: "ami-0123456789abcdef0" })).rejects.toMatchObject({
      name: "InvalidAMIID.NotFound",
    });
    await expect(launch({ UserData: "ECS_CLUSTER=mc" })).rejects.toMatchObject({
      name: "InvalidUserData.Malformed",
      message: "Invalid BASE64 encoding of user data.",
    });
    await expect(launch({ SubnetId: "subnet-0123456789abcdef0" })).rejects.toMatchObject({
      name: "InvalidSubnetID.NotFound",
    });
    expect(sim.ec2.instances()).toEqual([]);

    sim.ec2.setOfferedInstanceTypes((type) => type.startsWith("t3."));
    await expect(launch({ InstanceType: "m5.xlarge" })).rejects.toMatchObject({ name: "Unsupported" });
    await expect(launch({ InstanceType: "t3.medium" })).resolves.toBeDefined();
  });
});

describe("EC2 DescribeInstanceTypeOfferings", () => {
  const offerings = async (input: DescribeInstanceTypeOfferingsCommandInput) =>
    (await ec2.send(new DescribeInstanceTypeOfferingsCommand(input))).InstanceTypeOfferings ?? [];

  it("lists the region's offered types: by default every known type but the m3 generation", async () => {
    const byType = (type: string) =>
      offerings({ LocationType: "region", Filters: [{ Name: "instance-type", Values: [type] }] });
    expect(await byType("m5.xlarge")).toEqual([
      { InstanceType: "m5.xlarge", LocationType: "region", Location: "eu-west-1" },
    ]);
    expect(await byType("m3.xlarge")).toEqual([]);
    expect(await byType("m9.huge")).toEqual([]);
    // LocationType defaults to region; wildcards as in every EC2 filter.
    const m5 = await offerings({ Filters: [{ Name: "instance-type", Values: ["m5.*"] }] });
    expect(m5.map((offering) => offering.InstanceType)).toEqual(["m5.2xlarge", "m5.large", "m5.xlarge"]);
    expect(await offerings({ Filters: [{ Name: "instance-type", Values: ["m3.*"] }] })).toEqual([]);
  });

  it("follows setOfferedInstanceTypes, the same set RunInstances accepts", async () => {
    sim.ec2.setOfferedInstanceTypes(["m3.xlarge", "t3.medium", "m9.huge"]);
    const all = await offerings({});
    expect(all.map((offering) => offering.InstanceType)).toEqual(["m3.xlarge", "t3.medium"]);
    expect(await offerings({ Filters: [{ Name: "instance-type", Values: ["m5.xlarge"] }] })).toEqual([]);
  });

  it("lists per Availability Zone, filters by location and pages", async () => {
    const filters = [{ Name: "instance-type", Values: ["m5.xlarge"] }];
    const zones = await offerings({ LocationType: "availability-zone", Filters: filters });
    expect(zones.map((offering) => [offering.LocationType, offering.Location])).toEqual([
      ["availability-zone", "eu-west-1a"],
      ["availability-zone", "eu-west-1b"],
      ["availability-zone", "eu-west-1c"],
    ]);
    const ids = await offerings({ LocationType: "availability-zone-id", Filters: filters });
    expect(ids.map((offering) => offering.Location)).toEqual(["euw1-az1", "euw1-az2", "euw1-az3"]);
    const inB = await offerings({
      LocationType: "availability-zone",
      Filters: [...filters, { Name: "location", Values: ["eu-west-1b"] }],
    });
    expect(inB).toEqual([
      { InstanceType: "m5.xlarge", LocationType: "availability-zone", Location: "eu-west-1b" },
    ]);

    const first = await ec2.send(new DescribeInstanceTypeOfferingsCommand({ MaxResults: 5 }));
    expect(first.InstanceTypeOfferings).toHaveLength(5);
    const second = await ec2.send(
      new DescribeInstanceTypeOfferingsCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    expect(second.InstanceTypeOfferings?.[0]?.InstanceType).not.toBe(
      first.InstanceTypeOfferings?.[0]?.InstanceType,
    );
    await expect(ec2.send(new DescribeInstanceTypeOfferingsCommand({ MaxResults: 2 }))).rejects.toMatchObject(
      {
        name: "InvalidParameterValue",
      },
    );
    await expect(
      ec2.send(new DescribeInstanceTypeOfferingsCommand({ Filters: [{ Name: "vcpu", Values: ["4"] }] })),
    ).rejects.toThrow(/does not implement the DescribeInstanceTypeOfferings filter "vcpu"/);
  });
});

describe("EC2 instances registering in ECS", () => {
  const ecs = () => new ECSClient({ region: "eu-west-1" });

  async function containerInstances(cluster: string) {
    const { containerInstanceArns = [] } = await ecs().send(new ListContainerInstancesCommand({ cluster }));
    if (containerInstanceArns.length === 0) return [];
    const { containerInstances = [] } = await ecs().send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: containerInstanceArns }),
    );
    return containerInstances;
  }

  it("registers a running instance with the profile and ECS_CLUSTER after the agent's delay, with its type's resources", async () => {
    sim.ecs.addCluster("mc");
    const id = (await launch()).Instances?.[0]?.InstanceId ?? "";
    await vi.advanceTimersByTimeAsync(30_000 + 60_000 - 1);
    expect(await containerInstances("mc")).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const [registered] = await containerInstances("mc");
    expect(registered).toMatchObject({ ec2InstanceId: id, status: "ACTIVE", agentConnected: true });
    expect(registered?.registeredResources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "CPU", integerValue: 4096 }),
        expect.objectContaining({ name: "MEMORY", integerValue: 15576 }),
      ]),
    );

    sim.ec2.setInstanceState(id, "stopped");
    expect((await containerInstances("mc"))[0]?.agentConnected).toBe(false);
    sim.ec2.setInstanceState(id, "running");
    expect((await containerInstances("mc"))[0]?.agentConnected).toBe(true);
  });

  it("registers smaller instance types with their own resources, and follows configured timings", async () => {
    sim.ecs.addCluster("mc");
    sim.ec2.setTimings({ pendingMs: 10_000, ecsRegistrationMs: 5_000 });
    await launch({ InstanceType: "t3.medium" });
    await vi.advanceTimersByTimeAsync(15_000);
    const [registered] = await containerInstances("mc");
    expect(registered?.registeredResources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "CPU", integerValue: 2048 }),
        expect.objectContaining({ name: "MEMORY", integerValue: 3800 }),
      ]),
    );
  });

  it("never registers without an instance profile, with a profile without role, or for another cluster", async () => {
    sim.ecs.addCluster("mc");
    sim.iam.addInstanceProfile("roleless", null);
    await launch({ IamInstanceProfile: undefined });
    await launch({ IamInstanceProfile: { Name: "roleless" } });
    await launch({ UserData: ecsUserData("mc-typo") });
    await launch({ UserData: undefined }); // the agent then looks for cluster "default"
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(await containerInstances("mc")).toEqual([]);
    expect(sim.ec2.instances().every((instance) => instance.State?.Name === "running")).toBe(true);
  });

  it("registers once the missing cluster is created, as the agent keeps retrying", async () => {
    await launch();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    sim.ecs.addCluster("mc");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await containerInstances("mc")).toHaveLength(1);
  });

  it("marks the container instance INACTIVE when the EC2 instance is terminated", async () => {
    sim.ecs.addCluster("mc");
    const id = (await launch()).Instances?.[0]?.InstanceId ?? "";
    await vi.advanceTimersByTimeAsync(90_000);
    const [registered] = await containerInstances("mc");
    sim.ec2.setInstanceState(id, "terminated");
    const [instance] = await instancesOf({ InstanceIds: [id] });
    expect(instance?.State?.Name).toBe("terminated");
    const { containerInstances: described = [] } = await ecs().send(
      new DescribeContainerInstancesCommand({
        cluster: "mc",
        containerInstances: [registered?.containerInstanceArn ?? ""],
      }),
    );
    expect(described[0]).toMatchObject({ status: "INACTIVE", agentConnected: false });
  });

  it("injects EC2 faults into RunInstances, e.g. a launch whose response is lost", async () => {
    sim.ecs.addCluster("mc");
    sim.faults.inject({
      service: "EC2",
      command: "RunInstances",
      match: (input) => input.InstanceType === "m5.xlarge",
      error: "connection-reset",
      applied: true,
    });
    await expect(launch({ ClientToken: "retry-me" })).rejects.toMatchObject({ code: "ECONNRESET" });
    const retried = await launch({ ClientToken: "retry-me" });
    expect(sim.ec2.instances().map((instance) => instance.InstanceId)).toEqual([
      retried.Instances?.[0]?.InstanceId,
    ]);
    expect(sim.callsOf("RunInstances", "EC2").map((call) => call.input.ClientToken)).toEqual([
      "retry-me",
      "retry-me",
    ]);
  });
});
