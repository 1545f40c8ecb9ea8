import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import type { McctlError } from "../../src/errors.js";
import {
  buildCreateServiceInput,
  createService,
  type ServiceCreation,
} from "../../src/operations/create-service.js";
import { terminalReporter } from "../../src/ui/reporter.js";
import { captureOutput } from "../helpers/context.js";
import { useSimulatedAws } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";
import { seedMcCluster } from "../sim/fixtures.js";
import { taskFailures } from "../sim/index.js";

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
      "timed out after 2m 00s waiting for service mc to become steady (last seen: running 0/1, pending 1)",
    );
    expect(error?.suggestion).toBe("ECS keeps trying on its own; follow it with `mcctl status`.");
  });
});

describe("buildCreateServiceInput", () => {
  it("one task on EC2, the old task stopped before a new one starts (host port 80), tagged as mcctl's", () => {
    expect(buildCreateServiceInput("prod", "mc", "arn:td/mc:3")).toEqual({
      cluster: "prod",
      serviceName: "mc",
      taskDefinition: "arn:td/mc:3",
      desiredCount: 1,
      launchType: "EC2",
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
      tags: [{ key: "managed-by", value: "mcctl" }],
    });
  });
});
