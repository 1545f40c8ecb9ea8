import { describe, expect, it } from "vitest";
import { translateAwsError } from "../../src/aws/errors.js";
import { McctlError } from "../../src/errors.js";

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
