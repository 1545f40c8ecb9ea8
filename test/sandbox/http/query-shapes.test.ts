// The query protocols' shape rules on a made-up structure that has what the simulated operations use little
// or not at all: maps (wrapped and flattened), flattened lists, renamed list members and keys, empty lists,
// every timestamp format, blobs, booleans, numbers and nested structures. What the SDK's client side writes
// (QueryShapeSerializer) the server must read back, and what the server writes the SDK must read back
// (XmlShapeDeserializer) — for awsQuery and for ec2Query.
import { QueryShapeSerializer, XmlShapeDeserializer } from "@aws-sdk/core/protocols";
import { NormalizedSchema } from "@smithy/core/schema";
import type { StaticStructureSchema } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { readQueryInput } from "../../../src/sandbox/http/query-input.js";
import { xmlContent, xmlElement } from "../../../src/sandbox/http/xml-output.js";

const NS = "test.shapes";
const Tag: StaticStructureSchema = [3, NS, "Tag", 0, ["Key", "Value"], [0, 0]];
const Inner: StaticStructureSchema = [3, NS, "Inner", 0, ["Depth", "Tags"], [1, [1, NS, "Tags", 0, Tag]]];
const Shape: StaticStructureSchema = [
  3,
  NS,
  "Shape",
  0,
  [
    "Name",
    "Count",
    "Ratio",
    "Enabled",
    "Created",
    "CreatedEpoch",
    "CreatedHttp",
    "Data",
    "Renamed",
    "Tags",
    "FlatTags",
    "Names",
    "EmptyNames",
    "Labels",
    "FlatLabels",
    "Nested",
  ],
  [
    0,
    1,
    1,
    2,
    5,
    7,
    6,
    21,
    [0, { xmlName: "OtherName", ec2QueryName: "EcName" }],
    [1, NS, "TagList", 0, [() => Tag, { xmlName: "Tag" }]],
    [[1, NS, "FlatTagList", 0, () => Tag], { xmlFlattened: 1 }],
    64 | 0,
    64 | 0,
    [2, NS, "Labels", 0, [0, { xmlName: "Name" }], [0, { xmlName: "Text" }]],
    [[2, NS, "FlatLabels", 0, 0, 1], { xmlFlattened: 1 }],
    () => Inner,
  ],
];

const value = {
  Name: "a & b <c> \"d\" 'e'\nnext line",
  Count: 42,
  Ratio: 0.25,
  Enabled: false,
  Created: new Date("2026-02-02T10:00:00.123Z"),
  CreatedEpoch: new Date("2026-02-02T10:00:01.500Z"),
  CreatedHttp: new Date("2026-02-02T10:00:02.000Z"),
  Data: new Uint8Array([0, 1, 2, 250, 255]),
  Renamed: "renamed",
  Tags: [
    { Key: "app", Value: "mc" },
    { Key: "team", Value: "" },
  ],
  FlatTags: [{ Key: "flat", Value: "yes" }],
  Names: ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"],
  EmptyNames: [],
  Labels: { first: "1st", second: "2nd" },
  FlatLabels: { width: 3, height: 4 },
  Nested: { Depth: 2, Tags: [{ Key: "deep", Value: "down" }] },
};

const settings = { timestampFormat: { useTrait: true, default: 5 as const }, httpBindings: false };

/** The form the SDK's client would send for `value`. */
function sdkForm(options: { ec2: boolean }): URLSearchParams {
  const serializer = new QueryShapeSerializer({
    ...settings,
    serializeEmptyLists: !options.ec2,
    ...(options.ec2 ? { ec2: true, capitalizeKeys: true, flattenLists: true } : {}),
  });
  serializer.write(Shape, value);
  return new URLSearchParams(String(serializer.flush()));
}

describe("reading a query request's input", () => {
  it("reads back what the SDK writes for awsQuery, empty lists included", () => {
    const form = sdkForm({ ec2: false });
    expect(form.get("OtherName")).toBe("renamed");
    expect(form.get("Tags.Tag.2.Key")).toBe("team");
    expect(form.get("FlatTags.1.Key")).toBe("flat");
    expect(form.get("Names.member.11")).toBe("eleven");
    expect(form.get("EmptyNames")).toBe("");
    expect(form.get("Labels.entry.1.Name")).toBe("first");
    expect(form.get("FlatLabels.2.value")).toBe("4");
    expect(readQueryInput(NormalizedSchema.of(Shape), form, { ec2: false })).toEqual(value);
  });

  it("reads back what the SDK writes for ec2Query: its key names, every list flattened, no empty lists", () => {
    const form = sdkForm({ ec2: true });
    expect(form.get("EcName")).toBe("renamed");
    expect(form.get("Tags.2.Key")).toBe("team");
    expect(form.get("Names.11")).toBe("eleven");
    expect(form.has("EmptyNames")).toBe(false);
    const { EmptyNames: _left, ...sent } = value;
    expect(readQueryInput(NormalizedSchema.of(Shape), form, { ec2: true })).toEqual(sent);
  });
});

describe("writing a query answer", () => {
  it("writes what the SDK reads back", async () => {
    const xml = xmlElement(
      "ShapeResponse",
      xmlElement("ShapeResult", xmlContent(NormalizedSchema.of(Shape), value)),
    );
    expect(xml).toContain("<Created>2026-02-02T10:00:00.123Z</Created>");
    expect(xml).toContain("<CreatedEpoch>1770026401.5</CreatedEpoch>");
    expect(xml).toContain("<CreatedHttp>Mon, 02 Feb 2026 10:00:02 GMT</CreatedHttp>");
    expect(xml).toContain(
      "<Tags><Tag><Key>app</Key><Value>mc</Value></Tag><Tag><Key>team</Key><Value/></Tag></Tags>",
    );
    expect(xml).toContain("<FlatTags><Key>flat</Key><Value>yes</Value></FlatTags>");
    expect(xml).toContain("<EmptyNames/>");
    expect(xml).toContain("<Labels><entry><Name>first</Name><Text>1st</Text></entry>");
    expect(xml).toContain("<FlatLabels><key>width</key><value>3</value></FlatLabels>");
    const read = await new XmlShapeDeserializer({ ...settings, xmlNamespace: "", serviceNamespace: NS }).read(
      Shape,
      Buffer.from(xml),
      "ShapeResult",
    );
    expect(read).toEqual(value);
  });
});
