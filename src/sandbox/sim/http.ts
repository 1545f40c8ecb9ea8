// Serves the simulated ECS over local HTTP (the AWS JSON 1.1 protocol), so that the real SDK stack runs
// against it: endpoint and credential resolution, signing, retries, timeouts and the request handler.
// Requests can be scripted to misbehave the way networks and endpoints do. Used by the HTTP fault tests
// and the restart benchmark; binds 127.0.0.1 only.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { SimContext } from "./core.js";
import { type EcsSimulator, ecsCommands } from "./ecs.js";

const TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";

/**
 * How one request misbehaves: ECS's throttling error, a 5xx error, no answer at all, a connection reset
 * (the socket destroyed before any answer), an HTML page (a proxy, a captive portal, a wrong URL) or
 * ECS's AccessDeniedException (a policy without that action).
 */
export type HttpFault = "throttling" | "server-error" | "hang" | "reset" | "html" | "access-denied";

export interface HttpFaultRule {
  fault: HttpFault;
  /** Only requests for this operation, e.g. "DescribeServices"; any operation when left out. */
  command?: string;
  /** How many matching requests misbehave (default 1). */
  times?: number;
  /** Matching requests to answer normally first (default 0). */
  after?: number;
}

export interface RecordedRequest {
  /** The ECS operation, from the X-Amz-Target header. */
  command: string;
  input: Record<string, unknown>;
  headers: IncomingMessage["headers"];
  at: number;
  /** The fault applied to this request, if any. */
  fault?: HttpFault;
  /** When the client closed the connection of a request left unanswered ("hang"). */
  droppedAt?: number;
}

export interface SimHttpServer {
  /** http://127.0.0.1:<port>, for `endpoint` / `--endpoint-url`. */
  readonly url: string;
  /** Every request received, in arrival order, including those that misbehaved. */
  readonly requests: RecordedRequest[];
  /** Makes the next matching requests misbehave; rules apply in the order given. */
  inject(rule: HttpFaultRule): void;
  /** Calls `listener` with each request as it arrives (before it is answered or left hanging). */
  onRequest(listener: (request: RecordedRequest) => void): void;
  /** Requests of one operation. */
  requestsOf(command: string): RecordedRequest[];
  /** Stops listening and drops every open connection, hung requests included. */
  close(): Promise<void>;
}

interface ActiveRule {
  fault: HttpFault;
  command: string | undefined;
  remaining: number;
  skip: number;
}

function toWire(_key: string, value: unknown): unknown {
  // The AWS JSON protocol sends timestamps as epoch seconds.
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) {
    return Date.parse(value) / 1000;
  }
  return value;
}

function takeFault(rules: ActiveRule[], command: string): HttpFault | undefined {
  for (const rule of rules) {
    if (rule.remaining === 0 || (rule.command !== undefined && rule.command !== command)) continue;
    if (rule.skip > 0) {
      rule.skip--;
      continue;
    }
    rule.remaining--;
    return rule.fault;
  }
  return undefined;
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  response.statusCode = status;
  response.setHeader("content-type", "application/x-amz-json-1.1");
  response.end(JSON.stringify({ __type: type, message }));
}

function misbehave(fault: HttpFault, request: IncomingMessage, response: ServerResponse): void {
  switch (fault) {
    case "throttling":
      sendError(response, 400, "ThrottlingException", "Rate exceeded");
      return;
    case "server-error":
      sendError(response, 500, "ServerException", "Service encountered an internal error.");
      return;
    case "access-denied": {
      const action = String(request.headers["x-amz-target"] ?? "").replace(TARGET_PREFIX, "");
      sendError(
        response,
        400,
        "AccessDeniedException",
        `User: arn:aws:iam::123456789012:user/test is not authorized to perform: ecs:${action} on resource: *`,
      );
      return;
    }
    case "hang":
      return;
    case "reset":
      request.socket.destroy();
      return;
    case "html":
      response.statusCode = 200;
      response.setHeader("content-type", "text/html; charset=utf-8");
      response.end("<!DOCTYPE html><html><head><title>Welcome</title></head><body>It works!</body></html>");
      return;
  }
}

function callerIdentity(account: string): string {
  return (
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
    `<Arn>arn:aws:iam::${account}:user/test</Arn><UserId>AIDATESTONLY</UserId><Account>${account}</Account>` +
    `</GetCallerIdentityResult><ResponseMetadata><RequestId>sim</RequestId></ResponseMetadata>` +
    `</GetCallerIdentityResponse>`
  );
}

/** Starts the server on 127.0.0.1 and a free port: ECS, and STS's GetCallerIdentity. */
export async function serveEcs(ecs: EcsSimulator, context: SimContext): Promise<SimHttpServer> {
  const requests: RecordedRequest[] = [];
  const rules: ActiveRule[] = [];
  const sockets = new Set<Socket>();
  const listeners: ((request: RecordedRequest) => void)[] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const target = request.headers["x-amz-target"];
    // Every plan starts with STS GetCallerIdentity (the query protocol: a form body, an XML answer).
    const query = target === undefined ? new URLSearchParams(body) : undefined;
    const command = query ? (query.get("Action") ?? "") : String(target).replace(TARGET_PREFIX, "");
    const input = query ? Object.fromEntries(query) : (JSON.parse(body || "{}") as Record<string, unknown>);
    const fault = takeFault(rules, command);
    const recorded: RecordedRequest = { command, input, headers: request.headers, at: Date.now() };
    if (fault) recorded.fault = fault;
    requests.push(recorded);
    for (const listener of listeners) listener(recorded);
    if (fault === "hang") {
      request.socket.once("close", () => {
        recorded.droppedAt = Date.now();
      });
    }
    if (fault) {
      misbehave(fault, request, response);
      return;
    }
    if (command === "GetCallerIdentity") {
      response.setHeader("content-type", "text/xml");
      response.end(callerIdentity(context.accountId));
      return;
    }
    const entry = ecsCommands[command as keyof typeof ecsCommands];
    if (!entry) {
      sendError(response, 400, "UnknownOperationException", `not simulated: ${command}`);
      return;
    }
    try {
      context.clock.advance();
      const method = ecs[entry[1]] as (input: unknown) => unknown;
      const output = method.call(ecs, input);
      response.setHeader("content-type", "application/x-amz-json-1.1");
      response.end(JSON.stringify(output, toWire));
    } catch (error) {
      sendError(response, 400, (error as Error).name, (error as Error).message);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendError(response, 500, "InternalError", String(error));
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
    requests,
    inject: (rule) =>
      rules.push({
        fault: rule.fault,
        command: rule.command,
        remaining: rule.times ?? 1,
        skip: rule.after ?? 0,
      }),
    onRequest: (listener) => {
      listeners.push(listener);
    },
    requestsOf: (command) => requests.filter((request) => request.command === command),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
