/**
 * A small strict XML reader for TwiML, shared by the call simulators (`bun run call`) and the
 * tests: documents are read by meaning rather than by bytes, so attribute order, quote style,
 * `<X/>` versus `<X></X>` and the choice of character references all vanish. It understands
 * exactly what TwiML uses (a declaration, elements, attributes, text, the five named entities and
 * numeric references) and throws on anything else, so a malformed answer is reported, not guessed at.
 */

export interface XmlElement {
  name: string;
  /** Sorted by name, values with references resolved and attribute-value normalisation applied. */
  attributes: Record<string, string>;
  /** Adjacent text merged; empty text dropped. */
  children: Array<XmlElement | string>;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * Parses one XML document into its root element.
 *
 * @example
 * parseXml('<?xml version="1.0"?><Response><Say>Hi</Say></Response>')
 * // { name: "Response", attributes: {}, children: [{ name: "Say", attributes: {}, children: ["Hi"] }] }
 */
export function parseXml(xml: string): XmlElement {
  let position = 0;
  if (xml.startsWith("<?xml")) {
    const end = xml.indexOf("?>");
    if (end === -1) throw new Error("unterminated XML declaration");
    position = end + 2;
  }
  const skipSpace = () => {
    while (position < xml.length && /\s/.test(xml[position]!)) position++;
  };
  const readName = (): string => {
    const match = /^[A-Za-z_][\w.-]*/.exec(xml.slice(position));
    if (!match) throw new Error(`expected a name at ${position}`);
    position += match[0].length;
    return match[0];
  };
  const decode = (raw: string, inAttribute: boolean): string => {
    if (/[<]/.test(raw)) throw new Error(`raw "<" in ${inAttribute ? "attribute" : "text"}`);
    // Attribute-value normalisation: literal tabs and line breaks read as spaces; references keep theirs.
    const normalised = inAttribute ? raw.replace(/\r\n|[\t\n\r]/g, " ") : raw.replace(/\r\n?/g, "\n");
    return normalised.replace(/&([^;]*);|&/g, (whole, reference: string | undefined) => {
      if (reference === undefined) throw new Error("bare & in XML");
      if (reference.startsWith("#x")) return String.fromCodePoint(parseInt(reference.slice(2), 16));
      if (reference.startsWith("#")) return String.fromCodePoint(parseInt(reference.slice(1), 10));
      const named = NAMED[reference];
      if (named === undefined) throw new Error(`unknown entity ${whole}`);
      return named;
    });
  };
  const readElement = (): XmlElement => {
    if (xml[position] !== "<") throw new Error(`expected "<" at ${position}`);
    position++;
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (xml.startsWith("/>", position)) {
        position += 2;
        return { name, attributes: sortKeys(attributes), children: [] };
      }
      if (xml[position] === ">") {
        position++;
        break;
      }
      const attributeName = readName();
      skipSpace();
      if (xml[position] !== "=") throw new Error(`expected "=" after ${attributeName}`);
      position++;
      skipSpace();
      const quote = xml[position];
      if (quote !== '"' && quote !== "'") throw new Error(`expected a quote for ${attributeName}`);
      const end = xml.indexOf(quote, position + 1);
      if (end === -1) throw new Error(`unterminated attribute ${attributeName}`);
      if (attributeName in attributes) throw new Error(`duplicate attribute ${attributeName}`);
      attributes[attributeName] = decode(xml.slice(position + 1, end), true);
      position = end + 1;
    }
    const children: Array<XmlElement | string> = [];
    for (;;) {
      if (position >= xml.length) throw new Error(`unclosed <${name}>`);
      if (xml.startsWith("</", position)) {
        position += 2;
        const closing = readName();
        if (closing !== name) throw new Error(`</${closing}> closes <${name}>`);
        skipSpace();
        if (xml[position] !== ">") throw new Error(`expected ">" after </${closing}`);
        position++;
        return { name, attributes: sortKeys(attributes), children };
      }
      if (xml[position] === "<") {
        children.push(readElement());
        continue;
      }
      const next = xml.indexOf("<", position);
      const end = next === -1 ? xml.length : next;
      const text = decode(xml.slice(position, end), false);
      position = end;
      const last = children[children.length - 1];
      if (typeof last === "string") children[children.length - 1] = last + text;
      else if (text !== "") children.push(text);
    }
  };
  skipSpace();
  const root = readElement();
  skipSpace();
  if (position !== xml.length) throw new Error("content after the root element");
  return root;
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The first element named `name` anywhere below `element`, depth first.
 *
 * @example
 * findElement(parseXml("<Response><Gather><Say>Hi</Say></Gather></Response>"), "Say")?.children // ["Hi"]
 */
export function findElement(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (typeof child === "string") continue;
    if (child.name === name) return child;
    const inner = findElement(child, name);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * The element children of `element`, in order (text between them left out).
 *
 * @example childElements(parseXml("<Response><Say>Hi</Say> <Hangup/></Response>")).map((e) => e.name) // ["Say", "Hangup"]
 */
export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((child): child is XmlElement => typeof child !== "string");
}

/**
 * All text below `element`, concatenated; empty for `undefined`.
 *
 * @example textOf(parseXml("<Dial><Number>+15550001111</Number></Dial>")) // "+15550001111"
 */
export function textOf(element: XmlElement | undefined): string {
  return element ? element.children.map((c) => (typeof c === "string" ? c : textOf(c))).join("") : "";
}
