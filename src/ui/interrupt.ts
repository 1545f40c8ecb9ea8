import { ExitCode } from "../errors.js";
import type { Output } from "./output.js";

export interface InterruptTrap {
  /** Aborted at the first Ctrl-C: waits stop and the command cleans up. */
  signal: AbortSignal;
  dispose(): void;
}

export interface InterruptMessages {
  /** Printed at the first Ctrl-C: what mcctl is doing about it. */
  first(): string;
  /** Printed at the second Ctrl-C, just before exiting: what the operator must do by hand. */
  second(): string;
}

/**
 * Ctrl-C handling for long operations. The first Ctrl-C lets the command clean up (for a restart:
 * put the desired count back); a second one means "quit now", so the process exits at once — the
 * one place in mcctl that ends the process itself — after printing how to finish by hand.
 */
export function trapInterrupts(
  output: Output,
  messages: InterruptMessages,
  processLike: Pick<NodeJS.Process, "on" | "off" | "exit"> = process,
): InterruptTrap {
  const controller = new AbortController();
  const onSigint = () => {
    if (!controller.signal.aborted) {
      output.warn(`${messages.first()} (press Ctrl-C again to quit at once)`);
      controller.abort();
      return;
    }
    output.error(messages.second());
    processLike.exit(ExitCode.interrupted);
  };
  processLike.on("SIGINT", onSigint);
  return { signal: controller.signal, dispose: () => processLike.off("SIGINT", onSigint) };
}
