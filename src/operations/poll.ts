import { InterruptedError } from "../errors.js";

/** Resolves after `ms`, or rejects with InterruptedError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new InterruptedError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
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
