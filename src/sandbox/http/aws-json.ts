/**
 * The AWS JSON 1.1 protocol (ECS, SSM, CloudWatch Logs), server side: the operation from X-Amz-Target, the
 * input from the JSON body, the output and errors as JSON. The SDK's own JSON codec (the one its clients use,
 * configured the same way) reads and writes the shapes, so timestamps are epoch seconds and blobs base64.
 */
import { JsonShapeDeserializer2, JsonShapeSerializer2 } from "@smithy/core/protocols";
import type { NormalizedSchema } from "@smithy/core/schema";
import type { WireError, WireProtocol, WireRequest, WireResponse } from "./protocol.js";
import type { ServiceModel } from "./service-models.js";

const CONTENT_TYPE = "application/x-amz-json-1.1";

// As AwsJsonRpcProtocol configures it: epoch-seconds timestamps unless a member says otherwise, member
// names as modeled (no jsonName).
const settings = { timestampFormat: { useTrait: true, default: 7 as const }, jsonName: false };

export function awsJsonProtocol(model: ServiceModel): WireProtocol {
  const targetPrefix = `${model.serviceTarget}.`;
  return {
    parse(request: WireRequest) {
      const target = String(request.headers["x-amz-target"] ?? "");
      if (!target.startsWith(targetPrefix)) return undefined;
      const operation = model.operations.get(target.slice(targetPrefix.length));
      if (!operation) return undefined;
      const text = request.body.toString("utf8");
      const parsed: unknown = text.trim() === "" ? {} : JSON.parse(text);
      const input = new JsonShapeDeserializer2(settings).readObject(
        operation.input,
        parsed as never,
      ) as Record<string, unknown>;
      return { operation: operation.name, input };
    },

    serialize(operation, output, requestId) {
      const known = model.operations.get(operation);
      if (!known) throw new Error(`${model.simName} has no operation ${operation}`);
      return json(200, requestId, writeJson(known.output, output ?? {}));
    },

    serializeError(_operation, error, requestId) {
      return json(error.status, requestId, errorBody(model, error));
    },
  };
}

/** `{"__type": code, "message": …}` plus the error's modeled members (the SDK reads `message` or `Message`). */
function errorBody(model: ServiceModel, error: WireError): string {
  const schema = model.errorSchema(error.name);
  const members =
    schema && error.members ? (JSON.parse(writeJson(schema, error.members)) as Record<string, unknown>) : {};
  return JSON.stringify({ __type: error.name, ...members, message: error.message });
}

function writeJson(schema: NormalizedSchema, value: unknown): string {
  const serializer = new JsonShapeSerializer2(settings);
  serializer.write(schema, value);
  const written = serializer.flush() as Uint8Array | string | undefined;
  if (written === undefined) return "{}";
  return typeof written === "string" ? written : new TextDecoder().decode(written);
}

function json(status: number, requestId: string, body: string): WireResponse {
  return {
    status,
    headers: { "content-type": CONTENT_TYPE, "x-amzn-requestid": requestId },
    body,
  };
}
