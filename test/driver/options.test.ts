import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import {
  checkFlagValues,
  durationOption,
  FLAG_VALUES,
  familyOption,
  flagName,
  parseOptions,
  taskDefinitionOption,
} from "../../src/commands/options.js";
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

describe("checkFlagValues", () => {
  it("accepts what commander parsed, defaults and on/off flags included", () => {
    expect(() =>
      checkFlagValues("upgrade", {
        timeout: "15m",
        pollInterval: "3s",
        sshUser: "ec2-user",
        tag: "2.1.0",
        dryRun: true,
        wait: false,
        unrelated: "anything",
      }),
    ).not.toThrow();
  });

  it.each([
    [{ count: "abc" }, '--count "abc" is not a whole number from 1 to 1000'],
    [{ pollInterval: "-1" }, '--poll-interval "-1" is not a duration like 90s, 15m or 1h'],
    [{ taskDefinition: "bad def!" }, '--task-definition "bad def!" is not a task definition'],
    [{ healthUrl: "notaurl" }, '--health-url "notaurl" is not a URL'],
    [{ sshUser: "" }, "--ssh-user is empty"],
    [{ esTag: "a/b" }, '--es-tag "a/b" is not a Docker tag'],
  ])("names the flag and its value: %j", (options, message) => {
    const error = thrown(() => checkFlagValues("restart", options));
    expect(error.message.startsWith(message), error.message).toBe(true);
    expect(error.suggestion).toBe("See `mcctl restart --help`.");
  });

  it("has a schema for every flag that takes a value", () => {
    expect(Object.keys(FLAG_VALUES).map(flagName).sort()).toEqual(
      [
        "--count",
        "--es-tag",
        "--family",
        "--health-url",
        "--image",
        "--kms-key",
        "--poll-interval",
        "--snapshot-timeout",
        "--ssh-key",
        "--ssh-user",
        "--tag",
        "--task-definition",
        "--timeout",
        "--to",
      ].sort(),
    );
  });
});

describe("parseOptions", () => {
  const schema = z.object({
    family: familyOption,
    taskDefinition: taskDefinitionOption,
    pollInterval: durationOption("--poll-interval", "3s"),
  });

  it("applies defaults through the same parsing as a given value", () => {
    expect(parseOptions(schema, {})).toEqual({ pollInterval: 3000 });
  });

  it("names each bad flag, kebab-cased, on one line", () => {
    const error = thrown(() =>
      parseOptions(schema, { family: "a b", taskDefinition: "x!", pollInterval: "1x" }),
    );
    expect(error.message).toBe(
      '--family "a b" is not an ECS task definition family name: letters, digits, hyphens and underscores only; ' +
        '--task-definition "x!" is not a task definition: give FAMILY, FAMILY:REVISION or a task definition ARN; ' +
        '--poll-interval "1x" is not a duration like 90s, 15m or 1h',
    );
    expect(error.exitCode).toBe(2);
  });

  it("keeps a message that already names its flag", () => {
    const legacy = z.object({
      to: z.optional(z.string().check(z.regex(/^\d+$/, "--to takes a revision number"))),
    });
    expect(thrown(() => parseOptions(legacy, { to: "x" })).message).toBe("--to takes a revision number");
  });
});
