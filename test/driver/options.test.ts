import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { VERBS } from "../../src/driver/catalogue.js";
import { FLAGS, flagName } from "../../src/driver/flags.js";
import { optionsSchema, parseOptions } from "../../src/driver/options.js";
import { UsageError } from "../../src/errors.js";

function thrown(work: () => unknown): UsageError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("nothing was thrown");
}

const restart = optionsSchema({
  timeout: { default: "15m" },
  pollInterval: { default: "3s" },
  count: { default: "1" },
  healthUrl: {},
  dryRun: {},
});

describe("optionsSchema", () => {
  it("parses defaults like given values, switches off unless given, --no-… on unless given", () => {
    expect(parseOptions(restart, {})).toEqual({
      timeout: 15 * 60_000,
      pollInterval: 3000,
      count: 1,
      dryRun: false,
    });
    expect(parseOptions(optionsSchema({ wait: { on: true }, restart: {}, snapshot: {} }), {})).toEqual({
      wait: true,
      snapshot: true,
    });
    expect(parseOptions(optionsSchema({ wait: { on: false } }), {})).toEqual({ wait: false });
    expect(parseOptions(optionsSchema({ wait: { on: false } }), { wait: true })).toEqual({ wait: true });
    expect(parseOptions(optionsSchema({ restart: {} }), { restart: false })).toEqual({ restart: false });
  });

  it.each([
    [{ count: "abc" }, '--count "abc" is not a whole number from 1 to 1000'],
    [{ pollInterval: "-1" }, '--poll-interval "-1" is not a duration like 90s, 15m or 1h'],
    [{ healthUrl: "notaurl" }, '--health-url "notaurl" is not a URL'],
    [{ family: "a b" }, '--family "a b" is not an ECS task definition family name'],
  ])("names the flag and its value: %j", (raw, message) => {
    const error = thrown(() => parseOptions(restart, raw, "restart"));
    expect(error.message.startsWith(message), error.message).toBe(true);
    expect(error.suggestion).toBe("See `mcctl restart --help`.");
    expect(error.exitCode).toBe(2);
  });

  it("adds the verb's arguments", () => {
    const schema = optionsSchema({ dryRun: {} }, { name: z.string() });
    expect(parseOptions(schema, { name: "MC_S3_KEY" })).toEqual({ name: "MC_S3_KEY", dryRun: false });
  });

  it("has a schema for every declared default: each verb's defaults parse", () => {
    for (const verb of VERBS) {
      expect(() => parseOptions(optionsSchema(verb.flags), {}), verb.name).not.toThrow();
    }
  });
});

describe("parseOptions", () => {
  it("names each bad flag, kebab-cased, on one line, at most three", () => {
    const error = thrown(() =>
      parseOptions(restart, { family: "a b", count: "x", pollInterval: "1x", timeout: "y" }),
    );
    expect(error.message.split("; ")).toHaveLength(3);
    expect(error.message).toMatch(/^--family "a b" /);
    expect(error.message).toMatch(/ \(and 1 more\)$/);
    expect(error.message.match(/--(family|count|poll-interval|timeout) "/g)).toHaveLength(3);
  });

  it("keeps a message that already names its flag", () => {
    const legacy = z.object({
      to: z.optional(z.string().check(z.regex(/^\d+$/, "--to takes a revision number"))),
    });
    expect(thrown(() => parseOptions(legacy, { to: "x" })).message).toBe("--to takes a revision number");
  });
});

describe("the flag declarations", () => {
  it("spell each flag as its attribute name says", () => {
    for (const [key, declaration] of Object.entries(FLAGS)) {
      const long = declaration.spelling.split(/[ ,]+/).find((word) => word.startsWith("--")) ?? "";
      expect(long.replace(/^--no-/, "--"), key).toBe(flagName(key));
    }
  });

  it("are all used by some verb", () => {
    const used = new Set(VERBS.flatMap((verb) => Object.keys(verb.flags)));
    expect(Object.keys(FLAGS).filter((key) => !used.has(key))).toEqual([]);
  });
});
