import { McctlError } from "../errors.js";

/** What mcctl was doing when AWS answered with an error, so the message can name it. */
export interface AwsCallContext {
  /** IAM-style action, e.g. "ecs:CreateService". */
  action: string;
  region?: string;
  cluster?: string;
  service?: string;
}

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const CREDENTIAL_HINT =
  "Set AWS_PROFILE or --profile (run `aws sso login` for SSO profiles), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";

/**
 * Turns an SDK error into one line an operator can act on. Called once, where the SDK is called,
 * so commands never inspect AWS error names themselves.
 */
export function translateAwsError(error: unknown, context: AwsCallContext): unknown {
  if (error instanceof McctlError || !(error instanceof Error)) return error;
  const awsError = error as AwsLikeError;
  const name = awsError.name ?? "";
  const message = awsError.message ?? "";
  const where = context.region ? ` in ${context.region}` : "";
  const make = (text: string, suggestion?: string) => new McctlError(text, { suggestion, cause: error });

  if (/Region is missing/i.test(message)) {
    return make(
      "no AWS region is configured",
      'Pass --region, set AWS_REGION, or add "region" to mcctl.json.',
    );
  }
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    return make("no AWS credentials were found", CREDENTIAL_HINT);
  }
  if (/SSO session .* expired|token .* expired|ExpiredToken|RequestExpired/i.test(`${name} ${message}`)) {
    return make(
      "your AWS credentials have expired",
      "Refresh them (e.g. `aws sso login`) and run the command again.",
    );
  }
  if (
    ["UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId", "AuthFailure"].includes(
      name,
    )
  ) {
    return make(`AWS rejected the credentials (${name})`, CREDENTIAL_HINT);
  }
  if (/AccessDenied|UnauthorizedOperation|not authorized to perform/i.test(`${name} ${message}`)) {
    const principal = /User: (\S+)/.exec(message)?.[1];
    return make(
      `AWS denied ${context.action}${where}${principal ? ` for ${principal}` : ""}`,
      `Ask an administrator to allow ${context.action} for your IAM user or role.`,
    );
  }
  if (name === "ClusterNotFoundException") {
    return make(
      `ECS cluster ${context.cluster ?? "(unknown)"} was not found${where}`,
      "Check --cluster and --region, or create the cluster with `mcctl setup`.",
    );
  }
  if (name === "ServiceNotFoundException" || name === "ServiceNotActiveException") {
    return make(
      `ECS service ${context.service ?? "(unknown)"} ${name === "ServiceNotFoundException" ? "was not found" : "is not active"} in cluster ${context.cluster ?? "(unknown)"}${where}`,
      "Check --service and --cluster, or create it with `mcctl create-service`.",
    );
  }
  if (
    ["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"].includes(name)
  ) {
    return make(`AWS is throttling ${context.action} requests`, "Wait a minute and run the command again.");
  }
  if (["ENOTFOUND", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN"].includes(awsError.code ?? "")) {
    return make(
      `cannot reach the AWS endpoint for ${context.action} (${awsError.code})`,
      "Check the network connection, --endpoint-url and --region.",
    );
  }
  if (awsError.$metadata !== undefined) {
    return make(`${context.action} failed${where}: ${name}: ${message}`);
  }
  return error;
}

/** Runs one SDK call and translates what it throws, naming the action. */
export function awsCaller(region: string | undefined) {
  return async <T>(context: Omit<AwsCallContext, "region">, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw translateAwsError(error, { ...context, region });
    }
  };
}

/** The SDK error's name or code, for the few places that treat one AWS answer as an expected outcome. */
export function awsErrorName(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const candidate = error as Error & { Code?: string; code?: string };
  return candidate.name !== "Error" ? candidate.name : (candidate.Code ?? candidate.code);
}
