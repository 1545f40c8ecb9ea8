import { ExitCode, InterruptedError } from "../errors.js";
import type { Output } from "./output.js";

export interface InterruptTrap {
  /** Aborted at the first signal, with an InterruptedError as its reason: waits stop and the command cleans up. */
  signal: AbortSignal;
  dispose(): void;
}

export interface InterruptMessages {
  /** Printed at the first signal: what mcctl is doing about it. */
  first(): string;
  /**
   * Printed at a second signal, just before exiting: what the operator must do by hand. Left out by a
   * command that the first signal ends at once (nothing to clean up, as `logs --follow`): the first
   * message then does not offer a second Ctrl-C, which would come too late to matter. A second signal
   * still exits at once, silently, should the command be slow to end.
   */
  second?(): string;
}

/** Ctrl-C; a cancelled CI job or `kill`; the terminal or ssh session that went away. */
const SIGNALS = {
  SIGINT: { exitCode: ExitCode.interrupted, what: "interrupted (Ctrl-C)" },
  SIGTERM: { exitCode: ExitCode.terminated, what: "terminated (SIGTERM)" },
  SIGHUP: { exitCode: ExitCode.hangup, what: "hung up (SIGHUP: the terminal or ssh session went away)" },
} as const;
type SignalName = keyof typeof SIGNALS;

/**
 * Signal handling for commands that change AWS. The first SIGINT, SIGTERM or SIGHUP lets the command
 * clean up (for a restart: put the desired count back) and end with 130, 143 or 129; a second one
 * means "quit now", so the process exits at once — the one place in mcctl that ends the process
 * itself — after printing how to finish by hand.
 */
export function trapInterrupts(
  output: Output,
  messages: InterruptMessages,
  processLike: Pick<NodeJS.Process, "on" | "off" | "exit"> = process,
): InterruptTrap {
  const controller = new AbortController();
  const handlers = new Map<SignalName, () => void>();
  for (const name of Object.keys(SIGNALS) as SignalName[]) {
    const { exitCode, what } = SIGNALS[name];
    const handler = () => {
      if (!controller.signal.aborted) {
        const again = messages.second ? " (press Ctrl-C again to quit at once)" : "";
        safely(() => output.warn(`${messages.first()}${again}`));
        controller.abort(new InterruptedError(what, { exitCode }));
        return;
      }
      // Called on `messages`: a command's messages may be an object whose methods read its state.
      if (messages.second) safely(() => output.error(messages.second?.() ?? ""));
      processLike.exit(exitCode);
    };
    handlers.set(name, handler);
    processLike.on(name, handler);
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) processLike.off(name, handler);
    },
  };
}

/** After SIGHUP the terminal may be gone: a failed write must not stop the clean-up. */
function safely(write: () => void): void {
  try {
    write();
  } catch {
    // Nothing to tell anyone: nobody is reading.
  }
}

/** Runs `work` with the trap set, and always takes it down again. */
export async function withInterruptTrap<T>(
  output: Output,
  messages: InterruptMessages,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const trap = trapInterrupts(output, messages);
  try {
    return await work(trap.signal);
  } finally {
    trap.dispose();
  }
}
