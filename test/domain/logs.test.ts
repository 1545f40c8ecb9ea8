import { describe, expect, it } from "vitest";
import {
  awslogsGroupOf,
  containerStart,
  DEFAULT_LOG_RETENTION_DAYS,
  defaultLogGroup,
  LOG_RETENTION_DAYS,
  logConfigurationFor,
  logStreamName,
  parseSince,
  phrasePattern,
  validateLogGroup,
} from "../../src/domain/logs.js";

const NOW = Date.parse("2026-11-25T03:00:00Z");
const garbage = (text: string) =>
  `--since ${JSON.stringify(text)} is neither a duration like 10m, 2h or 1d nor an ISO time like 2026-12-01T03:00:00Z`;

describe("parseSince", () => {
  it.each([
    ["30s", 30_000],
    ["10m", 600_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["0m", 0],
    ["999999s", 999_999_000],
  ])("reads %s as that long before now", (text, ago) => {
    expect(parseSince(text, NOW)).toEqual({ at: NOW - ago });
  });

  it.each([
    ["2026-11-25T01:30:00Z", "2026-11-25T01:30:00.000Z"],
    ["2026-11-25T01:30:00.250Z", "2026-11-25T01:30:00.250Z"],
    ["2026-11-25T04:00:00+02:00", "2026-11-25T02:00:00.000Z"],
    ["2026-11-25T04:00:00+0200", "2026-11-25T02:00:00.000Z"],
    ["2026-11-25T01:00:00-01:30", "2026-11-25T02:30:00.000Z"],
    ["2026-11-24", "2026-11-24T00:00:00.000Z"],
    ["2026-11-25T03:00:00Z", "2026-11-25T03:00:00.000Z"],
  ])("reads the ISO time %s with its offset", (text, iso) => {
    expect(parseSince(text, NOW)).toEqual({ at: Date.parse(iso) });
  });

  it("refuses a time after now, naming it", () => {
    expect(parseSince("2026-11-25T03:00:01Z", NOW)).toEqual({
      problem: '--since "2026-11-25T03:00:01Z" is in the future',
    });
    expect(parseSince("2026-11-25T04:00:00+00:30", NOW)).toEqual({
      problem: '--since "2026-11-25T04:00:00+00:30" is in the future',
    });
  });

  it.each([
    "yesterday",
    "",
    "10",
    "m",
    "10 m",
    "-10m",
    "10M",
    "1w",
    "1.5h",
    "1234567s",
    "2026-13-01T00:00:00Z",
    "2026-11-25T25:00:00Z",
    "2026-11-25 03:00:00Z",
    "25/11/2026",
    "2026-11-25T01:00:00Z trailing",
  ])("refuses %j with what it accepts", (text) => {
    expect(parseSince(text, NOW)).toEqual({ problem: garbage(text) });
  });

  it("quotes at most 60 characters of a long refused text", () => {
    const text = `x${"y".repeat(200)}`;
    expect(parseSince(text, NOW)).toEqual({ problem: garbage(text.slice(0, 60)) });
  });

  it("refuses a calendar date that does not exist instead of rolling it into the next month", () => {
    // 30 February is no date; it must not silently become 2 March.
    expect(parseSince("2026-02-30T00:00:00Z", NOW)).toEqual({ problem: garbage("2026-02-30T00:00:00Z") });
    expect(parseSince("2026-09-31", NOW)).toEqual({ problem: garbage("2026-09-31") });
  });
});

describe("phrasePattern", () => {
  it("quotes the text as one exact phrase", () => {
    expect(phrasePattern("Connected to Elasticsearch")).toBe('"Connected to Elasticsearch"');
    expect(phrasePattern("mc-es:9200")).toBe('"mc-es:9200"');
    expect(phrasePattern("")).toBe('""');
  });

  it("escapes double quotes and backslashes, backslashes first", () => {
    expect(phrasePattern('say "hi"')).toBe('"say \\"hi\\""');
    expect(phrasePattern("C:\\temp\\x")).toBe('"C:\\\\temp\\\\x"');
    expect(phrasePattern('\\"')).toBe('"\\\\\\""');
    expect(phrasePattern('"')).toBe('"\\""');
  });
});

describe("validateLogGroup", () => {
  it("accepts CloudWatch Logs' characters: letters, digits and . - _ / #", () => {
    expect(validateLogGroup("/ecs/model-catalogue")).toBeUndefined();
    expect(validateLogGroup("A.z-0_9/#")).toBeUndefined();
    expect(validateLogGroup("x")).toBeUndefined();
  });

  it("accepts 512 characters and refuses 513 and none, with the length", () => {
    expect(validateLogGroup("a".repeat(512))).toBeUndefined();
    expect(validateLogGroup("a".repeat(513))).toBe("is 513 characters long; 1 to 512 are allowed");
    expect(validateLogGroup("")).toBe("is 0 characters long; 1 to 512 are allowed");
  });

  it.each(["/ecs/model catalogue", "/ecs/mc:prod", "/ecs/é", "/ecs/mc\n", "/ecs/*", "/ecs/mc+1"])(
    "refuses %j for its characters",
    (name) => {
      expect(validateLogGroup(name)).toBe("may only hold letters, digits and . - _ / #");
    },
  );
});

describe("log names", () => {
  it("names the default group after the family", () => {
    expect(defaultLogGroup("model-catalogue")).toBe("/ecs/model-catalogue");
    expect(defaultLogGroup("mc")).toBe("/ecs/mc");
  });

  it("names a container's stream mcctl/<container>/<task id>", () => {
    expect(logStreamName("mc", "84f67a80419f3e07f12b63e80365dfd4")).toBe(
      "mcctl/mc/84f67a80419f3e07f12b63e80365dfd4",
    );
    expect(logStreamName("mc-es", "abc")).toBe("mcctl/mc-es/abc");
  });

  it("keeps events 30 days by default, one of the retentions CloudWatch Logs offers", () => {
    expect(DEFAULT_LOG_RETENTION_DAYS).toBe(30);
    expect(LOG_RETENTION_DAYS).toContain(30);
    expect(LOG_RETENTION_DAYS).not.toContain(2);
    expect(LOG_RETENTION_DAYS[0]).toBe(1);
    expect(LOG_RETENTION_DAYS.at(-1)).toBe(3653);
  });
});

describe("logConfigurationFor", () => {
  const awslogs = {
    driver: "awslogs" as const,
    group: "/ecs/model-catalogue",
    region: "eu-west-1",
    retentionDays: 30,
  };

  it("sends a container to the group with awslogs, the region and the mcctl stream prefix", () => {
    const expected = {
      logDriver: "awslogs",
      options: {
        "awslogs-group": "/ecs/model-catalogue",
        "awslogs-region": "eu-west-1",
        "awslogs-stream-prefix": "mcctl",
      },
    };
    expect(logConfigurationFor(awslogs, "syslog")).toEqual(expected);
    expect(logConfigurationFor(awslogs, "json-file")).toEqual(expected);
  });

  it("gives the wiki's driver of the container when logging stays on the instance", () => {
    expect(logConfigurationFor({ driver: "syslog" }, "syslog")).toEqual({ logDriver: "syslog" });
    expect(logConfigurationFor({ driver: "syslog" }, "json-file")).toEqual({ logDriver: "json-file" });
  });
});

describe("awslogsGroupOf", () => {
  it("reads the group, region and prefix of an awslogs configuration", () => {
    expect(
      awslogsGroupOf({
        logDriver: "awslogs",
        options: { "awslogs-group": "/ecs/mc", "awslogs-region": "eu-west-2", "awslogs-stream-prefix": "p" },
      }),
    ).toEqual({ group: "/ecs/mc", region: "eu-west-2", prefix: "p" });
    expect(awslogsGroupOf({ logDriver: "awslogs", options: { "awslogs-group": "/ecs/mc" } })).toEqual({
      group: "/ecs/mc",
      region: undefined,
      prefix: undefined,
    });
  });

  it("is undefined for awslogs without a group", () => {
    expect(
      awslogsGroupOf({ logDriver: "awslogs", options: { "awslogs-region": "eu-west-1" } }),
    ).toBeUndefined();
    expect(awslogsGroupOf({ logDriver: "awslogs", options: { "awslogs-group": "" } })).toBeUndefined();
    expect(awslogsGroupOf({ logDriver: "awslogs" })).toBeUndefined();
  });

  it("is undefined for other drivers and for none", () => {
    expect(awslogsGroupOf({ logDriver: "syslog" })).toBeUndefined();
    expect(awslogsGroupOf({ logDriver: "json-file" })).toBeUndefined();
    expect(
      awslogsGroupOf({ logDriver: "awsfirelens", options: { "awslogs-group": "/ecs/mc" } }),
    ).toBeUndefined();
    expect(awslogsGroupOf(undefined)).toBeUndefined();
  });
});

describe("containerStart", () => {
  const at = new Date(NOW);
  const secretsFailure =
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed";

  it("is started once the task has run or the container is RUNNING or exited", () => {
    expect(
      containerStart(
        { lastStatus: "RUNNING", desiredStatus: "RUNNING", startedAt: at, containers: [] },
        "mc",
      ),
    ).toBe("started");
    expect(
      containerStart(
        {
          lastStatus: "PENDING",
          desiredStatus: "RUNNING",
          containers: [{ name: "mc", lastStatus: "RUNNING" }],
        },
        "mc",
      ),
    ).toBe("started");
    // Died after it ran, before the task counted as RUNNING (another container failed to start).
    expect(
      containerStart(
        {
          lastStatus: "STOPPED",
          desiredStatus: "STOPPED",
          containers: [
            { name: "mc", lastStatus: "STOPPED", exitCode: 143 },
            { name: "mc-es", lastStatus: "STOPPED", reason: "CannotStartContainerError: …" },
          ],
        },
        "mc",
      ),
    ).toBe("started");
    // A stopped task that had run, though its containers lack exit codes (its host was lost).
    expect(
      containerStart(
        { lastStatus: "STOPPED", desiredStatus: "STOPPED", startedAt: at, containers: [{ name: "mc" }] },
        "mc",
      ),
    ).toBe("started");
  });

  it("is starting while a task that is to run has not started the container yet", () => {
    for (const lastStatus of ["PROVISIONING", "PENDING", "ACTIVATING"]) {
      expect(
        containerStart(
          { lastStatus, desiredStatus: "RUNNING", containers: [{ name: "mc", lastStatus: "PENDING" }] },
          "mc",
        ),
      ).toBe("starting");
    }
  });

  it("is never for a task that stopped, or is stopping, before the container started", () => {
    const pullFailure = "CannotPullContainerError: pull image manifest has been retried 1 time(s)";
    expect(
      containerStart(
        {
          lastStatus: "STOPPED",
          desiredStatus: "STOPPED",
          stoppedReason: pullFailure,
          containers: [{ name: "mc", lastStatus: "STOPPED", reason: pullFailure }],
        },
        "mc",
      ),
    ).toBe("never");
    expect(
      containerStart(
        {
          lastStatus: "PENDING",
          desiredStatus: "STOPPED",
          stoppedReason: secretsFailure,
          containers: [{ name: "mc", lastStatus: "PENDING" }],
        },
        "mc",
      ),
    ).toBe("never");
    expect(containerStart({ lastStatus: "DEPROVISIONING", containers: [] }, "mc")).toBe("never");
  });
});
