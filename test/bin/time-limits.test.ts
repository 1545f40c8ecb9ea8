/**
 * How long the BUILT binary may take when AWS does not answer (issue 15, item 6): with --yes, --timeout
 * bounds the whole command, its plan included; on a terminal the plan's reads have the per-call limit
 * and --timeout counts from the confirmation; a read-only command ends within 30 s by default. The
 * endpoints are local (127.0.0.1): one that accepts connections and never answers, and the simulated
 * ECS over HTTP. The bounds are generous: the machine running the tests may be loaded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type HungEndpoint, hungEndpoint, world } from "./ecs-world.js";
import {
  assertBuilt,
  childEnv,
  makeTempDir,
  PtySession,
  type RunResult,
  removeTempDir,
  runCli,
} from "./harness.js";

const JDBC_URL = "jdbc:mysql://mc.abcdefghijkl.eu-west-1.rds.amazonaws.com:3306/mc";

// A bound under test must fail by its own assertion, not by the test's timeout.
vi.setConfig({ testTimeout: 60_000 });

let home: string;
let hung: HungEndpoint;
let session: PtySession | undefined;

beforeAll(async () => {
  assertBuilt();
  home = await makeTempDir();
  hung = await hungEndpoint();
});
afterAll(async () => {
  await hung.close();
  await removeTempDir(home);
});
afterEach(() => {
  session?.dispose();
  session = undefined;
});

async function timed(args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  const result = await runCli(args, {
    cwd: home,
    env: childEnv(home, { AWS_ENDPOINT_URL: hung.url, METADATA_JDBC_URL: JDBC_URL, ...env }),
    // Killed (and reported as timedOut) well after any bound under test.
    timeoutMs: 90_000,
  });
  return { ...result, ms: Date.now() - started };
}

/** Ended by mcctl itself with exit 1 and one line naming the endpoint, and no stack trace. */
function expectEndpointNamed(result: RunResult): string {
  expect(result.timedOut, result.stderr).toBe(false);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  const named = result.stderr.split("\n").filter((line) => line.includes(hung.url));
  expect(named, result.stderr).toHaveLength(1);
  return named[0] as string;
}

describe.concurrent("an endpoint that accepts connections and never answers", () => {
  it("restart --yes --timeout 5s ends within 15 s: --timeout bounds the plan too", async () => {
    const result = await timed(["restart", "--yes", "--timeout", "5s"]);
    const line = expectEndpointNamed(result);
    expect(line).toMatch(/^mcctl: the command's time limit ran out while waiting for sts:GetCallerIdentity/);
    expect(result.ms).toBeGreaterThanOrEqual(4_500);
    expect(result.ms).toBeLessThan(15_000);
  });

  it.each(["status", "logs", "backup list", "secrets list"])(
    "the read-only `%s` ends within 30 s by default",
    async (command) => {
      const result = await timed(command.split(" "));
      const line = expectEndpointNamed(result);
      expect(line).toMatch(/^mcctl: no answer from http:\/\/127\.0\.0\.1:\d+ to \w+:\w+ within 20s$/);
      expect(result.ms).toBeLessThan(30_000);
    },
  );
});

describe("on a terminal", () => {
  it("the plan's reads have the per-call limit, not --timeout, which counts from the confirmation", async () => {
    const started = Date.now();
    session = new PtySession(["restart", "--timeout", "2s"], {
      cwd: home,
      env: childEnv(home, { AWS_ENDPOINT_URL: hung.url, MCCTL_AWS_CALL_TIMEOUT: "6s" }),
    });
    const exit = await session.waitForExit(30_000);
    expect(exit.exitCode, session.output).toBe(1);
    expect(session.output).toContain(`mcctl: no answer from ${hung.url} to sts:GetCallerIdentity within 6s`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_500);
  });

  it("a slow plan leaves the restart its whole --timeout after the confirmation", async () => {
    const w = await world();
    try {
      // The plan's look at the service waits 4 s for an answer that never comes; a retry answers.
      w.server.inject({ fault: "hang", command: "DescribeServices", times: 1 });
      session = new PtySession(["restart", "--timeout", "5s", "--poll-interval", "200ms"], {
        cwd: home,
        env: childEnv(home, {
          AWS_ENDPOINT_URL: w.server.url,
          AWS_MAX_ATTEMPTS: "3",
          MCCTL_AWS_REQUEST_TIMEOUT: "4s",
        }),
      });
      await session.ask("Restart mc in account", "y");
      const exit = await session.waitForExit(30_000);
      expect(exit.exitCode, session.output).toBe(0);
      expect(session.output).toContain("mc restarted: 1 task(s) running");
      expect(w.desiredCount()).toBe(1);
    } finally {
      await w.close();
    }
  });
});
