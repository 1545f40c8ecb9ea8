import {
  GetInstanceProfileCommand,
  IAMClient,
  IAMServiceException,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSimulatedAws, type SimulatedAws } from "../../helpers/sim.js";

let sim: SimulatedAws;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.parse("2025-03-01T09:00:00.000Z"));
  sim = createSimulatedAws({ accountId: "111122223333" });
  sim.install();
});

afterEach(() => {
  sim.restore();
  vi.useRealTimers();
});

describe("STS GetCallerIdentity", () => {
  it("answers the simulated account and principal", async () => {
    const output = await new STSClient({ region: "eu-west-1" }).send(new GetCallerIdentityCommand({}));
    expect(output).toMatchObject({
      Account: "111122223333",
      Arn: "arn:aws:iam::111122223333:user/test",
      UserId: expect.stringMatching(/^AIDA[0-9A-F]{17}$/),
    });
  });

  it("names an assumed role's session in UserId", async () => {
    const roleSim = createSimulatedAws({
      principalArn: "arn:aws:sts::123456789012:assumed-role/Admin/alice",
    });
    sim.restore();
    roleSim.install();
    try {
      const output = await new STSClient({ region: "eu-west-1" }).send(new GetCallerIdentityCommand({}));
      expect(output.UserId).toMatch(/^AROA[0-9A-F]{17}:alice$/);
      expect(output.Arn).toBe("arn:aws:sts::123456789012:assumed-role/Admin/alice");
    } finally {
      roleSim.restore();
    }
  });

  it("fails with the query protocol's AccessDenied when a fault says so", async () => {
    sim.faults.inject({ service: "STS", error: "access-denied" });
    await expect(
      new STSClient({ region: "eu-west-1" }).send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({
      name: "AccessDenied",
      Code: "AccessDenied",
      Type: "Sender",
      $metadata: { httpStatusCode: 403 },
    });
    expect(sim.calls.map((call) => [call.service, call.command])).toEqual([["STS", "GetCallerIdentity"]]);
  });
});

describe("IAM GetInstanceProfile", () => {
  const iam = () => new IAMClient({ region: "eu-west-1" });

  it("returns a profile added with its role", async () => {
    sim.iam.addInstanceProfile("ecsInstanceRole");
    const { InstanceProfile } = await iam().send(
      new GetInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole" }),
    );
    expect(InstanceProfile).toMatchObject({
      InstanceProfileName: "ecsInstanceRole",
      Arn: "arn:aws:iam::111122223333:instance-profile/ecsInstanceRole",
      InstanceProfileId: expect.stringMatching(/^AIPA[0-9A-F]{17}$/),
      Path: "/",
      Roles: [{ RoleName: "ecsInstanceRole", Arn: "arn:aws:iam::111122223333:role/ecsInstanceRole" }],
    });
    sim.iam.addInstanceProfile("empty", null);
    expect(sim.iam.instanceProfile("empty")?.Roles).toEqual([]);
  });

  it("adds a role to a profile without one, or takes it out, as add/remove-role-to-instance-profile do", async () => {
    sim.iam.addInstanceProfile("ecsInstanceRole", null);
    const get = () => iam().send(new GetInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole" }));
    expect((await get()).InstanceProfile?.Roles).toEqual([]);

    sim.iam.setInstanceProfileRole("ecsInstanceRole");
    expect((await get()).InstanceProfile?.Roles).toMatchObject([{ RoleName: "ecsInstanceRole" }]);
    sim.iam.setInstanceProfileRole("ecsInstanceRole", "other");
    expect((await get()).InstanceProfile?.Roles).toMatchObject([
      { RoleName: "other", Arn: "arn:aws:iam::111122223333:role/other" },
    ]);
    sim.iam.setInstanceProfileRole("ecsInstanceRole", null);
    expect((await get()).InstanceProfile?.Roles).toEqual([]);
    expect(() => sim.iam.setInstanceProfileRole("missing")).toThrow(/no instance profile missing/);
  });

  it("fails with NoSuchEntityException (wire code NoSuchEntity), as SDK v3 surfaces it", async () => {
    const error = await iam()
      .send(new GetInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSuchEntityException);
    expect(error).toMatchObject({
      name: "NoSuchEntityException",
      Code: "NoSuchEntity",
      Type: "Sender",
      message: "Instance Profile ecsInstanceRole cannot be found.",
      Error: { Code: "NoSuchEntity", Message: "Instance Profile ecsInstanceRole cannot be found." },
      $fault: "client",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("rejects names IAM would not accept, and injects IAM throttling", async () => {
    const invalid = await iam()
      .send(new GetInstanceProfileCommand({ InstanceProfileName: "ecs instance role" }))
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(IAMServiceException);
    expect(invalid).toMatchObject({ name: "ValidationError", $metadata: { httpStatusCode: 400 } });

    sim.iam.addInstanceProfile("ecsInstanceRole");
    sim.faults.inject({
      service: "IAM",
      command: "GetInstanceProfile",
      match: (input) => input.InstanceProfileName === "ecsInstanceRole",
      error: "throttling",
    });
    await expect(
      iam().send(new GetInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole" })),
    ).rejects.toMatchObject({ name: "Throttling", message: "Rate exceeded" });
    expect(sim.callsOf("GetInstanceProfile", "IAM").map((call) => call.input.InstanceProfileName)).toEqual([
      "ecs instance role",
      "ecsInstanceRole",
    ]);
  });
});
