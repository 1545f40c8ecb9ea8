import type { Writable } from "node:stream";
import { Chalk, type ChalkInstance } from "chalk";

import { formatDuration } from "../durations.js";

export { formatDuration };

export interface OutputOptions {
  json: boolean;
  color: boolean;
  debug: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
}

export interface Spinner {
  /**
   * Replaces the status line. With `since` (a Date.now()), the time since then follows the text; on a
   * terminal it moves every second until the next update or the end of the spinner.
   */
  update(text: string, since?: number): void;
  /** Prints a line above the spinner without disturbing it. */
  log(line: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

/**
 * The one place that writes to the terminal. Results go to stdout (JSON with --json);
 * progress, warnings and prompts go to stderr so that stdout stays machine-readable.
 */
export class Output {
  readonly json: boolean;
  readonly debugEnabled: boolean;
  readonly style: ChalkInstance;
  private readonly stdout: Writable & { isTTY?: boolean };
  private readonly stderr: Writable & { isTTY?: boolean };

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.debugEnabled = options.debug;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    const colorWanted = options.color && !process.env.NO_COLOR && Boolean(this.stderr.isTTY);
    this.style = new Chalk({ level: colorWanted ? 1 : 0 });
  }

  /** The command's result: `data` as JSON with --json, otherwise the text. */
  result(data: unknown, text: string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`);
  }

  /** One record of a stream of results (`logs --follow`): a compact JSON line with --json, else the text. */
  record(data: unknown, text: string): void {
    this.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${text}\n`);
  }

  info(message: string): void {
    this.stderr.write(`${message}\n`);
  }

  success(message: string): void {
    this.stderr.write(`${this.style.green("✔")} ${message}\n`);
  }

  warn(message: string): void {
    this.stderr.write(`${this.style.yellow("⚠")} ${this.style.yellow(message)}\n`);
  }

  error(message: string): void {
    this.stderr.write(`${this.style.red("✖")} ${message}\n`);
  }

  hint(message: string): void {
    this.stderr.write(`  ${this.style.dim(message)}\n`);
  }

  debug(message: string): void {
    if (this.debugEnabled) this.stderr.write(`${this.style.dim(`[debug] ${message}`)}\n`);
  }

  /**
   * An animated spinner on a terminal; plain progress lines elsewhere (CI logs, pipes), where
   * redrawn frames would only be noise. ora is loaded only when a spinner is needed.
   */
  async spinner(text: string): Promise<Spinner> {
    if (!this.stderr.isTTY) return new LineSpinner(this, text);
    const { default: ora } = await import("ora");
    const spinner = ora({ text, stream: this.stderr, color: "cyan", isEnabled: true }).start();
    const ticker = new ElapsedTicker((line) => {
      spinner.text = line;
    });
    ticker.show(text);
    return {
      update: (next, since) => ticker.show(next, since),
      log: (line) => {
        // stop() erases the spinner line whatever ora last drew; the line then prints on a clean row.
        const current = spinner.text;
        spinner.stop();
        this.stderr.write(`${line}\n`);
        spinner.start(current);
      },
      succeed: (message) => {
        ticker.stop();
        spinner.succeed(message);
      },
      fail: (message) => {
        ticker.stop();
        spinner.fail(message);
      },
      stop: () => {
        ticker.stop();
        spinner.stop();
      },
    };
  }
}

/** "text (12s)": the text and the time since `since`, or the text alone without it. */
export function withElapsed(text: string, since: number | undefined, now = Date.now()): string {
  return since === undefined ? text : `${text} (${formatDuration(Math.max(0, now - since))})`;
}

/**
 * Keeps a status line's elapsed time moving: redraws it each time the shown second changes. Its timer
 * never keeps the process alive (unref), and stop() (the wait ended, failed or was interrupted) clears it.
 */
export class ElapsedTicker {
  private text = "";
  private since: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly draw: (line: string) => void) {}

  show(text: string, since?: number): void {
    this.text = text;
    this.since = since;
    this.clear();
    this.tick();
  }

  stop(): void {
    this.clear();
    this.since = undefined;
  }

  private tick(): void {
    this.draw(withElapsed(this.text, this.since));
    if (this.since === undefined) return;
    // Wake when the next whole second since `since` begins, so the count neither skips nor stalls.
    const wait = 1000 - (Math.max(0, Date.now() - this.since) % 1000);
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref?.();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

class LineSpinner implements Spinner {
  private lastText: string;

  constructor(
    private readonly output: Output,
    text: string,
  ) {
    this.lastText = text;
    output.info(`… ${text}`);
  }

  update(text: string, since?: number): void {
    // Only a change of what the line says deserves a line; elapsed-time ticks would flood a log.
    if (stripElapsed(text) !== stripElapsed(this.lastText)) this.output.info(`… ${withElapsed(text, since)}`);
    this.lastText = text;
  }

  log(line: string): void {
    this.output.info(line);
  }

  succeed(text: string): void {
    this.output.success(text);
  }

  fail(text: string): void {
    this.output.error(text);
  }

  stop(): void {}
}

function stripElapsed(text: string): string {
  return text.replace(/\s*\(\d+[hms][\dhms ]*\)\s*$/, "");
}
