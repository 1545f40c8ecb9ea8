import { describe, expect, it } from "vitest";
import { timeoutError } from "../../src/operations/timeouts.js";

describe("timeoutError", () => {
  it("says how long it waited, for what, and the last state it saw", () => {
    const error = timeoutError(
      "mc to become steady",
      3 * 60_000,
      { service: { desiredCount: 1, runningCount: 0, pendingCount: 1 }, activeTasks: [] },
      "Follow it with `mcctl status`.",
    );
    expect(error.message).toBe(
      "timed out after 3m 00s waiting for mc to become steady (last seen: 1 task pending, 0 of 1 running)",
    );
    expect(error.suggestion).toBe("Follow it with `mcctl status`.");
    expect(error.exitCode).toBe(1);
  });

  it("says nothing about a state it never saw", () => {
    expect(timeoutError("mc to become steady", 30_000, undefined, "").message).toBe(
      "timed out after 30s waiting for mc to become steady",
    );
  });
});
