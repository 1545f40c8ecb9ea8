/**
 * Which S3 operation a path-style request names, from the SDK's static operation schemas: each carries its
 * `http` trait, [method, URI pattern with {Key+} labels and literal query keys, success status]. The bucket is
 * not in those patterns (the SDK's endpoint rules put it in front of the path, or in the host name); with
 * `forcePathStyle` a request reads `/<bucket><pattern>`.
 *
 * Every operation of the model is routed, not only those the simulator answers, so that e.g.
 * `PUT /bucket?versioning` is PutBucketVersioning (which the simulator refuses as not implemented) rather than
 * CreateBucket, the only operation `PUT /bucket` names without a literal query key.
 */
import * as s3Model from "@aws-sdk/client-s3";
import { NormalizedSchema, translateTraits } from "@smithy/core/schema";
import type { StaticErrorSchema, StaticOperationSchema } from "@smithy/types";

export interface RestXmlRoute {
  operation: string;
  method: string;
  /** Whether the input names a bucket (a `Bucket` label): its path then starts with `/<bucket>`. */
  bucketed: boolean;
  /** Matches the path after the bucket; its groups are `labels`, in order. */
  pattern: RegExp;
  labels: string[];
  /** Literal query keys and values ("" for a key without value, e.g. `?versioning`). */
  literals: [string, string][];
  /** The headers and query keys of required input members: a request without them names another operation. */
  requiredHeaders: string[];
  requiredQuery: string[];
  /** The status of a success. */
  status: number;
  input: NormalizedSchema;
  output: NormalizedSchema;
}

/** The SDK adds `x-id=<Operation>` to tell apart operations S3 itself tells apart by their headers. */
const OPERATION_ID = "x-id";

const OPERATION_SCHEMA = 9;
const ERROR_SCHEMA = -3;

function isOperationSchema(value: unknown): value is StaticOperationSchema {
  return Array.isArray(value) && value[0] === OPERATION_SCHEMA && typeof value[2] === "string";
}

function isErrorSchema(value: unknown): value is StaticErrorSchema {
  return Array.isArray(value) && value[0] === ERROR_SCHEMA && typeof value[2] === "string";
}

function routeOf(schema: StaticOperationSchema): RestXmlRoute | undefined {
  const http = translateTraits(schema[3]).http;
  if (!http) return undefined;
  const [method, uri, status] = http;
  const [path = "/", search = ""] = uri.split("?");
  const labels: string[] = [];
  const source = path
    .split(/(\{[^{}]+\})/)
    .map((part) => {
      const label = /^\{([^{}+]+)(\+)?\}$/.exec(part);
      if (!label) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      labels.push(label[1] as string);
      return label[2] ? "(.+)" : "([^/]+)";
    })
    .join("");
  const input = NormalizedSchema.of(schema[4]);
  const bucket = input.isStructSchema() ? input.getMemberSchemas().Bucket : undefined;
  const required = requiredMembers(input);
  return {
    operation: schema[2],
    method,
    bucketed: Boolean(bucket?.getMergedTraits().httpLabel),
    // "/" also matches the bucket alone, without the trailing slash.
    pattern: new RegExp(path === "/" ? "^/?$" : `^${source}$`),
    labels,
    literals: [...new URLSearchParams(search)],
    requiredHeaders: required.flatMap((member) => member.getMergedTraits().httpHeader?.toLowerCase() ?? []),
    requiredQuery: required.flatMap((member) => member.getMergedTraits().httpQuery ?? []),
    status,
    input,
    output: NormalizedSchema.of(schema[5]),
  };
}

/** A structure's required members: a static structure schema lists them first and counts them at index 6. */
function requiredMembers(structure: NormalizedSchema): NormalizedSchema[] {
  if (!structure.isStructSchema()) return [];
  const count = (structure.getSchema() as unknown[])[6];
  return [...structure.structIterator()]
    .slice(0, typeof count === "number" ? count : 0)
    .map(([, member]) => member);
}

const routes: RestXmlRoute[] = Object.values(s3Model)
  .filter(isOperationSchema)
  .flatMap((schema) => routeOf(schema) ?? []);

const routesByOperation = new Map(routes.map((route) => [route.operation, route]));

/** S3's modeled errors (NoSuchBucket, BucketAlreadyExists…) by code, for their modeled members. */
const errorSchemas = new Map(
  Object.values(s3Model)
    .filter(isErrorSchema)
    .map((schema) => [schema[2], NormalizedSchema.of(schema)] as const),
);

export function routeOfOperation(operation: string): RestXmlRoute | undefined {
  return routesByOperation.get(operation);
}

export function errorSchemaOf(code: string): NormalizedSchema | undefined {
  return errorSchemas.get(code);
}

/** Every operation of the model, for tests. */
export function allRoutes(): readonly RestXmlRoute[] {
  return routes;
}

/**
 * The operation a request names and its path labels (Bucket and e.g. Key), or undefined. When several
 * operations match, the one with the most literal query keys wins (`GET /b?versions` over `GET /b`); one whose
 * required headers or query keys are missing does not match (`PUT /b/k` without x-amz-copy-source is no
 * CopyObject).
 */
export function matchRoute(
  method: string,
  path: string,
  query: URLSearchParams,
  headers: Readonly<Record<string, unknown>> = {},
): { route: RestXmlRoute; labels: Record<string, string> } | undefined {
  const bucketPath = /^\/([^/]+)(\/.*)?$/.exec(path);
  let best: { route: RestXmlRoute; labels: Record<string, string>; score: number } | undefined;
  for (const route of routes) {
    if (route.method !== method.toUpperCase()) continue;
    const rest = route.bucketed ? bucketPath?.[2] : path;
    if (route.bucketed && !bucketPath) continue;
    const match = route.pattern.exec(rest ?? "/");
    if (!match) continue;
    if (route.requiredHeaders.some((header) => headers[header] === undefined)) continue;
    if (route.requiredQuery.some((key) => !query.has(key))) continue;
    const score = literalScore(route, query);
    if (score === undefined || (best && best.score >= score)) continue;
    const labels: Record<string, string> = {};
    route.labels.forEach((label, index) => {
      labels[label] = match[index + 1] as string;
    });
    if (route.bucketed) labels.Bucket = bucketPath?.[1] as string;
    best = { route, labels, score };
  }
  return best && { route: best.route, labels: best.labels };
}

/** How many of the route's literal query keys the request has, or undefined when it lacks one or differs. */
function literalScore(route: RestXmlRoute, query: URLSearchParams): number | undefined {
  const operationId = query.get(OPERATION_ID);
  const routeId = route.literals.find(([key]) => key === OPERATION_ID)?.[1];
  if (operationId !== null && operationId !== routeId) return undefined;
  let score = 0;
  for (const [key, value] of route.literals) {
    if (key === OPERATION_ID) continue;
    const given = query.get(key);
    if (given === null || (value !== "" && given !== value)) return undefined;
    score++;
  }
  return score;
}
