/**
 * Amazon S3's REST-XML wire protocol, server side: path-style requests (`PUT /bucket?tagging`,
 * `GET /bucket/some/key`) read into an operation and its input, outputs and errors written the way S3 writes
 * them. Everything comes from the SDK's static schemas (rest-xml-routes.ts): which member is a path label, a
 * query key, a header, a prefix-header map or the payload, and how XML names, flattens and formats members
 * (rest-xml-shapes.ts). No operation has code of its own.
 *
 * What the SDK (S3RestXmlProtocol, on AwsRestXmlProtocol) reads back:
 * - an output's header members, its payload member (XML named after the shape, or the raw bytes of a blob), or
 *   its other members in one XML element named after the output (its xmlName), in S3's namespace;
 * - an error's `<Error><Code/><Message/>…</Error>`: the code picks the modeled exception class, or the base
 *   S3ServiceException named after the code; other elements (BucketName…) land on the exception;
 * - a HEAD error has no body: the SDK only knows the status (404 is NotFound);
 * - x-amz-bucket-region on a 301 (and on HEAD errors), which `followRegionRedirects` follows.
 */
import type { NormalizedSchema } from "@smithy/core/schema";
import {
  type WireError,
  type WireProtocol,
  type WireRequest,
  WireRequestError,
  type WireResponse,
} from "./protocol.js";
import { checkIntegrity, decodeBody, type HeaderMap, headerMap } from "./rest-xml-payload.js";
import { errorSchemaOf, matchRoute, type RestXmlRoute, routeOfOperation } from "./rest-xml-routes.js";
import {
  readHeader,
  readScalar,
  readStructure,
  readXml,
  rootElementName,
  ShapeValueError,
  writeHeader,
  writeXml,
} from "./rest-xml-shapes.js";
import { parseXml, renderXml, type XmlElement, xmlElement } from "./xml-tree.js";

export const S3_XML_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

const MALFORMED_XML =
  "The XML you provided was not well-formed or did not validate against our published schema";

/** Error members written elsewhere than as elements of their own. */
const ERROR_ENVELOPE = new Set(["Code", "Message", "message", "RequestId", "HostId", "BucketRegion"]);

export const restXmlProtocol: WireProtocol = {
  parse(request) {
    const headers = headerMap(request.headers);
    const matched = matchRoute(request.method, request.path, request.query, headers);
    if (!matched) return undefined;
    const { route, labels } = matched;
    const decoded = decodeBody(request.body, headers, route.operation);
    checkIntegrity(decoded.body, decoded.headers, route.operation);
    return { operation: route.operation, input: bindInput(route, labels, request, decoded) };
  },

  serialize(operation, output, requestId) {
    const route = routeOfOperation(operation);
    if (!route) throw new Error(`rest-xml: S3 has no operation ${operation}`);
    return writeOutput(route, (output ?? {}) as Record<string, unknown>, requestId);
  },

  serializeError(operation, error, requestId) {
    const headers = { ...commonHeaders(requestId) };
    const region = bucketRegionOf(error);
    if (region) headers["x-amz-bucket-region"] = region;
    // A HEAD response has no body, whatever went wrong.
    if (operation !== undefined && routeOfOperation(operation)?.method === "HEAD") {
      return { status: error.status, headers, body: "" };
    }
    headers["content-type"] = "application/xml";
    return { status: error.status, headers, body: renderXml(errorElement(error, requestId)) };
  },
};

// ===============================================================================================
// Requests

function bindInput(
  route: RestXmlRoute,
  labels: Record<string, string>,
  request: WireRequest,
  decoded: { body: Buffer; headers: HeaderMap },
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const { body, headers } = decoded;
  const boundQueryKeys = new Set(route.literals.map(([key]) => key));
  let hasBodyMembers = false;
  const operation = route.operation;
  const fromBody = <T>(what: () => T): T => refusing(what, () => malformedXml(operation));
  const fromArgument = <T>(argument: string, text: string, what: () => T): T =>
    refusing(what, () => invalidArgument(operation, argument, text));
  for (const [name, member] of route.input.structIterator()) {
    const traits = member.getMergedTraits();
    if (traits.httpLabel) {
      const label = labels[name];
      if (label !== undefined)
        input[name] = fromArgument(name, label, () => readScalar(member, label, "label"));
    } else if (traits.httpQuery) {
      boundQueryKeys.add(traits.httpQuery);
      const key = traits.httpQuery;
      const values = request.query.getAll(key);
      if (values.length === 0) continue;
      input[name] = fromArgument(key, values.join(","), () =>
        member.isListSchema()
          ? values.map((value) => readScalar(member.getValueSchema(), value, "query"))
          : readScalar(member, values[0] as string, "query"),
      );
    } else if (traits.httpHeader) {
      const header = traits.httpHeader.toLowerCase();
      const value = headers[header];
      if (value !== undefined) input[name] = fromArgument(header, value, () => readHeader(member, value));
    } else if (typeof traits.httpPrefixHeaders === "string") {
      const prefix = traits.httpPrefixHeaders.toLowerCase();
      const entries = Object.entries(headers).filter(([header]) => header.startsWith(prefix));
      if (entries.length === 0) continue;
      const value = member.getValueSchema();
      input[name] = Object.fromEntries(
        entries.map(([header, text]) => [
          header.slice(prefix.length),
          fromArgument(header, text, () => readHeader(value, text)),
        ]),
      );
    } else if (traits.httpPayload) {
      const payload = fromBody(() => readPayload(member, body));
      if (payload !== undefined) input[name] = payload;
    } else if (!traits.httpQueryParams && !traits.httpResponseCode) {
      hasBodyMembers = true;
    }
  }
  for (const [name, member] of route.input.structIterator()) {
    if (!member.getMergedTraits().httpQueryParams) continue;
    const rest = [...request.query.keys()].filter((key) => !boundQueryKeys.has(key));
    if (rest.length > 0) input[name] = Object.fromEntries(rest.map((key) => [key, request.query.get(key)]));
  }
  if (hasBodyMembers && body.length > 0) {
    const root = fromBody(() => parseXml(body.toString("utf8")));
    Object.assign(
      input,
      fromBody(() => readStructure(route.input, root, isBodyMember)),
    );
  }
  return input;
}

/** The payload member's value: XML for a structure (root named after it, as S3 checks), bytes, or text. */
function readPayload(member: NormalizedSchema, body: Buffer): unknown {
  if (member.isBlobSchema()) return body;
  if (member.isStringSchema()) return body.length > 0 ? body.toString("utf8") : undefined;
  if (body.length === 0) return undefined;
  const root = parseXml(body.toString("utf8"));
  const expected = member.getMemberTraits().xmlName ?? rootElementName(member);
  if (root.name.replace(/^[\w.-]+:/, "") !== expected)
    throw new ShapeValueError(`<${root.name}> is no <${expected}>`);
  return readXml(member, root);
}

/** Runs `what`, turning a body or a value S3 would not accept into the error `refusal` builds. */
function refusing<T>(what: () => T, refusal: () => WireRequestError): T {
  try {
    return what();
  } catch (error) {
    if (error instanceof WireRequestError) throw error;
    throw refusal();
  }
}

function malformedXml(operation: string): WireRequestError {
  return new WireRequestError({ name: "MalformedXML", message: MALFORMED_XML, operation });
}

/** S3 names the header or query key it refuses, and the value, in the error's ArgumentName / ArgumentValue. */
function invalidArgument(operation: string, argument: string, value: string): WireRequestError {
  return new WireRequestError({
    name: "InvalidArgument",
    message: `Invalid value for ${argument}`,
    operation,
    members: { ArgumentName: argument, ArgumentValue: value },
  });
}

function isBodyMember(member: NormalizedSchema): boolean {
  const traits = member.getMergedTraits();
  return !(
    traits.httpLabel ||
    traits.httpQuery ||
    traits.httpHeader ||
    typeof traits.httpPrefixHeaders === "string" ||
    traits.httpPayload ||
    traits.httpQueryParams ||
    traits.httpResponseCode
  );
}

// ===============================================================================================
// Responses

function commonHeaders(requestId: string): Record<string, string> {
  // x-amz-id-2 is S3's extended request id; any opaque token does.
  return {
    "x-amz-request-id": requestId,
    "x-amz-id-2": Buffer.from(`sandbox/${requestId}`).toString("base64"),
  };
}

function writeOutput(route: RestXmlRoute, output: Record<string, unknown>, requestId: string): WireResponse {
  const headers = commonHeaders(requestId);
  let status = route.status;
  let body: string | Buffer = "";
  let hasBodyMembers = false;
  for (const [name, member] of route.output.structIterator()) {
    const traits = member.getMergedTraits();
    const value = output[name];
    if (isBodyMember(member)) hasBodyMembers = true;
    if (value == null) continue;
    if (traits.httpHeader) {
      headers[traits.httpHeader.toLowerCase()] = writeHeader(member, value);
    } else if (typeof traits.httpPrefixHeaders === "string") {
      const prefix = traits.httpPrefixHeaders.toLowerCase();
      for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
        if (entry != null)
          headers[`${prefix}${key.toLowerCase()}`] = writeHeader(member.getValueSchema(), entry);
      }
    } else if (traits.httpResponseCode) {
      status = Number(value);
    } else if (traits.httpPayload) {
      body = writePayload(member, value, headers);
    }
  }
  if (hasBodyMembers) {
    const root = writeXml(route.output, output, rootElementName(route.output), isBodyMember);
    body = renderXml(withNamespace(root));
    headers["content-type"] = "application/xml";
  }
  if (route.method === "HEAD") body = "";
  return { status, headers, body };
}

function writePayload(
  member: NormalizedSchema,
  value: unknown,
  headers: Record<string, string>,
): string | Buffer {
  if (value instanceof Uint8Array) {
    headers["content-type"] ??= "application/octet-stream";
    return Buffer.from(value);
  }
  if (typeof value === "string" && !member.isStructSchema()) {
    headers["content-type"] ??= "text/plain";
    return value;
  }
  const name = member.getMemberTraits().xmlName ?? rootElementName(member);
  headers["content-type"] = "application/xml";
  return renderXml(withNamespace(writeXml(member, value, name)));
}

function withNamespace(root: XmlElement): XmlElement {
  root.attributes = { xmlns: S3_XML_NAMESPACE, ...root.attributes };
  return root;
}

/**
 * `<Error>` with the code, the message, the modeled members of the code's exception (S3ServiceException
 * subclasses such as InvalidObjectState), the other members as text (BucketName, Bucket, Endpoint…), and the ids.
 */
function errorElement(error: WireError, requestId: string): XmlElement {
  const element = xmlElement("Error", {
    children: [xmlElement("Code", { text: error.name }), xmlElement("Message", { text: error.message })],
  });
  const members = error.members ?? {};
  const schema = errorSchemaOf(error.name);
  const modeled = new Set<string>();
  if (schema) {
    for (const child of writeXml(schema, members, "Error").children) element.children.push(child);
    for (const [name] of schema.structIterator()) modeled.add(name);
  }
  for (const [name, value] of Object.entries(members)) {
    if (ERROR_ENVELOPE.has(name) || modeled.has(name) || name.startsWith("$") || value == null) continue;
    const text =
      value instanceof Date ? value.toISOString() : typeof value === "object" ? undefined : String(value);
    if (text !== undefined) element.children.push(xmlElement(name, { text }));
  }
  element.children.push(xmlElement("RequestId", { text: requestId }));
  element.children.push(xmlElement("HostId", { text: commonHeaders(requestId)["x-amz-id-2"] ?? "" }));
  return element;
}

/**
 * The region S3 names in x-amz-bucket-region: a `BucketRegion` member, else the one in a PermanentRedirect's
 * Endpoint (`<bucket>.s3.<region>.amazonaws.com`).
 */
function bucketRegionOf(error: WireError): string | undefined {
  const members = error.members ?? {};
  if (typeof members.BucketRegion === "string") return members.BucketRegion;
  const endpoint = members.Endpoint;
  if (typeof endpoint !== "string") return undefined;
  return /\.s3[.-]([a-z0-9-]+)\.amazonaws\.com$/.exec(endpoint)?.[1];
}
