/** Exit codes are part of mcctl's interface: README.md documents them. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** 128 + the signal's number, as shells report a process ended by it. */
  hangup: 129,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface McctlErrorOptions {
  /** What the operator should do next; printed on its own line under the message. */
  suggestion?: string;
  exitCode?: ExitCode;
  cause?: unknown;
}

/**
 * An error the operator can act on. The top-level handler prints its message (and suggestion)
 * without a stack trace; anything that is not an McctlError is treated as a bug.
 */
export class McctlError extends Error {
  readonly suggestion: string | undefined;
  readonly exitCode: ExitCode;

  constructor(message: string, options: McctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "McctlError";
    this.suggestion = options.suggestion;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** Bad flags, a bad settings file, or input that cannot be asked for. */
export class UsageError extends McctlError {
  constructor(message: string, options: Omit<McctlErrorOptions, "exitCode"> = {}) {
    super(message, { ...options, exitCode: ExitCode.usage });
    this.name = "UsageError";
  }
}

/** Values that are needed but could not be asked for (stdin is not a TTY, or --yes). */
export class MissingInputError extends UsageError {
  readonly missing: readonly string[];

  constructor(missing: readonly string[], suggestion?: string, options: { cause?: unknown } = {}) {
    super(`missing input: ${missing.join(", ")}`, {
      suggestion:
        suggestion ??
        "Run on a terminal without --yes to be asked, or provide them in mcctl.json or the environment (secrets: environment only).",
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = "MissingInputError";
    this.missing = missing;
  }
}

/** How a missing region is named among missing input, by every verb (setup asks for it first). */
export const MISSING_REGION = "region (--region, AWS_REGION or mcctl.json)";

/** Ctrl-C (SIGINT), SIGTERM or SIGHUP; the exit code says which (130, 143, 129). */
export class InterruptedError extends McctlError {
  constructor(message = "interrupted", options: McctlErrorOptions = {}) {
    super(message, { ...options, exitCode: options.exitCode ?? ExitCode.interrupted });
    this.name = "InterruptedError";
  }
}

/** Whether `error` or any error in its `cause` chain matches: translations wrap the SDK's own errors. */
export function hasCause(error: unknown, matches: (cause: Error) => boolean): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (matches(current)) return true;
  }
  return false;
}
