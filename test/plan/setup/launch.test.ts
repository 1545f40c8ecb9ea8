import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { Settings } from "../../../src/config/settings.js";
import { DEFAULT_TASK_SETTINGS, taskRequirements } from "../../../src/domain/task-definition.js";
import { McctlError, UsageError } from "../../../src/errors.js";
import { planLaunch } from "../../../src/plan/setup/launch.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { imageIdFor } from "../../../src/sandbox/sim/ec2-model.js";
import type { Asker } from "../../../src/ui/prompts.js";
import { scriptedAsker } from "../../helpers/asker.js";
import { emptyAccount, launchWithMcctl } from "../../helpers/setup-compute.js";
import { setupAwsFor, type TestPlanIoOptions, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws, type SimulatedAwsOptions } from "../../helpers/sim.js";

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

function start(simOptions: SimulatedAwsOptions = {}) {
  sim?.restore();
  sim = createSimulatedAws(simOptions);
  sim.install();
  aws = setupAwsFor(config);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  start();
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const mutatingCalls = () =>
  sim.calls.filter((call) => MUTATING.test(call.command)).map((call) => call.command);

const plan = (options: TestPlanIoOptions = {}) => planLaunch(testPlanIo(options).io, aws, "default", TASK);

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

/** The scripted asker, also recording each text question's default. */
function recordingAsker(
  text: Record<string, string | boolean | undefined>,
  choices: Record<string, string | undefined>,
) {
  const { asker, asked } = scriptedAsker(text, choices);
  const questions: { message: string; defaultValue: string | undefined }[] = [];
  const ask: Asker = {
    ...asker,
    askText: (question) => {
      questions.push({ message: question.message, defaultValue: question.defaultValue });
      return asker.askText(question);
    },
  };
  return { ask, asked, questions };
}

describe("planLaunch on an empty account", () => {
  it("asks type, key pair, subnet and profile on a terminal, and plans the group and the instance; creates nothing", async () => {
    const vpc = emptyAccount(sim);
    sim.ec2.addKeyPair("ops");
    const { asker, asked } = scriptedAsker(
      { "instance type": "m5.xlarge", "instance profile": undefined },
      { "Key pair": "ops", Subnet: undefined },
    );
    const { io, all } = testPlanIo({ interactive: true, ask: asker });

    const launch = await planLaunch(io, aws, "default", TASK);

    expect(asked).toEqual([
      "EC2 instance type of the container instance (4 vCPUs and 15 GiB or more)",
      "Key pair for SSH to the container instance (lets `mcctl upgrade` pull floating tags; opens port 22 to the internet)",
      "Subnet of the default VPC for the container instance",
      "IAM instance profile of the container instance",
    ]);
    expect(launch).toEqual({
      instanceType: "m5.xlarge",
      image: { id: RECOMMENDED_AMI, name: AL2023_NAME, os: "Amazon Linux 2023" },
      keyPair: "ops",
      vpcId: vpc.vpcId,
      subnetId: vpc.subnetIds[0],
      instanceProfile: "ecsInstanceRole",
      dataPath: "/opt/docker-volumes/mc-es-data",
      securityGroup: { id: undefined, name: "model-catalogue-ecs-instances", openPorts: [80, 22] },
      lines: [
        {
          step: "instance security group",
          state: "create",
          detail: `model-catalogue-ecs-instances in ${vpc.vpcId}: TCP 80, TCP 22 from 0.0.0.0/0`,
        },
        {
          step: "container instance",
          state: "create",
          detail: `m5.xlarge from ${RECOMMENDED_AMI} (${AL2023_NAME}, Amazon Linux 2023) in ${vpc.subnetIds[0]}, profile ecsInstanceRole, key pair ops, ECS_CLUSTER=default`,
        },
      ],
    });
    expect(all()).toBe("");
    expect(mutatingCalls()).toEqual([]);
    expect(sim.calls.length).toBeGreaterThan(0);
  });

  it("without a terminal takes every answer from mcctl.json or the defaults (m3.xlarge where offered, no key pair → no SSH)", async () => {
    start({ ec2: { offeredInstanceTypes: () => true } });
    emptyAccount(sim);
    sim.ec2.addKeyPair("ops");

    const launch = await plan();

    expect(launch).toMatchObject({
      instanceType: "m3.xlarge",
      keyPair: undefined,
      instanceProfile: "ecsInstanceRole",
      securityGroup: { id: undefined, openPorts: [80] },
    });
    expect(launch.lines.at(-1)?.detail).toContain(", no key pair, ECS_CLUSTER=default");
    expect(mutatingCalls()).toEqual([]);
  });

  it("takes the answers mcctl.json holds without asking, on a terminal too", async () => {
    const vpc = emptyAccount(sim);
    sim.ec2.addKeyPair("ops");
    sim.iam.addInstanceProfile("mcProfile", "mcRole");
    const settings: Settings = {
      setup: {
        instance: {
          type: "m5.xlarge",
          keyPair: "ops",
          subnetId: vpc.subnetIds[2],
          instanceProfile: "mcProfile",
        },
      },
      es: { dataPath: "/data/es" },
    };

    // The default asker fails the test on any question.
    const launch = await plan({ interactive: true, settings });

    expect(launch).toMatchObject({
      instanceType: "m5.xlarge",
      keyPair: "ops",
      subnetId: vpc.subnetIds[2],
      instanceProfile: "mcProfile",
      dataPath: "/data/es",
    });
  });

  it("says there is no SSH when the region has no key pair, and asks nothing about it", async () => {
    emptyAccount(sim);
    const { io, infos } = testPlanIo({ settings: M5 });

    const launch = await planLaunch(io, aws, "default", TASK);

    expect(launch.keyPair).toBeUndefined();
    expect(infos).toEqual(["No EC2 key pairs in eu-west-1: the instance is launched without SSH access."]);
  });

  it("finishes a half-made security group: plans the missing port 80 rule instead of a second group", async () => {
    const vpc = emptyAccount(sim);
    const { GroupId } = sim.ec2.createSecurityGroup({
      GroupName: "model-catalogue-ecs-instances",
      Description: "made before",
      VpcId: vpc.vpcId,
    });

    const launch = await plan({ settings: M5 });

    expect(launch.securityGroup).toEqual({
      id: GroupId,
      name: "model-catalogue-ecs-instances",
      openPorts: [80],
    });
    expect(launch.lines.slice(0, 2)).toEqual([
      {
        step: "instance security group",
        state: "exists",
        detail: `model-catalogue-ecs-instances (${GroupId})`,
      },
      {
        step: "instance security group",
        state: "create",
        detail: "model-catalogue-ecs-instances: open TCP 80 from 0.0.0.0/0",
      },
    ]);
    expect(mutatingCalls()).toEqual([]);
  });

  it("a group that allows the ports already needs nothing more", async () => {
    const vpc = emptyAccount(sim);
    const { GroupId } = sim.ec2.createSecurityGroup({
      GroupName: "model-catalogue-ecs-instances",
      Description: "made before",
      VpcId: vpc.vpcId,
    });
    sim.ec2.authorizeSecurityGroupIngress({
      GroupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 0, ToPort: 1024, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    });
    sim.ec2.addKeyPair("ops");

    const launch = await plan({ settings: { setup: { instance: { type: "m5.xlarge", keyPair: "ops" } } } });

    expect(launch.securityGroup.openPorts).toEqual([]);
    expect(launch.lines.map((line) => `${line.step}: ${line.state}`)).toEqual([
      "instance security group: exists",
      "container instance: create",
    ]);
  });
});

describe("planLaunch: what must exist", () => {
  it("a key pair named in mcctl.json that does not exist", async () => {
    emptyAccount(sim);
    const settings: Settings = { setup: { instance: { type: "m5.xlarge", keyPair: "gone" } } };

    const error = await failure(plan({ settings }));

    expect(error.message).toBe(
      "key pair gone (setup.instance.keyPair in mcctl.json) does not exist in eu-west-1",
    );
    expect(mutatingCalls()).toEqual([]);
  });

  it("a subnet named in mcctl.json that is not in the default VPC", async () => {
    emptyAccount(sim);
    const settings: Settings = {
      setup: { instance: { type: "m5.xlarge", subnetId: "subnet-0123456789abcdef0" } },
    };

    const error = await failure(plan({ settings }));

    expect(error.message).toMatch(
      /^subnet subnet-0123456789abcdef0 \(setup\.instance\.subnetId in mcctl\.json\)/,
    );
  });

  it("no default VPC: a clear error", async () => {
    sim.iam.addInstanceProfile("ecsInstanceRole");

    const error = await failure(plan({ settings: M5 }));

    expect(error.message).toBe("this account has no default VPC in eu-west-1");
    expect(error.suggestion).toMatch(/aws ec2 create-default-vpc --region eu-west-1/);
  });

  it("a missing instance profile: says how to create it", async () => {
    sim.ec2.addDefaultVpc();

    const error = await failure(plan({ settings: M5 }));

    expect(error.message).toBe("IAM instance profile ecsInstanceRole does not exist");
    expect(error.suggestion).toMatch(/Amazon ECS container instance IAM role/);
    expect(error.suggestion).toMatch(/aws iam create-role --role-name ecsInstanceRole/);
    expect(error.suggestion).toMatch(/AmazonEC2ContainerServiceforEC2Role/);
    expect(error.suggestion).toMatch(/create-instance-profile --instance-profile-name ecsInstanceRole/);
    expect(error.suggestion).toMatch(/add-role-to-instance-profile/);
    expect(mutatingCalls()).toEqual([]);
  });

  it("an es.dataPath the user data cannot use", async () => {
    emptyAccount(sim);

    const error = await failure(plan({ settings: { ...M5, es: { dataPath: "relative/path" } } }));

    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/^es\.dataPath: /);
  });
});

describe("planLaunch: the instance type is checked against the region's offerings", () => {
  it("an offered type: one DescribeInstanceTypeOfferings call by Region, nothing more asked", async () => {
    emptyAccount(sim);

    await plan({ settings: M5 });

    expect(sim.callsOf("DescribeInstanceTypeOfferings").map((call) => call.input)).toEqual([
      { LocationType: "region", Filters: [{ Name: "instance-type", Values: ["m5.xlarge"] }] },
    ]);
  });

  it("without a terminal, the default m3.xlarge: an error suggesting setup.instance.type m5.xlarge, before any other look", async () => {
    emptyAccount(sim);
    sim.ec2.addKeyPair("ops");

    const error = await failure(plan());

    expect(error.message).toBe(
      "EC2 instance type m3.xlarge (the default, as in the old guide) is not offered in eu-west-1",
    );
    expect(error.suggestion).toContain(
      'Use m5.xlarge (4 vCPUs, 16 GiB): set "setup": { "instance": { "type": "m5.xlarge" } } in mcctl.json, or run mcctl setup on a terminal to choose; nothing was created.',
    );
    expect(error.suggestion).toMatch(/m3\.xlarge is a previous generation/);
    // Checked right after the type is known: no other launch question was looked into, nothing created.
    expect(mutatingCalls()).toEqual([]);
    for (const later of ["DescribeImages", "DescribeKeyPairs", "DescribeSubnets", "GetInstanceProfile"]) {
      expect(sim.callsOf(later), later).toEqual([]);
    }
    expect(
      sim.callsOf("DescribeInstanceTypeOfferings").map((call) => call.input?.Filters?.[0]?.Values?.[0]),
    ).toEqual(["m3.xlarge", "m5.xlarge"]);
  });

  it("without a terminal, a type from mcctl.json: the error names the setting", async () => {
    emptyAccount(sim);

    const error = await failure(plan({ settings: { setup: { instance: { type: "m3.2xlarge" } } } }));

    expect(error.message).toBe(
      "EC2 instance type m3.2xlarge (setup.instance.type in mcctl.json) is not offered in eu-west-1",
    );
    expect(error.suggestion).toMatch(/"type": "m5\.xlarge"/);
    expect(mutatingCalls()).toEqual([]);
  });

  it("a malformed type from mcctl.json is a usage error before any call", async () => {
    emptyAccount(sim);

    const error = await failure(plan({ settings: { setup: { instance: { type: "M5 XLarge" } } } }));

    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe("setup.instance.type: an instance type looks like m5.xlarge");
    expect(sim.calls).toEqual([]);
  });

  it("where m5.xlarge is not offered either: no suggestion of it, but how to list the offered types", async () => {
    emptyAccount(sim);
    sim.ec2.setOfferedInstanceTypes(["m6i.xlarge", "t3.medium"]);

    const error = await failure(plan({ settings: M5 }));

    expect(error.message).toBe(
      "EC2 instance type m5.xlarge (setup.instance.type in mcctl.json) is not offered in eu-west-1",
    );
    expect(error.suggestion).toMatch(
      /Choose a type with 4 vCPUs and 16 GiB or more that eu-west-1 offers \(aws ec2 describe-instance-type-offerings --region eu-west-1 /,
    );
    expect(error.suggestion).not.toMatch(/Use m5\.xlarge|previous generation/);
    expect(sim.callsOf("DescribeInstanceTypeOfferings")).toHaveLength(1);
    expect(mutatingCalls()).toEqual([]);
  });

  it("at a terminal: says so, asks for the type with default m5.xlarge before anything else", async () => {
    emptyAccount(sim);
    const { ask, asked, questions } = recordingAsker(
      { "EC2 instance type": undefined, "instead of m3.xlarge": undefined, "instance profile": undefined },
      { Subnet: undefined },
    );
    const { io, warnings } = testPlanIo({ interactive: true, ask });

    const launch = await planLaunch(io, aws, "default", TASK);

    expect(warnings).toEqual(["m3.xlarge is not offered in eu-west-1 (a previous generation)"]);
    expect(asked).toEqual([
      "EC2 instance type of the container instance (4 vCPUs and 15 GiB or more)",
      "Instance type to launch instead of m3.xlarge",
      "Subnet of the default VPC for the container instance",
      "IAM instance profile of the container instance",
    ]);
    expect(questions[1]).toEqual({
      message: "Instance type to launch instead of m3.xlarge",
      defaultValue: "m5.xlarge",
    });
    expect(launch.instanceType).toBe("m5.xlarge");
    // m5.xlarge looked up once: to offer it, not again once chosen.
    expect(
      sim.callsOf("DescribeInstanceTypeOfferings").map((call) => call.input?.Filters?.[0]?.Values?.[0]),
    ).toEqual(["m3.xlarge", "m5.xlarge"]);
    expect(mutatingCalls()).toEqual([]);
  });

  it("at a terminal: a second type that is not offered is asked again; no default where m5.xlarge is not offered", async () => {
    emptyAccount(sim);
    sim.ec2.setOfferedInstanceTypes(["m6i.xlarge", "t3.medium"]);
    const { ask, questions } = recordingAsker(
      {
        "EC2 instance type": undefined,
        "instead of m3.xlarge": "m5.xlarge",
        "instead of m5.xlarge": "m6i.xlarge",
        "instance profile": undefined,
      },
      { Subnet: undefined },
    );
    const { io, warnings } = testPlanIo({ interactive: true, ask });

    const launch = await planLaunch(io, aws, "default", TASK);

    expect(launch.instanceType).toBe("m6i.xlarge");
    expect(warnings).toEqual([
      "m3.xlarge is not offered in eu-west-1 (a previous generation)",
      "m5.xlarge is not offered in eu-west-1",
    ]);
    expect(questions.slice(1, 3).map((question) => [question.message, question.defaultValue])).toEqual([
      ["Instance type to launch instead of m3.xlarge", undefined],
      ["Instance type to launch instead of m5.xlarge", undefined],
    ]);
  });

  it("at a terminal: stops after three types the region does not offer", async () => {
    emptyAccount(sim);
    const { ask } = recordingAsker(
      {
        "EC2 instance type": "m3.large",
        "instead of m3.large": "m3.xlarge",
        "instead of m3.xlarge": "m3.2xlarge",
      },
      {},
    );

    const error = await failure(plan({ interactive: true, ask }));

    expect(error.message).toBe("EC2 instance type m3.2xlarge is not offered in eu-west-1");
    expect(error.suggestion).not.toContain("on a terminal");
    expect(mutatingCalls()).toEqual([]);
  });

  it("without DescribeInstanceTypeOfferings and DescribeInstanceTypes permission: says it cannot check, and plans the type (RunInstances will tell)", async () => {
    emptyAccount(sim);
    sim.faults.inject({ service: "EC2", command: "DescribeInstanceTypeOfferings", error: "access-denied" });
    sim.faults.inject({ service: "EC2", command: "DescribeInstanceTypes", error: "access-denied" });
    const { io, warnings } = testPlanIo();

    const launch = await planLaunch(io, aws, "default", TASK);

    expect(launch.instanceType).toBe("m3.xlarge");
    expect(warnings).toEqual([
      "Cannot check whether eu-west-1 offers m3.xlarge (AWS denied ec2:DescribeInstanceTypeOfferings): EC2 tells when the instance is launched.",
      "Cannot check that m3.xlarge can hold the task (AWS denied ec2:DescribeInstanceTypes): it needs 3072 CPU units and 14336 MiB of what ECS registers.",
    ]);
  });

  it("without DescribeInstanceTypeOfferings permission, DescribeInstanceTypes still tells a type the region does not support", async () => {
    emptyAccount(sim);
    sim.faults.inject({ service: "EC2", command: "DescribeInstanceTypeOfferings", error: "access-denied" });
    const { io, warnings } = testPlanIo();

    const error = await failure(planLaunch(io, aws, "default", TASK));

    expect(error.message).toBe(
      "EC2 instance type m3.xlarge (the default, as in the old guide) is not offered in eu-west-1",
    );
    expect(warnings[0]).toMatch(/^Cannot check whether eu-west-1 offers m3\.xlarge/);
    expect(mutatingCalls()).toEqual([]);
  });
});

describe("planLaunch: the instance profile must hold a role", () => {
  const noRole =
    "IAM instance profile ecsInstanceRole has no role: an instance launched with it gets no credentials and never registers in ECS";

  it("without a terminal: an error with the how-to (add a role, not create the profile); a re-run after the fix plans the launch", async () => {
    emptyAccount(sim, { role: null });

    const error = await failure(plan({ settings: M5 }));

    expect(error.message).toBe(noRole);
    expect(error.suggestion).toMatch(
      /^Give it a role as in the AWS documentation \("Amazon ECS container instance IAM role"\)/,
    );
    expect(error.suggestion).toMatch(/aws iam create-role --role-name ecsInstanceRole/);
    expect(error.suggestion).toMatch(/AmazonEC2ContainerServiceforEC2Role/);
    expect(error.suggestion).toMatch(
      /aws iam add-role-to-instance-profile --instance-profile-name ecsInstanceRole --role-name ecsInstanceRole/,
    );
    expect(error.suggestion).not.toMatch(/create-instance-profile/);
    expect(mutatingCalls()).toEqual([]);

    // The operator follows the how-to; the re-run goes on, and the instance it launches registers.
    sim.iam.setInstanceProfileRole("ecsInstanceRole", "ecsInstanceRole");
    const launch = await plan({ settings: M5 });
    expect(launch.instanceProfile).toBe("ecsInstanceRole");
    const launched = await launchWithMcctl(aws, { settings: M5, wait: true });
    expect(launched.registered?.ec2InstanceId).toBe(launched.instanceId);
  });

  it("at a terminal: the same error right after the profile question, before anything is created", async () => {
    emptyAccount(sim);
    sim.iam.addInstanceProfile("ecsProfile", null);
    const { asker, asked } = scriptedAsker(
      { "EC2 instance type": "m5.xlarge", "instance profile": "ecsProfile" },
      { Subnet: undefined },
    );

    const error = await failure(plan({ interactive: true, ask: asker }));

    expect(error.message).toMatch(/^IAM instance profile ecsProfile has no role/);
    expect(error.suggestion).toMatch(/--instance-profile-name ecsProfile --role-name ecsProfile/);
    expect(asked.at(-1)).toBe("IAM instance profile of the container instance");
    expect(mutatingCalls()).toEqual([]);
  });
});
