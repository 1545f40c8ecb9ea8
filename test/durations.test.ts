import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../src/durations.js";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["45", 45_000],
    [" 10m ", 600_000],
  ])("%s is %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "ten minutes", "5x", "5m garbage", "-1m", "1m30", "x45"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [999, "0s"],
    [45_000, "45s"],
    [59_999, "59s"],
    [60_000, "1m 00s"],
    [125_000, "2m 05s"],
    [3_599_000, "59m 59s"],
    [3_600_000, "1h 0m"],
    [3_780_000, "1h 3m"],
    [90_000_000, "25h 0m"],
  ])("%i ms reads %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
