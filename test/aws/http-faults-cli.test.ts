// The built binary against the simulated AWS on 127.0.0.1: what an operator sees when the endpoint hangs,
// answers HTML, or the transport settings or the profile are wrong. Small timeouts, real time.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SimHttpServer, serveSimulatedAws } from "../../src/sandbox/http/server.js";
import { createSimulatedAws } from "../../src/sandbox/sim/index.js";
import { assertBuilt, childEnv, makeTempDir, removeTempDir, runCli } from "../bin/harness.js";

let dir: string;
let server: SimHttpServer;

beforeAll(() => {
  assertBuilt();
});

beforeEach(async () => {
  dir = await makeTempDir();
  const sim = createSimulatedAws();
  sim.ecs.addCluster("default");
  server = await serveSimulatedAws(sim);
});

afterEach(async () => {
  await server.close();
  await removeTempDir(dir);
});

async function status(extraEnv: Record<string, string>, args: string[] = []) {
  const started = Date.now();
  const result = await runCli(["status", ...args], {
    cwd: dir,
    env: childEnv(dir, { AWS_ENDPOINT_URL: server.url, ...extraEnv }),
    timeoutMs: 15_000,
  });
  const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
  return { ...result, lines, ms: Date.now() - started };
}

describe("mcctl status over HTTP", () => {
  it("ends against an endpoint that never answers, naming it, within the call timeout", async () => {
    server.inject({ fault: "hang", times: 100 });
    const result = await status({ MCCTL_AWS_REQUEST_TIMEOUT: "300ms", MCCTL_AWS_CALL_TIMEOUT: "1s" });
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      `mcctl: no answer from ${server.url} to ecs:DescribeClusters within 1s`,
      expect.stringContaining("MCCTL_AWS_CALL_TIMEOUT"),
    ]);
    // One call of one second, plus starting node; without the bound it would hang until killed.
    expect(result.ms).toBeLessThan(8_000);
  });

  it("says an HTML answer is not AWS, in one line and a hint", async () => {
    server.inject({ fault: "html", times: 100 });
    const result = await status({});
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      `mcctl: ${server.url} answered ecs:DescribeClusters with something that is not an AWS response (HTTP 200, text/html; charset=utf-8)`,
      expect.stringContaining("--endpoint-url"),
    ]);
  });

  it.each([
    ["MCCTL_AWS_REQUEST_TIMEOUT", "abc"],
    ["MCCTL_AWS_CONNECT_TIMEOUT", "-1s"],
    ["AWS_MAX_ATTEMPTS", "abc"],
  ])("rejects %s=%s with exit 2 before any AWS call", async (name, value) => {
    const result = await status({ [name]: value });
    expect(result.code).toBe(2);
    expect(result.lines[0]).toMatch(new RegExp(`^mcctl: ${name} "${value}" is (not|too) `));
    expect(result.lines).toHaveLength(2);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ["--profile", (profile: string) => ({ env: {}, args: ["--profile", profile] })],
    ["AWS_PROFILE", (profile: string) => ({ env: { AWS_PROFILE: profile }, args: [] })],
  ])("names an unknown profile given by %s and says where profiles live", async (_how, given) => {
    await writeFile(
      join(dir, "config"),
      "[default]\nregion = eu-west-1\n\n[profile ops]\nregion = eu-west-2\n",
    );
    const { env, args } = given("nope");
    const result = await status({ ...env, AWS_CONFIG_FILE: join(dir, "config") }, args);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      "mcctl: AWS profile nope is not defined",
      expect.stringContaining(join(dir, "config")),
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it("does not call a defined profile unknown", async () => {
    await writeFile(join(dir, "config"), "[profile ops]\nregion = eu-west-2\n");
    const result = await status({ AWS_CONFIG_FILE: join(dir, "config") }, ["--profile", "ops"]);
    expect(result.code).toBe(1);
    expect(result.lines[0]).toBe("mcctl: no AWS credentials were found for profile ops");
  });
});
