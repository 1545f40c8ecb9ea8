import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../../src/aws/config.js";
import type { Settings } from "../../../src/config/settings.js";
import { DEFAULT_TASK_SETTINGS, taskRequirements } from "../../../src/domain/task-definition.js";
import { McctlError } from "../../../src/errors.js";
import { planCompute } from "../../../src/plan/setup/compute.js";
import { planLaunch } from "../../../src/plan/setup/launch.js";
import type { SetupAws } from "../../../src/plan/setup/types.js";
import { ECS_AMI_OWNER, imageIdFor } from "../../../src/sandbox/sim/ec2-model.js";
import { emptyAccount, launchWithMcctl } from "../../helpers/setup-compute.js";
import { setupAwsFor, testPlanIo } from "../../helpers/setup-io.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";
import { addMcHost } from "../../helpers/sim-fixtures.js";

const TASK = taskRequirements(DEFAULT_TASK_SETTINGS);

const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const X86_NAME = "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64";
const ARM_NAME = "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-arm64";
const AL2_NAME = "amzn2-ami-ecs-hvm-2.0.20241010-x86_64-ebs";
const X86_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended";
const ARM_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended";
const MUTATING = /^(Create|Run|Authorize|Delete|Modify|Put|Register|Update|Terminate)/;
const type = (instanceType: string): Settings => ({ setup: { instance: { type: instanceType } } });

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

async function failure(promise: Promise<unknown>): Promise<McctlError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(McctlError);
  return error as McctlError;
}

const parametersRead = () => sim.callsOf("GetParameter", "SSM").map((call) => call.input.Name);

describe("the AMI a new container instance is launched from", () => {
  it("is the ECS-optimized Amazon Linux 2023 AMI the SSM public parameter recommends for x86_64", async () => {
    emptyAccount(sim);
    const launch = await planLaunch(testPlanIo({ settings: type("m5.xlarge") }).io, aws, "default", TASK);
    expect(launch.image).toEqual({
      id: imageIdFor(X86_NAME, "eu-west-1"),
      name: X86_NAME,
      os: "Amazon Linux 2023",
    });
    expect(parametersRead()).toEqual([X86_PARAMETER]);
    // The plan names the id, the name and the operating system.
    expect(launch.lines.at(-1)?.detail).toMatch(
      new RegExp(`^m5\\.xlarge from ${launch.image.id} \\(${X86_NAME}, Amazon Linux 2023\\) in subnet-`),
    );
    // No search among the images: the parameter decides.
    expect(sim.callsOf("DescribeImages", "EC2")).toEqual([]);
  });

  it("is the arm64 one for a Graviton type, and EC2 launches it", async () => {
    emptyAccount(sim);
    const { plan, instanceId } = await launchWithMcctl(aws, { settings: type("m6g.xlarge") });
    expect(plan.image).toEqual({
      id: imageIdFor(ARM_NAME, "eu-west-1"),
      name: ARM_NAME,
      os: "Amazon Linux 2023",
    });
    expect(parametersRead()).toEqual([ARM_PARAMETER]);
    expect(sim.ec2.instances().find((instance) => instance.InstanceId === instanceId)).toMatchObject({
      ImageId: imageIdFor(ARM_NAME, "eu-west-1"),
      InstanceType: "m6g.xlarge",
    });
  });

  it("follows the parameter when AWS recommends a newer release", async () => {
    emptyAccount(sim);
    const name = "al2023-ami-ecs-hvm-2023.0.20261120-kernel-6.1-x86_64";
    const image = sim.ec2.addImage({
      name,
      creationDate: "2026-11-20T18:00:00.000Z",
      ownerId: ECS_AMI_OWNER,
      ownerAlias: "amazon",
    });
    sim.ssm.publicParameters.publishRecommendedEcsAmi("amazon-linux-2023", {
      imageId: image.ImageId ?? "",
      imageName: name,
      os: "Amazon Linux 2023",
    });
    const launch = await planLaunch(testPlanIo({ settings: type("m5.xlarge") }).io, aws, "default", TASK);
    expect(launch.image).toEqual({ id: image.ImageId, name, os: "Amazon Linux 2023" });
  });

  it("cannot be read without ssm:GetParameter: one line naming the parameter and the permission, nothing created", async () => {
    emptyAccount(sim);
    sim.faults.inject({ service: "SSM", command: "GetParameter", error: "access-denied" });
    const error = await failure(
      planLaunch(testPlanIo({ settings: type("m5.xlarge") }).io, aws, "default", TASK),
    );
    expect(error.message).toBe(
      `cannot read which AMI to launch: AWS denied ssm:GetParameter on its public parameter ${X86_PARAMETER}`,
    );
    expect(error.suggestion).toBe(
      "Ask an administrator to allow ssm:GetParameter on arn:aws:ssm:eu-west-1::parameter/aws/service/ecs/* (AmazonECS_FullAccess allows it), then run mcctl setup again; nothing was created.",
    );
    expect(error.message).not.toContain("\n");
    expect(mutatingCalls()).toEqual([]);
  });

  it("in a region without the parameter: says so, and for arm64 suggests an x86_64 type", async () => {
    emptyAccount(sim);
    sim.ssm.publicParameters.set(ARM_PARAMETER, undefined);
    const error = await failure(
      planLaunch(testPlanIo({ settings: type("m6g.xlarge") }).io, aws, "default", TASK),
    );
    expect(error.message).toBe(
      `eu-west-1 publishes no ECS-optimized Amazon Linux 2023 AMI for arm64 (m6g.xlarge): SSM has no parameter ${ARM_PARAMETER}`,
    );
    expect(error.suggestion).toMatch(/^Choose an x86_64 instance type such as m5\.xlarge /);
    expect(mutatingCalls()).toEqual([]);
  });

  it("refuses a parameter value that names no AMI", async () => {
    emptyAccount(sim);
    sim.ssm.publicParameters.set(X86_PARAMETER, '{"schema_version":1,"os":"Amazon Linux 2023"}');
    const error = await failure(
      planLaunch(testPlanIo({ settings: type("m5.xlarge") }).io, aws, "default", TASK),
    );
    expect(error.message).toBe(`SSM parameter ${X86_PARAMETER} does not name an AMI as AWS documents it`);
  });
});

describe("setup's plan and a container instance's operating system", () => {
  const requirement = taskRequirements(DEFAULT_TASK_SETTINGS);
  const plan = () => {
    const planned = testPlanIo({ settings: type("m5.xlarge") });
    return { ...planned, result: planCompute(planned.io, aws, { cluster: "default", requirement }) };
  };

  it("warns about an instance on Amazon Linux 2, past its end of support, and uses it without replacing it", async () => {
    emptyAccount(sim);
    sim.ecs.addCluster("default");
    const al2 = imageIdFor(AL2_NAME, "eu-west-1");
    addMcHost(sim, "default", { instanceId: "i-0a1b2c3d4e5f60718", imageId: al2 });
    const { result, warnings } = plan();
    const compute = await result;
    expect(compute.status).toBe("ready");
    expect(compute.launch).toBeUndefined();
    expect(warnings).toEqual([
      `i-0a1b2c3d4e5f60718 runs Amazon Linux 2 (${al2}), whose support ended on 2026-06-30: move to Amazon Linux 2023 in a maintenance window — terminate it (aws ec2 terminate-instances --instance-ids i-0a1b2c3d4e5f60718), run \`mcctl setup\` to launch a container instance from the recommended ECS-optimized AMI, then run "Reindex Catalogue" once (the search index lived on the old instance)`,
    ]);
    // The AMI is deprecated (two years old): EC2 still describes it by id.
    expect(sim.callsOf("DescribeImages", "EC2")[0]?.input).toMatchObject({ ImageIds: [al2] });
    expect(mutatingCalls()).toEqual([]);
  });

  it("says nothing about an instance on Amazon Linux 2023", async () => {
    emptyAccount(sim);
    sim.ecs.addCluster("default");
    addMcHost(sim, "default", { imageId: imageIdFor(X86_NAME, "eu-west-1") });
    const { result, all } = plan();
    expect((await result).status).toBe("ready");
    expect(all()).toBe("");
  });

  it("goes on with one warning when EC2 may not describe the AMIs", async () => {
    emptyAccount(sim);
    sim.ecs.addCluster("default");
    addMcHost(sim, "default", { imageId: imageIdFor(AL2_NAME, "eu-west-1") });
    sim.faults.inject({ service: "EC2", command: "DescribeImages", error: "access-denied" });
    const { result, warnings } = plan();
    expect((await result).status).toBe("ready");
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Cannot tell which operating system the container instances run: AWS denied ec2:DescribeImages/,
      ),
    ]);
  });
});
