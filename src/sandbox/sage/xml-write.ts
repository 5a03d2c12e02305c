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

const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeText(s: string): string {
  return s.replace(INVALID_XML_CHARS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

export const el = (name: string, text = ''): ONode => ({ name, text });
export const parent = (name: string, children: ONode[], attrs?: ONode['attrs']): ONode => ({ name, children, attrs });

export function serialize(root: ONode, pretty: boolean): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', pretty ? '\n' : ''];
  const write = (node: ONode, depth: number): void => {
    const indent = pretty ? '\t'.repeat(depth) : '';
    const attrs = node.attrs?.map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`).join('') ?? '';
    if (node.children) {
      if (node.children.length === 0) {
        out.push(`${indent}<${node.name}${attrs}></${node.name}>`, pretty ? '\n' : '');
        return;
      }
      out.push(`${indent}<${node.name}${attrs}>`, pretty ? '\n' : '');
      for (const c of node.children) write(c, depth + 1);
      out.push(`${indent}</${node.name}>`, pretty ? '\n' : '');
    } else {
      out.push(`${indent}<${node.name}${attrs}>${escapeText(node.text ?? '')}</${node.name}>`, pretty ? '\n' : '');
    }
  };
  write(root, 0);
  return out.join('');
}
