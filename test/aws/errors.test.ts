import { describe, expect, it } from "vitest";
import { type AwsCallContext, translateAwsError } from "../../src/aws/errors.js";
import {
  AwsDeadlineError,
  AwsInterruptError,
  AwsTimeoutError,
  recordEndpoint,
} from "../../src/aws/limits.js";
import {
  ExitCode,
  InterruptedError,
  McctlError,
  MISSING_REGION,
  MissingInputError,
} from "../../src/errors.js";
import { isTransientError } from "../../src/queries/poll.js";

function awsError(name: string, message: string, status = 400) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

const translate = (error: unknown) =>
  translateAwsError(error, {
    action: "ecs:CreateService",
    region: "eu-west-1",
    cluster: "prod",
    service: "mc",
  }) as McctlError;

describe("translateAwsError", () => {
  it("names the denied action and the principal", () => {
    const error = translate(
      awsError(
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: ecs:CreateService on resource: *",
      ),
    );
    expect(error).toBeInstanceOf(McctlError);
    expect(error.message).toBe(
      "AWS denied ecs:CreateService in eu-west-1 for arn:aws:iam::123456789012:user/ops",
    );
    expect(error.suggestion).toContain("ecs:CreateService");
  });

  it("names iam:PassRole and the role when the call was denied the right to pass it", () => {
    const error = translateAwsError(
      awsError(
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/exec",
      ),
      { action: "ecs:RegisterTaskDefinition", region: "eu-west-1" },
    ) as McctlError;
    expect(error.message).toBe(
      "AWS denied ecs:RegisterTaskDefinition in eu-west-1: arn:aws:iam::123456789012:user/ops may not pass role arn:aws:iam::123456789012:role/exec (iam:PassRole)",
    );
    expect(error.suggestion).toMatch(
      /^Ask an administrator to allow iam:PassRole on arn:aws:iam::123456789012:role\/exec /,
    );
    expect(error.suggestion).not.toMatch(/create (the|a) role/i);
  });

  it("explains missing credentials, expired tokens and a missing region", () => {
    expect(
      translate(
        Object.assign(new Error("Could not load credentials from any providers"), {
          name: "CredentialsProviderError",
        }),
      ).message,
    ).toBe("no AWS credentials were found");
    expect(
      translate(awsError("ExpiredTokenException", "The security token included in the request is expired"))
        .message,
    ).toBe("your AWS credentials have expired");
    expect(translate(new Error("Region is missing")).suggestion).toContain("--region");
  });

  it("reports a missing region as missing input (exit 2), as setup does before any call", () => {
    for (const sdkMessage of [
      "Region is missing",
      'Region not accepted: region="" is not a valid hostname component.',
    ]) {
      const error = translate(new Error(sdkMessage));
      expect(error).toBeInstanceOf(MissingInputError);
      expect(error.message).toBe(`missing input: ${MISSING_REGION}`);
      expect(error.exitCode).toBe(ExitCode.usage);
    }
  });

  it("names the cluster or service that was not found", () => {
    expect(translate(awsError("ClusterNotFoundException", "Cluster not found.")).message).toBe(
      "ECS cluster prod was not found in eu-west-1",
    );
    expect(translate(awsError("ServiceNotFoundException", "Service not found.")).message).toContain(
      "ECS service mc was not found",
    );
  });

  it("keeps the AWS message for other service errors and leaves bugs alone", () => {
    expect(
      translate(awsError("InvalidParameterException", "Creation of service was not idempotent.")).message,
    ).toBe(
      "ecs:CreateService failed in eu-west-1: InvalidParameterException: Creation of service was not idempotent.",
    );
    const bug = new TypeError("cannot read properties of undefined");
    expect(translate(bug)).toBe(bug);
  });

  it("keeps the original error as the cause for --debug", () => {
    const original = awsError("ThrottlingException", "Rate exceeded");
    expect(translate(original).cause).toBe(original);
  });
});

const describeAs = (error: unknown, context: Partial<AwsCallContext> = {}) =>
  translateAwsError(error, { action: "ecs:DescribeServices", region: "eu-west-1", ...context }) as McctlError;

describe("translateAwsError: the transport", () => {
  it("names the endpoint and the setting when nothing answered in time", () => {
    const attempt = Object.assign(new AwsTimeoutError("request", 20_000, "http://127.0.0.1:4566"), {
      $metadata: { attempts: 5 },
    });
    const error = describeAs(attempt);
    expect(error.message).toBe(
      "no answer from http://127.0.0.1:4566 to ecs:DescribeServices within 20s (5 attempts)",
    );
    expect(error.suggestion).toContain("--endpoint-url");
    expect(error.suggestion).toContain("MCCTL_AWS_REQUEST_TIMEOUT");
    expect(error.exitCode).toBe(1);

    const call = describeAs(new AwsTimeoutError("call", 45_000, undefined));
    expect(call.message).toBe(
      "no answer from https://ecs.eu-west-1.amazonaws.com to ecs:DescribeServices within 45s",
    );
    expect(call.suggestion).toContain("MCCTL_AWS_CALL_TIMEOUT");

    const connect = describeAs(new AwsTimeoutError("connect", 5_000, "https://ecs.eu-west-1.amazonaws.com"));
    expect(connect.message).toBe(
      "cannot connect to https://ecs.eu-west-1.amazonaws.com for ecs:DescribeServices (no connection within 5s)",
    );
    expect(connect.suggestion).toContain("MCCTL_AWS_CONNECT_TIMEOUT");
  });

  it("prefers the endpoint the request went to, then --endpoint-url, and never prints user:password", () => {
    const timeout = new AwsTimeoutError("call", 1_000, undefined);
    expect(describeAs(timeout, { endpoint: "http://ops:s3cret@localhost:4566/" }).message).toBe(
      "no answer from http://localhost:4566 to ecs:DescribeServices within 1s",
    );
    expect(describeAs(timeout, { endpoint: "custom://ops:s3cret@gateway/aws" }).message).toBe(
      "no answer from custom://gateway/aws to ecs:DescribeServices within 1s",
    );
    recordEndpoint(timeout, "http://127.0.0.1:9999");
    expect(describeAs(timeout, { endpoint: "http://localhost:4566" }).message).toContain(
      "http://127.0.0.1:9999",
    );
    expect(
      describeAs(new AwsTimeoutError("call", 1_000, undefined), { action: "iam:GetInstanceProfile" }).message,
    ).toContain("https://iam.amazonaws.com");
  });

  it("lets pollers retry a timed-out call but not an interrupted or out-of-time one", () => {
    expect(isTransientError(describeAs(new AwsTimeoutError("call", 1_000, undefined)))).toBe(true);
    expect(isTransientError(describeAs(new AwsDeadlineError(undefined)))).toBe(false);
    const interrupted = describeAs(new AwsInterruptError(undefined));
    expect(isTransientError(interrupted)).toBe(false);
    // Even when what it wraps would count as transient on its own.
    expect(
      isTransientError(
        new InterruptedError("interrupted", { cause: new AwsTimeoutError("call", 1, undefined) }),
      ),
    ).toBe(false);
  });

  it("turns an abort by the command's signal into InterruptedError (exit 130)", () => {
    const error = describeAs(new AwsInterruptError("http://127.0.0.1:4566"));
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.message).toBe("interrupted while waiting for ecs:DescribeServices");
    expect(error.exitCode).toBe(130);
    const hangup = new InterruptedError("hung up (SIGHUP)");
    expect(describeAs(new AwsInterruptError(undefined, hangup))).toBe(hangup);
  });

  it("says the command's time limit ran out", () => {
    const error = describeAs(new AwsDeadlineError("http://127.0.0.1:4566"));
    expect(error.message).toBe(
      "the command's time limit ran out while waiting for ecs:DescribeServices from http://127.0.0.1:4566",
    );
    expect(error.suggestion).toContain("--timeout");
  });

  it("names the endpoint for network errors", () => {
    const reset = Object.assign(new Error("socket hang up"), { name: "TimeoutError", code: "ECONNRESET" });
    recordEndpoint(reset, "http://127.0.0.1:4566");
    expect(describeAs(reset).message).toBe(
      "cannot reach http://127.0.0.1:4566 for ecs:DescribeServices (ECONNRESET: connection reset)",
    );
    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND ecs.eu-west-9.amazonaws.com"), {
      code: "ENOTFOUND",
    });
    expect(describeAs(dns, { region: "eu-west-9" }).message).toBe(
      "cannot reach https://ecs.eu-west-9.amazonaws.com for ecs:DescribeServices (ENOTFOUND: host not found)",
    );
  });
});

describe("translateAwsError: answers that are not AWS", () => {
  const deserialization = (status: number, contentType: string) =>
    Object.assign(
      new SyntaxError(
        `Unexpected token '<', "<!DOCTYPE "... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.`,
      ),
      {
        $metadata: { httpStatusCode: status },
        $response: { statusCode: status, headers: { "content-type": contentType } },
      },
    );

  it("says the endpoint answered something that is not AWS, without SDK internals", () => {
    const error = describeAs(deserialization(200, "text/html"), { endpoint: "http://localhost:8080" });
    expect(error.message).toBe(
      "http://localhost:8080 answered ecs:DescribeServices with something that is not an AWS response (HTTP 200, text/html)",
    );
    expect(error.suggestion).toContain("--endpoint-url");
    expect(`${error.message}${error.suggestion}`).not.toMatch(/\$response|hidden field|Deserialization/);
  });

  it("recognises an HTML error page the SDK did parse", () => {
    const page = Object.assign(new Error("UnknownError"), {
      name: "Unknown",
      $metadata: { httpStatusCode: 404 },
      $response: { statusCode: 404, headers: { "content-type": "text/html; charset=utf-8" } },
    });
    expect(describeAs(page).message).toMatch(/not an AWS response \(HTTP 404, text\/html; charset=utf-8\)$/);
  });

  it("still counts a 5xx page from a proxy as worth another try", () => {
    expect(isTransientError(describeAs(deserialization(502, "text/html")))).toBe(true);
    expect(isTransientError(describeAs(deserialization(200, "text/html")))).toBe(false);
  });
});

describe("translateAwsError: profiles and task definitions", () => {
  const noCredentials = () =>
    Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });

  it("names an unknown profile and says where profiles live", () => {
    const error = describeAs(noCredentials(), { profile: { name: "nope", known: false } });
    expect(error.message).toBe("AWS profile nope is not defined");
    expect(error.suggestion).toMatch(/Profiles live in .*config and .*credentials/);
    expect(
      describeAs(new Error("Region is missing"), { profile: { name: "nope", known: false } }).message,
    ).toBe("AWS profile nope is not defined");
  });

  it("keeps the credentials message for a profile that exists, naming it", () => {
    expect(describeAs(noCredentials(), { profile: { name: "ops", known: true } }).message).toBe(
      "no AWS credentials were found for profile ops",
    );
  });

  it("echoes a huge or multi-line profile name on one short line", () => {
    const error = describeAs(noCredentials(), {
      profile: { name: `a\nb${"x".repeat(100_000)}`, known: false },
    });
    expect(error.message).not.toContain("\n");
    expect(error.message.length).toBeLessThan(130);
  });

  it("names a task definition revision ECS cannot describe, with a command that lists the revisions", () => {
    const missing = awsError("ClientException", "Unable to describe task definition.");
    const error = describeAs(missing, { action: "ecs:DescribeTaskDefinition", taskDefinition: "nope:9" });
    expect(error.message).toBe("task definition nope:9 was not found in eu-west-1");
    expect(error.suggestion).toBe(
      "List the revisions that exist: aws ecs list-task-definitions --family-prefix nope",
    );
    const byArn = describeAs(missing, {
      action: "ecs:DescribeTaskDefinition",
      taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/model-catalogue:42",
    });
    expect(byArn.suggestion).toContain("--family-prefix model-catalogue");
  });
});
