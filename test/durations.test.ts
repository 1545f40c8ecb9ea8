import { describe, expect, it } from "vitest";
import { parseDuration } from "../src/durations.js";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["45", 45_000],
  ])("%s is %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "ten minutes", "5x", "5m garbage", "-1m"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
