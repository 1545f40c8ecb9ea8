/**
 * Reads an operation's input from the form parameters of an awsQuery or ec2Query request: the inverse of the
 * SDK's QueryShapeSerializer (@aws-sdk/core/protocols), walking the input schema the same way.
 *
 * Key names (Smithy "query key resolution"): awsQuery uses a member's xmlName or its member name; ec2Query
 * uses its ec2QueryName, else its xmlName or member name with the first letter capitalized. Lists: awsQuery
 * `Name.member.1` (the list member's xmlName instead of "member"), `Name.1` when xmlFlattened, and an empty
 * list as `Name=`; ec2Query always `Name.1` and leaves empty lists out. Maps: `Name.entry.1.key` /
 * `Name.entry.1.value` (`Name.1.key` flattened), key and value renamed by their xmlName.
 */
import type { NormalizedSchema } from "@smithy/core/schema";
import {
  fromBase64,
  NumericValue,
  parseEpochTimestamp,
  parseRfc3339DateTimeWithOffset,
  parseRfc7231DateTime,
} from "@smithy/core/serde";

/** The form parameters, split at the dots of their names. */
interface FormNode {
  value?: string;
  children: Map<string, FormNode>;
}

/** The input the form parameters of a request give for `schema` (its input structure). */
export function readQueryInput(
  schema: NormalizedSchema,
  params: URLSearchParams,
  options: { ec2: boolean },
): Record<string, unknown> {
  const root: FormNode = { children: new Map() };
  for (const [key, value] of params) {
    let node = root;
    for (const part of key.split(".")) {
      let child = node.children.get(part);
      if (!child) {
        child = { children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    node.value = value;
  }
  if (!schema.isStructSchema()) return {};
  return readStruct(schema, root, options.ec2);
}

/** The key a structure member is sent under. */
export function queryMemberKey(memberName: string, member: NormalizedSchema, ec2: boolean): string {
  const traits = member.getMergedTraits();
  if (ec2 && typeof traits.ec2QueryName === "string") return traits.ec2QueryName;
  const key = typeof traits.xmlName === "string" ? traits.xmlName : memberName;
  return ec2 ? key.charAt(0).toUpperCase() + key.slice(1) : key;
}

function readStruct(schema: NormalizedSchema, node: FormNode, ec2: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [memberName, member] of schema.structIterator()) {
    const child = node.children.get(queryMemberKey(memberName, member, ec2));
    if (child) out[memberName] = readValue(member, child, ec2);
  }
  return out;
}

function readValue(schema: NormalizedSchema, node: FormNode, ec2: boolean): unknown {
  if (schema.isStructSchema()) return readStruct(schema, node, ec2);
  if (schema.isListSchema()) return readList(schema, node, ec2);
  if (schema.isMapSchema()) return readMap(schema, node, ec2);
  return readScalar(schema, node.value ?? "");
}

function readList(schema: NormalizedSchema, node: FormNode, ec2: boolean): unknown[] {
  const member = schema.getValueSchema();
  const flat = ec2 || Boolean(schema.getMergedTraits().xmlFlattened);
  const container = flat ? node : node.children.get(entryName(member, "member", ec2));
  return numbered(container).map((item) => readValue(member, item, ec2));
}

function readMap(schema: NormalizedSchema, node: FormNode, ec2: boolean): Record<string, unknown> {
  const keySchema = schema.getKeySchema();
  const valueSchema = schema.getValueSchema();
  const flat = Boolean(schema.getMergedTraits().xmlFlattened);
  const entries = numbered(flat ? node : node.children.get("entry"));
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const key = entry.children.get(entryName(keySchema, "key", ec2))?.value;
    const value = entry.children.get(entryName(valueSchema, "value", ec2));
    if (key !== undefined && value) out[key] = readValue(valueSchema, value, ec2);
  }
  return out;
}

/** A list member's or map key's or value's name: its xmlName (ec2QueryName for EC2) or the default. */
function entryName(schema: NormalizedSchema, fallback: string, ec2: boolean): string {
  const traits = schema.getMergedTraits();
  if (ec2 && typeof traits.ec2QueryName === "string") return traits.ec2QueryName;
  return typeof traits.xmlName === "string" ? traits.xmlName : fallback;
}

/** The children named 1, 2, 3…, in that order. */
function numbered(node: FormNode | undefined): FormNode[] {
  if (!node) return [];
  return [...node.children.entries()]
    .filter(([key]) => /^[1-9]\d*$/.test(key))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, child]) => child);
}

function readScalar(schema: NormalizedSchema, value: string): unknown {
  if (schema.isBooleanSchema()) return value === "true";
  if (schema.isNumericSchema()) return Number(value);
  if (schema.isBigIntegerSchema()) return BigInt(value);
  if (schema.isBigDecimalSchema()) return new NumericValue(value, "bigDecimal");
  if (schema.isBlobSchema()) return fromBase64(value);
  if (schema.isTimestampSchema()) return readTimestamp(schema, value);
  return value;
}

/** Query timestamps are ISO 8601 (date-time) unless the member's timestampFormat says otherwise. */
function readTimestamp(schema: NormalizedSchema, value: string): Date | undefined {
  switch (schema.getSchema()) {
    case 6:
      return parseRfc7231DateTime(value);
    case 7:
      return parseEpochTimestamp(value);
    default:
      return parseRfc3339DateTimeWithOffset(value);
  }
}
