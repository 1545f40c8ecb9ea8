import {
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

const EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const SSM_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: "*" }],
};

let sim: SimulatedAws;
let iam: IAMClient;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2025-03-01T09:00:00.000Z"));
  sim = createSimulatedAws({ accountId: "111122223333" });
  sim.install();
  iam = new IAMClient({ region: "eu-west-1" });
  sim.iam.addRole("mcctl-task-execution", {
    attached: [EXECUTION_POLICY],
    inline: { "mcctl-secrets": SSM_POLICY },
    tags: { app: "mcctl" },
  });
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

const ROLE = "mcctl-task-execution";

describe("taking a role apart", () => {
  it("DeleteRole refuses (DeleteConflict, 409) until the policies are detached and deleted", async () => {
    const attached = await fail(iam.send(new DeleteRoleCommand({ RoleName: ROLE })));
    expect(attached).toBeInstanceOf(DeleteConflictException);
    expect(attached).toMatchObject({
      name: "DeleteConflictException",
      Code: "DeleteConflict",
      message: "Cannot delete entity, must detach all policies first.",
      $metadata: { httpStatusCode: 409 },
    });
    await iam.send(new DetachRolePolicyCommand({ RoleName: ROLE, PolicyArn: EXECUTION_POLICY }));
    expect(
      (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE }))).AttachedPolicies,
    ).toEqual([]);

    expect(await fail(iam.send(new DeleteRoleCommand({ RoleName: ROLE })))).toMatchObject({
      Code: "DeleteConflict",
      message: "Cannot delete entity, must delete policies first.",
    });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: ROLE, PolicyName: "mcctl-secrets" }));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: ROLE }))).PolicyNames).toEqual([]);

    await iam.send(new DeleteRoleCommand({ RoleName: ROLE }));
    expect(sim.iam.role(ROLE)).toBeUndefined();
    expect(await fail(iam.send(new GetRoleCommand({ RoleName: ROLE })))).toMatchObject({
      Code: "NoSuchEntity",
      message: `The role with name ${ROLE} cannot be found.`,
    });
  });

  it("refuses a role in an instance profile: it must be removed from the profile first", async () => {
    sim.iam.addInstanceProfile("mc-host", null);
    sim.iam.addRole("mc-host", { trustedService: "ec2.amazonaws.com" });
    sim.iam.setInstanceProfileRole("mc-host", "mc-host");
    expect(await fail(iam.send(new DeleteRoleCommand({ RoleName: "mc-host" })))).toMatchObject({
      Code: "DeleteConflict",
      message: "Cannot delete entity, must remove roles from instance profile first.",
    });
    sim.iam.setInstanceProfileRole("mc-host", null);
    await iam.send(new DeleteRoleCommand({ RoleName: "mc-host" }));
  });

  it("answers NoSuchEntity (404) for a role, an attachment or an inline policy that does not exist", async () => {
    const role = await fail(iam.send(new DeleteRoleCommand({ RoleName: "nope" })));
    expect(role).toBeInstanceOf(NoSuchEntityException);
    expect(role).toMatchObject({
      message: "The role with name nope cannot be found.",
      $metadata: { httpStatusCode: 404 },
    });
    const other = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess";
    expect(
      await fail(iam.send(new DetachRolePolicyCommand({ RoleName: ROLE, PolicyArn: other }))),
    ).toMatchObject({
      Code: "NoSuchEntity",
      message: `Policy ${other} was not found.`,
    });
    expect(
      await fail(iam.send(new DetachRolePolicyCommand({ RoleName: "nope", PolicyArn: EXECUTION_POLICY }))),
    ).toMatchObject({ message: "The role with name nope cannot be found." });
    expect(
      await fail(iam.send(new DeleteRolePolicyCommand({ RoleName: ROLE, PolicyName: "absent" }))),
    ).toMatchObject({
      Code: "NoSuchEntity",
      message: "The role policy with name absent cannot be found.",
    });
  });

  it("keeps the tags readable until the role goes (GetRole, ListRoleTags)", async () => {
    expect((await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role?.Tags).toEqual([
      { Key: "app", Value: "mcctl" },
    ]);
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: ROLE }))).Tags).toEqual([
      { Key: "app", Value: "mcctl" },
    ]);
  });

  it("takes IAM-shaped faults and logs the calls", async () => {
    sim.faults.inject({ command: "DetachRolePolicy", error: "throttling" });
    expect(
      await fail(iam.send(new DetachRolePolicyCommand({ RoleName: ROLE, PolicyArn: EXECUTION_POLICY }))),
    ).toMatchObject({ name: "Throttling", Code: "Throttling" });
    expect(sim.iam.role(ROLE)?.attached).toEqual([EXECUTION_POLICY]);
    expect(sim.callsOf("DetachRolePolicy", "IAM").map((call) => call.input.PolicyArn)).toEqual([
      EXECUTION_POLICY,
    ]);
  });
});
