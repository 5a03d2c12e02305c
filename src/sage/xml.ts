import { SageRequestError } from './errors';

/**
 * Careful string building for request XML. Every value goes through `escapeXml`; element names through
 * `assertXmlName`. Nothing else is ever concatenated into a request.
 */

// Characters XML 1.0 cannot carry at all, not even as a character reference (C0 controls other than tab,
// LF, CR; lone surrogates; U+FFFE/U+FFFF).
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const TEXT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A raw CR would be normalised to LF by the receiving parser; a character reference keeps it exact.
  '\r': '&#13;',
};
// In attribute values tabs and line feeds would be normalised to spaces as well.
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '\t': '&#9;', '\n': '&#10;' };

function assertRepresentable(value: string): void {
  if (INVALID_XML_CHARS.test(value)) {
    throw new SageRequestError('A value contains a character that XML 1.0 cannot carry (a control character or a lone surrogate)', {
      level: 'client',
      hint: 'Remove control characters from the source record.',
    });
  }
}

/**
 * Escapes text for element content: `& < > ' "` (so `]]>` can never appear) and CR as `&#13;` so it
 * survives exactly; tabs and line feeds are exact in content and stay literal. Non-Latin text passes
 * through unchanged (the request is UTF-8). A character XML 1.0 cannot represent is refused rather than
 * silently altered.
 */
export function escapeXml(value: string): string {
  assertRepresentable(value);
  return value.replace(/[&<>"'\r]/g, (c) => TEXT_ESCAPES[c]);
}

/** Escapes an attribute value: as `escapeXml`, plus tab and line feed as character references. */
export function escapeXmlAttribute(value: string): string {
  assertRepresentable(value);
  return value.replace(/[&<>"'\r\t\n]/g, (c) => ATTRIBUTE_ESCAPES[c]);
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Element names (object and field names) cannot be escaped, so they are checked instead. */
export function assertXmlName(name: string, what = 'element name'): string {
  if (!XML_NAME.test(name)) {
    throw new SageRequestError(`Invalid ${what} ${JSON.stringify(name)}: only letters, digits, '_', '.' and '-' are allowed`, { level: 'client' });
  }
  return name;
}

/** Field names in select/filter/orderby lists: letters, digits, `_` and dotted relation paths. Never `*`. */
export function assertFieldName(name: string): string {
  if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(name)) {
    throw new SageRequestError(`Invalid field name ${JSON.stringify(name)} (a Sage Intacct field such as CONTACT.EMAIL1; '*' is never sent)`, {
      level: 'client',
    });
  }
  return name;
}

/** `<name>children</name>`; children are already-built XML. */
export function el(name: string, ...children: string[]): string {
  assertXmlName(name);
  return `<${name}>${children.join('')}</${name}>`;
}

/** `<name>escaped value</name>`. */
export function textEl(name: string, value: string): string {
  assertXmlName(name);
  return `<${name}>${escapeXml(value)}</${name}>`;
}

/** `<name/>` */
export function emptyEl(name: string): string {
  assertXmlName(name);
  return `<${name}/>`;
}
