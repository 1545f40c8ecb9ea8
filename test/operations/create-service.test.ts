import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { buildCreateServiceInput } from "../../src/domain/ecs-service.js";
import type { McctlError } from "../../src/errors.js";
import { createService, type ServiceCreation } from "../../src/operations/create-service.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { captureOutput } from "../helpers/context.js";
import { taskFailures } from "../helpers/sim.js";
import { mcTaskDefinition, seedMcCluster } from "../helpers/sim-fixtures.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

const sim = useSimulatedAws();
const config: AwsConfig = { region: "eu-west-1", maxAttempts: 1, retryMode: "standard" };

function create(overrides: Partial<ServiceCreation> = {}) {
  const captured = captureOutput();
  const created: Service[] = [];
  const run = createService(createEcsApi(config), terminalReporter(captured.output), {
    input: buildCreateServiceInput("mc", "mc", "mc:1"),
    wait: true,
    timeoutMs: 15 * 60_000,
    pollIntervalMs: 3_000,
    onCreated: async (service) => {
      created.push(service);
    },
    ...overrides,
  });
  run.catch(() => {});
  return { run, captured, created };
}

describe("createService", () => {
  it("creates the service and waits until it is steady", async () => {
    seedMcCluster(sim);
    const { run, captured, created } = create();
    const service = await runUntilSettled(run);
    expect(service.runningCount).toBe(1);
    expect(created.map((entry) => entry.serviceName)).toEqual(["mc"]);
    expect(captured.stderr()).toMatch(/Created service mc \(arn:aws:ecs:eu-west-1:\d+:service\/mc\/mc\)/);
    expect(captured.stderr()).toContain("… Waiting for mc to become steady");
    expect(captured.stderr()).toContain("Service mc is steady");
  });

  it("with --no-wait returns as soon as ECS has the service", async () => {
    seedMcCluster(sim);
    const { run } = create({ wait: false });
    const service = await runUntilSettled(run);
    expect(service.runningCount).toBe(0);
    expect(sim.callsOf("DescribeServices")).toHaveLength(0);
  });

  it("needs no one to remember the service", async () => {
    seedMcCluster(sim);
    const { run } = create({ onCreated: undefined });
    expect((await runUntilSettled(run)).serviceName).toBe("mc");
  });

  it("remembers the service before the wait, so a failed wait still leaves it known", async () => {
    seedMcCluster(sim);
    sim.ecs.scriptTaskFailure({
      ...taskFailures.cannotPullImage("metadata/registry:2"),
      times: Number.POSITIVE_INFINITY,
    });
    const { run, created } = create();
    const error = await runUntilSettled(run).then(
      () => undefined,
      (caught: unknown) => caught as McctlError,
    );
    expect(error?.message).toMatch(/^the deployment of mc is failing: CannotPullContainerError/);
    expect(created).toHaveLength(1);
  });

  it("times out naming the service and the state it saw, and how to follow it", async () => {
    seedMcCluster(sim);
    sim.ecs.setTimings({ pendingMs: 60 * 60_000 });
    const { run } = create({ timeoutMs: 2 * 60_000 });
    const error = await runUntilSettled(run).then(
      () => undefined,
      (caught: unknown) => caught as McctlError,
    );
    expect(error?.message).toBe(
      "timed out after 2m 00s waiting for service mc to become steady (last seen: 1 task starting (PENDING), 0 of 1 running)",
    );
    expect(error?.suggestion).toBe("ECS keeps trying on its own; follow it with `mcctl status`.");
  });
});

describe("createService after mcctl changed the execution role (setup)", () => {
  const ROLE = "mcctl-mc-execution";
  const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
  const PARAMETER_ARN = "arn:aws:ssm:eu-west-1:123456789012:parameter/mcctl/mc/METADATA_PASSWORD";

  /** mc:2 reads a secret through a role whose read policy was put just now, while IAM propagates it. */
  function withPolicyJustPut() {
    seedMcCluster(sim);
    sim.iam.setTimings({ propagationMs: 45_000 });
    sim.iam.addRole(ROLE);
    sim.ssm.putParameterDirectly({ Name: "/mcctl/mc/METADATA_PASSWORD", Value: "pw", Type: "SecureString" });
    const definition = mcTaskDefinition();
    const [mc, ...rest] = definition.containerDefinitions ?? [];
    sim.ecs.registerTaskDefinition({
      ...definition,
      executionRoleArn: ROLE_ARN,
      containerDefinitions: [
        { ...mc, secrets: [{ name: "METADATA_PASSWORD", valueFrom: PARAMETER_ARN }] },
        ...rest,
      ],
    });
    sim.iam.putRolePolicy({
      RoleName: ROLE,
      PolicyName: "read",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "ssm:GetParameters", Resource: PARAMETER_ARN }],
      }),
    });
    return { name: ROLE, arn: ROLE_ARN, created: false, at: Date.now() };
  }

  it("tasks refused their secrets while the change propagates do not fail the wait; the service becomes steady", async () => {
    const roleChange = withPolicyJustPut();
    const { run, captured } = create({ input: buildCreateServiceInput("mc", "mc", "mc:2"), roleChange });
    const service = await runUntilSettled(run);
    expect(service.runningCount).toBe(1);
    const refused = sim.ecs
      .tasks({ serviceName: "mc", lastStatus: "STOPPED" })
      .filter((task) => /ssm:GetParameters/.test(task.stoppedReason ?? ""));
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(captured.stderr()).toContain("not counted as a failure");
  });

  it("the same failures fail fast when mcctl changed no role", async () => {
    withPolicyJustPut();
    const { run, captured } = create({ input: buildCreateServiceInput("mc", "mc", "mc:2") });
    const error = await runUntilSettled(run).then(
      () => undefined,
      (caught: unknown) => caught as McctlError,
    );
    expect(error?.message).toMatch(/^the deployment of mc is failing: .*ssm:GetParameters/);
    expect(error?.suggestion).toContain(`The task execution role ${ROLE} may not read the secrets`);
    expect(captured.stderr()).not.toContain("not counted as a failure");
  });

  it("outside the window the same failures count again", async () => {
    const roleChange = withPolicyJustPut();
    const { run } = create({
      input: buildCreateServiceInput("mc", "mc", "mc:2"),
      roleChange: { ...roleChange, at: Date.now() - 5 * 60_000 },
    });
    const error = await runUntilSettled(run).then(
      () => undefined,
      (caught: unknown) => caught as McctlError,
    );
    expect(error?.message).toMatch(/^the deployment of mc is failing/);
  });
});
