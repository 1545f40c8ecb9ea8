import { vi } from "vitest";

// Captured before any test installs fake timers (they fake setImmediate too): real turns of the event
// loop let file-system work (mcctl.json being saved) finish while simulated time runs.
const realSetTimeout = globalThis.setTimeout;
const realSetImmediate = globalThis.setImmediate;
const realPause = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));
/** One real turn of the event loop: I/O callbacks that are ready run, without the 1 ms of setTimeout(0). */
const realTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));
const REAL_WAIT_LIMIT_MS = 10_000;

/** libuv's names for file-system requests in flight (fs and fs/promises, closing a file included). */
const FILE_SYSTEM_REQUESTS = new Set(["FSReqCallback", "FSReqPromise", "CloseReq", "FileHandleCloseReq"]);

function fileSystemBusy(): boolean {
  return process.getActiveResourcesInfo().some((resource) => FILE_SYSTEM_REQUESTS.has(resource));
}

/**
 * Lets simulated time run until `promise` settles: advances fake timers in small steps so pollers
 * wake, call the simulated AWS and sleep again. While the code under test has no timer pending it is
 * waiting on real I/O, so simulated time stands still until it is back; it also stands still while a
 * file-system request is in flight (a save of mcctl.json under a pending --timeout timer), which takes
 * many turns of the event loop. Fails if it has not settled within `limitMs` of simulated time.
 *
 * Each step takes one real turn of the event loop (setImmediate), not a setTimeout(0): that is at
 * least 1 ms, and a wait of 15 simulated minutes in 500 ms steps paid 1,800 of them.
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
    await realTurn();
    if (settled) break;
    if (vi.getTimerCount() === 0 || fileSystemBusy()) {
      if (realWaited >= REAL_WAIT_LIMIT_MS) {
        throw new Error("waited 10 s of real time with no timer pending or the file system busy");
      }
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
