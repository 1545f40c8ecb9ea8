// What bounds an AWS call, and the errors a bounded call ends with. Kept free of SDK imports: the
// error translation and AwsClients load this module, and `--help` must not load the SDK.

/**
 * Limits of the command that is running, read at the start of every AWS call. The object is shared by
 * every client of an AwsClients and may be changed at any time: a command sets `signal` to its
 * interrupt signal and `deadline` when its time limit starts; calls already in flight keep theirs.
 */
export interface AwsLimits {
  /** Aborts every AWS call when it aborts (Ctrl-C): the call ends with InterruptedError. */
  signal?: AbortSignal;
  /** Epoch milliseconds after which no AWS call may go on (the command's --timeout). */
  deadline?: number;
}

/**
 * Lets the clean-up after an interrupt or a missed deadline reach AWS (e.g. put the desired count
 * back): later calls no longer abort with the command's signal and get `budgetMs` more. A second
 * Ctrl-C still ends mcctl at once (ui/interrupt.ts).
 */
export function allowCleanup(limits: AwsLimits, budgetMs: number): void {
  delete limits.signal;
  limits.deadline = Date.now() + budgetMs;
}

/** How long the transport waits, in milliseconds. */
export interface AwsTimeouts {
  /** To open a connection. */
  connectMs: number;
  /** For one attempt: from sending the request until the answer starts, and between answer chunks. */
  requestMs: number;
  /** For a whole call, the SDK's retries and their pauses included. */
  callMs: number;
}

export const DEFAULT_TIMEOUTS: AwsTimeouts = { connectMs: 5_000, requestMs: 20_000, callMs: 45_000 };

/**
 * An attempt or a whole call that got no answer in time. Named like the SDK's own timeout errors, so
 * that the SDK retries a timed-out attempt and pollers (operations/poll.ts) retry a timed-out call.
 */
export class AwsTimeoutError extends Error {
  readonly code = "ETIMEDOUT";

  constructor(
    /** "connect": no connection; "request": no answer to one attempt; "call": all attempts together. */
    readonly phase: "connect" | "request" | "call",
    readonly timeoutMs: number,
    readonly endpoint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`no ${phase === "connect" ? "connection" : "answer"} within ${formatMs(timeoutMs)}`, options);
    this.name = "TimeoutError";
  }
}

/** The command's deadline passed before or during the call. Not worth a retry: the time is up. */
export class AwsDeadlineError extends Error {
  constructor(readonly endpoint: string | undefined) {
    super("the command's time limit ran out");
    this.name = "DeadlineExceeded";
  }
}

/** The command's signal aborted the call (Ctrl-C, SIGTERM, SIGHUP). */
export class AwsInterruptError extends Error {
  constructor(
    readonly endpoint: string | undefined,
    /** The signal's reason: the command's own InterruptedError, with its exit code, if it gave one. */
    readonly reason?: unknown,
  ) {
    super("interrupted");
    this.name = "AbortError";
  }
}

const endpoints = new WeakMap<object, string>();

/** Remembers which endpoint an error came from (the transport knows; the translation needs it). */
export function recordEndpoint(error: unknown, endpoint: string | undefined): void {
  if (endpoint !== undefined && typeof error === "object" && error !== null && !endpoints.has(error)) {
    endpoints.set(error, endpoint);
  }
}

/** The endpoint an error came from, when the transport saw the request. */
export function endpointOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  return endpoints.get(error) ?? (error as { endpoint?: string }).endpoint;
}

/** 300 → "300ms", 20000 → "20s", 90000 → "1m30s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
