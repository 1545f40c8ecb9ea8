import { Writable } from "node:stream";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { InterruptedError } from "../../src/errors.js";
import { sleep } from "../../src/queries/poll.js";
import { ElapsedTicker, Output, withElapsed } from "../../src/ui/output.js";
import { terminalReporter } from "../../src/ui/reporter.js";

/** A stderr that says it is a terminal (or not), keeping what is written to it. */
function stream(isTTY: boolean) {
  let written = "";
  const target = new Writable({
    write(chunk, _encoding, callback) {
      written += String(chunk);
      callback();
    },
  }) as Writable & {
    isTTY?: boolean;
    columns?: number;
    cursorTo?: unknown;
    clearLine?: unknown;
    moveCursor?: unknown;
  };
  target.isTTY = isTTY;
  target.columns = 200;
  // What ora asks of a terminal stream to redraw its line.
  target.cursorTo = () => true;
  target.clearLine = () => true;
  target.moveCursor = () => true;
  return { target, written: () => written };
}

function output(isTTY: boolean) {
  const stderr = stream(isTTY);
  const stdout = stream(false);
  return {
    output: new Output({
      json: false,
      color: false,
      debug: false,
      stdout: stdout.target,
      stderr: stderr.target,
    }),
    stderr,
  };
}

beforeAll(async () => {
  // Output loads ora on the first spinner; loaded here, in real time, the waits start at once.
  await import("ora");
});
beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-11-25T03:00:00.400Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("withElapsed", () => {
  it("puts the time since `since` after the text, and nothing without it", () => {
    expect(withElapsed("Waiting", 1_000, 66_500)).toBe("Waiting (1m 05s)");
    expect(withElapsed("Waiting", undefined)).toBe("Waiting");
  });
});

describe("ElapsedTicker", () => {
  it("redraws each time the shown second changes, not only when told", async () => {
    const drawn: string[] = [];
    const ticker = new ElapsedTicker((line) => drawn.push(line));
    ticker.show("1 task stopping (STOPPING), 0 running", Date.now() - 300);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(drawn).toEqual([
      "1 task stopping (STOPPING), 0 running (0s)",
      "1 task stopping (STOPPING), 0 running (1s)",
      "1 task stopping (STOPPING), 0 running (2s)",
      "1 task stopping (STOPPING), 0 running (3s)",
    ]);
    ticker.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("never keeps the process alive", () => {
    const ticker = new ElapsedTicker(() => {});
    const unref = vi.spyOn(globalThis, "setTimeout");
    ticker.show("Waiting", Date.now());
    const timer = unref.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    ticker.stop();
  });

  it("does not tick for a line without a start", async () => {
    const drawn: string[] = [];
    new ElapsedTicker((line) => drawn.push(line)).show("Waiting");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(drawn).toEqual(["Waiting"]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("terminalReporter's waits", () => {
  it("on a terminal, moves the elapsed time every second between polls and stops when the wait ends", async () => {
    const { output: out, stderr } = output(true);
    const wait = terminalReporter(out).wait("Waiting for mc to stop", async (progress) => {
      const started = Date.now();
      progress.progress("Waiting for mc to stop: 1 task stopping (DEACTIVATING), 0 running", started);
      await sleep(10_000);
      return { value: "done", done: "mc stopped" };
    });
    await vi.advanceTimersByTimeAsync(3_100);
    expect(stderr.written()).toContain("1 task stopping (DEACTIVATING), 0 running (3s)");
    await vi.advanceTimersByTimeAsync(7_000);
    await expect(wait).resolves.toBe("done");
    expect(stderr.written()).toContain("1 task stopping (DEACTIVATING), 0 running (9s)");
    expect(stderr.written()).toContain("mc stopped");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("on a terminal, stops ticking when Ctrl-C ends the wait", async () => {
    const { output: out, stderr } = output(true);
    const controller = new AbortController();
    const wait = terminalReporter(out).wait("Waiting for mc to stop", async (progress) => {
      progress.progress("Waiting for mc to stop: 0 running", Date.now());
      await sleep(60_000, controller.signal);
      return { value: undefined, done: "never" };
    });
    wait.catch(() => {});
    await vi.advanceTimersByTimeAsync(2_000);
    controller.abort(new InterruptedError("interrupted (Ctrl-C)"));
    await expect(wait).rejects.toBeInstanceOf(InterruptedError);
    expect(stderr.written()).toContain("Waiting for mc to stop: stopped");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("elsewhere, prints a line when what it says changes, not every second", async () => {
    const { output: out, stderr } = output(false);
    const wait = terminalReporter(out).wait("Waiting for mc to stop", async (progress) => {
      const started = Date.now();
      progress.progress("Waiting for mc to stop: 1 task stopping (STOPPING), 0 running", started);
      await sleep(10_000);
      progress.progress("Waiting for mc to stop: 1 task stopping (STOPPING), 0 running", started);
      await sleep(10_000);
      progress.progress("Waiting for mc to stop: 1 task stopping (DEPROVISIONING), 0 running", started);
      await sleep(10_000);
      return { value: undefined, done: "mc stopped (30s)" };
    });
    await vi.advanceTimersByTimeAsync(30_000);
    await wait;
    expect(stderr.written()).toBe(
      [
        "… Waiting for mc to stop",
        "… Waiting for mc to stop: 1 task stopping (STOPPING), 0 running (0s)",
        "… Waiting for mc to stop: 1 task stopping (DEPROVISIONING), 0 running (20s)",
        "✔ mc stopped (30s)",
        "",
      ].join("\n"),
    );
    expect(vi.getTimerCount()).toBe(0);
  });
});
