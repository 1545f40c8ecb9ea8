import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { McctlError } from "../../src/errors.js";
import { waitForHealthy } from "../../src/operations/health.js";
import { runUntilSettled } from "../helpers/time.js";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A fetch that answers with these statuses in turn (an Error is thrown, like a refused connection). */
function scriptedFetch(answers: (number | Error)[]) {
  const calls: string[] = [];
  const inits: RequestInit[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push(url);
    inits.push(init);
    const answer = answers.shift() ?? 200;
    if (answer instanceof Error) throw answer;
    return new Response(answer === 204 ? null : "…", { status: answer });
  }) as unknown as typeof fetch;
  return { fetchImpl, calls, inits };
}

describe("waitForHealthy", () => {
  it("polls until the application answers 200, reporting each other answer", async () => {
    const { fetchImpl, calls } = scriptedFetch([
      Object.assign(new TypeError("fetch failed"), { cause: new Error("connect ECONNREFUSED 10.0.0.5:80") }),
      503,
      302,
      200,
    ]);
    const outcomes: string[] = [];
    await runUntilSettled(
      waitForHealthy({
        url: "http://mc.example.org/",
        deadline: Date.now() + 60_000,
        intervalMs: 3_000,
        fetchImpl,
        onAttempt: (outcome) => outcomes.push(outcome),
      }),
    );
    expect(calls).toHaveLength(4);
    expect(outcomes).toEqual(["connect ECONNREFUSED 10.0.0.5:80", "HTTP 503", "HTTP 302"]);
  });

  it("gives up at the deadline with the last answer and advice", async () => {
    const { fetchImpl } = scriptedFetch(Array(100).fill(502));
    const error = await runUntilSettled(
      waitForHealthy({
        url: "http://mc.example.org/",
        deadline: Date.now() + 20_000,
        intervalMs: 3_000,
        fetchImpl,
      }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McctlError);
    expect((error as McctlError).message).toBe(
      "http://mc.example.org/ did not answer HTTP 200 in time (last: HTTP 502)",
    );
    expect((error as McctlError).suggestion).toMatch(/docker logs/);
  });
});

describe("waitForHealthy, each request", () => {
  it("does not follow a redirect (a login page is not the application answering) and is bounded in time", async () => {
    const { fetchImpl, inits } = scriptedFetch([200]);
    await runUntilSettled(
      waitForHealthy({
        url: "http://mc.example.org/",
        deadline: Date.now() + 60_000,
        intervalMs: 3_000,
        fetchImpl,
      }),
    );
    expect(inits[0]?.redirect).toBe("manual");
    expect(inits[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it("reports an answer without a body by its status", async () => {
    const { fetchImpl } = scriptedFetch([204, 200]);
    const outcomes: string[] = [];
    await runUntilSettled(
      waitForHealthy({
        url: "http://mc.example.org/",
        deadline: Date.now() + 60_000,
        intervalMs: 3_000,
        fetchImpl,
        onAttempt: (outcome) => outcomes.push(outcome),
      }),
    );
    expect(outcomes).toEqual(["HTTP 204"]);
  });

  it("reports a request that timed out or failed without a cause as the error itself", async () => {
    const { fetchImpl } = scriptedFetch([
      new DOMException("The operation was aborted due to timeout", "TimeoutError"),
      200,
    ]);
    const outcomes: string[] = [];
    await runUntilSettled(
      waitForHealthy({
        url: "http://mc.example.org/",
        deadline: Date.now() + 60_000,
        intervalMs: 3_000,
        fetchImpl,
        onAttempt: (outcome) => outcomes.push(outcome),
      }),
    );
    expect(outcomes).toEqual(["TimeoutError: The operation was aborted due to timeout"]);
  });
});
