import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { ExitCode, InterruptedError } from "../../src/errors.js";
import { trapInterrupts } from "../../src/ui/interrupt.js";
import { captureOutput } from "../helpers/context.js";

/** A process whose signals the test sends and whose exit it records. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exit = vi.fn();
  const processLike = {
    on: (name: string, handler: () => void) => emitter.on(name, handler),
    off: (name: string, handler: () => void) => emitter.off(name, handler),
    exit,
  } as unknown as Pick<NodeJS.Process, "on" | "off" | "exit">;
  return { processLike, exit, send: (name: string) => emitter.emit(name) };
}

describe("trapInterrupts", () => {
  it("offers a second Ctrl-C when the command cleans up, and says what to do by hand when it comes", () => {
    const captured = captureOutput();
    const { processLike, exit, send } = fakeProcess();
    const trap = trapInterrupts(
      captured.output,
      { first: () => "Putting the desired count back", second: () => "Quit. Restore it by hand." },
      processLike,
    );
    send("SIGINT");
    expect(trap.signal.reason).toBeInstanceOf(InterruptedError);
    expect(captured.stderr()).toBe("⚠ Putting the desired count back (press Ctrl-C again to quit at once)\n");
    send("SIGINT");
    expect(captured.stderr()).toContain("✖ Quit. Restore it by hand.\n");
    expect(exit).toHaveBeenCalledWith(ExitCode.interrupted);
    trap.dispose();
  });

  it("does not offer a second Ctrl-C to a command that the first one ends at once (logs --follow)", () => {
    const captured = captureOutput();
    const { processLike, exit, send } = fakeProcess();
    const trap = trapInterrupts(captured.output, { first: () => "Stopped following" }, processLike);
    send("SIGINT");
    expect(captured.stderr()).toBe("⚠ Stopped following\n");
    expect(trap.signal.aborted).toBe(true);
    // Should the command be slow to end all the same, a second one still quits, silently.
    send("SIGINT");
    expect(captured.stderr()).toBe("⚠ Stopped following\n");
    expect(exit).toHaveBeenCalledWith(ExitCode.interrupted);
    trap.dispose();
  });
});

describe("trapInterrupts with messages that read their own state", () => {
  it("calls them as methods, so a class's second message can say what it knows", () => {
    class Watch {
      private readonly service = "mc";
      first(): string {
        return `Restoring ${this.service}`;
      }
      second(): string {
        return `Quit: restore ${this.service} by hand`;
      }
    }
    const captured = captureOutput();
    const { processLike, send } = fakeProcess();
    const trap = trapInterrupts(captured.output, new Watch(), processLike);
    send("SIGINT");
    send("SIGINT");
    expect(captured.stderr()).toContain("✖ Quit: restore mc by hand\n");
    trap.dispose();
  });
});
