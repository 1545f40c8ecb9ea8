import { describe, expect, it } from "vitest";
import {
  PRACTICE_ANSWERS,
  refuseRealAccountFlags,
  SANDBOX_POLL_INTERVAL,
  sandboxFlags,
  sandboxFromEnv,
  sandboxStateFile,
  settingsForMode,
} from "../../src/config/sandbox-mode.js";
import type { LoadedSettings } from "../../src/config/settings.js";
import { UsageError } from "../../src/errors.js";

const file = (settings: LoadedSettings["settings"], exists = true): LoadedSettings => ({
  path: "deploy/mcctl.json",
  exists,
  settings,
});

describe("MCCTL_SANDBOX", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["0", false],
    ["false", false],
    ["1", true],
    ["true", true],
    ["TRUE", true],
  ])("%j turns the sandbox %s", (value, on) => {
    expect(sandboxFromEnv(value === undefined ? {} : { MCCTL_SANDBOX: value })).toBe(on);
  });

  it("refuses anything else, naming the variable", () => {
    expect(() => sandboxFromEnv({ MCCTL_SANDBOX: "yes please" })).toThrow(
      /MCCTL_SANDBOX must be 1 or 0, got "yes please"/,
    );
  });
});

describe("the flags that name a real account", () => {
  it.each([
    [{ region: "eu-west-1" }, "--region"],
    [{ profile: "prod" }, "--profile"],
    [{ endpointUrl: "http://localhost:4566" }, "--endpoint-url"],
  ])("%j is refused with the sandbox", (options, flag) => {
    expect(() => refuseRealAccountFlags(options)).toThrow(UsageError);
    expect(() => refuseRealAccountFlags(options)).toThrow(`${flag} cannot be used with the sandbox`);
  });

  it("the others pass", () => {
    expect(() => refuseRealAccountFlags({ cluster: "x", yes: true })).not.toThrow();
  });
});

describe("mcctl.json and the sandbox", () => {
  it("a file written in the sandbox is refused outside it", () => {
    expect(() => settingsForMode(file({ sandbox: true, cluster: "default" }), false)).toThrow(
      /deploy\/mcctl\.json was written in the sandbox/,
    );
  });

  it("a real deployment's file is refused inside the sandbox", () => {
    expect(() => settingsForMode(file({ cluster: "prod" }), true)).toThrow(
      /describes a real deployment .* the sandbox will not use it/,
    );
  });

  it("outside the sandbox a real file is used as it is", () => {
    const loaded = file({ cluster: "prod" });
    expect(settingsForMode(loaded, false)).toBe(loaded);
  });

  it("in the sandbox a new file starts marked, from the practice answers", () => {
    const settings = settingsForMode(file({}, false), true).settings;
    expect(settings).toEqual({ sandbox: true, ...PRACTICE_ANSWERS });
    expect(settings.environment?.METADATA_HOST).toMatch(/sandbox/);
  });

  it("in the sandbox an existing sandbox file is kept as it is, without the practice answers", () => {
    const settings = settingsForMode(file({ sandbox: true, cluster: "default" }), true).settings;
    expect(settings).toEqual({ sandbox: true, cluster: "default" });
  });

  it("lives in .mcctl beside the settings file", () => {
    expect(sandboxStateFile("deploy/mcctl.json")).toBe("deploy/.mcctl/sandbox.jsonl");
    expect(sandboxStateFile("mcctl.json")).toBe(".mcctl/sandbox.jsonl");
  });
});

describe("a verb's flags in the sandbox", () => {
  it("the waits poll every second when --poll-interval was not given", () => {
    expect(sandboxFlags({ pollInterval: "3s" }, () => true)).toEqual({ pollInterval: SANDBOX_POLL_INTERVAL });
  });

  it("a --poll-interval the operator gave is kept", () => {
    expect(sandboxFlags({ pollInterval: "3s" }, () => false)).toEqual({});
  });

  it("a verb without waits gets nothing", () => {
    expect(sandboxFlags({ dryRun: true }, () => true)).toEqual({});
  });

  it.each([
    [{ healthUrl: "http://example.org/" }, "--health-url"],
    [{ checkHealth: true }, "--check-health"],
    [{ sshKey: "~/.ssh/id" }, "--ssh-key"],
  ])("%j, which would reach a host on the network, is refused", (flags, flag) => {
    expect(() => sandboxFlags(flags, () => true)).toThrow(`${flag} cannot be used in the sandbox`);
  });

  it("--no-check-health passes", () => {
    expect(sandboxFlags({ checkHealth: false }, () => true)).toEqual({});
  });
});

describe("each refusal says what to do", () => {
  const suggestion = (attempt: () => unknown): string | undefined => {
    try {
      attempt();
    } catch (error) {
      return (error as UsageError).suggestion;
    }
    return undefined;
  };

  it.each([
    ["a bad MCCTL_SANDBOX", () => sandboxFromEnv({ MCCTL_SANDBOX: "2" }), /MCCTL_SANDBOX=1 .* or unset it/],
    [
      "--profile with the sandbox",
      () => refuseRealAccountFlags({ profile: "p" }),
      /Leave --profile out, or leave out --sandbox/,
    ],
    [
      "a sandbox file outside it",
      () => settingsForMode(file({ sandbox: true }), false),
      /--sandbox \(or MCCTL_SANDBOX=1\), or .* --config/,
    ],
    [
      "a real file inside it",
      () => settingsForMode(file({ cluster: "prod" }), true),
      /another directory, or .* --config sandbox\.json/,
    ],
    [
      "--health-url in it",
      () => sandboxFlags({ healthUrl: "http://x/" }, () => true),
      /Leave --health-url out; .*status and logs/,
    ],
  ])("%s", (_name, attempt, advice) => {
    expect(suggestion(attempt)).toMatch(advice);
  });
});
