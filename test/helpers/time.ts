import { vi } from "vitest";

// Captured before any test installs fake timers: real turns of the event loop let file-system work
// (mcctl.json being saved) finish while simulated time runs.
const realSetTimeout = globalThis.setTimeout;
const realPause = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));
const REAL_WAIT_LIMIT_MS = 10_000;

/**
 * Lets simulated time run until `promise` settles: advances fake timers in small steps so pollers
 * wake, call the simulated AWS and sleep again. While the code under test has no timer pending it is
 * waiting on real I/O, so simulated time stands still until it is back. Fails if it has not settled
 * within `limitMs` of simulated time.
 */
export async function runUntilSettled<T>(
  promise: Promise<T>,
  limitMs = 60 * 60_000,
  stepMs = 500,
): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => {});
  let realWaited = 0;
  for (let elapsed = 0; !settled && elapsed <= limitMs; ) {
    await realPause(0);
    if (settled) break;
    if (vi.getTimerCount() === 0) {
      if (realWaited >= REAL_WAIT_LIMIT_MS) throw new Error("waited 10 s of real time with no timer pending");
      await realPause(2);
      realWaited += 2;
      continue;
    }
    realWaited = 0;
    await vi.advanceTimersByTimeAsync(stepMs);
    elapsed += stepMs;
  }
  if (!settled) throw new Error(`still running after ${limitMs} ms of simulated time`);
  return tracked;
}
