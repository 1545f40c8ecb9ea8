import { describe, expect, it } from "vitest";
import { resolveAwsConfig, sandboxAwsConfig, sdkClientOptions } from "../../src/aws/config.js";
import { resolveGlobals } from "../../src/config/globals.js";
import type { GlobalOptions } from "../../src/context.js";
import { UsageError } from "../../src/errors.js";

/** The SDK configuration a run gets from these flags and environment (the settings file is absent). */
const configOf = async (env: NodeJS.ProcessEnv, flags: GlobalOptions = {}) =>
  resolveAwsConfig(await resolveGlobals(flags, env));

async function usageError(env: NodeJS.ProcessEnv): Promise<UsageError> {
  const error = await configOf(env).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe("resolveAwsConfig", () => {
  it("prefers flags, then the environment", async () => {
    expect((await configOf({ AWS_REGION: "us-east-1" })).region).toBe("us-east-1");
    expect((await configOf({ AWS_REGION: "us-east-1" }, { region: "ap-south-1" })).region).toBe("ap-south-1");
    expect((await configOf({ AWS_PROFILE: "ops" })).profile).toBe("ops");
    expect(
      (await configOf({ AWS_ENDPOINT_URL: "http://x.example" }, { endpointUrl: "http://localhost:4566" }))
        .endpoint,
    ).toBe("http://localhost:4566");
  });

  it("reads retry settings from the SDK's own variables, with safe defaults", async () => {
    expect(await configOf({})).toMatchObject({ maxAttempts: 5, retryMode: "standard" });
    expect(await configOf({ AWS_MAX_ATTEMPTS: "9", AWS_RETRY_MODE: "adaptive" })).toMatchObject({
      maxAttempts: 9,
      retryMode: "adaptive",
    });
  });

  it("rejects retry settings the SDK would silently ignore, naming the variable", async () => {
    for (const value of ["lots", "0", "1.5", "-3", "21"]) {
      const error = await usageError({ AWS_MAX_ATTEMPTS: value });
      expect(error.message).toBe(`AWS_MAX_ATTEMPTS "${value}" is not a whole number from 1 to 20`);
      expect(error.exitCode).toBe(2);
    }
    expect((await usageError({ AWS_RETRY_MODE: "fast" })).message).toBe(
      'AWS_RETRY_MODE "fast" is not a retry mode: use standard or adaptive',
    );
  });

  it("passes only what is set to the SDK, so the SDK's own resolution still works", async () => {
    expect(sdkClientOptions(await configOf({}))).toEqual({ maxAttempts: 5, retryMode: "standard" });
  });
});

describe("transport timeouts", () => {
  it("default to 5 s to connect, 10 s per attempt and 20 s per call (two attempts)", async () => {
    expect((await configOf({})).timeouts).toEqual({ connectMs: 5_000, requestMs: 10_000, callMs: 20_000 });
  });

  it("read durations from MCCTL_AWS_*_TIMEOUT", async () => {
    const env = {
      MCCTL_AWS_CONNECT_TIMEOUT: "2s",
      MCCTL_AWS_REQUEST_TIMEOUT: "500ms",
      MCCTL_AWS_CALL_TIMEOUT: "1m30s",
    };
    expect((await configOf(env)).timeouts).toEqual({ connectMs: 2_000, requestMs: 500, callMs: 90_000 });
  });

  it("never bound a call by less than one attempt unless told to", async () => {
    expect((await configOf({ MCCTL_AWS_REQUEST_TIMEOUT: "2m" })).timeouts?.callMs).toBe(120_000);
    expect(
      (await configOf({ MCCTL_AWS_REQUEST_TIMEOUT: "2m", MCCTL_AWS_CALL_TIMEOUT: "30s" })).timeouts?.callMs,
    ).toBe(30_000);
  });

  it.each([
    ["MCCTL_AWS_CONNECT_TIMEOUT", "soon", "is not a duration like 90s, 15m or 1h"],
    ["MCCTL_AWS_REQUEST_TIMEOUT", "0s", "is too short: at least 1ms"],
    ["MCCTL_AWS_CALL_TIMEOUT", "2h", "is too long: at most 1h"],
    ["MCCTL_AWS_REQUEST_TIMEOUT", "5 s", "is not a duration like 90s, 15m or 1h"],
  ])("rejects %s=%s with exit 2, naming the variable", async (name, value, problem) => {
    const error = await usageError({ [name]: value });
    expect(error.message).toBe(`${name} "${value}" ${problem}`);
    expect(error.exitCode).toBe(2);
  });

  it("echoes a bad value on one short line", async () => {
    const error = await usageError({ MCCTL_AWS_CALL_TIMEOUT: `1s\n${"x".repeat(100_000)}` });
    expect(error.message).not.toContain("\n");
    expect(error.message.length).toBeLessThan(140);
  });
});

describe("sandboxAwsConfig", () => {
  const sandbox = {
    endpoint: "http://127.0.0.1:40123",
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIASANDBOXEXAMPLE00", secretAccessKey: "sandbox-only" },
  };

  it("reaches the sandbox's endpoint with its region and keys, retries and timeouts as for AWS", () => {
    const config = sandboxAwsConfig(sandbox, { maxAttempts: 3 });
    expect(config).toEqual({
      ...resolveAwsConfig({ maxAttempts: 3 }),
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:40123",
      credentials: sandbox.credentials,
    });
    expect(config.profile).toBeUndefined();
  });

  it("gives every client the fixed keys, with FIPS and dual-stack off", () => {
    expect(sdkClientOptions(sandboxAwsConfig(sandbox, {}))).toMatchObject({
      credentials: sandbox.credentials,
      endpoint: "http://127.0.0.1:40123",
      useFipsEndpoint: false,
      useDualstackEndpoint: false,
    });
    expect(sdkClientOptions(resolveAwsConfig({ region: "eu-west-1" }))).not.toHaveProperty("credentials");
  });
});
