import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AwsDeadlineError } from "../../src/aws/limits.js";
import { ExitCode, InterruptedError, McctlError } from "../../src/errors.js";
import { isTransientError, poll, STALLED_LOOK_MS, sleep } from "../../src/queries/poll.js";
import { TEST_START } from "../helpers/simulated-aws.js";
import { runUntilSettled } from "../helpers/time.js";

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(TEST_START);
});

afterEach(() => {
  vi.useRealTimers();
});

/** An AWS SDK error as the SDK builds it: a name, and the HTTP status in $metadata. */
function awsError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode } });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

describe("isTransientError", () => {
  it.each([
    ["throttling", awsError("ThrottlingException", 400)],
    ["a 5xx answer of any name", awsError("SomethingBroke", 500)],
    ["a 503", awsError("Unknown", 503)],
    ["a reset connection", networkError("ECONNRESET")],
    ["a refused connection", networkError("ECONNREFUSED")],
  ])("%s is worth another try", (_what, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it("looks through the causes: the SDK wraps network errors", () => {
    const wrapped = new Error("request failed", {
      cause: new Error("socket", { cause: networkError("ETIMEDOUT") }),
    });
    expect(isTransientError(wrapped)).toBe(true);
  });

  it.each([
    ["access denied", awsError("AccessDeniedException", 400)],
    ["a 499", awsError("ClientException", 499)],
    ["an error with an unknown code", networkError("EACCES")],
    ["mcctl's own error", new McctlError("service mc no longer exists")],
    ["something that is not an Error", "ThrottlingException"],
  ])("%s ends the wait", (_what, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});

describe("poll", () => {
  const timeout = () => new McctlError("timed out");

  it("looks at a fixed rate: a slow look does not push the next one back", async () => {
    const lookedAt: number[] = [];
    const run = poll({
      deadline: Date.now() + 60_000,
      intervalMs: 5_000,
      attempt: async () => {
        lookedAt.push(Date.now() - TEST_START);
        await sleep(2_000);
        return lookedAt.length === 3 ? "done" : undefined;
      },
      onTimeout: timeout,
    });
    expect(await runUntilSettled(run, 60_000, 100)).toBe("done");
    expect(lookedAt).toEqual([0, 5_000, 10_000]);
  });

  it("looks again at once when a look took longer than the interval", async () => {
    const lookedAt: number[] = [];
    const run = poll({
      deadline: Date.now() + 60_000,
      intervalMs: 1_000,
      attempt: async () => {
        lookedAt.push(Date.now() - TEST_START);
        await sleep(3_000);
        return lookedAt.length === 2 ? "done" : undefined;
      },
      onTimeout: timeout,
    });
    await runUntilSettled(run, 60_000, 100);
    // (A zero-delay timer fires after 1 ms, as in Node.)
    expect(lookedAt).toEqual([0, 3_001]);
  });

  it("retries transient errors, telling onRetry, and ends at once on any other", async () => {
    const retried: unknown[] = [];
    const throttled = awsError("ThrottlingException", 400);
    const denied = awsError("AccessDeniedException", 400);
    const answers = [throttled, throttled, denied];
    let looks = 0;
    const run = poll({
      deadline: Date.now() + 60_000,
      intervalMs: 1_000,
      attempt: async () => {
        looks += 1;
        throw answers.shift();
      },
      onRetry: (error) => retried.push(error),
      onTimeout: timeout,
    });
    await expect(runUntilSettled(run, 60_000, 100)).rejects.toBe(denied);
    expect(looks).toBe(3);
    expect(retried).toEqual([throttled, throttled]);
  });

  it("retries a transient error also when nobody listens for retries", async () => {
    let looks = 0;
    const run = poll({
      deadline: Date.now() + 60_000,
      intervalMs: 1_000,
      attempt: async () => {
        looks += 1;
        if (looks === 1) throw awsError("ThrottlingException", 400);
        return "done";
      },
      onTimeout: timeout,
    });
    expect(await runUntilSettled(run, 60_000, 100)).toBe("done");
  });

  it("gives up with onTimeout's error when the next look would start after the deadline", async () => {
    const lookedAt: number[] = [];
    const run = poll({
      deadline: Date.now() + 10_000,
      intervalMs: 4_000,
      attempt: async () => {
        lookedAt.push(Date.now() - TEST_START);
        return undefined;
      },
      onTimeout: timeout,
    });
    await expect(runUntilSettled(run, 60_000, 100)).rejects.toThrow("timed out");
    // 0, 4 and 8 s are before the deadline; 12 s would be after it.
    expect(lookedAt).toEqual([0, 4_000, 8_000]);
  });

  it("looks one last time when the next look falls exactly on the deadline", async () => {
    let looks = 0;
    const run = poll({
      deadline: Date.now() + 8_000,
      intervalMs: 4_000,
      attempt: async () => {
        looks += 1;
        return undefined;
      },
      onTimeout: timeout,
    });
    await expect(runUntilSettled(run, 60_000, 100)).rejects.toThrow("timed out");
    expect(looks).toBe(3);
  });

  /** A look that AWS answers `answerMs` after it starts, unless the deadline (which bounds every call) comes first. */
  function lookAnsweredAfter(answerMs: number, deadline: number) {
    return () =>
      new Promise<undefined>((resolve, reject) => {
        const answerAt = Date.now() + answerMs;
        if (answerAt <= deadline) setTimeout(() => resolve(undefined), answerMs);
        else
          setTimeout(
            () =>
              reject(
                new McctlError("the command's time limit ran out while waiting for ecs:ListTasks", {
                  cause: new AwsDeadlineError("http://127.0.0.1:1"),
                }),
              ),
            deadline - Date.now(),
          );
      });
  }

  it("a look cut short by the deadline just after it started is the wait's own timeout", async () => {
    const deadline = Date.now() + 10_100;
    const run = poll({
      deadline,
      intervalMs: 2_000,
      // Looks at 0, 2, 4, 6, 8 and 10 s; the last is cut by the deadline 100 ms in.
      attempt: lookAnsweredAfter(500, deadline),
      onTimeout: timeout,
    });
    await expect(runUntilSettled(run, 60_000, 100)).rejects.toThrow("timed out");
  });

  it("a look that had waited for AWS a while when the deadline came says the endpoint stalled", async () => {
    const deadline = Date.now() + STALLED_LOOK_MS + 1;
    const run = poll({
      deadline,
      intervalMs: 1_000,
      attempt: lookAnsweredAfter(60_000, deadline),
      onTimeout: timeout,
    });
    await expect(runUntilSettled(run, 60_000, 100)).rejects.toThrow(
      /time limit ran out while waiting for ecs:ListTasks/,
    );
  });

  it("stops waiting as soon as the signal aborts, with the signal's InterruptedError", async () => {
    const controller = new AbortController();
    const reason = new InterruptedError("Interrupted (SIGTERM)", { exitCode: ExitCode.terminated });
    let looks = 0;
    const run = poll({
      deadline: Date.now() + 60_000,
      intervalMs: 10_000,
      signal: controller.signal,
      attempt: async () => {
        looks += 1;
        return undefined;
      },
      onTimeout: timeout,
    });
    run.catch(() => {});
    await vi.advanceTimersByTimeAsync(3_000);
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(looks).toBe(1);
    expect(Date.now() - TEST_START).toBe(3_000);
  });
});

describe("sleep", () => {
  it("resolves after the time given", async () => {
    let done = false;
    void sleep(5_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it("rejects at once on a signal that was already aborted, with an InterruptedError", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await sleep(5_000, controller.signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(ExitCode.interrupted);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("leaves no timer behind once the signal aborted it (nothing holds the process open)", async () => {
    const controller = new AbortController();
    const slept = sleep(5_000, controller.signal);
    slept.catch(() => {});
    controller.abort();
    await expect(slept).rejects.toBeInstanceOf(InterruptedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("leaves no abort listener behind after each wake, however many waits share the signal", async () => {
    // A restart polls hundreds of times on one signal: Node warns of a leak past 10 listeners.
    const controller = new AbortController();
    for (let i = 0; i < 12; i += 1) {
      const slept = sleep(1_000, controller.signal);
      await vi.advanceTimersByTimeAsync(1_000);
      await slept;
    }
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
