/**
 * Errors as the simulated S3 answers them and SDK v3 surfaces them: unmodeled ones carry the XML body's Code;
 * those of a HEAD request have no body (the SDK names them "Unknown"); and the faults the injector asks for.
 */
import { S3ServiceException } from "@aws-sdk/client-s3";
import type { IdSource } from "./core.js";
import {
  accessDeniedMessage,
  type FaultedCall,
  type FaultKind,
  modeledError,
  unmodeledError,
} from "./errors.js";

/** IAM actions S3 checks for each operation (they are not all named like the operation). */
const iamActions: Record<string, string> = {
  HeadBucket: "s3:ListBucket",
  CreateBucket: "s3:CreateBucket",
  PutPublicAccessBlock: "s3:PutBucketPublicAccessBlock",
  GetPublicAccessBlock: "s3:GetBucketPublicAccessBlock",
  PutBucketEncryption: "s3:PutEncryptionConfiguration",
  GetBucketEncryption: "s3:GetEncryptionConfiguration",
  DeleteBucket: "s3:DeleteBucket",
  PutBucketTagging: "s3:PutBucketTagging",
  GetBucketTagging: "s3:GetBucketTagging",
  DeleteBucketTagging: "s3:PutBucketTagging",
  PutObject: "s3:PutObject",
  ListObjectsV2: "s3:ListBucket",
  ListObjectVersions: "s3:ListBucketVersions",
  DeleteObjects: "s3:DeleteObject",
};

export class S3Errors {
  readonly #ids: IdSource;

  constructor(ids: IdSource) {
    this.#ids = ids;
  }

  malformedXml(): Error {
    return this.error(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
      400,
    );
  }

  /** An error for a response without body (HEAD): the SDK names it "Unknown", its message is "UnknownError". */
  bodyless(httpStatusCode: number): Error {
    return unmodeledError(S3ServiceException, {
      name: "Unknown",
      message: "UnknownError",
      httpStatusCode,
      ids: this.#ids,
    });
  }

  /** An unmodeled S3 error: the SDK copies the XML body's Code (and other members) onto the exception. */
  error(code: string, message: string, httpStatusCode: number, extra: Record<string, unknown> = {}): Error {
    const error = unmodeledError(S3ServiceException, {
      name: code,
      message,
      httpStatusCode,
      ids: this.#ids,
    });
    return Object.assign(error, { Code: code, ...extra });
  }

  modeled<E extends Error>(
    Exception: new (options: { message: string; $metadata: object }) => E,
    message: string,
    httpStatusCode: number,
    extra: Record<string, unknown> = {},
  ): E {
    const error = modeledError(Exception, message, this.#ids, httpStatusCode);
    return Object.assign(error, { Code: error.name, ...extra });
  }

  /** What a fault of `kind` looks like from S3 (HeadBucket's have no body); undefined for network faults. */
  faultError(
    kind: FaultKind,
    call: FaultedCall,
    principalArn: string,
    resourceArn: (command: string, input: unknown) => string,
  ): Error | undefined {
    const status = { throttling: 503, server: 500, unavailable: 503, "access-denied": 403 } as const;
    if (kind === "connection-reset" || kind === "timeout") return undefined;
    if (call.command === "HeadBucket") {
      const error = this.bodyless(status[kind]);
      return kind === "throttling" ? Object.assign(error, { $retryable: { throttling: true } }) : error;
    }
    switch (kind) {
      case "throttling":
        return Object.assign(this.error("SlowDown", "Please reduce your request rate.", 503), {
          $retryable: { throttling: true },
        });
      case "server":
        return this.error("InternalError", "We encountered an internal error. Please try again.", 500);
      case "unavailable":
        return this.error("ServiceUnavailable", "Service is unable to handle request.", 503);
      case "access-denied": {
        const denial = call.denial ?? {
          action: iamActions[call.command] ?? `s3:${call.command}`,
          resource: resourceArn(call.command, call.input),
        };
        return this.error(
          "AccessDenied",
          accessDeniedMessage(principalArn, denial, { quoteResource: true }),
          403,
        );
      }
    }
  }
}
