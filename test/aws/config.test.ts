import { describe, expect, it } from "vitest";
import { resolveAwsConfig, sdkClientOptions } from "../../src/aws/config.js";

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
    expect(resolveAwsConfig({}, { AWS_MAX_ATTEMPTS: "lots" }, undefined).maxAttempts).toBe(5);
  });

  it("passes only what is set to the SDK, so the SDK's own resolution still works", () => {
    expect(sdkClientOptions(resolveAwsConfig({}, {}, undefined))).toEqual({
      maxAttempts: 5,
      retryMode: "standard",
    });
  });
});
