/**
 * A small XML reader and writer for the wire protocols that speak XML: element trees without mixed content,
 * which is all AWS request and response bodies use. Node has no XML parser of its own, and the SDK's (in a
 * package mcctl does not depend on) is the client side the sandbox is tested against.
 */

/** One element: its name as written (prefix included), attributes, child elements and its text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (entities and CDATA decoded), "" when it has only children. */
  text: string;
}

export function xmlElement(
  name: string,
  content: { attributes?: Record<string, string>; children?: XmlElement[]; text?: string } = {},
): XmlElement {
  return {
    name,
    attributes: content.attributes ?? {},
    children: content.children ?? [],
    text: content.text ?? "",
  };
}

/** The elements among `element`'s children named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The element as XML text, with the XML declaration in front when `declaration` is set. */
export function renderXml(element: XmlElement, declaration = true): string {
  return (declaration ? XML_DECLARATION : "") + render(element);
}

function render(element: XmlElement): string {
  const attributes = Object.entries(element.attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(value, true)}"`)
    .join("");
  const content = element.children.map(render).join("") + escapeXml(element.text, false);
  return content === ""
    ? `<${element.name}${attributes}/>`
    : `<${element.name}${attributes}>${content}</${element.name}>`;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\r": "&#13;",
  "\n": "&#10;",
  "\t": "&#9;",
};

/** Escapes markup; in attributes also quotes and the white space that attribute normalization would fold. */
function escapeXml(text: string, attribute: boolean): string {
  return text.replace(attribute ? /[&<>"\r\n\t]/g : /[&<>\r]/g, (character) => ESCAPES[character] ?? "");
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    const named = NAMED_ENTITIES[entity];
    if (named === undefined) throw new Error(`unknown entity ${whole}`);
    return named;
  });
}

/**
 * Parses a document's root element. Throws on anything that is not well-formed (mismatched tags, text outside the
 * root, an unknown entity, a DOCTYPE, which no AWS body has).
 */
export function parseXml(source: string): XmlElement {
  const reader = new XmlReader(source);
  reader.skipMisc();
  const root = reader.element();
  reader.skipMisc();
  if (!reader.done()) throw new Error("content after the root element");
  return root;
}

class XmlReader {
  readonly #source: string;
  #at = 0;

  constructor(source: string) {
    // A byte order mark may precede the declaration.
    this.#source = source.replace(/^\uFEFF/, "");
  }

  done(): boolean {
    return this.#at >= this.#source.length;
  }

  /** Skips white space, comments and processing instructions (the XML declaration among them). */
  skipMisc(): void {
    for (;;) {
      this.#skipSpace();
      if (this.#startsWith("<?")) this.#skipPast("?>");
      else if (this.#startsWith("<!--")) this.#skipPast("-->");
      else return;
    }
  }

  element(): XmlElement {
    const name = this.#expectName("<");
    const attributes: Record<string, string> = {};
    for (;;) {
      const spaced = this.#skipSpace();
      if (this.#startsWith("/>")) {
        this.#at += 2;
        return xmlElement(name, { attributes });
      }
      if (this.#startsWith(">")) {
        this.#at += 1;
        break;
      }
      if (!spaced) throw new Error(`malformed start tag <${name}>`);
      const attribute = this.#name();
      this.#skipSpace();
      this.#expect("=");
      this.#skipSpace();
      const quote = this.#source[this.#at];
      if (quote !== '"' && quote !== "'") throw new Error(`unquoted attribute ${attribute}`);
      const end = this.#source.indexOf(quote, this.#at + 1);
      if (end === -1) throw new Error(`unterminated attribute ${attribute}`);
      if (attribute in attributes) throw new Error(`duplicate attribute ${attribute}`);
      attributes[attribute] = decodeEntities(this.#source.slice(this.#at + 1, end));
      this.#at = end + 1;
    }
    const children: XmlElement[] = [];
    let text = "";
    for (;;) {
      if (this.done()) throw new Error(`unclosed element <${name}>`);
      if (this.#startsWith("</")) {
        const closing = this.#expectName("</");
        this.#skipSpace();
        this.#expect(">");
        if (closing !== name) throw new Error(`</${closing}> closes <${name}>`);
        // Indentation between child elements is not text.
        return xmlElement(name, { attributes, children, text: children.length > 0 ? text.trim() : text });
      }
      if (this.#startsWith("<![CDATA[")) {
        const end = this.#source.indexOf("]]>", this.#at);
        if (end === -1) throw new Error("unterminated CDATA section");
        text += this.#source.slice(this.#at + 9, end);
        this.#at = end + 3;
      } else if (this.#startsWith("<!--")) {
        this.#skipPast("-->");
      } else if (this.#startsWith("<?")) {
        this.#skipPast("?>");
      } else if (this.#startsWith("<")) {
        children.push(this.element());
      } else {
        const end = this.#source.indexOf("<", this.#at);
        const raw = this.#source.slice(this.#at, end === -1 ? undefined : end);
        text += decodeEntities(raw);
        this.#at += raw.length;
      }
    }
  }

  #startsWith(token: string): boolean {
    return this.#source.startsWith(token, this.#at);
  }

  #expect(token: string): void {
    if (!this.#startsWith(token)) throw new Error(`expected "${token}" at offset ${this.#at}`);
    this.#at += token.length;
  }

  #expectName(opening: string): string {
    this.#expect(opening);
    return this.#name();
  }

  #name(): string {
    const match = /^[A-Za-z_:][\w.:-]*/.exec(this.#source.slice(this.#at, this.#at + 256));
    if (!match) throw new Error(`expected a name at offset ${this.#at}`);
    this.#at += match[0].length;
    return match[0];
  }

  #skipSpace(): boolean {
    const start = this.#at;
    while (/\s/.test(this.#source[this.#at] ?? "")) this.#at++;
    return this.#at > start;
  }

  #skipPast(token: string): void {
    const end = this.#source.indexOf(token, this.#at);
    if (end === -1) throw new Error(`expected "${token}"`);
    this.#at = end + token.length;
  }
}
