/**
 * The wiki's way to upgrade to a newer image under the same (floating) tag, e.g. `metadata/registry:2`:
 * `docker pull` it on every container instance that runs the service, over ssh, before restarting.
 * Uses the system `ssh`, so ~/.ssh/config (bastions, ProxyJump, known_hosts) applies as usual.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import type { PullCommand } from "../domain/pull-commands.js";
import { InterruptedError, McctlError } from "../errors.js";
import type { Reporter } from "./reporter.js";

export interface PullResult extends PullCommand {
  /** 0 on success; ssh's own failures (cannot connect, authentication) are 255; 127 when ssh is missing. */
  exitCode: number;
  ok: boolean;
  /** Set when the process was killed by a signal (exitCode is then 128 + its number). */
  signal?: string;
  /** The last line ssh or docker wrote to stderr, e.g. "Permission denied (publickey)." */
  lastError?: string;
  /** The last line of docker's output, e.g. "Status: Downloaded newer image for metadata/registry:2". */
  lastOutput?: string;
}

export interface RunPullOptions {
  /** Called after each command, in order, e.g. to print a line per host and image. */
  onResult?: (result: PullResult) => void;
  /** Ctrl-C, SIGTERM, SIGHUP: the running ssh is stopped and no further one starts. */
  signal?: AbortSignal | undefined;
  /** A pull that takes longer is stopped and counts as failed (default 10 minutes). */
  timeoutMs?: number;
  /** For tests; defaults to child_process.spawn. */
  spawnImpl?: typeof spawn;
}

/**
 * Runs the commands one after another (never in parallel: one host's failure is then easy to read),
 * without a shell and with stdin closed, and returns every result. It does not stop at a failure.
 */
export async function runPullCommands(
  commands: readonly PullCommand[],
  options: RunPullOptions = {},
): Promise<PullResult[]> {
  const results: PullResult[] = [];
  for (const command of commands) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    const result = await runOne(command, options.spawnImpl ?? spawn, {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? DEFAULT_PULL_TIMEOUT_MS,
    });
    if (options.signal?.aborted) throw abortReason(options.signal);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

/**
 * The upgrade's pulls, a line a host and image: any that fails stops the upgrade before the restart.
 */
export async function pullImages(
  commands: readonly PullCommand[],
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<void> {
  const results = await runPullCommands(commands, {
    signal,
    onResult: (result) =>
      result.exitCode === 0
        ? reporter.success(`${result.host}: pulled ${result.image}`)
        : reporter.error(
            `${result.host}: pulling ${result.image} failed (exit ${result.exitCode}): ${result.lastError}`,
          ),
  });
  const failed = results.filter((result) => result.exitCode !== 0);
  if (failed.length > 0) {
    throw new McctlError(
      `${failed.length} of ${results.length} image pulls failed; the service was not restarted`,
      {
        suggestion: "Check --ssh-key, --ssh-user and that port 22 is reachable, or use --skip-pull.",
      },
    );
  }
}

const DEFAULT_PULL_TIMEOUT_MS = 10 * 60_000;

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
}

function runOne(
  command: PullCommand,
  spawnImpl: typeof spawn,
  limits: { signal?: AbortSignal | undefined; timeoutMs: number },
): Promise<PullResult> {
  const [file = "ssh", ...args] = command.argv;
  return new Promise((resolve) => {
    const stdout = new LastLine();
    const stderr = new LastLine();
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let stop = () => {};
    const finish = (outcome: { exitCode: number; signal?: string; error?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener("abort", stop);
      const lastError = outcome.error ?? stderr.value();
      const lastOutput = stdout.value();
      resolve({
        ...command,
        exitCode: outcome.exitCode,
        ok: outcome.exitCode === 0,
        ...(outcome.signal ? { signal: outcome.signal } : {}),
        ...(lastError ? { lastError } : {}),
        ...(lastOutput ? { lastOutput } : {}),
      });
    };
    let child: ChildProcess;
    try {
      child = spawnImpl(file, args, { stdio: ["ignore", "pipe", "pipe"], shell: false });
    } catch (error) {
      finish({ exitCode: 127, error: spawnFailure(file, error) });
      return;
    }
    let timedOut = false;
    stop = () => child.kill("SIGTERM");
    timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, limits.timeoutMs);
    limits.signal?.addEventListener("abort", stop, { once: true });
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
    child.on("error", (error) => finish({ exitCode: 127, error: spawnFailure(file, error) }));
    child.on("close", (code, signal) => {
      if (code !== null) finish({ exitCode: code });
      else
        finish({
          exitCode: 128 + (signal ? (constants.signals[signal] ?? 0) : 0),
          signal: signal ?? undefined,
          ...(timedOut
            ? { error: `stopped after ${Math.round(limits.timeoutMs / 1000)} s without finishing` }
            : {}),
        });
    });
  });
}

function spawnFailure(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return `${file} was not found on PATH: install the OpenSSH client`;
  return `cannot run ${file}: ${error instanceof Error ? error.message : String(error)}`;
}

/** Keeps only the last non-empty line of a stream (docker's progress output can be long). */
class LastLine {
  #partial = "";
  #last: string | undefined;

  push(chunk: string): void {
    const lines = (this.#partial + chunk).split(/\r\n|\n|\r/);
    this.#partial = (lines.pop() ?? "").slice(-4096);
    for (const line of lines) if (line.trim()) this.#last = line.trim();
  }

  value(): string | undefined {
    return this.#partial.trim() || this.#last;
  }
}
