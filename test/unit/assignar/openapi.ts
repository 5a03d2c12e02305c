import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The OpenAPI file the project is built against, parsed once for the drift tests. */
export const SPEC_PATH = path.resolve(__dirname, '../../../spec/assignar-openapi.yaml');

export type OaNode = Record<string, unknown> & {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  properties?: Record<string, OaNode>;
  items?: OaNode;
  allOf?: OaNode[];
  anyOf?: OaNode[];
  oneOf?: OaNode[];
};

export interface OaDocument {
  paths: Record<string, Record<string, OaNode>>;
  components: { schemas: Record<string, OaNode> };
}

let cached: OaDocument | undefined;
export function spec(): OaDocument {
  cached ??= parse(readFileSync(SPEC_PATH, 'utf8')) as OaDocument;
  return cached;
}

/** Follows `$ref`s and merges `allOf`, keeping `nullable`. */
export function resolve(node: OaNode | undefined, doc = spec()): OaNode | undefined {
  if (!node) return undefined;
  if (node.$ref) {
    const name = node.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
    const r = resolve(target, doc)!;
    return node.nullable ? { ...r, nullable: true } : r;
  }
  if (node.allOf) {
    const parts = node.allOf.map((p) => resolve(p, doc)!);
    return {
      ...node,
      allOf: undefined,
      type: parts.find((p) => p.type)?.type ?? node.type,
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), node.properties ?? {}),
    };
  }
  return node;
}

/** The spec path matching a template like `/users/{id}`, whatever the spec names its parameter. */
export function specPathFor(template: string, doc = spec()): string[] {
  const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{id\\?\}|\{id\}/g, '\\{[^/}]+\\}')}$`);
  return Object.keys(doc.paths).filter((p) => pattern.test(p));
}

/** The schema of `data` in the 200/201 JSON response of an operation. */
export function responseData(op: OaNode | undefined, doc = spec()): OaNode | undefined {
  const responses = (op?.responses ?? {}) as Record<string, OaNode>;
  for (const code of ['200', '201']) {
    const content = (responses[code]?.content as Record<string, OaNode> | undefined)?.['application/json'];
    const schema = resolve(content?.schema as OaNode | undefined, doc);
    const data = schema?.properties?.data;
    if (data) return resolve(data, doc);
  }
  return undefined;
}
