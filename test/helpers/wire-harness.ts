/**
 * A test-only HTTP server for one wire protocol in front of a simulated AWS: it reads each request, lets the
 * protocol name the operation and its input, runs it with `sim.send(service, …)` and writes the output or the
 * error the way the protocol says. It stands in for the sandbox's server (src/sandbox/http/server.ts) so that a
 * protocol can be tested with real SDK clients on its own. Binds 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  type WireError,
  type WireProtocol,
  type WireRequest,
  WireRequestError,
  type WireResponse,
} from "../../src/sandbox/http/protocol.js";
import type { SimulatedAws } from "../../src/sandbox/sim/index.js";

export interface WireHarness {
  /** http://127.0.0.1:<port>, for a client's `endpoint`. */
  readonly url: string;
  /** Every request as the protocol received it, and what it answered. */
  readonly exchanges: { request: WireRequest; operation?: string; response: WireResponse }[];
  close(): Promise<void>;
}

/** Error fields that are the SDK's bookkeeping rather than members of the service's error. */
const NOT_MEMBERS = new Set(["name", "message", "stack", "Code", "Message"]);

/** A simulator's error as the protocol takes it: the SDK exception's code, message, status and other fields. */
export function wireErrorOf(error: unknown): WireError {
  if (!(error instanceof Error)) {
    return { name: "InternalError", message: String(error), status: 500, fault: "server" };
  }
  const sdk = error as Error & { $metadata?: { httpStatusCode?: number }; $fault?: "client" | "server" };
  const status = sdk.$metadata?.httpStatusCode ?? (sdk.$fault === undefined ? 500 : 400);
  const members = Object.fromEntries(
    Object.entries(error).filter(([key]) => !NOT_MEMBERS.has(key) && !key.startsWith("$")),
  );
  return {
    // A plain Error (e.g. "simulated AWS does not implement S3:…") is the server's failure, not a service error.
    name: sdk.$fault === undefined ? "InternalError" : error.name,
    message: error.message,
    status,
    fault: sdk.$fault ?? (status >= 500 ? "server" : "client"),
    members,
  };
}

/** Serves `protocol` in front of `sim` (anything with the simulator's `send`, e.g. a stub in a test). */
export async function serveWireProtocol(
  sim: Pick<SimulatedAws, "send">,
  service: string,
  protocol: WireProtocol,
): Promise<WireHarness> {
  const exchanges: WireHarness["exchanges"] = [];
  const sockets = new Set<Socket>();
  let requests = 0;

  const answer = async (wire: WireRequest): Promise<{ operation?: string; response: WireResponse }> => {
    const requestId = `SANDBOX${String(++requests).padStart(9, "0")}`;
    let parsed: ReturnType<WireProtocol["parse"]>;
    try {
      parsed = protocol.parse(wire);
    } catch (error) {
      if (!(error instanceof WireRequestError)) throw error;
      return {
        operation: error.operation,
        response: protocol.serializeError(error.operation, error, requestId),
      };
    }
    if (!parsed) {
      const unknown: WireError = {
        name: "NotImplemented",
        message: "A header you provided implies functionality that is not implemented",
        status: 501,
        fault: "server",
      };
      return { response: protocol.serializeError(undefined, unknown, requestId) };
    }
    const { operation, input } = parsed;
    try {
      const output = await sim.send(service, operation, input);
      return { operation, response: protocol.serialize(operation, output, requestId) };
    } catch (error) {
      return { operation, response: protocol.serializeError(operation, wireErrorOf(error), requestId) };
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const wire: WireRequest = {
      method: request.method ?? "GET",
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: request.headers,
      body: Buffer.concat(chunks),
    };
    const { operation, response: answered } = await answer(wire);
    exchanges.push({ request: wire, ...(operation ? { operation } : {}), response: answered });
    response.writeHead(answered.status, answered.headers);
    response.end(request.method === "HEAD" ? undefined : answered.body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
