import { AwsDeadlineError } from "../aws/limits.js";
import { hasCause, InterruptedError } from "../errors.js";

export interface PollOptions<T> {
  /** Absolute time (Date.now()) after which polling gives up. */
  deadline: number;
  intervalMs: number;
  signal?: AbortSignal | undefined;
  /** One look: the result when the wait is over, undefined to look again. */
  attempt(): Promise<T | undefined>;
  /** A look failed for a reason worth another try (see isTransientError). */
  onRetry?(error: unknown): void;
  /** The error to throw when the deadline comes first. */
  onTimeout(): Error;
}

/**
 * The one loop behind every wait in mcctl. Looks start at a fixed rate (not a fixed pause after each
 * look), so a change is seen within one interval however long a look took. Transient AWS errors are
 * retried until the deadline; any other error, and an abort of `signal`, end the wait at once.
 *
 * The command's deadline also bounds each AWS call, so it can end a look that was in flight. When that
 * look had started shortly before the deadline, AWS was answering and the wait simply ran out of time:
 * that is the wait's own timeout (what it waited for, what it last saw). Only a look that had been
 * waiting for an answer a while (STALLED_LOOK_MS) says that the endpoint stopped answering.
 */
export async function poll<T>(options: PollOptions<T>): Promise<T> {
  for (;;) {
    const started = Date.now();
    try {
      const result = await options.attempt();
      if (result !== undefined) return result;
    } catch (error) {
      if (isDeadlineError(error) && options.deadline - started < STALLED_LOOK_MS) {
        throw options.onTimeout();
      }
      if (!isTransientError(error)) throw error;
      options.onRetry?.(error);
    }
    const next = started + options.intervalMs;
    if (next > options.deadline) throw options.onTimeout();
    await sleep(Math.max(0, next - Date.now()), options.signal);
  }
}

/** A look waiting this long for AWS when the deadline came was stalled, not merely late. */
export const STALLED_LOOK_MS = 2_000;

const isDeadlineError = (error: unknown) => hasCause(error, (cause) => cause instanceof AwsDeadlineError);

/** Resolves after `ms`, or rejects as soon as `signal` aborts (with its InterruptedError reason). */
export function sleep(ms: number, signal?: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const interrupted = () =>
      signal?.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
    if (signal?.aborted) {
      reject(interrupted());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(interrupted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const TRANSIENT_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalFailure",
  "InternalError",
  "ServerException",
  "TimeoutError",
  "RequestTimeout",
]);
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNREFUSED",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

/**
 * Errors worth another try while waiting: the SDK already retried the call a few times, but a wait
 * lasts minutes and one bad minute of throttling or a dropped connection must not abort it.
 */
export function isTransientError(error: unknown): boolean {
  let current: unknown = error;
  while (current instanceof Error) {
    // A call aborted by the command's own signal (Ctrl-C) must end the wait, whatever it wraps.
    if (current instanceof InterruptedError) return false;
    const candidate = current as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
    if (TRANSIENT_NAMES.has(candidate.name)) return true;
    if (candidate.code && TRANSIENT_CODES.has(candidate.code)) return true;
    if ((candidate.$metadata?.httpStatusCode ?? 0) >= 500) return true;
    current = candidate.cause;
  }
  return false;
}
