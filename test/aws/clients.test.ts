import { describe, expect, it } from "vitest";
import { AwsClients } from "../../src/aws/clients.js";
import type { AwsConfig } from "../../src/aws/config.js";
import { cleanupLimits, withCallLimits } from "../../src/aws/limits.js";
import { InterruptedError, McctlError } from "../../src/errors.js";

// Nothing listens on port 9: a call that got past the limits would fail with ECONNREFUSED instead.
const config: AwsConfig = {
  region: "eu-west-1",
  endpoint: "http://127.0.0.1:9",
  maxAttempts: 1,
  retryMode: "standard",
};

/** One call of each service, through the APIs AwsClients hands out. */
const oneCallOfEach = (aws: AwsClients) => ({
  ecs: async () => (await aws.ecs()).describeCluster("prod"),
  ec2: async () => (await aws.ec2()).defaultVpc(),
  s3: async () => (await aws.s3()).inspectBucket("mc-bucket"),
  rds: async () => (await aws.rds()).listMysqlInstances(),
  sts: async () => (await aws.sts()).callerIdentity(),
  iam: async () => (await aws.iam()).instanceProfileRoles("ecsInstanceRole"),
});

describe("AwsClients limits", () => {
  it("stop every service's calls once the signal of the phase they are made in has aborted", async () => {
    const aws = new AwsClients(config);
    const calls = oneCallOfEach(aws);
    await aws.ecs();
    const controller = new AbortController();
    controller.abort();
    for (const [service, call] of Object.entries(calls)) {
      const error = await withCallLimits<unknown>({ signal: controller.signal }, call).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error, service).toBeInstanceOf(InterruptedError);
    }
  });

  it("are shared with clients built from another config", async () => {
    const aws = new AwsClients(config, { deadline: Date.now() - 1 });
    const otherRegion = new AwsClients({ ...config, region: "us-east-1" }, aws.limits);
    for (const [service, call] of Object.entries(oneCallOfEach(otherRegion))) {
      const error = (await call().then(
        () => undefined,
        (failure: unknown) => failure,
      )) as McctlError;
      expect(error, service).toBeInstanceOf(McctlError);
      expect(error.message, service).toMatch(/^the command's time limit ran out before \w+:\w+$/);
    }
  });

  it("give way to the limits of the phase a call is made in, the clean-up's included", async () => {
    // The plan's deadline has passed: outside a phase of its own nothing is sent.
    const aws = new AwsClients(config, { deadline: Date.now() - 1 });
    const ecs = await aws.ecs();
    await expect(ecs.describeCluster("prod")).rejects.toThrow(/time limit ran out before/);
    const controller = new AbortController();
    controller.abort();
    const apply = { signal: controller.signal, deadline: Date.now() + 60_000 };
    await expect(withCallLimits(apply, () => ecs.describeCluster("prod"))).rejects.toBeInstanceOf(
      InterruptedError,
    );

    const cleanup = cleanupLimits(5_000);
    expect(cleanup.signal).toBeUndefined();
    expect(cleanup.deadline).toBeGreaterThan(Date.now() + 4_000);
    expect(cleanup.deadline).toBeLessThanOrEqual(Date.now() + 5_000);
    // Inside the interrupted apply, the clean-up's own limits let the call go out (nothing listens).
    await expect(
      withCallLimits(apply, () => withCallLimits(cleanup, () => ecs.describeCluster("prod"))),
    ).rejects.toThrow(
      "cannot reach http://127.0.0.1:9 for ecs:DescribeClusters (ECONNREFUSED: connection refused)",
    );
    // And the limits of a phase end with it.
    await expect(ecs.describeCluster("prod")).rejects.toThrow(/time limit ran out before/);
  });
});

describe("AwsClients.deployment", () => {
  it("hands out the very APIs of the per-service getters, each built once", async () => {
    const aws = new AwsClients(config);
    const all = await aws.deployment();
    expect(Object.keys(all).sort()).toEqual(["ec2", "ecs", "iam", "logs", "rds", "s3", "ssm"]);
    expect(all.ecs).toBe(await aws.ecs());
    expect(all.s3).toBe(await aws.s3());
    expect(all.logs).toBe(await aws.logs());
    expect(await aws.deployment()).toEqual(all);
  });
});
