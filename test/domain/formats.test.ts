import { describe, expect, it } from "vitest";
import {
  controlCharacterProblem,
  formatBytes,
  MAX_QUOTED_LENGTH,
  oneLine,
  quote,
  quoteName,
} from "../../src/domain/formats.js";

describe("quote", () => {
  it("shows a short value in double quotes, as it is", () => {
    expect(quote("eu west 1")).toBe('"eu west 1"');
    expect(quote("")).toBe('""');
  });

  it("cuts a long value to about 60 characters, with an ellipsis and the full length", () => {
    const quoted = quote("a".repeat(100_000));
    expect(quoted).toBe(`"${"a".repeat(MAX_QUOTED_LENGTH)}…" (100000 characters)`);
    expect(quote("a".repeat(MAX_QUOTED_LENGTH))).toBe(`"${"a".repeat(MAX_QUOTED_LENGTH)}"`);
  });

  it("escapes control characters, so that the value stays on its line", () => {
    expect(quote("a\nb\rc\u0000d\te")).toBe('"a\\nb\\rc\\u0000d\\te"');
    expect(quote("x\u001b[31my")).toBe('"x\\u001b[31my"');
    expect(quote("x\u2028y\u202Ez")).toBe('"x\\u2028y\\u202ez"');
    expect(quote('say "hi"')).toBe('"say \\"hi\\""');
  });

  it("counts the escapes in the cut, and never splits a character", () => {
    expect(quote("\n".repeat(100)).length).toBeLessThan(MAX_QUOTED_LENGTH + 30);
    const emoji = quote("😀".repeat(100));
    expect(emoji).toContain("…");
    expect(emoji).not.toMatch(/\uD83D(?!\uDE00)/);
    expect(emoji).toContain("(100 characters)");
  });
});

describe("controlCharacterProblem", () => {
  it.each([
    ["a\u0000b", /NUL character at position 2/],
    ["a\nb", /line feed/],
    ["\r", /carriage return at position 1/],
    ["a\u0007", /U\+0007/],
  ])("names the character in %j without echoing the value", (value, message) => {
    const problem = controlCharacterProblem(value);
    expect(problem).toMatch(message);
  });

  it("accepts plain text and tabs", () => {
    expect(controlCharacterProblem("Model Catalogue\t<b>welcome</b> é 😀")).toBeUndefined();
  });
});

describe("oneLine", () => {
  it("escapes control characters and cuts a long message", () => {
    expect(oneLine("Unexpected token\n in JSON")).toBe("Unexpected token\\n in JSON");
    expect(oneLine("x".repeat(500))).toHaveLength(200);
  });
});

describe("quoteName", () => {
  it("shows plain names as they are and quotes the others", () => {
    expect(quoteName("METADATA_HOST")).toBe("METADATA_HOST");
    expect(quoteName("MC\nNAME")).toBe('"MC\\nNAME"');
    expect(quoteName("k".repeat(100))).toContain("…");
  });
});

describe("formatBytes", () => {
  it("picks the unit that keeps the number readable", () => {
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(1023)).toBe("1023 bytes");
    expect(formatBytes(1024)).toBe("1.0 KiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1024 * 1024 - 1)).toBe("1024.0 KiB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MiB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3.0 GiB");
    expect(formatBytes(2 * 1024 ** 5)).toBe("2048.0 TiB");
  });
});
