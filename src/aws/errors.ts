import { homedir } from "node:os";
import { join } from "node:path";
import { InterruptedError, McctlError, MISSING_REGION, MissingInputError } from "../errors.js";
import type { AwsConfig } from "./config.js";
import {
  AwsDeadlineError,
  AwsTimeoutError,
  endpointOf,
  formatMs,
  refuseChangeWhilePlanning,
} from "./limits.js";
import { type Permission, primaryAction } from "./permissions.js";

/** What mcctl was doing when AWS answered with an error, so the message can name it. */
export interface AwsCallContext {
  /** IAM-style action, e.g. "ecs:CreateService". */
  action: string;
  region?: string;
  cluster?: string;
  service?: string;
  /** The task definition asked for (family, family:revision or ARN). */
  taskDefinition?: string;
  /** The configured endpoint (--endpoint-url / AWS_ENDPOINT_URL), when there is one. */
  endpoint?: string;
  /** The profile in use (--profile / AWS_PROFILE), and whether the shared config files define it. */
  profile?: { name: string; known: boolean };
  /** What else the operator can do when AWS denies the action, added to the advice. */
  deniedHint?: string;
}

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

const CREDENTIAL_HINT =
  "Set AWS_PROFILE or --profile (run `aws sso login` for SSO profiles), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";
const ENDPOINT_HINT = "Check the network connection, --endpoint-url (AWS_ENDPOINT_URL) and --region.";
const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: "host not found",
  EAI_AGAIN: "name lookup failed",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ETIMEDOUT: "timed out",
};

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
  const endpoint = () => endpointName(error, context);

  // The transport's own outcomes first: they say why a call ended better than the SDK's wrapping.
  if (name === "AbortError") {
    // The interrupt's own error says which signal it was (exit 130, 143 or 129): keep it.
    const reason = (error as { reason?: unknown }).reason;
    if (reason instanceof InterruptedError) return reason;
    return new InterruptedError(`interrupted while waiting for ${context.action}`, { cause: error });
  }
  if (error instanceof AwsDeadlineError) {
    const sent = endpointOf(error) !== undefined;
    return make(
      sent
        ? `the command's time limit ran out while waiting for ${context.action} from ${endpoint()}`
        : `the command's time limit ran out before ${context.action}`,
      "Run the command again with a longer --timeout; if AWS does not answer, check the network and --endpoint-url.",
    );
  }
  if (error instanceof AwsTimeoutError) return timeoutError(error, context, endpoint(), make);

  const code = awsError.code ?? "";
  if (NETWORK_CODES[code] !== undefined) {
    return make(
      `cannot reach ${endpoint()} for ${context.action} (${code}: ${NETWORK_CODES[code]})`,
      ENDPOINT_HINT,
    );
  }
  if (isNotAwsAnswer(awsError)) {
    const status = awsError.$metadata?.httpStatusCode ?? awsError.$response?.statusCode;
    const type = shorten(awsError.$response?.headers?.["content-type"] ?? "", 40);
    const what = [status === undefined ? undefined : `HTTP ${status}`, type].filter(Boolean).join(", ");
    return make(
      `${endpoint()} answered ${context.action} with something that is not an AWS response${what ? ` (${what})` : ""}`,
      "Check --endpoint-url (AWS_ENDPOINT_URL): it must be an AWS API endpoint (or LocalStack), not a web page or proxy.",
    );
  }

  if (context.profile && !context.profile.known && isCredentialOrRegionError(name, message)) {
    return make(`AWS profile ${shorten(context.profile.name)} is not defined`, profileHint());
  }
  // Unset, or set to "" (AWS_REGION=, which mcctl ignores but the SDK reads as a region).
  if (/Region is missing|Region not accepted: region="" /i.test(message)) {
    // Missing input, as setup reports it before any call: the same message and exit code (2) in every verb.
    return new MissingInputError(
      [MISSING_REGION],
      'Pass --region, set AWS_REGION, or add "region" to mcctl.json.',
      { cause: error },
    );
  }
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    const profile = context.profile ? ` for profile ${shorten(context.profile.name)}` : "";
    return make(`no AWS credentials were found${profile}`, CREDENTIAL_HINT);
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
    const passRole = /not authorized to perform: iam:PassRole on resource: (\S+)/.exec(message)?.[1];
    if (passRole) {
      // The call needs the right to hand a role to the service: name that right, not the call.
      return make(
        `AWS denied ${context.action}${where}: ${principal ?? "you"} may not pass role ${passRole} (iam:PassRole)`,
        `Ask an administrator to allow iam:PassRole on ${passRole} for your IAM user or role. If the role was created or changed in the last minute, IAM changes take seconds to reach ECS: run the command again in a minute.`,
      );
    }
    return make(
      `AWS denied ${context.action}${where}${principal ? ` for ${principal}` : ""}`,
      `Ask an administrator to allow ${context.action} for your IAM user or role.${context.deniedHint ? ` ${context.deniedHint}` : ""}`,
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
    context.taskDefinition &&
    name === "ClientException" &&
    /Unable to describe task definition/i.test(message)
  ) {
    const family = familyOf(context.taskDefinition);
    return make(
      `task definition ${shorten(context.taskDefinition)} was not found${where}`,
      `List the revisions that exist: aws ecs list-task-definitions --family-prefix ${shorten(family)}`,
    );
  }
  if (
    ["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"].includes(name)
  ) {
    return make(`AWS is throttling ${context.action} requests`, "Wait a minute and run the command again.");
  }
  if (awsError.$metadata !== undefined) {
    return make(`${context.action} failed${where}: ${name}: ${firstLine(message)}`);
  }
  return error;
}

function timeoutError(
  error: AwsTimeoutError,
  context: AwsCallContext,
  endpoint: string,
  make: (text: string, suggestion?: string) => McctlError,
): McctlError {
  if (error.phase === "connect") {
    return make(
      `cannot connect to ${endpoint} for ${context.action} (no connection within ${formatMs(error.timeoutMs)})`,
      `${ENDPOINT_HINT} MCCTL_AWS_CONNECT_TIMEOUT sets how long to wait.`,
    );
  }
  const attempts = (error as AwsLikeError).$metadata?.attempts ?? 1;
  const tries = error.phase === "request" && attempts > 1 ? ` (${attempts} attempts)` : "";
  const setting = error.phase === "call" ? "MCCTL_AWS_CALL_TIMEOUT (per call)" : "MCCTL_AWS_REQUEST_TIMEOUT";
  return make(
    `no answer from ${endpoint} to ${context.action} within ${formatMs(error.timeoutMs)}${tries}`,
    `Check the network and --endpoint-url (AWS_ENDPOINT_URL); if AWS is only slow, raise ${setting}.`,
  );
}

/** A body the SDK could not parse, or a web page: whatever answered is not an AWS API. */
function isNotAwsAnswer(error: AwsLikeError): boolean {
  const type = error.$response?.headers?.["content-type"] ?? "";
  return /Deserialization error/.test(error.message ?? "") || /^text\/html/i.test(type);
}

function isCredentialOrRegionError(name: string, message: string): boolean {
  return name === "CredentialsProviderError" || /Could not load credentials|Region is missing/i.test(message);
}

function profileHint(): string {
  const config = process.env.AWS_CONFIG_FILE ?? join(homedir(), ".aws", "config");
  const credentials = process.env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), ".aws", "credentials");
  return `Profiles live in ${shorten(config, 200)} and ${shorten(credentials, 200)}: check --profile / AWS_PROFILE (\`aws configure list-profiles\` lists them).`;
}

/**
 * Where the failed call went: the URL the transport used, else the configured endpoint, else the
 * regional AWS endpoint the action's service would use. Never with user:password.
 */
export function endpointName(error: unknown, context: AwsCallContext): string {
  const seen = endpointOf(error) ?? context.endpoint;
  if (seen !== undefined) {
    // An origin has no user:password; what has no origin loses whatever precedes an "@".
    const origin = URL.canParse(seen) ? new URL(seen).origin : "null";
    return shorten(origin !== "null" ? origin : seen.replace(/^([^/]*\/\/)?[^/@]*@/, "$1"));
  }
  const service = context.action.split(":")[0] ?? "aws";
  if (service === "iam") return "https://iam.amazonaws.com";
  return `https://${service}.${context.region ?? "<region>"}.amazonaws.com`;
}

/** "arn:aws:ecs:eu-west-1:1:task-definition/mc:9" or "mc:9" → "mc". */
function familyOf(reference: string): string {
  return (reference.split("/").pop() ?? reference).replace(/:\d*$/, "");
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

/** An echoed value: on one line and cut short, so a huge or multi-line input cannot flood the terminal. */
function shorten(text: string, max = 80): string {
  const oneLine = text.replace(/\p{Cc}/gu, "?");
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** Whether the profile is in the shared config or credentials file (read only when a call failed). */
async function isProfileDefined(name: string): Promise<boolean> {
  try {
    const { parseKnownFiles } = await import("@smithy/core/config");
    return Object.hasOwn(await parseKnownFiles({ profile: name }), name);
  } catch {
    // Unreadable files: let the SDK's own message stand rather than guess.
    return true;
  }
}

/**
 * Runs one SDK call and translates what it throws. `declared` is the wrapper's permission declaration
 * (src/aws/<service>-permissions.ts): a refusal names the declared action AWS refused, else the first.
 */
export function awsCaller(config: Pick<AwsConfig, "region" | "endpoint" | "profile">) {
  return async <T>(
    context: Omit<AwsCallContext, "region" | "endpoint" | "profile" | "action"> & {
      declared: readonly Permission[];
    },
    run: () => Promise<T>,
  ): Promise<T> => {
    refuseChangeWhilePlanning(primaryAction(context.declared, ""));
    try {
      return await run();
    } catch (error) {
      const { declared, ...rest } = context;
      const full: AwsCallContext = {
        ...rest,
        action: refusedAction(error, declared) ?? primaryAction(declared, "(unknown action)"),
        region: config.region,
        endpoint: config.endpoint,
      };
      if (config.profile && error instanceof Error && isCredentialOrRegionError(error.name, error.message)) {
        full.profile = { name: config.profile, known: await isProfileDefined(config.profile) };
      }
      throw translateAwsError(error, full);
    }
  };
}

/** The declared action an AccessDenied answer names (not iam:PassRole, which is reported as such). */
function refusedAction(error: unknown, declared: readonly Permission[]): string | undefined {
  const named = /not authorized to perform: (\S+)/.exec(error instanceof Error ? error.message : "")?.[1];
  if (named === undefined || named === "iam:PassRole") return undefined;
  return declared.some((permission) => permission.actions.includes(named)) ? named : undefined;
}

/** The SDK error's name or code, for the few places that treat one AWS answer as an expected outcome. */
export function awsErrorName(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const candidate = error as Error & { Code?: string; code?: string };
  return candidate.name !== "Error" ? candidate.name : (candidate.Code ?? candidate.code);
}
