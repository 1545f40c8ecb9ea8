import { formatDuration } from "../durations.js";
import { McctlError } from "../errors.js";
import { type ServiceSnapshot, summarize } from "./service-monitor.js";

/** A wait that ran out of time: say what state it was left in and what finishes the job. */
export function timeoutError(
  waitingFor: string,
  timeoutMs: number,
  snapshot: ServiceSnapshot | undefined,
  suggestion: string,
): McctlError {
  const state = snapshot ? ` (last seen: ${summarize(snapshot)})` : "";
  return new McctlError(`timed out after ${formatDuration(timeoutMs)} waiting for ${waitingFor}${state}`, {
    suggestion,
  });
}
