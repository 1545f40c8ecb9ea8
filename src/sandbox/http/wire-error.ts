/**
 * An error the simulator threw, as the wire protocols write it. The simulator throws the SDK's own exception
 * classes (src/sandbox/sim/errors.ts): `name` is the error code, `$metadata.httpStatusCode` the status,
 * `$fault` client or server, and the exception's other own members are its modeled members.
 */
import type { WireError } from "./protocol.js";

/** Members every SDK exception has, or that the query protocols' deserializer adds: never modeled members. */
const notModeled = new Set([
  "name",
  "message",
  "stack",
  "cause",
  "$metadata",
  "$fault",
  "$retryable",
  "$response",
  "$responseBodyText",
  "Type",
  "Code",
  "Error",
]);

export function toWireError(error: unknown): WireError {
  const exception = error as {
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
    $fault?: unknown;
  };
  const status = exception?.$metadata?.httpStatusCode;
  if (!(error instanceof Error) || typeof status !== "number") {
    // Not an AWS error: a bug or a gap of the simulator, which a real service would answer with a 500.
    const message = error instanceof Error ? error.message : String(error);
    return { name: "InternalFailure", message, status: 500, fault: "server" };
  }
  const members: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(error)) {
    if (!notModeled.has(name) && value !== undefined) members[name] = value;
  }
  return {
    name: error.name,
    message: error.message,
    status,
    fault: exception.$fault === "server" || status >= 500 ? "server" : "client",
    ...(Object.keys(members).length > 0 ? { members } : {}),
  };
}

/** The simulator's dropped-connection and timeout faults, which the server acts out instead of answering. */
export function networkFault(error: unknown): "reset" | "hang" | undefined {
  const failure = error as { code?: unknown; name?: unknown } | undefined;
  if (failure?.code === "ECONNRESET") return "reset";
  if (failure?.name === "TimeoutError") return "hang";
  return undefined;
}
