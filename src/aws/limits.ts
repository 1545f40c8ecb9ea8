// What bounds an AWS call, and the errors a bounded call ends with. Kept free of SDK imports: the
// error translation and AwsClients load this module, and `--help` must not load the SDK.
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Limits of AWS calls, read at the start of every call. Never changed once made: the clients of an
 * AwsClients get theirs when it is built (the plan's), and a phase of a command that needs others (the
 * apply, the restore after an interrupt) runs under its own with `withCallLimits`.
 */
export interface AwsLimits {
  /** Aborts every AWS call when it aborts (Ctrl-C): the call ends with InterruptedError. */
  readonly signal?: AbortSignal | undefined;
  /** Epoch milliseconds after which no AWS call may go on (the command's --timeout). */
  readonly deadline?: number | undefined;
}

// Follows the async work of `withCallLimits` (awaits, timers, the SDK's retries), so every call made
// inside it, through any client, finds the limits of the phase it belongs to.
const phaseLimits = new AsyncLocalStorage<AwsLimits>();

/**
 * Runs `work` with every AWS call it makes bounded by `limits` instead of the enclosing ones (those of
 * an outer `withCallLimits`, else the clients' own): the limits of a phase are derived by its caller,
 * e.g. `{ signal, deadline: Date.now() + timeoutMs }`, never written into the shared ones.
 */
export function withCallLimits<T>(limits: AwsLimits, work: () => Promise<T>): Promise<T> {
  return phaseLimits.run(limits, work);
}

/** The limits a call made here obeys: those of the innermost `withCallLimits`, else `clientLimits`. */
export function limitsInForce(clientLimits: AwsLimits): AwsLimits {
  return phaseLimits.getStore() ?? clientLimits;
}

/**
 * The limits of the clean-up after an interrupt or a missed deadline (e.g. putting the desired count
 * back): no signal, so that it reaches AWS, and `budgetMs` of its own. A second Ctrl-C still ends mcctl
 * at once (ui/interrupt.ts).
 */
export function cleanupLimits(budgetMs: number): AwsLimits {
  return { deadline: Date.now() + budgetMs };
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

/**
 * An answer that has not started after 10 s is not coming (AWS answers in well under a second), and a
 * second attempt, on a fresh connection, fits in the call's 20 s: a read-only command, which ends at its
 * first failed call, ends within half a minute when an endpoint stops answering.
 */
export const DEFAULT_TIMEOUTS: AwsTimeouts = { connectMs: 5_000, requestMs: 10_000, callMs: 20_000 };

/**
 * An attempt or a whole call that got no answer in time. Named like the SDK's own timeout errors, so
 * that the SDK retries a timed-out attempt and pollers (queries/poll.ts) retry a timed-out call.
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

// Set while a plan runs (and through a read-only verb): a call that would change the account is refused
// before it leaves, so no verb can change anything before the operator's confirmation.
const changesRefused = new AsyncLocalStorage<true>();

/** Runs `work` with every AWS call that would change something refused (src/driver/drive.ts). */
export function withChangesRefused<T>(work: () => Promise<T>): Promise<T> {
  return changesRefused.run(true, work);
}

/** Read-only IAM actions by their verb: everything else changes something. */
const READ_ONLY_ACTION = /^[\w-]+:(Describe|List|Get|Filter|Head|Lookup|Search|Simulate)/;

/**
 * Throws when `action` (a wrapper's first declared action; "" for a call IAM does not authorize) would
 * change the account inside `withChangesRefused`.
 */
export function refuseChangeWhilePlanning(action: string): void {
  if (changesRefused.getStore() && action !== "" && !READ_ONLY_ACTION.test(action)) {
    throw new ChangeBeforeConfirmationError(action);
  }
}

/** A programming error: a plan or a read-only verb tried to change the account. */
export class ChangeBeforeConfirmationError extends Error {
  constructor(readonly action: string) {
    super(`${action} was called before the confirmation: a plan or a read-only command changes nothing`);
    this.name = "ChangeBeforeConfirmationError";
  }
}
