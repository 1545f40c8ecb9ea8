import { describe, expect, it } from "vitest";
import * as values from "../../src/config/values.js";
import { UsageError } from "../../src/errors.js";

type Schema = Parameters<typeof values.parseValue>[0];

function problem(schema: Schema, value: unknown): string | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
}

describe("value schemas", () => {
  it.each([
    [
      "region",
      values.region,
      ["eu-west-1", "us-gov-west-1", "ap-southeast-5"],
      ["eu west 1", "Ireland", "EU-WEST-1", "eu-west"],
    ],
    [
      "clusterName",
      values.clusterName,
      ["default", "prod_2-a", "c".repeat(255)],
      ["", "my cluster", "a/b", "c".repeat(256)],
    ],
    ["family", values.family, ["model-catalogue"], ["model.catalogue", "bad!"]],
    [
      "familyRevision",
      values.familyRevision,
      ["model-catalogue:3"],
      ["model-catalogue", "mc:0", "mc:x", ":3"],
    ],
    [
      "taskDefinitionReference",
      values.taskDefinitionReference,
      ["mc", "mc:3", "arn:aws:ecs:eu-west-1:123456789012:task-definition/mc:3"],
      ["bad def!", "mc:0", "mc:x", "arn:aws:ecs:eu-west-1:1:task-definition/mc:3", "mc:3:4"],
    ],
    [
      "revisionReference",
      values.revisionReference,
      ["7", "mc:7", "arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/mc:7"],
      ["0", "mc", "latest", "-1"],
    ],
    [
      "httpUrl",
      values.httpUrl,
      ["http://localhost:4566", "https://ecs.eu-west-1.amazonaws.com/", "http://10.0.0.5:8080/health"],
      ["notaurl", "ftp://host/", "http://", "http://user:pw@host/", "localhost:4566"],
    ],
    [
      "dockerTag",
      values.dockerTag,
      ["2", "2.0.0-beta-11", "latest"],
      ["2 beta", "-rc1", "a/b", "t".repeat(129)],
    ],
    ["imageReference", values.imageReference, ["metadata/registry:2"], ["Metadata/Registry:2", "a b"]],
    ["sshUser", values.sshUser, ["ec2-user", "ubuntu", "_svc"], ["root;id", "", "1user", "u".repeat(33)]],
    ["retryMode", values.retryMode, ["standard", "adaptive"], ["legacy", "Standard"]],
    ["heapSize", values.heapSize, ["2g", "1536m"], ["2 g", "2gb", "0g"]],
    ["absolutePath", values.absolutePath, ["/opt/data"], ["data", "./data"]],
  ] as const)("%s accepts what AWS accepts and nothing else", (_, schema, good, bad) => {
    for (const value of good) expect(problem(schema, value), value).toBeUndefined();
    for (const value of bad) expect(problem(schema, value), value).toBeDefined();
  });

  it("names the value, quoted, in what it says", () => {
    expect(problem(values.region, "eu west 1")).toBe('"eu west 1" is not an AWS region like eu-west-1');
    expect(problem(values.clusterName, "")).toBe("is empty");
    expect(problem(values.taskDefinitionReference, "bad def!")).toMatch(
      /^"bad def!" is not a task definition/,
    );
  });

  it("checks line breaks and length before any pattern, and never echoes those values", () => {
    const long = "a".repeat(100_000);
    expect(problem(values.region, long)).toBe("is 100000 characters long; at most 64 are accepted");
    expect(problem(values.text(), "a\u0000b")).toMatch(/^contains a NUL character/);
    expect(problem(values.clusterName, "prod\nx")).toMatch(/^contains a line feed/);
    expect(problem(values.text(), long)).not.toContain("aaaa");
  });

  it("does not echo credentials given in a URL", () => {
    expect(problem(values.httpUrl, "http://key:hunter2@host/")).toBe(
      "contains a user name or password; give the URL without them",
    );
  });

  it("cuts a long value it echoes", () => {
    const message = problem(values.taskDefinitionReference, `${"t".repeat(999)}!`) ?? "";
    expect(message).toContain("(1000 characters)");
    expect(message.length).toBeLessThan(200);
  });

  it("refuses anything but text where text is expected", () => {
    expect(problem(values.region, 5)).toBe("must be a string, got 5");
    expect(problem(values.region, ["eu-west-1"])).toBe("must be a string, got a list");
  });
});

describe("durations", () => {
  it.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["1h30m", 5_400_000],
    ["45", 45_000],
    ["24h", 86_400_000],
  ])("parses %s", (text, ms) => {
    expect(values.waitTimeout.parse(text)).toBe(ms);
  });

  it.each([
    ["0", /too short: at least 1s/],
    ["5x", /is not a duration/],
    ["-1", /is not a duration/],
    ["", /is empty/],
    ["999h", /too long: at most 24h/],
    ["1ms", /too short/],
  ])("refuses --timeout %j", (text, message) => {
    expect(problem(values.waitTimeout, text)).toMatch(message);
  });

  it("lets the poll interval go down to 100ms, for tests and benchmarks, but not to a busy loop", () => {
    expect(values.pollInterval.parse("200ms")).toBe(200);
    expect(problem(values.pollInterval, "10ms")).toMatch(/at least 100ms/);
    expect(problem(values.pollInterval, "1h")).toMatch(/at most 10m/);
  });
});

describe("whole numbers", () => {
  it.each(["abc", "1.5", "0", "-1", "1e3", "1001", " 1"])("refuses --count %j, naming it", (text) => {
    expect(problem(values.desiredCount, text)).toBe(
      `${JSON.stringify(text)} is not a whole number from 1 to 1000`,
    );
  });

  it("parses a count and a number of attempts", () => {
    expect(values.desiredCount.parse("3")).toBe(3);
    expect(values.maxAttempts.parse("10")).toBe(10);
    expect(problem(values.maxAttempts, "abc")).toMatch(/"abc" is not a whole number from 1 to 20$/);
  });

  it("says what a JSON number should have been", () => {
    expect(problem(values.port, 70000)).toBe("must be a whole number from 1 to 65535, got 70000");
    expect(problem(values.wholeNumber(1), "lots")).toBe('must be a whole number of 1 or more, got "lots"');
    expect(problem(values.wholeNumber(1), 1.5)).toMatch(/got 1.5/);
  });
});

describe("parseValue", () => {
  it("returns the parsed value, or throws a usage error that starts with the label", () => {
    expect(values.parseValue(values.desiredCount, "2", "--count")).toBe(2);
    const error = (() => {
      try {
        values.parseValue(values.region, "eu west 1", "--region", "Regions look like eu-west-1.");
      } catch (caught) {
        return caught;
      }
    })() as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('--region "eu west 1" is not an AWS region like eu-west-1');
    expect(error.suggestion).toBe("Regions look like eu-west-1.");
  });
});
