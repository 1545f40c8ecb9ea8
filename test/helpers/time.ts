import { vi } from "vitest";

/**
 * Lets simulated time run until `promise` settles: advances fake timers in small steps so pollers
 * wake, call the simulated AWS and sleep again. Fails if it has not settled within `limitMs`.
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
  for (let elapsed = 0; !settled && elapsed <= limitMs; elapsed += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  if (!settled) throw new Error(`still running after ${limitMs} ms of simulated time`);
  return tracked;
}
