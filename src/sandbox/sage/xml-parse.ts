/**
 * Request XML → a small ordered element tree. Built on fast-xml-parser (preserveOrder, no value parsing,
 * whitespace kept), with the five XML entities and numeric character references decoded here and DTDs
 * refused outright (no entity expansion). CDATA is taken literally.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** The element's own text (text and CDATA children concatenated); meaningful for leaf elements. */
  text: string;
}

export class XmlParseError extends Error {}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
});

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{0,12});?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new XmlParseError(`Malformed entity reference near '${whole}'`);
    if (body in NAMED) return NAMED[body];
    const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(body);
    if (m) {
      const code = m[1][0] === 'x' ? parseInt(m[1].slice(1), 16) : parseInt(m[1], 10);
      if (code > 0x10ffff || code === 0) throw new XmlParseError(`Invalid character reference '${whole}'`);
      return String.fromCodePoint(code);
    }
    throw new XmlParseError(`Entity '${body}' was referenced, but not declared`);
  });
}

type Raw = Record<string, unknown>;

function convert(entry: Raw): XNode | undefined {
  const name = Object.keys(entry).find((k) => k !== ':@');
  if (!name || name === '#text' || name === '#cdata' || name === '#comment') return undefined;
  const attrsRaw = (entry[':@'] ?? {}) as Record<string, string>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrsRaw)) attrs[k] = decodeEntities(String(v));
  const node: XNode = { name, attrs, children: [], text: '' };
  for (const child of (entry[name] ?? []) as Raw[]) {
    if ('#text' in child) node.text += decodeEntities(String(child['#text']));
    else if ('#cdata' in child) {
      for (const c of child['#cdata'] as Raw[]) node.text += String(c['#text'] ?? '');
    } else {
      const sub = convert(child);
      if (sub) node.children.push(sub);
    }
  }
  return node;
}

/** Parses a whole document and returns its root element. Throws XmlParseError for anything malformed. */
export function parseXml(xml: string): XNode {
  if (/<!DOCTYPE/i.test(xml)) throw new XmlParseError('DOCTYPE declarations are not allowed');
  if (xml.trim() === '') throw new XmlParseError('Empty request body');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new XmlParseError(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  const roots = (parser.parse(xml) as Raw[]).map(convert).filter((n): n is XNode => n !== undefined);
  if (roots.length !== 1) throw new XmlParseError('The document must have exactly one root element');
  return roots[0];
}

export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node?.children.find((c) => c.name === name);
}

/** Child lookup ignoring case (object and field element names are case-insensitive on the gateway). */
export function childCi(node: XNode | undefined, name: string): XNode | undefined {
  const lower = name.toLowerCase();
  return node?.children.find((c) => c.name.toLowerCase() === lower);
}

export function childrenNamed(node: XNode | undefined, name: string): XNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

/** Text of a child element, or undefined when the child is absent. */
export function childText(node: XNode | undefined, name: string): string | undefined {
  const c = childCi(node, name);
  return c ? c.text : undefined;
}
