import type { Settings } from "../../config/settings.js";
import type { Reporter } from "../reporter.js";

/**
 * What applying a setup plan needs besides AWS. Nothing here asks a question: every answer is in the
 * plan. `save` merges what a step created into mcctl.json at once, so an interrupted setup resumes.
 */
export interface ApplyIo {
  reporter: Reporter;
  /** Aborted on Ctrl-C, SIGTERM or SIGHUP: setup stops before its next change. */
  signal?: AbortSignal | undefined;
  /** Put on everything setup creates, so a re-run can find it. */
  tags: Record<string, string>;
  region: string;
  pollIntervalMs: number;
  /** Bound for each long wait (database available, instance registered, service steady). */
  waitTimeoutMs: number;
  save(update: Settings): Promise<void>;
}
