/**
 * AWS-like errors, shaped the way AWS SDK v3 hands them to application code: the service's own
 * exception classes for modeled errors, the service base exception (with `name` set to the error code)
 * for unmodeled ones such as throttling, and plain Node errors for network failures.
 */
import { type AwsResponseMetadata, type IdSource, responseMetadata } from "./core.js";

/** A modeled exception class from an SDK client, e.g. `ClusterNotFoundException` from @aws-sdk/client-ecs. */
export type ModeledExceptionClass<E extends Error = Error> = new (options: {
  message: string;
  $metadata: AwsResponseMetadata;
}) => E;

/** The base exception class of an SDK client, e.g. `ECSServiceException`; used for unmodeled errors. */
export type BaseExceptionClass = new (options: {
  name: string;
  $fault: "client" | "server";
  message?: string;
  $metadata: AwsResponseMetadata;
}) => Error;

/** What the fault injector needs to know about a simulated service to build its errors. */
export interface ServiceErrorProfile {
  /** SDK service name, e.g. "ECS". */
  readonly service: string;
  /** IAM action prefix, e.g. "ecs". */
  readonly iamPrefix: string;
  readonly BaseException: BaseExceptionClass;
  /** The service's modeled AccessDeniedException, when it has one. */
  readonly AccessDeniedException?: ModeledExceptionClass;
  /** The resource an access-denied message names for a call, e.g. a service ARN; "*" when none. */
  resourceArn(command: string, input: unknown): string;
  /**
   * For services whose error codes differ from the common ones (EC2 answers `RequestLimitExceeded` and
   * `UnauthorizedOperation`): the error for a named fault, or undefined to use the common one.
   */
  faultError?(
    kind: FaultKind,
    call: FaultedCall,
    context: { principalArn: string; ids: IdSource },
  ): Error | undefined;
}

/**
 * What IAM refused: the action, the resource it was evaluated on, and whether a Deny statement said so (rather
 * than no Allow). The simulated IAM (authorization.ts) hands one to an "access-denied" fault; without it, the
 * fault names the call's own action and the profile's resource.
 */
export interface AccessDenial {
  action: string;
  resource: string;
  explicitDeny?: boolean;
}

/** The call a named fault answers; `denial` says what IAM refused when the fault is an authorization failure. */
export interface FaultedCall {
  command: string;
  input: unknown;
  denial?: AccessDenial;
}

/** The denial a call's "access-denied" fault reports: the simulated IAM's, or the call's own action. */
export function denialOf(
  profile: Pick<ServiceErrorProfile, "iamPrefix" | "resourceArn">,
  call: FaultedCall,
): AccessDenial {
  return (
    call.denial ?? {
      action: `${profile.iamPrefix}:${call.command}`,
      resource: profile.resourceArn(call.command, call.input),
    }
  );
}

/**
 * IAM's wording, e.g. "User: arn:aws:iam::123456789012:user/test is not authorized to perform: ecs:CreateService
 * on resource: arn:aws:ecs:…:service/default/mc because no identity-based policy allows the ecs:CreateService
 * action", or "… with an explicit deny in an identity-based policy". S3 quotes the resource; EC2 leaves out
 * " on resource: *" for actions without resource-level permissions.
 */
export function accessDeniedMessage(
  principalArn: string,
  denial: AccessDenial,
  options: { quoteResource?: boolean; omitStarResource?: boolean } = {},
): string {
  const resource = options.quoteResource ? `"${denial.resource}"` : denial.resource;
  const on = options.omitStarResource && denial.resource === "*" ? "" : ` on resource: ${resource}`;
  const why = denial.explicitDeny
    ? "with an explicit deny in an identity-based policy"
    : `because no identity-based policy allows the ${denial.action} action`;
  return `User: ${principalArn} is not authorized to perform: ${denial.action}${on} ${why}`;
}

/** Builds a modeled service exception the way the SDK deserializer does. */
export function modeledError<E extends Error>(
  Exception: ModeledExceptionClass<E>,
  message: string,
  ids: IdSource,
  httpStatusCode = 400,
): E {
  return new Exception({ message, $metadata: responseMetadata(httpStatusCode, ids.uuid()) });
}

/** Builds an unmodeled service error (the SDK uses the base exception class with the error code as name). */
export function unmodeledError(
  Base: BaseExceptionClass,
  options: { name: string; message: string; httpStatusCode: number; ids: IdSource },
): Error {
  return new Base({
    name: options.name,
    $fault: options.httpStatusCode >= 500 ? "server" : "client",
    message: options.message,
    $metadata: responseMetadata(options.httpStatusCode, options.ids.uuid()),
  });
}

/** `ThrottlingException: Rate exceeded` (HTTP 400), which the SDK classifies as retryable throttling. */
export function throttlingError(Base: BaseExceptionClass, ids: IdSource, message = "Rate exceeded"): Error {
  const error = unmodeledError(Base, { name: "ThrottlingException", message, httpStatusCode: 400, ids });
  return Object.assign(error, { $retryable: { throttling: true } });
}

/** `InternalFailure` (HTTP 500). */
export function internalFailureError(Base: BaseExceptionClass, ids: IdSource): Error {
  const message = "We encountered an internal error. Please try again.";
  return unmodeledError(Base, { name: "InternalFailure", message, httpStatusCode: 500, ids });
}

/** `ServiceUnavailable` (HTTP 503). */
export function serviceUnavailableError(Base: BaseExceptionClass, ids: IdSource): Error {
  const message = "Service is unavailable. Please try again later.";
  return unmodeledError(Base, { name: "ServiceUnavailable", message, httpStatusCode: 503, ids });
}

/**
 * `AccessDeniedException` with the IAM wording, e.g. "User: arn:aws:iam::123456789012:user/test is not
 * authorized to perform: ecs:CreateService on resource: arn:aws:ecs:…:service/default/mc because no
 * identity-based policy allows the ecs:CreateService action".
 */
export function accessDeniedError(
  profile: ServiceErrorProfile,
  options: FaultedCall & { principalArn: string; ids: IdSource },
): Error {
  const message = accessDeniedMessage(options.principalArn, denialOf(profile, options));
  if (profile.AccessDeniedException) return modeledError(profile.AccessDeniedException, message, options.ids);
  return unmodeledError(profile.BaseException, {
    name: "AccessDeniedException",
    message,
    httpStatusCode: 400,
    ids: options.ids,
  });
}

/** What the Node HTTP handler rejects with when the peer drops the connection. */
export function connectionResetError(): Error {
  return Object.assign(new Error("read ECONNRESET"), {
    code: "ECONNRESET",
    errno: -104,
    syscall: "read",
    $metadata: { attempts: 1, totalRetryDelay: 0 },
  });
}

/** What the Node HTTP handler rejects with when a connection times out. */
export function timeoutError(timeoutMs = 1000): Error {
  const error = new Error(`Connection timed out after ${timeoutMs} ms`);
  error.name = "TimeoutError";
  return Object.assign(error, { $metadata: { attempts: 1, totalRetryDelay: 0 } });
}

/** Fault kinds the injector can produce by name. */
export type FaultKind =
  | "throttling"
  | "server"
  | "unavailable"
  | "access-denied"
  | "connection-reset"
  | "timeout";

/** Builds the error for a named fault kind on a call to `profile`'s service. */
export function faultError(
  kind: FaultKind,
  profile: ServiceErrorProfile,
  call: FaultedCall,
  context: { principalArn: string; ids: IdSource },
): Error {
  const own = profile.faultError?.(kind, call, context);
  if (own) return own;
  const { ids } = context;
  switch (kind) {
    case "throttling":
      return throttlingError(profile.BaseException, ids);
    case "server":
      return internalFailureError(profile.BaseException, ids);
    case "unavailable":
      return serviceUnavailableError(profile.BaseException, ids);
    case "access-denied":
      return accessDeniedError(profile, { ...call, principalArn: context.principalArn, ids });
    case "connection-reset":
      return connectionResetError();
    case "timeout":
      return timeoutError();
  }
}

/**
 * Members the AWS query protocol (IAM, RDS, STS) deserializer copies from the XML error body onto every
 * exception it throws: `Type` ("Sender" for 4xx, "Receiver" for 5xx), `Code` (the wire error code, which for
 * modeled errors can differ from `name`: `DBInstanceNotFound` for `DBInstanceNotFoundFault`) and `Error`.
 */
export function withQueryErrorFields<E extends Error>(error: E, code: string, httpStatusCode: number): E {
  const type = httpStatusCode >= 500 ? "Receiver" : "Sender";
  return Object.assign(error, {
    Type: type,
    Code: code,
    Error: { Type: type, Code: code, Message: error.message },
  });
}

/** A modeled error of a query-protocol service, e.g. RDS `DBInstanceNotFoundFault` (wire code `DBInstanceNotFound`). */
export function queryModeledError<E extends Error>(
  Exception: ModeledExceptionClass<E>,
  options: { code: string; message: string; httpStatusCode: number; ids: IdSource },
): E {
  const error = modeledError(Exception, options.message, options.ids, options.httpStatusCode);
  return withQueryErrorFields(error, options.code, options.httpStatusCode);
}

/** An unmodeled error of a query-protocol service, e.g. RDS `InvalidParameterCombination`. */
export function queryUnmodeledError(
  Base: BaseExceptionClass,
  options: { name: string; message: string; httpStatusCode: number; ids: IdSource },
): Error {
  return withQueryErrorFields(unmodeledError(Base, options), options.name, options.httpStatusCode);
}

/**
 * Named faults as the query-protocol services (IAM, RDS, STS) answer them: `Throttling` ("Rate exceeded"),
 * `InternalFailure`, `ServiceUnavailable` and `AccessDenied` (HTTP 403, IAM wording), each with the query
 * protocol's `Type`/`Code`/`Error` members. Use as a `ServiceErrorProfile.faultError`.
 */
export function queryProtocolFaultError(
  profile: Pick<ServiceErrorProfile, "BaseException" | "iamPrefix" | "resourceArn">,
  kind: FaultKind,
  call: FaultedCall,
  context: { principalArn: string; ids: IdSource },
): Error | undefined {
  const { BaseException } = profile;
  const ids = context.ids;
  switch (kind) {
    case "throttling": {
      const error = queryUnmodeledError(BaseException, {
        name: "Throttling",
        message: "Rate exceeded",
        httpStatusCode: 400,
        ids,
      });
      return Object.assign(error, { $retryable: { throttling: true } });
    }
    case "server":
      return withQueryErrorFields(internalFailureError(BaseException, ids), "InternalFailure", 500);
    case "unavailable":
      return withQueryErrorFields(serviceUnavailableError(BaseException, ids), "ServiceUnavailable", 503);
    case "access-denied": {
      const message = accessDeniedMessage(context.principalArn, denialOf(profile, call));
      return queryUnmodeledError(BaseException, { name: "AccessDenied", message, httpStatusCode: 403, ids });
    }
    default:
      return undefined;
  }
}
