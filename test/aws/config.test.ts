import { describe, expect, it } from "vitest";
import { resolveAwsConfig, sdkClientOptions } from "../../src/aws/config.js";
import { UsageError } from "../../src/errors.js";

/** The UsageError `run` throws (fails the test when it throws nothing or something else). */
function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("resolveAwsConfig", () => {
  it("prefers flags, then the environment, then the settings file", () => {
    expect(resolveAwsConfig({}, {}, "eu-west-2").region).toBe("eu-west-2");
    expect(resolveAwsConfig({}, { AWS_REGION: "us-east-1" }, "eu-west-2").region).toBe("us-east-1");
    expect(resolveAwsConfig({ region: "ap-south-1" }, { AWS_REGION: "us-east-1" }, "eu-west-2").region).toBe(
      "ap-south-1",
    );
    expect(resolveAwsConfig({}, { AWS_PROFILE: "ops" }, undefined).profile).toBe("ops");
    expect(
      resolveAwsConfig({ endpointUrl: "http://localhost:4566" }, { AWS_ENDPOINT_URL: "http://x" }, undefined)
        .endpoint,
    ).toBe("http://localhost:4566");
  });

  it("reads retry settings from the SDK's own variables, with safe defaults", () => {
    expect(resolveAwsConfig({}, {}, undefined)).toMatchObject({ maxAttempts: 5, retryMode: "standard" });
    expect(
      resolveAwsConfig({}, { AWS_MAX_ATTEMPTS: "9", AWS_RETRY_MODE: "adaptive" }, undefined),
    ).toMatchObject({
      maxAttempts: 9,
      retryMode: "adaptive",
    });
  });

  it("rejects retry settings the SDK would silently ignore, naming the variable", () => {
    for (const value of ["lots", "0", "1.5", "-3", "21"]) {
      const error = usageError(() => resolveAwsConfig({}, { AWS_MAX_ATTEMPTS: value }, undefined));
      expect(error.message).toBe(`AWS_MAX_ATTEMPTS must be a whole number from 1 to 20, not "${value}"`);
      expect(error.exitCode).toBe(2);
    }
    expect(usageError(() => resolveAwsConfig({}, { AWS_RETRY_MODE: "fast" }, undefined)).message).toBe(
      'AWS_RETRY_MODE must be standard or adaptive, not "fast"',
    );
  });

  it("passes only what is set to the SDK, so the SDK's own resolution still works", () => {
    expect(sdkClientOptions(resolveAwsConfig({}, {}, undefined))).toEqual({
      maxAttempts: 5,
      retryMode: "standard",
    });
  });
});

describe("transport timeouts", () => {
  it("default to 5 s to connect, 20 s per attempt and 45 s per call", () => {
    expect(resolveAwsConfig({}, {}, undefined).timeouts).toEqual({
      connectMs: 5_000,
      requestMs: 20_000,
      callMs: 45_000,
    });
  });

  it("read durations from MCCTL_AWS_*_TIMEOUT", () => {
    const env = {
      MCCTL_AWS_CONNECT_TIMEOUT: "2s",
      MCCTL_AWS_REQUEST_TIMEOUT: "500ms",
      MCCTL_AWS_CALL_TIMEOUT: "1m30s",
    };
    expect(resolveAwsConfig({}, env, undefined).timeouts).toEqual({
      connectMs: 2_000,
      requestMs: 500,
      callMs: 90_000,
    });
  });

  it("never bound a call by less than one attempt unless told to", () => {
    expect(resolveAwsConfig({}, { MCCTL_AWS_REQUEST_TIMEOUT: "2m" }, undefined).timeouts?.callMs).toBe(
      120_000,
    );
    expect(
      resolveAwsConfig({}, { MCCTL_AWS_REQUEST_TIMEOUT: "2m", MCCTL_AWS_CALL_TIMEOUT: "30s" }, undefined)
        .timeouts?.callMs,
    ).toBe(30_000);
  });

  it.each([
    ["MCCTL_AWS_CONNECT_TIMEOUT", "soon"],
    ["MCCTL_AWS_REQUEST_TIMEOUT", "0s"],
    ["MCCTL_AWS_CALL_TIMEOUT", "2h"],
    ["MCCTL_AWS_REQUEST_TIMEOUT", "5 s"],
  ])("rejects %s=%s with exit 2, naming the variable", (name, value) => {
    const error = usageError(() => resolveAwsConfig({}, { [name]: value }, undefined));
    expect(error.message).toBe(`${name} must be a duration from 1ms to 1h such as 20s, not "${value}"`);
    expect(error.exitCode).toBe(2);
  });

  it("echoes a bad value on one short line", () => {
    const error = usageError(() =>
      resolveAwsConfig({}, { MCCTL_AWS_CALL_TIMEOUT: `1s\n${"x".repeat(100_000)}` }, undefined),
    );
    expect(error.message).not.toContain("\n");
    expect(error.message.length).toBeLessThan(120);
  });
});
