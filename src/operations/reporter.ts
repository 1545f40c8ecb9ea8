/**
 * How operations tell the operator what is happening. Operations own this interface and never write to
 * the terminal or ask anything themselves: the command hands them an implementation (src/ui/reporter.ts
 * draws it on the terminal; tests capture it). The AWS CDK CLI calls the same idea its IoHost.
 */
export interface Reporter {
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /**
   * A long wait, shown as one live status line (a spinner on a terminal) with lines worth keeping
   * printed above it. `work` returns the line that ends it; an error ends it as failed and travels on.
   */
  wait<T>(label: string, work: (progress: WaitReporter) => Promise<{ value: T; done: string }>): Promise<T>;
}

/** What a wait reports while it runs. */
export interface WaitReporter {
  /**
   * Replaces the live status line. `since` (a Date.now()) is when what the line describes began: the
   * reporter shows the time since then after the text and keeps it moving while the line stands, so
   * the text itself carries no elapsed time.
   */
  progress(text: string, since?: number): void;
  /** A line worth keeping on screen: a new service event, a stopped task, advice. */
  line(text: string): void;
  /** A poll failed for a reason worth another try. */
  retrying?(error: unknown): void;
}
