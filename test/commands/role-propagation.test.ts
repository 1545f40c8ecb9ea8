import { describe, expect, it } from "vitest";
import { RegisterTaskOptionsSchema, runRegisterTask } from "../../src/commands/register-task.js";
import { runUpgrade, UpgradeOptionsSchema } from "../../src/commands/upgrade.js";
import type { Settings } from "../../src/config/settings.js";
import { McctlError } from "../../src/errors.js";
import { testContext } from "../helpers/context.js";
import { BASE_ENVIRONMENT, runningTask, runService, seedLegacyRevision } from "../helpers/deployments.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

/**
 * IAM is eventually consistent: a role mcctl creates, or a policy it puts on the role, reaches ECS seconds
 * later (the simulator's `propagationMs`). mcctl waits for it, within a bound, and says so.
 */

const ROLE = "mcctl-model-catalogue-execution";
const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const READ_SECRETS = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "ReadMcctlSecrets",
      Effect: "Allow",
      Action: "ssm:GetParameters",
      Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/model-catalogue/*",
    },
  ],
};
const PLAIN = { METADATA_PASSWORD: "Legacy-Db-Pass-5e1d", MC_SUPERVISOR_PASSWORD: "Legacy-Sup-Pass-93ac" };
const NOTICE = "waiting for the new role to be usable: IAM changes take seconds to reach ECS";
const CREATE_THE_ROLE = /create (the|an?|your)? ?(execution )?role/i;

const sim = useSimulatedAws();

function registerTask() {
  const ctx = testContext({
    settings: { environment: { ...BASE_ENVIRONMENT } },
    env: { METADATA_PASSWORD: "db-pass-1f2e", MC_SUPERVISOR_PASSWORD: "sup-pass-3c4d" },
    options: { yes: true },
  });
  return { ctx, run: runUntilSettled(runRegisterTask(ctx, RegisterTaskOptionsSchema.parse({}))) };
}

function upgrade(settings: Settings, raw: Record<string, unknown>) {
  const ctx = testContext({ settings, env: {}, options: { yes: true } });
  const run = runUntilSettled(runUpgrade(ctx, UpgradeOptionsSchema.parse({ pollInterval: "3s", ...raw })));
  return { ctx, run };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the command to fail");
    },
    (error: unknown) => error as McctlError,
  );

/** When IAM answered the first call of `command` (CreateRole, PutRolePolicy). */
const firstCallAt = (command: string) => sim.calls.find((call) => call.command === command)?.at ?? Number.NaN;

/** An execution role mcctl made in an earlier run (tagged, managed policy attached), without its policy. */
function roleWithoutPolicy() {
  sim.iam.addRole(ROLE, {
    attached: [EXECUTION_POLICY],
    tags: { "managed-by": "mcctl", application: "model-catalogue" },
  });
}

describe("register-task creating the execution role while IAM propagates it", () => {
  it("waits until ECS may use the new role, says so, then registers", async () => {
    sim.iam.setTimings({ propagationMs: 20_000 });
    const { ctx, run } = registerTask();

    const result = await run;

    expect(result).toMatchObject({ registered: true, revision: 1 });
    const registrations = sim.callsOf("RegisterTaskDefinition");
    expect(registrations.length).toBeGreaterThan(1);
    expect(
      registrations
        .slice(0, -1)
        .every((call) => (call.error as Error | undefined)?.name === "AccessDeniedException"),
    ).toBe(true);
    const last = registrations.at(-1);
    expect(last?.error).toBeUndefined();
    expect(last?.at).toBeGreaterThanOrEqual(firstCallAt("CreateRole") + 20_000);
    // Retried with backoff, not hammered: a handful of calls in 20 s.
    expect(registrations.length).toBeLessThanOrEqual(8);
    expect(ctx.captured.stderr().toLowerCase()).toContain(NOTICE.toLowerCase());
    expect(ctx.captured.all()).not.toMatch(CREATE_THE_ROLE);
  });

  it("past the bound, fails with one line that says what is true and does not say to create the role", async () => {
    sim.iam.setTimings({ propagationMs: 10 * 60_000 });
    const { ctx, run } = registerTask();

    const error = await failure(run);

    expect(error).toBeInstanceOf(McctlError);
    expect(error.message.split("\n")).toHaveLength(1);
    expect(error.message).toContain(ROLE);
    expect(error.message).toMatch(/iam:PassRole/);
    expect(`${error.message}\n${error.suggestion ?? ""}`).not.toMatch(CREATE_THE_ROLE);
    expect(ctx.captured.all()).not.toMatch(CREATE_THE_ROLE);
    // Bounded: gave up within 90 s of creating the role, after a few tries.
    const registrations = sim.callsOf("RegisterTaskDefinition");
    expect(registrations.length).toBeGreaterThan(1);
    expect(registrations.at(-1)?.at).toBeLessThanOrEqual(firstCallAt("CreateRole") + 90_000);
    expect(Date.now()).toBeLessThan(firstCallAt("CreateRole") + 120_000);
  });
});

describe("upgrade --tag creating the execution role while IAM propagates it", () => {
  it("waits for the role, says so, registers and restarts onto the new revision", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN, image: "metadata/registry:2.0.0" });
    await runService(sim, legacy.revision);
    sim.iam.setTimings({ propagationMs: 20_000 });
    const { ctx, run } = upgrade(legacy.settings, { tag: "2.0.1" });

    const result = await run;

    expect(result).toMatchObject({ from: "model-catalogue:1", to: "model-catalogue:2" });
    expect(ctx.captured.stderr().toLowerCase()).toContain(NOTICE.toLowerCase());
    const registered = sim
      .callsOf("RegisterTaskDefinition")
      .filter((call) => !call.error && call.input.family === "model-catalogue");
    expect(registered).toHaveLength(1);
    expect(registered[0]?.input.executionRoleArn).toBe(ROLE_ARN);
    // The service was left alone until the revision was registered.
    expect(sim.callsOf("UpdateService")[0]?.at).toBeGreaterThanOrEqual(registered[0]?.at ?? Infinity);
    const task = runningTask(sim);
    expect(task.revision).toBe("model-catalogue:2");
    expect(task.environment.METADATA_PASSWORD).toBe(PLAIN.METADATA_PASSWORD);
  });
});

describe("tasks that stop while a policy mcctl put on the role propagates", () => {
  it("do not count towards the fail-fast: the service replaces them and the upgrade succeeds", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN, image: "metadata/registry:2.0.0" });
    await runService(sim, legacy.revision);
    roleWithoutPolicy();
    sim.iam.setTimings({ propagationMs: 60_000 });
    const { ctx, run } = upgrade(legacy.settings, { tag: "2.0.1" });

    const result = await run;

    expect(result).toMatchObject({ from: "model-catalogue:1", to: "model-catalogue:2" });
    // mcctl put the policy; ECS judged the first tasks by the role as it was, and they stopped.
    expect(sim.callsOf("PutRolePolicy")).toHaveLength(1);
    const stopped = sim.ecs
      .tasks({ serviceName: "mc", lastStatus: "STOPPED" })
      .filter((task) => task.stopCode === "TaskFailedToStart");
    expect(stopped.length).toBeGreaterThanOrEqual(2);
    expect(stopped[0]?.stoppedReason).toContain("is not authorized to perform: ssm:GetParameters");
    const stderr = ctx.captured.stderr();
    expect(stderr).toContain("not counted as a failure");
    expect(stderr.toLowerCase()).toContain(NOTICE.toLowerCase());
    expect(runningTask(sim).revision).toBe("model-catalogue:2");
    expect(runningTask(sim).environment.METADATA_PASSWORD).toBe(PLAIN.METADATA_PASSWORD);
  });

  it("when mcctl changed no role, the same failure still fails fast, with advice that says what is true", async () => {
    const legacy = await seedLegacyRevision(sim, { secrets: PLAIN, image: "metadata/registry:2.0.0" });
    await runService(sim, legacy.revision);
    roleWithoutPolicy();
    sim.iam.setTimings({ propagationMs: 10 * 60_000 });
    // Someone else gave the role its policy a moment ago: mcctl's plan finds nothing to change on the role.
    sim.iam.putRolePolicy({
      RoleName: ROLE,
      PolicyName: "mcctl-read-secrets",
      PolicyDocument: JSON.stringify(READ_SECRETS),
    });
    const { ctx, run } = upgrade(legacy.settings, { tag: "2.0.1", rollbackOnFailure: false });

    const error = await failure(run);

    expect(sim.callsOf("PutRolePolicy")).toHaveLength(0);
    expect(error.message).toMatch(/^upgrade failed: the deployment of mc is failing: .*ssm:GetParameters/);
    // Fast: two failed tasks, not the whole propagation time.
    expect(sim.ecs.tasks({ serviceName: "mc", lastStatus: "STOPPED" }).length).toBeLessThanOrEqual(4);
    expect(error.suggestion).toContain(ROLE);
    expect(error.suggestion).toMatch(/ssm:GetParameters/);
    expect(error.suggestion).toMatch(/IAM changes take/);
    expect(`${error.message}\n${error.suggestion ?? ""}`).not.toMatch(CREATE_THE_ROLE);
    expect(ctx.captured.stderr()).not.toContain("not counted as a failure");
  });
});
