/**
 * Writes a value of a schema as the XML the query protocols (awsQuery, ec2Query) answer with: what the SDK's
 * XmlShapeDeserializer (@aws-sdk/core/protocols) reads back. A structure member is an element named by the
 * member's xmlName or its member name; a list is a wrapper element whose items are named by the list member's
 * xmlName or "member" (EC2's lists name theirs "item"), or, xmlFlattened, the items repeated under the
 * member's own name; a map is `<entry><key/><value/></entry>`s (renamed by xmlName, flattened alike);
 * timestamps are ISO 8601 unless the member's timestampFormat says otherwise; blobs are base64.
 */
import { determineTimestampFormat } from "@smithy/core/protocols";
import type { NormalizedSchema } from "@smithy/core/schema";
import { dateToUtcString, NumericValue, toBase64 } from "@smithy/core/serde";

const timestampSettings = { timestampFormat: { useTrait: true, default: 5 as const }, httpBindings: false };

/** `<name>content</name>`, content already escaped; `<name/>` when empty. */
export function xmlElement(name: string, content: string, attributes = ""): string {
  return content === "" ? `<${name}${attributes}/>` : `<${name}${attributes}>${content}</${name}>`;
}

/** Text for an element, escaped as the SDK's XML builder escapes it. */
export function escapeXml(text: string): string {
  return text.replace(/[&"'<>\r\n]/g, (char) => xmlEscapes[char] ?? char);
}

const xmlEscapes: Record<string, string> = {
  "&": "&amp;",
  '"': "&quot;",
  "'": "&apos;",
  "<": "&lt;",
  ">": "&gt;",
  "\r": "&#x0D;",
  "\n": "&#x0A;",
};

/** The content of an element holding `value`: a structure's member elements, a list's items, or text. */
export function xmlContent(schema: NormalizedSchema, value: unknown): string {
  if (schema.isStructSchema()) return structContent(schema, (value ?? {}) as Record<string, unknown>);
  if (schema.isListSchema()) {
    const item = schema.getValueSchema();
    const itemName = nameOf(item, "member");
    return presentItems(value)
      .map((entry) => xmlElement(itemName, xmlContent(item, entry)))
      .join("");
  }
  if (schema.isMapSchema()) return mapEntries(schema, value).join("");
  return escapeXml(scalarText(schema, value));
}

function structContent(schema: NormalizedSchema, value: Record<string, unknown>): string {
  let out = "";
  for (const [memberName, member] of schema.structIterator()) {
    const memberValue = value[memberName];
    if (memberValue === undefined || memberValue === null) continue;
    const { xmlName } = member.getMemberTraits();
    const name = typeof xmlName === "string" ? xmlName : memberName;
    const flat = Boolean(member.getMergedTraits().xmlFlattened);
    if (flat && member.isListSchema()) {
      const item = member.getValueSchema();
      for (const entry of presentItems(memberValue)) out += xmlElement(name, xmlContent(item, entry));
    } else if (flat && member.isMapSchema()) {
      for (const entry of mapEntries(member, memberValue)) out += xmlElement(name, entry);
    } else {
      out += xmlElement(name, xmlContent(member, memberValue));
    }
  }
  return out;
}

function presentItems(value: unknown): unknown[] {
  return Array.isArray(value) ? value.filter((entry) => entry !== undefined && entry !== null) : [];
}

/** One `<key/><value/>` pair per entry; wrapped in `<entry>` unless the map is flattened. */
function mapEntries(schema: NormalizedSchema, value: unknown): string[] {
  const keyName = nameOf(schema.getKeySchema(), "key");
  const valueSchema = schema.getValueSchema();
  const valueName = nameOf(valueSchema, "value");
  const flat = Boolean(schema.getMergedTraits().xmlFlattened);
  return Object.entries((value ?? {}) as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined && entry !== null)
    .map(([key, entry]) => {
      const pair =
        xmlElement(keyName, escapeXml(key)) + xmlElement(valueName, xmlContent(valueSchema, entry));
      return flat ? pair : xmlElement("entry", pair);
    });
}

function nameOf(schema: NormalizedSchema, fallback: string): string {
  const { xmlName } = schema.getMergedTraits();
  return typeof xmlName === "string" ? xmlName : fallback;
}

function scalarText(schema: NormalizedSchema, value: unknown): string {
  if (schema.isTimestampSchema()) {
    const date = value instanceof Date ? value : new Date(String(value));
    switch (determineTimestampFormat(schema, timestampSettings)) {
      case 6:
        return dateToUtcString(date);
      case 7:
        return String(date.getTime() / 1000);
      default:
        return date.toISOString();
    }
  }
  if (schema.isBlobSchema()) {
    return typeof value === "string" ? toBase64(Buffer.from(value, "utf8")) : toBase64(value as Uint8Array);
  }
  if (value instanceof NumericValue) return value.string;
  return String(value);
}
