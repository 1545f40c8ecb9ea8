import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { Settings } from "../../../src/config/settings.js";
import { CLUSTER_TAG, INSTANCE_NAME, INSTANCE_SECURITY_GROUP } from "../../../src/domain/setup-resources.js";
import { DEFAULT_TASK_SETTINGS, taskRequirements } from "../../../src/domain/task-definition.js";
import { McctlError } from "../../../src/errors.js";
import { ensureInstanceSecurityGroup, launchInstance } from "../../../src/operations/setup/launch.js";
import { type LaunchPlan, planLaunch } from "../../../src/plan/setup/launch.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { imageIdFor } from "../../../src/sandbox/sim/ec2-model.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { emptyAccount } from "../../helpers/setup-compute.js";
import { setupAwsFor, type TestPlanIoOptions, testApplyIo, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { runUntilSettled } from "../../helpers/time.js";

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
/** The ECS-optimized Amazon Linux 2023 AMI the simulated SSM public parameter recommends for x86_64. */
const AL2023_NAME = "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64";
const RECOMMENDED_AMI = imageIdFor(AL2023_NAME, "eu-west-1");
const MUTATING = /^(Create|Run|Authorize|Delete|Modify|Put|Register|Update|Terminate)/;
const M5: Settings = { setup: { instance: { type: "m5.xlarge" } } };

/** What the default task needs of an instance: 3072 CPU units, 14336 MiB. */
const TASK = taskRequirements(DEFAULT_TASK_SETTINGS);

let sim: SimulatedAws;
let aws: SetupAws;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws();
  sim.install();
  aws = setupAwsFor(config);
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => call.command);

/** The launch planned for cluster "default", then the calls forgotten: what follows is apply's. */
async function planned(options: TestPlanIoOptions = { settings: M5 }): Promise<LaunchPlan> {
  const launch = await planLaunch(testPlanIo(options).io, aws, "default", TASK);
  sim.ecs.addCluster("default");
  sim.clearCalls();
  return launch;
}

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await runUntilSettled(promise).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

describe("ensureInstanceSecurityGroup and launchInstance", () => {
  it("creates the group with the planned ports and launches one instance with the planned answers", async () => {
    const vpc = emptyAccount(sim);
    sim.ec2.addKeyPair("ops");
    const { asker } = scriptedAsker(
      { "instance type": "m5.xlarge", "instance profile": undefined },
      { "Key pair": "ops", Subnet: undefined },
    );
    const launch = await planned({ interactive: true, ask: asker });
    const { io, captured, saved } = testApplyIo();

    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);
    const instanceId = await launchInstance(io, aws, "default", launch, groupId);

    expect(sim.callsOf("CreateSecurityGroup").map((call) => call.input)).toEqual([
      {
        GroupName: INSTANCE_SECURITY_GROUP,
        Description: "Model Catalogue ECS container instances (created by mcctl)",
        VpcId: vpc.vpcId,
        TagSpecifications: [
          {
            ResourceType: "security-group",
            Tags: [
              { Key: "managed-by", Value: "mcctl" },
              { Key: "Name", Value: INSTANCE_SECURITY_GROUP },
            ],
          },
        ],
      },
    ]);
    const ports = sim.ec2
      .securityGroup(groupId)
      ?.IpPermissions?.map((permission) => [
        permission.FromPort,
        permission.IpRanges?.map((range) => range.CidrIp),
      ]);
    expect(ports).toEqual([
      [80, ["0.0.0.0/0"]],
      [22, ["0.0.0.0/0"]],
    ]);
    expect(mutatingCalls()).toEqual([
      "CreateSecurityGroup",
      "AuthorizeSecurityGroupIngress",
      "AuthorizeSecurityGroupIngress",
      "RunInstances",
    ]);

    const runs = sim.callsOf("RunInstances");
    expect(runs).toHaveLength(1);
    const input = runs[0]?.input;
    expect(input).toMatchObject({
      ImageId: RECOMMENDED_AMI,
      InstanceType: "m5.xlarge",
      MinCount: 1,
      MaxCount: 1,
      KeyName: "ops",
      IamInstanceProfile: { Name: "ecsInstanceRole" },
      MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" },
      ClientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(input?.NetworkInterfaces).toEqual([
      {
        DeviceIndex: 0,
        SubnetId: vpc.subnetIds[0],
        Groups: [groupId],
        AssociatePublicIpAddress: true,
        DeleteOnTermination: true,
      },
    ]);
    const instanceTags = input?.TagSpecifications?.find((spec) => spec.ResourceType === "instance")?.Tags;
    expect(instanceTags).toEqual([
      { Key: "managed-by", Value: "mcctl" },
      { Key: "Name", Value: INSTANCE_NAME },
      { Key: CLUSTER_TAG, Value: "default" },
    ]);
    expect(input?.TagSpecifications?.map((spec) => spec.ResourceType)).toEqual(["instance", "volume"]);
    expect(sim.ec2.instances().map((instance) => instance.InstanceId)).toEqual([instanceId]);
    expect(sim.ec2.userDataOf(instanceId)).toContain("ECS_CLUSTER=default");
    expect(sim.ec2.userDataOf(instanceId)).toContain("/opt/docker-volumes/mc-es-data");

    expect(captured.stderr()).toBe(
      [
        `✔ Created security group ${INSTANCE_SECURITY_GROUP} (${groupId}) in ${vpc.vpcId}`,
        `✔ Opened TCP 80 from 0.0.0.0/0 in ${INSTANCE_SECURITY_GROUP}`,
        `✔ Opened TCP 22 from 0.0.0.0/0 in ${INSTANCE_SECURITY_GROUP}`,
        `✔ Launched ${instanceId} (m5.xlarge) for ECS cluster default`,
        "",
      ].join("\n"),
    );
    // applySetup saves the group and the instance (see apply.test.ts); the steps themselves do not.
    expect(saved).toEqual([]);
  });

  it("without a key pair: port 80 only, no KeyName, the data path mcctl.json names", async () => {
    emptyAccount(sim);
    sim.ec2.addKeyPair("ops");
    const launch = await planned({ settings: { ...M5, es: { dataPath: "/data/es" } } });
    const { io } = testApplyIo();

    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);
    const instanceId = await launchInstance(io, aws, "default", launch, groupId);

    const input = sim.callsOf("RunInstances")[0]?.input;
    expect(input?.KeyName).toBeUndefined();
    expect(input?.InstanceType).toBe("m5.xlarge");
    expect(sim.ec2.securityGroup(groupId)?.IpPermissions?.map((permission) => permission.FromPort)).toEqual([
      80,
    ]);
    expect(sim.ec2.userDataOf(instanceId)).toContain("/data/es");
  });

  it("finishes a half-made security group: adds the missing port 80 rule instead of a second group", async () => {
    const vpc = emptyAccount(sim);
    const { GroupId } = sim.ec2.createSecurityGroup({
      GroupName: INSTANCE_SECURITY_GROUP,
      Description: "made before",
      VpcId: vpc.vpcId,
    });
    const launch = await planned();
    const { io, captured } = testApplyIo();

    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);

    expect(groupId).toBe(GroupId);
    expect(sim.callsOf("CreateSecurityGroup")).toHaveLength(0);
    expect(sim.callsOf("AuthorizeSecurityGroupIngress")).toHaveLength(1);
    expect(sim.ec2.securityGroup(GroupId ?? "")?.IpPermissions).toEqual([
      expect.objectContaining({
        FromPort: 80,
        ToPort: 80,
        IpRanges: [expect.objectContaining({ CidrIp: "0.0.0.0/0" })],
      }),
    ]);
    expect(captured.stderr()).toBe(`✔ Opened TCP 80 from 0.0.0.0/0 in ${INSTANCE_SECURITY_GROUP}\n`);
  });

  it("a lost RunInstances answer: the instance is found by its client token, not launched again", async () => {
    emptyAccount(sim);
    const launch = await planned();
    const { io } = testApplyIo();
    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);
    sim.faults.inject({ service: "EC2", command: "RunInstances", error: "connection-reset", applied: true });

    const instanceId = await runUntilSettled(launchInstance(io, aws, "default", launch, groupId));

    expect(sim.ec2.instances()).toHaveLength(1);
    expect(instanceId).toBe(sim.ec2.instances()[0]?.InstanceId);
    const token = sim.callsOf("RunInstances")[0]?.input.ClientToken;
    expect(sim.callsOf("DescribeInstances").at(-1)?.input.Filters).toEqual([
      { Name: "client-token", Values: [token] },
    ]);
  });

  it("a transient failure whose request was not carried out is passed on: nothing launched", async () => {
    emptyAccount(sim);
    const launch = await planned();
    const { io } = testApplyIo();
    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);
    sim.faults.inject({ service: "EC2", command: "RunInstances", error: "connection-reset" });

    const error = await runUntilSettled(launchInstance(io, aws, "default", launch, groupId)).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(Error);
    expect(sim.ec2.instances()).toHaveLength(0);
  });
});

describe("launchInstance: what EC2 refuses at launch ends setup with what to set", () => {
  it("without DescribeInstanceTypeOfferings and DescribeInstanceTypes permission the plan kept m3.xlarge: EC2's own message, no instance", async () => {
    emptyAccount(sim);
    sim.faults.inject({ service: "EC2", command: "DescribeInstanceTypeOfferings", error: "access-denied" });
    sim.faults.inject({ service: "EC2", command: "DescribeInstanceTypes", error: "access-denied" });
    const launch = await planned({});
    expect(launch.instanceType).toBe("m3.xlarge");
    const { io } = testApplyIo();
    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);

    const error = await failure(launchInstance(io, aws, "default", launch, groupId));

    expect(error.message).toMatch(
      /^EC2 rejected instance type m3\.xlarge: Unsupported: The requested configuration is currently not supported/,
    );
    expect(error.suggestion).toMatch(
      /^Use m5\.xlarge \(4 vCPUs, 16 GiB\): set "setup": \{ "instance": \{ "type": "m5\.xlarge" \} \} in mcctl\.json and run mcctl setup again\./,
    );
    expect(error.suggestion).toMatch(/m3\.xlarge is a previous generation/);
    expect(sim.ec2.instances()).toHaveLength(0);
  });

  it("offered but no capacity at launch: fails naming another type to set, asks nothing, launches nothing", async () => {
    emptyAccount(sim);
    sim.faults.inject({
      service: "EC2",
      command: "RunInstances",
      match: (input) => input.InstanceType === "m5.xlarge",
      error: () =>
        new EC2ServiceException({
          name: "InsufficientInstanceCapacity",
          $fault: "server",
          $metadata: { httpStatusCode: 500 },
          message:
            "We currently do not have sufficient m5.xlarge capacity in the Availability Zone you requested (eu-west-1a).",
        }),
    });
    const launch = await planned();
    const { io, captured } = testApplyIo();
    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);

    const error = await failure(launchInstance(io, aws, "default", launch, groupId));

    expect(error.message).toBe(
      "EC2 rejected instance type m5.xlarge: InsufficientInstanceCapacity: We currently do not have sufficient m5.xlarge capacity in the Availability Zone you requested (eu-west-1a).",
    );
    // The suggestion must not send the operator back to the type EC2 just refused.
    expect(error.suggestion).toBe(
      "Use another current type with 4 vCPUs and 16 GiB or more: set it as setup.instance.type in mcctl.json and run mcctl setup again.",
    );
    expect(error.suggestion).not.toContain('"type": "m5.xlarge"');
    expect(sim.callsOf("RunInstances").map((call) => call.input.InstanceType)).toEqual(["m5.xlarge"]);
    expect(sim.ec2.instances()).toHaveLength(0);
    expect(captured.stderr()).not.toContain("Launched");
  });

  it("an instance profile EC2 does not know (yet): says a new profile takes a minute, and how to create one", async () => {
    emptyAccount(sim);
    const launch = await planned();
    sim.iam.removeInstanceProfile("ecsInstanceRole");
    const { io } = testApplyIo();
    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);

    const error = await failure(launchInstance(io, aws, "default", launch, groupId));

    expect(error.message).toMatch(/^EC2 rejected instance profile ecsInstanceRole: /);
    expect(error.suggestion).toMatch(/^A profile created a moment ago takes a minute to be usable/);
    expect(error.suggestion).toMatch(/create-instance-profile --instance-profile-name ecsInstanceRole/);
    expect(sim.ec2.instances()).toHaveLength(0);
  });

  const refusal = (name: string, message: string) => () =>
    new EC2ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 400 }, message });

  it("an InvalidParameterValue about the instance type is read as a refused type", async () => {
    emptyAccount(sim);
    sim.faults.inject({
      service: "EC2",
      command: "RunInstances",
      error: refusal("InvalidParameterValue", "Invalid value 'm5.xlarge' for InstanceType."),
    });
    const launch = await planned();
    const { io } = testApplyIo();
    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);

    const error = await failure(launchInstance(io, aws, "default", launch, groupId));

    expect(error.message).toBe(
      "EC2 rejected instance type m5.xlarge: InvalidParameterValue: Invalid value 'm5.xlarge' for InstanceType.",
    );
  });

  it("any other InvalidParameterValue is EC2's own error, not said to be about the type or the profile", async () => {
    emptyAccount(sim);
    sim.faults.inject({
      service: "EC2",
      command: "RunInstances",
      error: refusal("InvalidParameterValue", "Value (mc-key) for parameter keyName is invalid."),
    });
    const launch = await planned();
    const { io } = testApplyIo();
    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);

    const error = await failure(launchInstance(io, aws, "default", launch, groupId));

    expect(error.message).not.toMatch(/rejected instance (type|profile)/);
    expect(error.message).toContain("Value (mc-key) for parameter keyName is invalid.");
    expect(error.suggestion ?? "").not.toMatch(/instance-profile|setup\.instance\.type/);
  });

  it("a refusal that is not worth a retry is passed on without looking for a launched instance", async () => {
    emptyAccount(sim);
    sim.faults.inject({ service: "EC2", command: "RunInstances", error: "access-denied" });
    const launch = await planned();
    const { io } = testApplyIo();
    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);
    sim.clearCalls();

    const error = await failure(launchInstance(io, aws, "default", launch, groupId));

    expect(error.message).toMatch(/^AWS denied ec2:RunInstances/);
    expect(sim.callsOf("DescribeInstances")).toHaveLength(0);
  });

  it("a lost answer whose client-token lookup fails too: the launch's own error is passed on", async () => {
    emptyAccount(sim);
    sim.faults.inject({ service: "EC2", command: "RunInstances", error: "connection-reset" });
    sim.faults.inject({ service: "EC2", command: "DescribeInstances", error: "access-denied" });
    const launch = await planned();
    const { io } = testApplyIo();
    const groupId = await ensureInstanceSecurityGroup(io, aws, launch);

    const error = (await runUntilSettled(launchInstance(io, aws, "default", launch, groupId)).catch(
      (caught: unknown) => caught,
    )) as Error;

    expect(sim.callsOf("DescribeInstances")).toHaveLength(1);
    expect(error.message).not.toMatch(/denied/);
    expect(error.message).toMatch(/RunInstances|reset|ECONNRESET/i);
  });
});

describe("ensureInstanceSecurityGroup: the rules say what each port is for", () => {
  it("port 80 is described as Model Catalogue, port 22 as SSH", async () => {
    emptyAccount(sim);
    sim.ec2.addKeyPair("mc");
    const launch = await planned({ settings: { setup: { instance: { type: "m5.xlarge", keyPair: "mc" } } } });
    const { io } = testApplyIo();

    await ensureInstanceSecurityGroup(io, aws, launch);

    const rules = sim.callsOf("AuthorizeSecurityGroupIngress").map((call) => {
      const [permission] = call.input.IpPermissions ?? [];
      return [permission?.FromPort, permission?.IpRanges?.[0]?.Description];
    });
    expect(rules).toEqual([
      [80, "Model Catalogue (HTTP)"],
      [22, "SSH"],
    ]);
  });
});
