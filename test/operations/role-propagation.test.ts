import type { Task } from "@aws-sdk/client-ecs";
import { describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { InterruptedError, type McctlError } from "../../src/errors.js";
import {
  isPropagationFailure,
  ROLE_PROPAGATION_WINDOW_MS,
  type RoleChange,
  registerRevision,
} from "../../src/operations/role-propagation.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { captureOutput } from "../helpers/context.js";
import { mcTaskDefinition } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();
const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };
const ROLE = "mc-execution";
const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});

/** A role created through IAM's API just now, as mcctl creates it: ECS sees it `propagationMs` later. */
function roleJustCreated(propagationMs: number): RoleChange {
  sim.iam.setTimings({ propagationMs });
  sim.iam.createRole({ RoleName: ROLE, AssumeRolePolicyDocument: TRUST });
  return { name: ROLE, arn: ROLE_ARN, created: true, at: Date.now() };
}

const input = () => ({ ...mcTaskDefinition(), executionRoleArn: ROLE_ARN });

describe("registerRevision", () => {
  it("stops waiting at once on Ctrl-C, with the interrupt's error, and registers nothing", async () => {
    const change = roleJustCreated(60_000);
    const controller = new AbortController();
    const run = registerRevision(createEcsApi(config), terminalReporter(captureOutput().output), input(), {
      roleChange: change,
      signal: controller.signal,
    });
    run.catch(() => {});
    await vi.advanceTimersByTimeAsync(3_000);
    const calls = sim.callsOf("RegisterTaskDefinition").length;
    controller.abort(new InterruptedError("interrupted (Ctrl-C)"));
    const error = await runUntilSettled(run).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InterruptedError);
    expect(Date.now() - change.at).toBeLessThan(5_000);
    expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(calls);
    expect(sim.callsOf("RegisterTaskDefinition").every((call) => call.error !== undefined)).toBe(true);
  });

  it("does not wait when mcctl changed no role, or another one: the refusal is an error at once", async () => {
    roleJustCreated(60_000);
    const other: RoleChange = {
      name: "other",
      arn: "arn:aws:iam::123456789012:role/other",
      created: true,
      at: Date.now(),
    };
    for (const roleChange of [undefined, other]) {
      sim.clearCalls();
      const error = await registerRevision(
        createEcsApi(config),
        terminalReporter(captureOutput().output),
        input(),
        { roleChange },
      ).then(
        () => undefined,
        (caught: unknown) => caught as McctlError,
      );
      expect(error?.message).toMatch(
        /may not pass role arn:aws:iam::123456789012:role\/mc-execution \(iam:PassRole\)/,
      );
      expect(sim.callsOf("RegisterTaskDefinition")).toHaveLength(1);
    }
  });
});

describe("isPropagationFailure", () => {
  const change: RoleChange = {
    name: ROLE,
    arn: ROLE_ARN,
    created: true,
    at: Date.parse("2026-01-01T00:00:00Z"),
  };
  const task = (stoppedReason: string, afterMs = 10_000): Task => ({
    lastStatus: "STOPPED",
    stopCode: "TaskFailedToStart",
    stoppedReason,
    createdAt: new Date(change.at + afterMs),
  });
  const denied = (role: string, action = "ssm:GetParameters") =>
    `fetching secret data from SSM Parameter Store in eu-west-1: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/${role}/0123abcd is not authorized to perform: ${action} on resource: arn:aws:ssm:eu-west-1:123456789012:parameter/x`;

  it("holds for the changed role's refusals within the window", () => {
    expect(isPropagationFailure(task(denied(ROLE)), change)).toBe(true);
    expect(isPropagationFailure(task(denied(ROLE, "kms:Decrypt")), change)).toBe(true);
    expect(
      isPropagationFailure(task("ssm secret resource: unable to find execution role credentials"), change),
    ).toBe(true);
  });

  it("does not hold for another role, another failure, after the window, or without a change", () => {
    expect(isPropagationFailure(task(denied("someone-else")), change)).toBe(false);
    expect(isPropagationFailure(task("CannotPullContainerError: pull image manifest"), change)).toBe(false);
    expect(isPropagationFailure(task(denied(ROLE), ROLE_PROPAGATION_WINDOW_MS), change)).toBe(false);
    expect(isPropagationFailure(task(denied(ROLE)), undefined)).toBe(false);
  });
});
