import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import {
  addMcHost,
  ecsUserData,
  mcServiceInput,
  mcTaskDefinition,
  type SeededAccount,
  seedEmptyAccount,
} from "../../helpers/sim-fixtures.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
let sim: SimulatedAws;
let ec2: EC2Client;
let ecs: ECSClient;
let account: SeededAccount;

function setUp(options: Parameters<typeof createSimulatedAws>[0] = {}) {
  sim = createSimulatedAws(options);
  sim.install();
  ec2 = new EC2Client({ region: "eu-west-1" });
  ecs = new ECSClient({ region: "eu-west-1" });
  account = seedEmptyAccount(sim);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  setUp();
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected the call to fail"),
    (error: unknown) => error,
  );

async function launch(overrides: Partial<RunInstancesCommandInput> = {}): Promise<string> {
  const { Images = [] } = await ec2.send(
    new DescribeImagesCommand({
      Owners: ["amazon"],
      Filters: [{ Name: "name", Values: ["amzn2-ami-ecs-hvm-*-x86_64-ebs"] }],
    }),
  );
  const image = [...Images].sort((a, b) => (b.CreationDate ?? "").localeCompare(a.CreationDate ?? ""))[0];
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: image?.ImageId,
      InstanceType: "m5.xlarge",
      MinCount: 1,
      MaxCount: 1,
      IamInstanceProfile: { Name: "ecsInstanceRole" },
      UserData: ecsUserData("mc"),
      ...overrides,
    }),
  );
  return Instances[0]?.InstanceId ?? "";
}

async function instancesOf(input: DescribeInstancesCommandInput = {}) {
  const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand(input));
  return Reservations.flatMap((reservation) => reservation.Instances ?? []);
}

async function stateOf(instanceId: string) {
  return (await instancesOf({ InstanceIds: [instanceId] }))[0]?.State?.Name;
}

async function createGroup(name: string, tags: Record<string, string> = {}): Promise<string> {
  const { GroupId = "" } = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: name,
      Description: name,
      VpcId: account.vpcId,
      TagSpecifications: [
        {
          ResourceType: "security-group",
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        },
      ],
    }),
  );
  return GroupId;
}

describe("TerminateInstances", () => {
  it("shuts the instance down at once and terminates it after terminateMs; ECS deregisters it and its task stops", async () => {
    sim.ecs.addCluster("mc");
    sim.ecs.registerTaskDefinition(mcTaskDefinition());
    const id = await launch();
    await vi.advanceTimersByTimeAsync(90_000); // running after 30 s, registered 60 s later
    const { containerInstanceArns = [] } = await ecs.send(
      new ListContainerInstancesCommand({ cluster: "mc" }),
    );
    expect(containerInstanceArns).toHaveLength(1);
    await ecs.send(new CreateServiceCommand(mcServiceInput()));
    await vi.advanceTimersByTimeAsync(12_000);
    const [task] = sim.ecs.tasks({ lastStatus: "RUNNING" });

    const answer = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(answer.TerminatingInstances).toEqual([
      {
        InstanceId: id,
        CurrentState: { Code: 32, Name: "shutting-down" },
        PreviousState: { Code: 16, Name: "running" },
      },
    ]);
    expect(await stateOf(id)).toBe("shutting-down");
    const describe = async () =>
      (
        await ecs.send(
          new DescribeContainerInstancesCommand({ cluster: "mc", containerInstances: containerInstanceArns }),
        )
      ).containerInstances?.[0];
    // The agent is gone with the operating system; ECS deregisters the instance once it is terminated.
    expect(await describe()).toMatchObject({ status: "ACTIVE", agentConnected: false });
    expect(sim.ecs.tasks({ lastStatus: "RUNNING" })).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(sim.ec2.timings.terminateMs);
    expect(await stateOf(id)).toBe("terminated");
    expect(await describe()).toMatchObject({ status: "INACTIVE", agentConnected: false });
    expect(
      (await ecs.send(new ListContainerInstancesCommand({ cluster: "mc" }))).containerInstanceArns,
    ).toEqual([]);
    const { tasks = [] } = await ecs.send(
      new DescribeTasksCommand({ cluster: "mc", tasks: [task?.taskArn ?? ""] }),
    );
    expect(tasks[0]).toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "TerminationNotice",
      stoppedReason: `Host EC2 (instance ${id}) terminated.`,
      stoppedAt: new Date(T0 + 102_000 + 60_000),
    });
  });

  it("stays visible as terminated for an hour, then is unknown", async () => {
    const id = await launch();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await vi.advanceTimersByTimeAsync(60_000 + 59 * 60_000);
    const [instance] = await instancesOf({ InstanceIds: [id] });
    expect(instance?.State).toEqual({ Code: 48, Name: "terminated" });
    expect(instance?.PrivateIpAddress).toBeUndefined();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await fail(instancesOf({ InstanceIds: [id] }))).toMatchObject({
      name: "InvalidInstanceID.NotFound",
    });
  });

  it("terminates an instance still pending, which then never runs nor registers", async () => {
    sim.ecs.addCluster("mc");
    const id = await launch();
    const answer = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(answer.TerminatingInstances?.[0]?.PreviousState?.Name).toBe("pending");
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(await stateOf(id)).toBe("terminated");
    expect(
      sim.ecs.describeClusters({ clusters: ["mc"] }).clusters?.[0]?.registeredContainerInstancesCount,
    ).toBe(0);
  });

  it("is idempotent: shutting-down and terminated instances answer with their state", async () => {
    const id = await launch();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    const again = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(again.TerminatingInstances?.[0]).toMatchObject({
      CurrentState: { Name: "shutting-down" },
      PreviousState: { Name: "shutting-down" },
    });
    await vi.advanceTimersByTimeAsync(30_000); // the second call did not restart the 60 s
    expect(await stateOf(id)).toBe("shutting-down");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await stateOf(id)).toBe("terminated");
    const done = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(done.TerminatingInstances?.[0]).toMatchObject({
      CurrentState: { Code: 48, Name: "terminated" },
      PreviousState: { Code: 48, Name: "terminated" },
    });
  });

  it("takes terminateMs from createSimulatedAws or setTimings", async () => {
    sim.restore();
    setUp({ ec2: { timings: { terminateMs: 5_000 } } });
    const id = await launch();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await stateOf(id)).toBe("terminated");

    sim.ec2.setTimings({ terminateMs: 120_000 });
    const other = await launch();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [other] }));
    await vi.advanceTimersByTimeAsync(119_000);
    expect(await stateOf(other)).toBe("shutting-down");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await stateOf(other)).toBe("terminated");
  });

  it("fails the whole call for an unknown or malformed id, terminating nothing", async () => {
    const id = await launch();
    const unknown = "i-0123456789abcdef0";
    expect(await fail(ec2.send(new TerminateInstancesCommand({ InstanceIds: [id, unknown] })))).toMatchObject(
      {
        name: "InvalidInstanceID.NotFound",
        message: `The instance ID '${unknown}' does not exist`,
        $metadata: { httpStatusCode: 400 },
      },
    );
    expect(
      await fail(ec2.send(new TerminateInstancesCommand({ InstanceIds: [unknown, "i-0123456789abcdef1"] }))),
    ).toMatchObject({
      message: `The instance IDs '${unknown}, i-0123456789abcdef1' do not exist`,
    });
    expect(await fail(ec2.send(new TerminateInstancesCommand({ InstanceIds: ["i-nope"] })))).toMatchObject({
      name: "InvalidInstanceID.Malformed",
    });
    expect(await stateOf(id)).toBe("pending");
  });

  it("deregisters a container instance added by hand with the EC2 instance it names", async () => {
    sim.ecs.addCluster("mc");
    const { instance, containerInstance } = addMcHost(sim, "mc");
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.InstanceId ?? ""] }));
    await vi.advanceTimersByTimeAsync(60_000);
    const { containerInstances = [] } = await ecs.send(
      new DescribeContainerInstancesCommand({
        cluster: "mc",
        containerInstances: [containerInstance.containerInstanceArn ?? ""],
      }),
    );
    expect(containerInstances[0]).toMatchObject({ status: "INACTIVE", agentConnected: false });
  });

  it("logs the call and takes EC2-shaped faults", async () => {
    const id = await launch();
    sim.clearCalls();
    sim.faults.inject({
      command: "TerminateInstances",
      match: (input) => input.InstanceIds?.includes(id) ?? false,
      error: "throttling",
    });
    expect(await fail(ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] })))).toMatchObject({
      name: "RequestLimitExceeded",
    });
    expect(await stateOf(id)).toBe("pending");
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(
      sim.callsOf("TerminateInstances", "EC2").map((call) => [call.input.InstanceIds, !call.error]),
    ).toEqual([
      [[id], false],
      [[id], true],
    ]);
  });
});

describe("DeleteSecurityGroup", () => {
  it("deletes an unused group: DescribeSecurityGroups then no longer knows it", async () => {
    const groupId = await createGroup("mc-scratch");
    expect(await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }))).toMatchObject({
      Return: true,
      GroupId: groupId,
    });
    expect(await fail(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))).toMatchObject({
      name: "InvalidGroup.NotFound",
      message: `The security group '${groupId}' does not exist`,
    });
    expect(await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })))).toMatchObject({
      name: "InvalidGroup.NotFound",
    });
  });

  it("refuses unknown, malformed and default groups as EC2 does", async () => {
    expect(
      await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: "sg-0123456789abcdef0" }))),
    ).toMatchObject({
      name: "InvalidGroup.NotFound",
      message: "The security group 'sg-0123456789abcdef0' does not exist",
      $metadata: { httpStatusCode: 400 },
    });
    expect(await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: "mc-db" })))).toMatchObject({
      name: "InvalidGroupId.Malformed",
    });
    expect(
      await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: account.defaultSecurityGroupId }))),
    ).toMatchObject({
      name: "CannotDelete",
      message: `the specified group: "${account.defaultSecurityGroupId}" name: "default" cannot be deleted by a user`,
    });
  });

  it("is a DependencyViolation while an instance that is not terminated uses the group", async () => {
    const groupId = await createGroup("mc-instance");
    const id = await launch({ SecurityGroupIds: [groupId] });
    expect(await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })))).toMatchObject({
      name: "DependencyViolation",
      message: `resource ${groupId} has a dependent object`,
    });
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    // Still shutting down: its network interface is still attached.
    expect(await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })))).toMatchObject({
      name: "DependencyViolation",
    });
    await vi.advanceTimersByTimeAsync(60_000);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    expect(sim.ec2.securityGroup(groupId)).toBeUndefined();
  });

  it("is a DependencyViolation while a DB instance lists the group, until the DB instance is deleted", async () => {
    const groupId = await createGroup("mc-db");
    sim.rds.addInstance({ DBInstanceIdentifier: "mc-db", VpcSecurityGroupIds: [groupId] });
    expect(await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })))).toMatchObject({
      name: "DependencyViolation",
    });
    sim.rds.deleteDBInstance({ DBInstanceIdentifier: "mc-db", SkipFinalSnapshot: true });
    expect(sim.rds.instance("mc-db")?.DBInstanceStatus).toBe("deleting");
    expect(await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })))).toMatchObject({
      name: "DependencyViolation",
    });
    await vi.advanceTimersByTimeAsync(sim.rds.timings.deletingMs);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  });

  it("is a DependencyViolation while another group's rule references it, until that rule is revoked", async () => {
    const instances = await createGroup("mc-instance");
    const database = await createGroup("mc-db");
    const rule = {
      IpProtocol: "tcp",
      FromPort: 3306,
      ToPort: 3306,
      UserIdGroupPairs: [{ GroupId: instances }],
    };
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: database, IpPermissions: [rule] }));
    expect(await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: instances })))).toMatchObject({
      name: "DependencyViolation",
      message: `resource ${instances} has a dependent object`,
    });
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: database, IpPermissions: [rule] }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: instances }));
    // A group whose own rules name other groups can go: only rules naming it count.
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: database }));
  });

  it("takes faults and logs the call", async () => {
    const groupId = await createGroup("mc-scratch");
    sim.faults.inject({ command: "DeleteSecurityGroup", error: "access-denied" });
    expect(await fail(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })))).toMatchObject({
      name: "UnauthorizedOperation",
      $metadata: { httpStatusCode: 403 },
    });
    expect(sim.ec2.securityGroup(groupId)).toBeDefined();
    expect(sim.callsOf("DeleteSecurityGroup", "EC2").map((call) => call.input.GroupId)).toEqual([groupId]);
  });
});

describe("RevokeSecurityGroupIngress", () => {
  it("removes the matching rules and lists the ones that did not exist in UnknownIpPermissions", async () => {
    const instances = await createGroup("mc-instance");
    const database = await createGroup("mc-db");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: database,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 3306,
            ToPort: 3306,
            UserIdGroupPairs: [{ GroupId: instances, Description: "mc hosts" }],
          },
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.0/24" }] },
        ],
      }),
    );
    const answer = await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: database,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: instances }] },
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
        ],
      }),
    );
    expect(answer.Return).toBe(true);
    expect(answer.UnknownIpPermissions).toEqual([
      { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
    ]);
    expect(answer.RevokedSecurityGroupRules).toEqual([
      expect.objectContaining({
        GroupId: database,
        IsEgress: false,
        IpProtocol: "tcp",
        FromPort: 3306,
        ToPort: 3306,
        ReferencedGroupId: instances,
        Description: "mc hosts",
      }),
    ]);
    expect(sim.ec2.securityGroup(database)?.IpPermissions).toEqual([
      expect.objectContaining({ FromPort: 22, IpRanges: [{ CidrIp: "203.0.113.0/24" }] }),
    ]);
  });

  it("answers Return true with every rule unknown when none matches, and revokes by rule id", async () => {
    const database = await createGroup("mc-db");
    const { SecurityGroupRules = [] } = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: database,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
        ],
      }),
    );
    const none = await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: database,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 23, ToPort: 23, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
        ],
      }),
    );
    expect(none).toMatchObject({
      Return: true,
      UnknownIpPermissions: [expect.objectContaining({ FromPort: 23 })],
    });
    expect(none.RevokedSecurityGroupRules).toBeUndefined();
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: database,
        SecurityGroupRuleIds: [SecurityGroupRules[0]?.SecurityGroupRuleId ?? ""],
      }),
    );
    expect(sim.ec2.securityGroup(database)?.IpPermissions).toEqual([]);
  });

  it("fails with InvalidGroup.NotFound for an unknown group", async () => {
    expect(
      await fail(
        ec2.send(
          new RevokeSecurityGroupIngressCommand({
            GroupId: "sg-0123456789abcdef0",
            IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidGroup.NotFound" });
  });
});

describe("tag filters", () => {
  it("DescribeSecurityGroups and DescribeInstances select by tag:<key> and tag-key", async () => {
    const tagged = await createGroup("mc-instance", { app: "mcctl", env: "test" });
    await createGroup("other", { app: "else" });
    const groups = async (Name: string, Values: string[]) =>
      (
        await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name, Values }] }))
      ).SecurityGroups?.map((group) => group.GroupId);
    expect(await groups("tag:app", ["mcctl"])).toEqual([tagged]);
    expect(await groups("tag-key", ["env"])).toEqual([tagged]);

    const id = await launch({
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "app", Value: "mcctl" }] }],
    });
    await launch();
    const ids = async (Name: string, Values: string[]) =>
      (await instancesOf({ Filters: [{ Name, Values }] })).map((instance) => instance.InstanceId);
    expect(await ids("tag:app", ["mc*"])).toEqual([id]);
    expect(await ids("tag-key", ["app"])).toEqual([id]);
  });
});
