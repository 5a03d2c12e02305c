/**
 * Response XML: a small element tree serialised compactly (`includewhitespace=false`) or indented (the
 * gateway's default). Text is escaped (& < > and, in attributes, "); characters XML 1.0 cannot carry are
 * dropped.
 */
export interface ONode {
  name: string;
  attrs?: Array<[string, string | number]>;
  /** Child elements; when absent the element holds `text` ('' → `<X></X>`). */
  children?: ONode[];
  text?: string;
}

/**
 * One pass over `s`: `&` `<` `>` (and `"` when `quote`) become references, the characters XML 1.0 cannot
 * carry (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF) are dropped, everything else is copied in runs.
 * A string with nothing to change is returned as is (no copy) — the common case for record values.
 */
function escape(s: string, quote: boolean): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let ref: string;
    if (c > 0x3e) {
      if (c < 0xfffe) continue;
      ref = ''; // U+FFFE, U+FFFF
    } else if (c === 0x26) ref = '&amp;';
    else if (c === 0x3c) ref = '&lt;';
    else if (c === 0x3e) ref = '&gt;';
    else if (c === 0x22 && quote) ref = '&quot;';
    else if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) ref = '';
    else continue;
    if (i > last) out += s.slice(last, i);
    out += ref;
    last = i + 1;
  }
  if (last === 0) return s;
  return last < s.length ? out + s.slice(last) : out;
}

export function escapeText(s: string): string {
  return escape(s, false);
}

export function escapeAttr(s: string): string {
  return escape(s, true);
}

export const el = (name: string, text = ''): ONode => ({ name, text });
export const parent = (name: string, children: ONode[], attrs?: ONode['attrs']): ONode => ({ name, children, attrs });

export function serialize(root: ONode, pretty: boolean): string {
  const nl = pretty ? '\n' : '';
  let out = `<?xml version="1.0" encoding="UTF-8"?>${nl}`;
  const write = (node: ONode, depth: number): void => {
    const indent = pretty ? '\t'.repeat(depth) : '';
    let attrs = '';
    if (node.attrs) for (const [k, v] of node.attrs) attrs += ` ${k}="${escapeAttr(String(v))}"`;
    if (node.children) {
      if (node.children.length === 0) {
        out += `${indent}<${node.name}${attrs}></${node.name}>${nl}`;
        return;
      }
      out += `${indent}<${node.name}${attrs}>${nl}`;
      for (const c of node.children) write(c, depth + 1);
      out += `${indent}</${node.name}>${nl}`;
    } else {
      out += `${indent}<${node.name}${attrs}>${escapeText(node.text ?? '')}</${node.name}>${nl}`;
    }
  };
  write(root, 0);
  return out;
}
