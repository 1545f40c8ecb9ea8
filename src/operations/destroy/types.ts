import type { Reporter } from "../reporter.js";

export interface DestroyIo {
  reporter: Reporter;
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP: destroy stops before its next deletion. */
  signal?: AbortSignal | undefined;
  /** Bound for each wait (tasks stopped, instances terminated, database deleted). */
  waitTimeoutMs: number;
  pollIntervalMs: number;
}
