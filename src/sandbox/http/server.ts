/**
 * Serves the simulated AWS over local HTTP, one endpoint for all eight services, so that the real SDK clients
 * run against it end to end: endpoint and credential resolution, serialization, signing, retries, timeouts and
 * the request handler. Each request goes to its service by the signing name of its SigV4 credential scope
 * (`Credential=<key>/<date>/<region>/<service>/aws4_request`), is read with that service's wire protocol and
 * answered by `sim.send`. Requests can be scripted to misbehave (faults.ts). Binds 127.0.0.1 only.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { IdSource } from "../sim/core.js";
import { faultError } from "../sim/errors.js";
import type { SimulatedAws } from "../sim/index.js";
import { awsJsonProtocol } from "./aws-json.js";
import { awsQueryProtocol, ec2QueryProtocol } from "./aws-query.js";
import {
  errorProfiles,
  type HttpFault,
  type HttpFaultRule,
  HttpFaultRules,
  htmlPage,
  serviceErrorFaults,
} from "./faults.js";
import {
  type WireError,
  type WireProtocol,
  type WireRequest,
  WireRequestError,
  type WireResponse,
} from "./protocol.js";
import { restXmlProtocol } from "./rest-xml.js";
import { type ServiceModel, type SigningName, serviceModel, signingNames } from "./service-models.js";
import { networkFault, toWireError } from "./wire-error.js";

export type { HttpFault, HttpFaultRule } from "./faults.js";

/** How a service speaks, and the error code it answers an operation it does not know with. */
interface ProtocolEntry {
  create(model: ServiceModel): WireProtocol;
  unknownOperation: string;
}

const awsJson: ProtocolEntry = { create: awsJsonProtocol, unknownOperation: "UnknownOperationException" };
const awsQuery: ProtocolEntry = { create: awsQueryProtocol, unknownOperation: "InvalidAction" };

/** Each service's wire protocol; a service without one is answered with S3's NotImplemented error. */
export const wireProtocols: Record<SigningName, ProtocolEntry | undefined> = {
  ecs: awsJson,
  ssm: awsJson,
  logs: awsJson,
  rds: awsQuery,
  iam: awsQuery,
  sts: awsQuery,
  ec2: { create: ec2QueryProtocol, unknownOperation: "InvalidAction" },
  s3: { create: () => restXmlProtocol, unknownOperation: "NotImplemented" },
};

export interface RecordedRequest {
  /** The simulator's name of the service ("ECS", "EC2", "CloudWatchLogs"…); "" when the request named none. */
  service: string;
  /** The operation, e.g. "DescribeServices"; "" when the request named none the service knows. */
  command: string;
  /** The input as the server read it (the SDK's input shape). */
  input: Record<string, unknown>;
  headers: IncomingMessage["headers"];
  /** `Date.now()` when the request arrived. */
  at: number;
  /** The fault applied to this request, if any. */
  fault?: HttpFault;
  /** When the client closed the connection of a request left unanswered ("hang"). */
  droppedAt?: number;
}

export interface SimHttpServer {
  /** http://127.0.0.1:<port>, for `endpoint` / `--endpoint-url` / AWS_ENDPOINT_URL. */
  readonly url: string;
  /** Every request received, in arrival order, including those that misbehaved. */
  readonly requests: RecordedRequest[];
  /** Makes the next matching requests misbehave; rules apply in the order given. */
  inject(rule: HttpFaultRule): void;
  /** Calls `listener` with each request as it arrives (before it is answered or left hanging). */
  onRequest(listener: (request: RecordedRequest) => void): void;
  /** Requests of one operation (of one service, when given). */
  requestsOf(command: string, service?: string): RecordedRequest[];
  /** Stops listening and drops every open connection, hung requests included. */
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Neither the server nor its connections keep the Node process alive (the CLI serves in-process). */
  unref?: boolean;
}

/** Where a request goes: its service and how that service speaks. */
interface Route {
  model: ServiceModel;
  protocol: WireProtocol | undefined;
  unknownOperation: string;
}

/** Starts serving `sim` on 127.0.0.1 and a free port. */
export async function serveSimulatedAws(
  sim: SimulatedAws,
  options: ServeOptions = {},
): Promise<SimHttpServer> {
  const requests: RecordedRequest[] = [];
  const rules = new HttpFaultRules();
  const listeners: ((request: RecordedRequest) => void)[] = [];
  const sockets = new Set<Socket>();
  const routes = new Map<SigningName, Route>();
  const profiles = errorProfiles(sim);
  const ids = new IdSource();

  const routeOf = (request: IncomingMessage): Route | undefined => {
    const signingName = signingNameOf(request.headers.authorization);
    if (signingName === undefined) return undefined;
    let route = routes.get(signingName);
    if (!route) {
      const model = serviceModel(signingName);
      const entry = wireProtocols[signingName];
      route = { model, protocol: entry?.create(model), unknownOperation: entry?.unknownOperation ?? "" };
      routes.set(signingName, route);
    }
    return route;
  };

  /** The service's own error for a fault that is one (throttling, a 5xx, access denied). */
  const serviceError = (route: Route, fault: HttpFault, command: string, input: unknown): WireError => {
    const profile = profiles.get(route.model.simName);
    const kind = serviceErrorFaults[fault];
    if (!profile || !kind) throw new Error(`no ${fault} error for ${route.model.simName}`);
    const principalArn = sim.sts.getCallerIdentity({}).Arn ?? "";
    return toWireError(faultError(kind, profile, { command, input }, { principalArn, ids }));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const wire = await wireRequest(request);
    const requestId = randomUUID();
    const route = routeOf(request);
    let parsed: ReturnType<WireProtocol["parse"]>;
    let malformed: WireError | undefined;
    let malformedOperation: string | undefined;
    try {
      parsed = route?.protocol?.parse(wire);
    } catch (error) {
      // S3 refuses some requests before any operation runs (a bad checksum, malformed XML), in its own words.
      if (error instanceof WireRequestError) {
        malformed = error;
        malformedOperation = error.operation;
      } else {
        malformed = { name: "SerializationException", message: String(error), status: 400, fault: "client" };
      }
    }
    const recorded: RecordedRequest = {
      service: route?.model.simName ?? "",
      command: parsed?.operation ?? "",
      input: parsed?.input ?? {},
      headers: request.headers,
      at: Date.now(),
    };
    const fault = rules.take(recorded.service, recorded.command);
    if (fault) recorded.fault = fault;
    requests.push(recorded);
    for (const listener of listeners) listener(recorded);

    if (fault === "hang" || fault === "reset" || fault === "html") {
      actOut(fault, request, response, recorded);
      return;
    }
    if (!route) {
      send(response, unroutable(request.headers.authorization, requestId));
      return;
    }
    const { model, protocol } = route;
    if (!protocol) {
      send(response, notImplemented(model, requestId));
      return;
    }
    if (malformed || !parsed) {
      const message = `${model.simName} has no operation named by this request (the sandbox serves ${[...model.operations.keys()].join(", ")})`;
      const error = malformed ?? { name: route.unknownOperation, message, status: 400, fault: "client" };
      send(response, protocol.serializeError(malformedOperation, error, requestId));
      return;
    }
    const { operation, input } = parsed;
    if (fault) {
      send(
        response,
        protocol.serializeError(operation, serviceError(route, fault, operation, input), requestId),
      );
      return;
    }
    try {
      const output = await sim.send(model.simName, operation, input);
      send(response, protocol.serialize(operation, output, requestId));
    } catch (error) {
      const acted = networkFault(error);
      if (acted) actOut(acted, request, response, recorded);
      else send(response, protocol.serializeError(operation, toWireError(error), requestId));
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return;
      response.statusCode = 500;
      response.setHeader("content-type", "text/plain");
      response.end(`the sandbox's HTTP server failed: ${String(error)}`);
    });
  });
  server.on("connection", (socket) => {
    if (options.unref) socket.unref();
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  if (options.unref) server.unref();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (rule) => rules.inject(rule),
    onRequest: (listener) => {
      listeners.push(listener);
    },
    requestsOf: (command, service) =>
      requests.filter(
        (request) => request.command === command && (service === undefined || request.service === service),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The signing name of the request's SigV4 credential scope, when it is one of the simulated services. */
function signingNameOf(authorization: string | undefined): SigningName | undefined {
  const scope = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(authorization ?? "");
  const name = scope?.[1];
  return signingNames.find((known) => known === name);
}

async function wireRequest(request: IncomingMessage): Promise<WireRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // Keep a path that is not valid percent-encoding as it came.
  }
  return {
    method: request.method ?? "GET",
    path,
    query: url.searchParams,
    headers: request.headers,
    body: Buffer.concat(chunks),
  };
}

/** The faults that are not answers: no answer, a dropped connection, a page that is not AWS's. */
function actOut(
  fault: "hang" | "reset" | "html",
  request: IncomingMessage,
  response: ServerResponse,
  recorded: RecordedRequest,
): void {
  switch (fault) {
    case "hang":
      request.socket.once("close", () => {
        recorded.droppedAt = Date.now();
      });
      return;
    case "reset":
      request.socket.destroy();
      return;
    case "html":
      send(response, {
        status: 200,
        headers: { "content-type": "text/html; charset=utf-8" },
        body: htmlPage,
      });
      return;
  }
}

function send(response: ServerResponse, answer: WireResponse): void {
  response.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  response.end(answer.body);
}

/** No SigV4 credential scope naming a simulated service: AWS's query-style error, saying what is served. */
function unroutable(authorization: string | undefined, requestId: string): WireResponse {
  const [code, status, message] =
    authorization === undefined
      ? [
          "MissingAuthenticationToken",
          403,
          "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
        ]
      : [
          "UnknownService",
          400,
          `the sandbox serves ${signingNames.join(", ")}; this request's credential scope names none of them`,
        ];
  const body =
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status, headers: { "content-type": "text/xml" }, body };
}

/** S3's own error for what a server does not implement, until its REST-XML protocol is plugged in. */
function notImplemented(model: ServiceModel, requestId: string): WireResponse {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code>` +
    `<Message>the sandbox does not serve ${model.simName} over HTTP yet</Message>` +
    `<RequestId>${requestId}</RequestId></Error>`;
  return { status: 501, headers: { "content-type": "application/xml" }, body };
}
