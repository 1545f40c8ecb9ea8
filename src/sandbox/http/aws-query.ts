/**
 * The AWS query protocols, server side: awsQuery (RDS, IAM, STS) and its EC2 variant ec2Query. Both take a
 * form-encoded `Action=…&Version=…` request and answer in XML; they differ in the input's key names
 * (query-input.ts), the answer's envelope and the error document:
 *
 *   awsQuery  <OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>
 *             <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
 *   ec2Query  <OpResponse xmlns=…><requestId/>…</OpResponse>
 *             <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
 */
import type { NormalizedSchema } from "@smithy/core/schema";
import type { WireError, WireProtocol, WireRequest, WireResponse } from "./protocol.js";
import { readQueryInput } from "./query-input.js";
import type { ServiceModel } from "./service-models.js";
import { escapeXml, xmlContent, xmlElement } from "./xml-output.js";

export function awsQueryProtocol(model: ServiceModel): WireProtocol {
  const xmlns = xmlnsOf(model);
  return {
    parse: (request) => parseQuery(model, request, { ec2: false }),
    serialize(operation, output, requestId) {
      const schema = outputSchema(model, operation);
      const result = schema.isUnitSchema()
        ? ""
        : xmlElement(`${operation}Result`, xmlContent(schema, output ?? {}));
      const metadata = xmlElement("ResponseMetadata", xmlElement("RequestId", escapeXml(requestId)));
      return xml(200, requestId, xmlElement(`${operation}Response`, result + metadata, xmlns));
    },
    serializeError(_operation, error, requestId) {
      const errorSchema = model.errorSchema(error.name);
      const type = error.fault === "server" ? "Receiver" : "Sender";
      const body =
        xmlElement("Type", type) +
        xmlElement("Code", escapeXml(queryErrorCode(errorSchema, error))) +
        xmlElement("Message", escapeXml(error.message)) +
        errorMembers(errorSchema, error);
      const document = xmlElement(
        "ErrorResponse",
        xmlElement("Error", body) + xmlElement("RequestId", escapeXml(requestId)),
        xmlns,
      );
      return xml(error.status, requestId, document);
    },
  };
}

export function ec2QueryProtocol(model: ServiceModel): WireProtocol {
  const xmlns = xmlnsOf(model);
  return {
    parse: (request) => parseQuery(model, request, { ec2: true }),
    serialize(operation, output, requestId) {
      const schema = outputSchema(model, operation);
      const members = schema.isUnitSchema() ? "" : xmlContent(schema, output ?? {});
      const body = xmlElement("requestId", escapeXml(requestId)) + members;
      return xml(200, requestId, xmlElement(`${operation}Response`, body, xmlns));
    },
    serializeError(_operation, error, requestId) {
      // EC2 models no errors: every error is its code and message.
      const detail =
        xmlElement("Code", escapeXml(error.name)) + xmlElement("Message", escapeXml(error.message));
      const document = xmlElement(
        "Response",
        xmlElement("Errors", xmlElement("Error", detail)) + xmlElement("RequestID", escapeXml(requestId)),
      );
      return xml(error.status, requestId, document);
    },
  };
}

/**
 * The answers' namespace. AWS writes it with a trailing slash, which EC2's SDK setting leaves out
 * ("http://ec2.amazonaws.com/doc/2016-11-15"; the EC2 API Reference's example responses end in "/").
 */
function xmlnsOf(model: ServiceModel): string {
  const namespace = model.xmlNamespace.endsWith("/") ? model.xmlNamespace : `${model.xmlNamespace}/`;
  return ` xmlns="${namespace}"`;
}

function parseQuery(
  model: ServiceModel,
  request: WireRequest,
  options: { ec2: boolean },
): { operation: string; input: Record<string, unknown> } | undefined {
  // The SDK POSTs a form; AWS also takes the parameters in the query string.
  const params = new URLSearchParams(request.query);
  for (const [key, value] of new URLSearchParams(request.body.toString("utf8"))) params.append(key, value);
  const operation = model.operations.get(params.get("Action") ?? "");
  if (!operation) return undefined;
  return { operation: operation.name, input: readQueryInput(operation.input, params, options) };
}

function outputSchema(model: ServiceModel, operation: string): NormalizedSchema {
  const known = model.operations.get(operation);
  if (!known) throw new Error(`${model.simName} has no operation ${operation}`);
  return known.output;
}

/**
 * The code on the wire: a modeled error's awsQueryError code, which can differ from its shape name (RDS's
 * DBInstanceNotFoundFault is `DBInstanceNotFound`), else the error's name.
 */
function queryErrorCode(schema: NormalizedSchema | undefined, error: WireError): string {
  const code = (schema?.getMergedTraits().awsQueryError as unknown[] | undefined)?.[0];
  return typeof code === "string" ? code : error.name;
}

/** The error's other modeled members, beside Type, Code and Message, where the SDK looks for them. */
function errorMembers(schema: NormalizedSchema | undefined, error: WireError): string {
  if (!schema || !error.members) return "";
  const members = Object.fromEntries(
    Object.entries(error.members).filter(([name]) => name !== "message" && name !== "Message"),
  );
  return xmlContent(schema, members);
}

function xml(status: number, requestId: string, body: string): WireResponse {
  return { status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}
