import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  EntityAlreadyExistsException,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePolicyCommand,
  TagRoleCommand,
} from "@aws-sdk/client-iam";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const PARAMETER = "arn:aws:ssm:eu-west-1:111122223333:parameter/mcctl/db-password";
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});

let sim: SimulatedAws;
let iam: IAMClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  sim = createSimulatedAws({ accountId: "111122223333" });
  sim.install();
  iam = new IAMClient({ region: "eu-west-1" });
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

describe("IAM roles through the API", () => {
  it("CreateRole then GetRole: ARN with the path, URL-encoded trust policy, tags, no RoleLastUsed", async () => {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: "mcctl-task-execution",
        Path: "/mcctl/",
        AssumeRolePolicyDocument: TRUST,
        Description: "Model Catalogue task execution",
        Tags: [{ Key: "app", Value: "mcctl" }],
      }),
    );
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "mcctl-task-execution" }));
    expect(Role).toEqual(created.Role);
    expect(Role).toEqual({
      Path: "/mcctl/",
      RoleName: "mcctl-task-execution",
      RoleId: expect.stringMatching(/^AROA[0-9A-F]{17}$/),
      Arn: "arn:aws:iam::111122223333:role/mcctl/mcctl-task-execution",
      CreateDate: new Date(T0),
      AssumeRolePolicyDocument: encodeURIComponent(TRUST),
      Description: "Model Catalogue task execution",
      MaxSessionDuration: 3600,
      Tags: [{ Key: "app", Value: "mcctl" }],
    });
    expect(JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ""))).toEqual(JSON.parse(TRUST));
  });

  it("fails as IAM does: NoSuchEntity, EntityAlreadyExists (any case), MalformedPolicyDocument", async () => {
    const missing = await failure(iam.send(new GetRoleCommand({ RoleName: "nope" })));
    expect(missing).toBeInstanceOf(NoSuchEntityException);
    expect(missing).toMatchObject({
      Code: "NoSuchEntity",
      message: "The role with name nope cannot be found.",
      $metadata: { httpStatusCode: 404 },
    });
    await iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: TRUST }));
    const again = await failure(
      iam.send(new CreateRoleCommand({ RoleName: "EXEC", AssumeRolePolicyDocument: TRUST })),
    );
    expect(again).toBeInstanceOf(EntityAlreadyExistsException);
    expect(again).toMatchObject({
      message: "Role with name EXEC already exists.",
      $metadata: { httpStatusCode: 409 },
    });
    const malformed = await failure(
      iam.send(new CreateRoleCommand({ RoleName: "bad", AssumeRolePolicyDocument: "{not json" })),
    );
    expect(malformed).toBeInstanceOf(MalformedPolicyDocumentException);
    expect(malformed).toMatchObject({
      Code: "MalformedPolicyDocument",
      message: "This policy contains invalid Json",
    });
    const badPolicy = await failure(
      iam.send(new PutRolePolicyCommand({ RoleName: "exec", PolicyName: "ssm", PolicyDocument: "[" })),
    );
    expect(badPolicy).toBeInstanceOf(MalformedPolicyDocumentException);
  });

  it("attaches known managed policies only, and lists them", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "exec", PolicyArn: EXECUTION_POLICY }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "exec", PolicyArn: EXECUTION_POLICY })); // no-op
    const unknown = await failure(
      iam.send(new AttachRolePolicyCommand({ RoleName: "exec", PolicyArn: "arn:aws:iam::aws:policy/Nope" })),
    );
    expect(unknown).toMatchObject({
      name: "NoSuchEntityException",
      message: "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.",
    });
    const noRole = await failure(
      iam.send(new AttachRolePolicyCommand({ RoleName: "other", PolicyArn: EXECUTION_POLICY })),
    );
    expect(noRole).toMatchObject({ message: "The role with name other cannot be found." });
    const { AttachedPolicies } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "exec" }));
    expect(AttachedPolicies).toEqual([
      { PolicyName: "AmazonECSTaskExecutionRolePolicy", PolicyArn: EXECUTION_POLICY },
    ]);
  });

  it("keeps inline policies as sent and returns them URL-encoded; tags roles", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: TRUST }));
    const document = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "ssm:GetParameters", Resource: "arn:aws:ssm:*:*:parameter/mcctl/*" },
      ],
    });
    await iam.send(
      new PutRolePolicyCommand({ RoleName: "exec", PolicyName: "mcctl-secrets", PolicyDocument: document }),
    );
    const policy = await iam.send(
      new GetRolePolicyCommand({ RoleName: "exec", PolicyName: "mcctl-secrets" }),
    );
    expect(policy).toMatchObject({
      RoleName: "exec",
      PolicyName: "mcctl-secrets",
      PolicyDocument: encodeURIComponent(document),
    });
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: "exec" }))).PolicyNames).toEqual([
      "mcctl-secrets",
    ]);
    const absent = await failure(
      iam.send(new GetRolePolicyCommand({ RoleName: "exec", PolicyName: "other" })),
    );
    expect(absent).toMatchObject({
      name: "NoSuchEntityException",
      message: "The role policy with name other cannot be found.",
    });

    await iam.send(new TagRoleCommand({ RoleName: "exec", Tags: [{ Key: "app", Value: "mc" }] }));
    await iam.send(
      new TagRoleCommand({
        RoleName: "exec",
        Tags: [
          { Key: "app", Value: "mcctl" },
          { Key: "env", Value: "prod" },
        ],
      }),
    );
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: "exec" }))).Tags).toEqual([
      { Key: "app", Value: "mcctl" },
      { Key: "env", Value: "prod" },
    ]);
    expect(sim.iam.role("exec")).toMatchObject({
      inline: { "mcctl-secrets": JSON.parse(document) },
      tags: [
        { Key: "app", Value: "mcctl" },
        { Key: "env", Value: "prod" },
      ],
    });
  });
});

describe("what a role may do", () => {
  it("evaluates inline Allow statements (strings or lists, * wildcards); the execution role policy does not grant SSM", () => {
    sim.iam.addRole("exec", { attached: [EXECUTION_POLICY] });
    expect(sim.iam.roleAllows("exec", "ecr:BatchGetImage", "*")).toBe(true);
    expect(sim.iam.roleAllows("exec", "ssm:GetParameters", PARAMETER)).toBe(false);

    sim.iam.addRole("reader", {
      inline: {
        ssm: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["ssm:GetParameter*"],
              Resource: ["arn:aws:ssm:eu-west-1:111122223333:parameter/mcctl/*"],
            },
            { Effect: "Deny", Action: "ssm:GetParameters", Resource: "*/mcctl/admin" },
          ],
        },
      },
    });
    expect(sim.iam.roleAllows("reader", "ssm:GetParameters", PARAMETER)).toBe(true);
    expect(sim.iam.roleAllows("reader", "SSM:getparameters", PARAMETER)).toBe(true); // actions ignore case
    expect(
      sim.iam.roleAllows("reader", "ssm:GetParameters", `${PARAMETER.replace("db-password", "admin")}`),
    ).toBe(false);
    expect(
      sim.iam.roleAllows("reader", "ssm:GetParameters", "arn:aws:ssm:eu-west-1:111122223333:parameter/other"),
    ).toBe(false);
    expect(sim.iam.roleAllows("reader", "ssm:PutParameter", PARAMETER)).toBe(false);
    expect(sim.iam.roleAllows("missing", "ssm:GetParameters", PARAMETER)).toBe(false);
  });

  it("kms:Decrypt with a kms:ViaService condition, and trust for ECS tasks", () => {
    const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    sim.iam.addRole("exec", {
      inline: {
        kms: {
          Statement: {
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: key,
            Condition: { StringEquals: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" } },
          },
        },
      },
    });
    expect(
      sim.iam.roleAllows("exec", "kms:Decrypt", key, { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" }),
    ).toBe(true);
    expect(sim.iam.roleAllows("exec", "kms:Decrypt", key)).toBe(false);
    expect(sim.iam.roleTrusts("exec", "ecs-tasks.amazonaws.com")).toBe(true);
    sim.iam.addRole("ec2", { trustedService: "ec2.amazonaws.com" });
    expect(sim.iam.roleTrusts("arn:aws:iam::111122223333:role/ec2", "ecs-tasks.amazonaws.com")).toBe(false);
  });
});

describe("roles shared with instance profiles", () => {
  it("an instance profile's role is a role like any other, and an existing role goes into a profile as it is", async () => {
    sim.iam.addInstanceProfile("ecsInstanceRole");
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "ecsInstanceRole" }));
    const { InstanceProfile } = await iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole" }),
    );
    expect(InstanceProfile?.Roles?.[0]).toMatchObject({ RoleId: Role?.RoleId, Arn: Role?.Arn });
    expect(sim.iam.role("ecsInstanceRole")?.attached).toEqual([
      "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
    ]);
    expect(sim.iam.roleTrusts("ecsInstanceRole", "ec2.amazonaws.com")).toBe(true);

    await iam.send(new CreateRoleCommand({ RoleName: "custom", AssumeRolePolicyDocument: TRUST }));
    sim.iam.addInstanceProfile("custom-profile", "custom");
    expect(sim.iam.instanceProfile("custom-profile")?.Roles?.[0]?.RoleId).toBe(
      sim.iam.role("custom")?.roleId,
    );
    sim.iam.removeRole("custom");
    expect(sim.iam.instanceProfile("custom-profile")?.Roles).toEqual([]);
  });
});
