/**
 * Values of the SDK's static schemas on the restXml wire, both ways: members in XML elements (xmlName,
 * xmlFlattened, xmlAttribute, xmlNamespace), and scalars in headers, query strings and path labels. The rules are
 * Smithy's restXml ones, which the SDK's XmlShapeSerializer / XmlShapeDeserializer and FromString /
 * ToStringShapeSerializer implement on the client side:
 * - timestamps are date-time (RFC 3339) in bodies, query strings and labels, http-date in headers, unless the
 *   schema names a format (5 date-time, 6 http-date, 7 epoch-seconds);
 * - lists in headers are comma-separated, items quoted when they hold a comma or a quote (http-dates are not);
 * - blobs are base64 except as a whole payload, and so are strings with a media type in headers;
 * - a list's items are `member` elements unless its member has an xmlName; a flattened list repeats the element.
 */
import type { NormalizedSchema } from "@smithy/core/schema";
import { quoteHeader, splitHeader } from "@smithy/core/serde";
import { childrenNamed, type XmlElement, xmlElement } from "./xml-tree.js";

/** Where a scalar is written: it decides the default timestamp format. */
export type TextLocation = "header" | "query" | "label" | "body";

/** A value the schema does not allow (a wrong number, boolean or date): the caller maps it to the service's error. */
export class ShapeValueError extends Error {}

const DATE_TIME = 5;
const HTTP_DATE = 6;
const EPOCH_SECONDS = 7;

function timestampFormat(schema: NormalizedSchema, location: TextLocation): number {
  const declared = schema.getSchema();
  if (declared === DATE_TIME || declared === HTTP_DATE || declared === EPOCH_SECONDS) return declared;
  return location === "header" ? HTTP_DATE : DATE_TIME;
}

/** The element name of a structure member: its own xmlName, the target's for non-structures, else its name. */
export function memberElementName(member: NormalizedSchema): string {
  const own = member.getMemberTraits().xmlName;
  if (own) return own;
  const target = member.isStructSchema() ? undefined : member.getMergedTraits().xmlName;
  return target ?? member.getMemberName();
}

/** The root element of a structure written on its own (a payload, an output): its xmlName, else its shape name. */
export function rootElementName(schema: NormalizedSchema): string {
  return schema.getMergedTraits().xmlName ?? schema.getName() ?? "Root";
}

function listItemName(list: NormalizedSchema): string {
  return list.getValueSchema().getMergedTraits().xmlName ?? "member";
}

// ===============================================================================================
// Scalars as text

export function readScalar(schema: NormalizedSchema, text: string, location: TextLocation): unknown {
  if (schema.isTimestampSchema()) {
    const format = timestampFormat(schema, location);
    const date = format === EPOCH_SECONDS ? new Date(Number(text) * 1000) : new Date(text);
    if (text.trim() === "" || Number.isNaN(date.getTime()))
      throw new ShapeValueError(`not a timestamp: ${text}`);
    return date;
  }
  if (schema.isBooleanSchema()) {
    if (!/^(?:true|false)$/i.test(text.trim())) throw new ShapeValueError(`not a boolean: ${text}`);
    return text.trim().toLowerCase() === "true";
  }
  if (schema.isNumericSchema()) {
    const number = Number(text);
    if (text.trim() === "" || Number.isNaN(number)) throw new ShapeValueError(`not a number: ${text}`);
    return number;
  }
  if (schema.isBigIntegerSchema()) {
    try {
      return BigInt(text);
    } catch {
      throw new ShapeValueError(`not an integer: ${text}`);
    }
  }
  if (schema.isBlobSchema()) return Buffer.from(text, "base64");
  if (schema.getMergedTraits().mediaType && location === "header") {
    return Buffer.from(text, "base64").toString("utf8");
  }
  return text;
}

export function writeScalar(schema: NormalizedSchema, value: unknown, location: TextLocation): string {
  if (value instanceof Date) {
    switch (timestampFormat(schema, location)) {
      case HTTP_DATE:
        return value.toUTCString();
      case EPOCH_SECONDS:
        return String(value.getTime() / 1000);
      default:
        return value.toISOString();
    }
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  const text = String(value);
  if (schema.getMergedTraits().mediaType && location === "header")
    return Buffer.from(text).toString("base64");
  return text;
}

/** A header's value: a list splits on commas outside quotes. */
export function readHeader(schema: NormalizedSchema, text: string): unknown {
  if (!schema.isListSchema()) return readScalar(schema, text, "header");
  const item = schema.getValueSchema();
  // An http-date holds a comma itself: such lists split on every second comma.
  const parts =
    item.isTimestampSchema() && timestampFormat(item, "header") === HTTP_DATE
      ? pairs(text)
      : splitHeader(text);
  return parts.map((part) => readScalar(item, part.trim(), "header"));
}

function pairs(text: string): string[] {
  const pieces = text.split(",");
  const out: string[] = [];
  for (let index = 0; index < pieces.length; index += 2) out.push(pieces.slice(index, index + 2).join(","));
  return out;
}

export function writeHeader(schema: NormalizedSchema, value: unknown): string {
  if (!schema.isListSchema() || !Array.isArray(value)) return writeScalar(schema, value, "header");
  const item = schema.getValueSchema();
  return value
    .map((entry) => {
      const text = writeScalar(item, entry, "header");
      return item.isTimestampSchema() ? text : quoteHeader(text);
    })
    .join(", ");
}

// ===============================================================================================
// XML

/** Reads a value of `schema` from its element (a structure's members, a list's items, a scalar's text). */
export function readXml(schema: NormalizedSchema, element: XmlElement): unknown {
  if (schema.isStructSchema()) return readStructure(schema, element);
  if (schema.isListSchema()) {
    const item = schema.getValueSchema();
    return childrenNamed(element, listItemName(schema)).map((child) => readXml(item, child));
  }
  if (schema.isMapSchema()) return readMapEntries(schema, childrenNamed(element, "entry"));
  if (schema.isDocumentSchema()) return element.text;
  return readScalar(schema, element.text, "body");
}

/** The structure's members found in `element`; `only` limits them (the body members of an HTTP message). */
export function readStructure(
  schema: NormalizedSchema,
  element: XmlElement,
  only?: (member: NormalizedSchema) => boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of schema.structIterator()) {
    if (only && !only(member)) continue;
    const traits = member.getMergedTraits();
    const tag = memberElementName(member);
    if (traits.xmlAttribute) {
      const text = element.attributes[tag];
      if (text !== undefined) out[name] = readScalar(member, text, "body");
    } else if (traits.xmlFlattened && (member.isListSchema() || member.isMapSchema())) {
      const elements = childrenNamed(element, tag);
      if (elements.length === 0) continue;
      out[name] = member.isListSchema()
        ? elements.map((child) => readXml(member.getValueSchema(), child))
        : readMapEntries(member, elements);
    } else {
      const child = childrenNamed(element, tag)[0];
      if (child) out[name] = readXml(member, child);
    }
  }
  return out;
}

function readMapEntries(map: NormalizedSchema, entries: XmlElement[]): Record<string, unknown> {
  const keyName = map.getKeySchema().getMergedTraits().xmlName ?? "key";
  const value = map.getValueSchema();
  const valueName = value.getMergedTraits().xmlName ?? "value";
  const out: Record<string, unknown> = Object.create(null);
  for (const entry of entries) {
    const key = childrenNamed(entry, keyName)[0]?.text;
    const valueElement = childrenNamed(entry, valueName)[0];
    if (key !== undefined && valueElement) out[key] = readXml(value, valueElement);
  }
  return { ...out };
}

/** Writes a value of `schema` as the element `name`; `only` limits a structure's members. */
export function writeXml(
  schema: NormalizedSchema,
  value: unknown,
  name: string,
  only?: (member: NormalizedSchema) => boolean,
): XmlElement {
  const element = xmlElement(name, { attributes: namespaceAttributes(schema) });
  if (schema.isStructSchema()) {
    const record = (value ?? {}) as Record<string, unknown>;
    for (const [memberName, member] of schema.structIterator()) {
      const memberValue = record[memberName];
      if (memberValue == null || (only && !only(member))) continue;
      writeMember(element, member, memberValue);
    }
  } else if (schema.isListSchema()) {
    const item = schema.getValueSchema();
    const itemName = listItemName(schema);
    for (const entry of value as unknown[])
      if (entry != null) element.children.push(writeXml(item, entry, itemName));
  } else if (schema.isMapSchema()) {
    for (const entry of mapEntries(schema, value)) element.children.push(entry);
  } else {
    element.text = writeScalar(schema, value, "body");
  }
  return element;
}

function writeMember(parent: XmlElement, member: NormalizedSchema, value: unknown): void {
  const traits = member.getMergedTraits();
  const tag = memberElementName(member);
  if (traits.xmlAttribute) {
    parent.attributes[tag] = writeScalar(member, value, "body");
  } else if (traits.xmlFlattened && member.isListSchema()) {
    const item = member.getValueSchema();
    for (const entry of value as unknown[])
      if (entry != null) parent.children.push(writeXml(item, entry, tag));
  } else if (traits.xmlFlattened && member.isMapSchema()) {
    for (const entry of mapEntries(member, value, tag)) parent.children.push(entry);
  } else {
    parent.children.push(writeXml(member, value, tag));
  }
}

function mapEntries(map: NormalizedSchema, value: unknown, entryName = "entry"): XmlElement[] {
  const keyName = map.getKeySchema().getMergedTraits().xmlName ?? "key";
  const valueSchema = map.getValueSchema();
  const valueName = valueSchema.getMergedTraits().xmlName ?? "value";
  return Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry != null)
    .map(([key, entry]) =>
      xmlElement(entryName, {
        children: [xmlElement(keyName, { text: key }), writeXml(valueSchema, entry, valueName)],
      }),
    );
}

function namespaceAttributes(schema: NormalizedSchema): Record<string, string> {
  const namespace = schema.getMergedTraits().xmlNamespace;
  if (!namespace) return {};
  const [prefix, uri] = namespace;
  return { [prefix ? `xmlns:${prefix}` : "xmlns"]: uri };
}
