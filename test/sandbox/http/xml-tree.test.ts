import { describe, expect, it } from "vitest";
import { parseXml, renderXml, xmlElement } from "../../../src/sandbox/http/xml-tree.js";

describe("parseXml", () => {
  it("reads elements, attributes, text, entities and CDATA, skipping the prolog, comments and indentation", () => {
    const root = parseXml(
      [
        '\uFEFF<?xml version="1.0" encoding="UTF-8"?>',
        "<!-- a comment -->",
        '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
        "  <Object><Key>a &amp; b &lt;c&gt; &#233;&#x20AC;</Key></Object>",
        "  <Object><Key><![CDATA[<raw> & stuff]]></Key><VersionId/></Object>",
        "  <Quiet a='1' b=\"&quot;2&quot;\">true</Quiet>",
        "</Delete>",
      ].join("\n"),
    );
    expect(root.name).toBe("Delete");
    expect(root.attributes).toEqual({ xmlns: "http://s3.amazonaws.com/doc/2006-03-01/" });
    expect(root.text).toBe("");
    expect(root.children.map((child) => child.name)).toEqual(["Object", "Object", "Quiet"]);
    expect(root.children[0]?.children[0]?.text).toBe("a & b <c> é€");
    expect(root.children[1]?.children.map((child) => [child.name, child.text])).toEqual([
      ["Key", "<raw> & stuff"],
      ["VersionId", ""],
    ]);
    expect(root.children[2]).toMatchObject({ text: "true", attributes: { a: "1", b: '"2"' } });
  });

  it("keeps a value's own white space", () => {
    expect(parseXml("<Key>  two  spaces </Key>").text).toBe("  two  spaces ");
  });

  it.each([
    ["mismatched tags", "<a><b></a></b>"],
    ["an unclosed element", "<a><b></b>"],
    ["text after the root", "<a/>trailing"],
    ["a second root", "<a/><b/>"],
    ["an unknown entity", "<a>&nbsp;</a>"],
    ["an unquoted attribute", "<a b=c/>"],
    ["a duplicate attribute", '<a b="1" b="2"/>'],
    ["no element at all", "just text"],
    ["an empty document", ""],
  ])("refuses %s", (_what, source) => {
    expect(() => parseXml(source)).toThrow();
  });
});

describe("renderXml", () => {
  it("escapes text and attributes, and closes empty elements", () => {
    const element = xmlElement("Tag", {
      attributes: { note: 'say "hi"\n' },
      children: [xmlElement("Key", { text: "<a> & b\r" }), xmlElement("Value")],
    });
    const text = renderXml(element);
    expect(text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Tag note="say &quot;hi&quot;&#10;"><Key>&lt;a&gt; &amp; b&#13;</Key><Value/></Tag>',
    );
    expect(parseXml(text)).toEqual(element);
  });
});
