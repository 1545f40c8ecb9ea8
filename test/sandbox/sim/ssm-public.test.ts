import { DescribeImagesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  AccessDeniedException,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
  ValidationException,
} from "@aws-sdk/client-ssm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { imageIdFor } from "../../../src/sandbox/sim/ec2-model.js";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

const ROOT = "/aws/service/ecs/optimized-ami";

let sim: SimulatedAws;
let ssm: SSMClient;
let ec2: EC2Client;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2026-11-25T03:00:00Z"));
  sim = createSimulatedAws({ accountId: "111122223333" });
  sim.install();
  ssm = new SSMClient({ region: "eu-west-1" });
  ec2 = new EC2Client({ region: "eu-west-1" });
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

const get = async (Name: string) => (await ssm.send(new GetParameterCommand({ Name }))).Parameter;

describe("AWS's public parameters for the ECS-optimized AMIs", () => {
  it("…/amazon-linux-2023/recommended is the documented JSON object, with an account-less ARN", async () => {
    const parameter = await get(`${ROOT}/amazon-linux-2023/recommended`);
    expect(parameter).toMatchObject({
      Name: `${ROOT}/amazon-linux-2023/recommended`,
      Type: "String",
      Version: 1,
      DataType: "text",
      ARN: `arn:aws:ssm:eu-west-1::parameter${ROOT}/amazon-linux-2023/recommended`,
    });
    expect(JSON.parse(parameter?.Value ?? "")).toEqual({
      ecs_agent_version: expect.any(String),
      ecs_runtime_version: expect.any(String),
      image_id: imageIdFor("al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64", "eu-west-1"),
      image_name: "al2023-ami-ecs-hvm-2023.0.20261101-kernel-6.1-x86_64",
      image_version: "2023.0.20261101",
      os: "Amazon Linux 2023",
      schema_version: 1,
    });
  });

  it("each field is a sub-parameter, and every variant names an AMI EC2 describes with its architecture", async () => {
    for (const [variant, architecture, os] of [
      ["amazon-linux-2023", "x86_64", "Amazon Linux 2023"],
      ["amazon-linux-2023/arm64", "arm64", "Amazon Linux 2023"],
      ["amazon-linux-2", "x86_64", "Amazon Linux 2"],
      ["amazon-linux-2/arm64", "arm64", "Amazon Linux 2"],
    ] as const) {
      const imageId = (await get(`${ROOT}/${variant}/recommended/image_id`))?.Value ?? "";
      const imageName = (await get(`${ROOT}/${variant}/recommended/image_name`))?.Value;
      expect((await get(`${ROOT}/${variant}/recommended/os`))?.Value).toBe(os);
      const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
      expect(Images[0], variant).toMatchObject({
        ImageId: imageId,
        Name: imageName,
        Architecture: architecture,
      });
      // The metadata of that version, by its name.
      expect(JSON.parse((await get(`${ROOT}/${variant}/${imageName}`))?.Value ?? "").image_id).toBe(imageId);
    }
  });

  it("GetParameters reads them beside the account's, and names the unknown ones", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/mcctl/x", Value: "v", Type: "String" }));
    const output = await ssm.send(
      new GetParametersCommand({
        Names: [`${ROOT}/amazon-linux-2023/arm64/recommended/image_id`, "/mcctl/x", `${ROOT}/nope`],
      }),
    );
    expect(output.Parameters?.map((parameter) => parameter.Name)).toEqual([
      `${ROOT}/amazon-linux-2023/arm64/recommended/image_id`,
      "/mcctl/x",
    ]);
    expect(output.InvalidParameters).toEqual([`${ROOT}/nope`]);
  });

  it("are not the account's: never listed, never written", async () => {
    const { Parameters = [] } = await ssm.send(new DescribeParametersCommand({}));
    expect(Parameters).toEqual([]);
    const write = await failure(
      ssm.send(
        new PutParameterCommand({
          Name: `${ROOT}/amazon-linux-2023/recommended/image_id`,
          Value: "ami-0123456789abcdef0",
          Type: "String",
          Overwrite: true,
        }),
      ),
    );
    expect(write).toBeInstanceOf(ValidationException);
  });

  it("can be missing (a region without them) or denied, naming the public ARN", async () => {
    sim.ssm.publicParameters.set(`${ROOT}/amazon-linux-2023/arm64/recommended`, undefined);
    expect(await failure(get(`${ROOT}/amazon-linux-2023/arm64/recommended`))).toBeInstanceOf(
      ParameterNotFound,
    );

    sim.faults.inject({ service: "SSM", command: "GetParameter", error: "access-denied" });
    const denied = await failure(get(`${ROOT}/amazon-linux-2023/recommended`));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect((denied as Error).message).toBe(
      `User: arn:aws:iam::111122223333:user/test is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-west-1::parameter${ROOT}/amazon-linux-2023/recommended because no identity-based policy allows the ssm:GetParameter action`,
    );
  });

  it("publishRecommendedEcsAmi replaces the recommendation with a new version", async () => {
    sim.ssm.publicParameters.publishRecommendedEcsAmi("amazon-linux-2023", {
      imageId: "ami-0123456789abcdef0",
      imageName: "al2023-ami-ecs-hvm-2023.0.20261124-kernel-6.1-x86_64",
      os: "Amazon Linux 2023",
    });
    const parameter = await get(`${ROOT}/amazon-linux-2023/recommended/image_id`);
    expect(parameter).toMatchObject({ Value: "ami-0123456789abcdef0", Version: 2 });
  });
});
