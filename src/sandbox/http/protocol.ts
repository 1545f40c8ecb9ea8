/**
 * One AWS wire protocol as the sandbox's HTTP server speaks it (the server side of what the SDK's protocol
 * classes do on the client side): it reads an operation and its input (the SDK's input shape) from a request,
 * and writes an output or an error the way the service would, so that the real SDK clients parse them.
 */
import type { IncomingHttpHeaders } from "node:http";

/** A request as it arrived, its body read in full. */
export interface WireRequest {
  method: string;
  /** The path, decoded segments not yet split, without the query string: "/", "/my-bucket/some/key". */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** An error as the simulator throws it: the SDK's exception (`name` is the error code) or a plain Error. */
export interface WireError {
  name: string;
  message: string;
  /** HTTP status the service answers with (the exception's `$metadata.httpStatusCode`); 400 when unknown. */
  status: number;
  /** "client" (4xx) or "server" (5xx). */
  fault: "client" | "server";
  /** Extra modeled members of the exception (e.g. S3's BucketName), serialized where the protocol has room. */
  members?: Record<string, unknown>;
}

export interface WireProtocol {
  /**
   * The operation the request names and its input, or undefined when it names none this protocol knows.
   * Throws a `WireRequestError` for a request the service would refuse before running the operation.
   */
  parse(request: WireRequest): { operation: string; input: Record<string, unknown> } | undefined;
  /** A successful answer to `operation` with `output` (the simulator's output, SDK output shape). */
  serialize(operation: string, output: unknown, requestId: string): WireResponse;
  /** A failed answer; `operation` is undefined when the request named none. */
  serializeError(operation: string | undefined, error: WireError, requestId: string): WireResponse;
}

/**
 * A request the service refuses before any operation runs (a malformed body, a missing or wrong checksum):
 * `WireProtocol.parse` may throw it, and the server answers it with `serializeError(error.operation, error, …)`.
 */
export class WireRequestError extends Error implements WireError {
  readonly status: number;
  readonly fault: "client" | "server";
  readonly members: Record<string, unknown> | undefined;
  /** The operation the request named, when the protocol could tell (a HEAD request's error has no body). */
  readonly operation: string | undefined;

  constructor(options: {
    name: string;
    message: string;
    status?: number;
    operation?: string;
    members?: Record<string, unknown>;
  }) {
    super(options.message);
    this.name = options.name;
    this.status = options.status ?? 400;
    this.fault = this.status >= 500 ? "server" : "client";
    this.members = options.members;
    this.operation = options.operation;
  }
}
