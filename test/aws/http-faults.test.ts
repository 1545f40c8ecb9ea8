// The real SDK stack (endpoint resolution, signing, retries, the request handler) against the simulated
// AWS served on 127.0.0.1 (src/sandbox/http/server.ts), with timeouts of a few hundred milliseconds and real time.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsConfig } from "../../src/aws/config.js";
import { createEcsApi } from "../../src/aws/ecs.js";
import { type AwsLimits, type AwsTimeouts, withCallLimits } from "../../src/aws/limits.js";
import { InterruptedError, McctlError } from "../../src/errors.js";
import { isTransientError } from "../../src/queries/poll.js";
import { type SimHttpServer, serveSimulatedAws } from "../../src/sandbox/http/server.js";
import { createSimulatedAws, type EcsSimulator } from "../../src/sandbox/sim/index.js";
import { mcTaskDefinition } from "../helpers/sim-fixtures.js";

let server: SimHttpServer;
let ecs: EcsSimulator;

beforeEach(async () => {
  const sim = createSimulatedAws();
  ecs = sim.ecs;
  ecs.addCluster("prod");
  server = await serveSimulatedAws(sim);
});

afterEach(async () => {
  await server.close();
});

function api(
  options: {
    maxAttempts?: number;
    timeouts?: Partial<AwsTimeouts>;
    limits?: AwsLimits;
    profile?: string;
  } = {},
) {
  const config: AwsConfig = {
    region: "eu-west-1",
    ...(options.profile ? { profile: options.profile } : {}),
    endpoint: server.url,
    maxAttempts: options.maxAttempts ?? 3,
    retryMode: "standard",
    timeouts: { connectMs: 200, requestMs: 300, callMs: 5_000, ...options.timeouts },
  };
  return createEcsApi(config, options.limits ?? {});
}

/** What `work` rejects with, and how long it took to. */
async function failure(work: Promise<unknown>): Promise<{ error: McctlError; ms: number }> {
  const started = Date.now();
  try {
    await work;
  } catch (error) {
    return { error: error as McctlError, ms: Date.now() - started };
  }
  throw new Error("expected the call to fail");
}

/** Waits (up to 3 s) for something the server sees. */
async function until(condition: () => boolean): Promise<void> {
  for (const started = Date.now(); !condition() && Date.now() - started < 3_000; ) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("SDK retries over HTTP", () => {
  it("retries ECS throttling and succeeds", async () => {
    server.inject({ fault: "throttling", command: "DescribeClusters", times: 2 });
    const cluster = await api().describeCluster("prod");
    expect(cluster?.clusterName).toBe("prod");
    expect(server.requestsOf("DescribeClusters").map((request) => request.fault ?? "answered")).toEqual([
      "throttling",
      "throttling",
      "answered",
    ]);
  });

  it("retries a 5xx answer and a reset connection", async () => {
    server.inject({ fault: "server-error", times: 1 });
    server.inject({ fault: "reset", times: 1 });
    expect((await api().describeCluster("prod"))?.clusterName).toBe("prod");
    expect(server.requests.map((request) => request.fault ?? "answered")).toEqual([
      "server-error",
      "reset",
      "answered",
    ]);
  });

  it("names the endpoint when every attempt is reset, and pollers may try again", async () => {
    server.inject({ fault: "reset", times: 3 });
    const { error } = await failure(api().describeCluster("prod"));
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(
      `cannot reach ${server.url} for ecs:DescribeClusters (ECONNRESET: connection reset)`,
    );
    expect(server.requests).toHaveLength(3);
    expect(isTransientError(error)).toBe(true);
  });
});

describe("bounded calls over HTTP", () => {
  it("ends a request that is never answered with one line naming the endpoint, after the attempts", async () => {
    server.inject({ fault: "hang", times: 10 });
    const { error, ms } = await failure(api({ maxAttempts: 2 }).describeCluster("prod"));
    expect(error.message).toBe(
      `no answer from ${server.url} to ecs:DescribeClusters within 300ms (2 attempts)`,
    );
    expect(error.suggestion).toContain("MCCTL_AWS_REQUEST_TIMEOUT");
    expect(server.requests).toHaveLength(2);
    // Two attempts of 300 ms and one short pause between them.
    expect(ms).toBeGreaterThanOrEqual(600);
    expect(ms).toBeLessThan(2_500);
    expect(isTransientError(error)).toBe(true);
  });

  it("bounds a call with all its retries by the call timeout", async () => {
    server.inject({ fault: "hang", times: 10 });
    const { error, ms } = await failure(
      api({ maxAttempts: 5, timeouts: { requestMs: 300, callMs: 700 } }).describeCluster("prod"),
    );
    expect(error.message).toBe(`no answer from ${server.url} to ecs:DescribeClusters within 700ms`);
    expect(error.suggestion).toContain("MCCTL_AWS_CALL_TIMEOUT");
    expect(ms).toBeGreaterThanOrEqual(690);
    expect(ms).toBeLessThan(2_500);
    expect(server.requests.length).toBeLessThan(5);
    expect(isTransientError(error)).toBe(true);
    // Every attempt was abandoned, the last one when the call ran out of time.
    await until(() => server.requests.every((request) => request.droppedAt !== undefined));
    const last = server.requests.at(-1);
    expect((last?.droppedAt ?? Number.POSITIVE_INFINITY) - (last?.at ?? 0)).toBeLessThan(1_000);
  });

  it("aborts a call in flight when the command's signal aborts", async () => {
    server.inject({ fault: "hang" });
    const controller = new AbortController();
    const ecsApi = api({ timeouts: { requestMs: 10_000, callMs: 10_000 } });
    // Given after the API was built, by the phase the call is made in, as a command's apply does.
    const call = failure(withCallLimits({ signal: controller.signal }, () => ecsApi.describeCluster("prod")));
    await until(() => server.requests.length === 1);
    const abortedAt = Date.now();
    controller.abort();
    const { error } = await call;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.message).toBe("interrupted while waiting for ecs:DescribeClusters");
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    expect(isTransientError(error)).toBe(false);
    expect(server.requests).toHaveLength(1);
    // The request itself was abandoned, not left running behind the error.
    await until(() => server.requests[0]?.droppedAt !== undefined);
    expect((server.requests[0]?.droppedAt ?? Number.POSITIVE_INFINITY) - abortedAt).toBeLessThan(1_000);
  });

  it("ends with the interrupt's own error when the signal carries one (SIGTERM, SIGHUP)", async () => {
    server.inject({ fault: "hang" });
    const controller = new AbortController();
    const call = failure(
      api({
        timeouts: { requestMs: 10_000, callMs: 10_000 },
        limits: { signal: controller.signal },
      }).describeCluster("prod"),
    );
    await until(() => server.requests.length === 1);
    const terminated = new InterruptedError("terminated (SIGTERM)");
    controller.abort(terminated);
    expect((await call).error).toBe(terminated);
  });

  it("sends nothing once the command's signal has aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const { error } = await failure(api({ limits: { signal: controller.signal } }).describeCluster("prod"));
    expect(error).toBeInstanceOf(InterruptedError);
    expect(server.requests).toHaveLength(0);
  });

  it("ends a call when the command's deadline passes, and pollers do not try again", async () => {
    server.inject({ fault: "hang" });
    const limits: AwsLimits = { deadline: Date.now() + 400 };
    const { error, ms } = await failure(
      api({ timeouts: { requestMs: 10_000, callMs: 10_000 }, limits }).describeCluster("prod"),
    );
    expect(error.message).toBe(
      `the command's time limit ran out while waiting for ecs:DescribeClusters from ${server.url}`,
    );
    expect(error.suggestion).toContain("--timeout");
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(ms).toBeLessThan(2_000);
    expect(isTransientError(error)).toBe(false);
    await until(() => server.requests[0]?.droppedAt !== undefined);
    expect(server.requests[0]?.droppedAt).toBeDefined();
  });

  it("sends nothing after the deadline", async () => {
    const { error } = await failure(api({ limits: { deadline: Date.now() - 1 } }).describeCluster("prod"));
    expect(error.message).toBe("the command's time limit ran out before ecs:DescribeClusters");
    expect(server.requests).toHaveLength(0);
  });
});

describe("answers that are not what AWS sends", () => {
  it("says an HTML answer is not AWS, without SDK internals", async () => {
    server.inject({ fault: "html" });
    const { error } = await failure(api().describeCluster("prod"));
    expect(error.message).toBe(
      `${server.url} answered ecs:DescribeClusters with something that is not an AWS response (HTTP 200, text/html; charset=utf-8)`,
    );
    expect(error.suggestion).toContain("--endpoint-url");
    expect(`${error.message} ${error.suggestion}`).not.toMatch(/\$response|Deserialization|JSON/);
    expect(server.requests).toHaveLength(1);
  });

  it("names a task definition revision that does not exist, with a hint", async () => {
    ecs.registerTaskDefinition(mcTaskDefinition({ family: "nope" }));
    const { error } = await failure(api().describeTaskDefinition("nope:9"));
    expect(error.message).toBe("task definition nope:9 was not found in eu-west-1");
    expect(error.suggestion).toContain("aws ecs list-task-definitions --family-prefix nope");
  });
});

describe("profiles", () => {
  it("names a profile the shared config files do not define, and sends nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcctl-profiles-"));
    try {
      await writeFile(
        join(dir, "config"),
        "[default]\nregion = eu-west-1\n\n[profile ops]\nregion = eu-west-2\n",
      );
      vi.stubEnv("AWS_CONFIG_FILE", join(dir, "config"));
      vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(dir, "credentials"));
      const { error } = await failure(api({ profile: "nope" }).describeCluster("prod"));
      expect(error.message).toBe("AWS profile nope is not defined");
      expect(error.suggestion).toContain(join(dir, "config"));
      expect(error.suggestion).toContain(join(dir, "credentials"));
      expect(server.requests).toHaveLength(0);

      const known = await failure(api({ profile: "ops" }).describeCluster("prod"));
      expect(known.error.message).toBe("no AWS credentials were found for profile ops");
    } finally {
      vi.unstubAllEnvs();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("paginators over HTTP", () => {
  it("follows nextToken to the last page", async () => {
    for (let revision = 1; revision <= 105; revision++) {
      ecs.registerTaskDefinition(mcTaskDefinition({ family: "mc" }));
    }
    const arns = await api().listActiveRevisions("mc");
    expect(arns).toHaveLength(105);
    expect(arns[0]).toMatch(/:105$/);
    const pages = server.requestsOf("ListTaskDefinitions");
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0]?.input.nextToken).toBeUndefined();
    expect(pages[1]?.input.nextToken).toEqual(expect.any(String));
  });
});
