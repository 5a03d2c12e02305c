import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/**
 * The Assignar OpenAPI file (spec/assignar-openapi.yaml), loaded once per process, turned into JSON
 * Schema for ajv (OpenAPI 3.0 `nullable` handled, $refs resolved against the document itself), and the
 * helpers the sandbox needs from it: request-body validators and the top-level fields of each resource.
 */

type Json = Record<string, unknown>;
export const SPEC_ID = 'assignar-openapi';

let cachedSpec: Json | undefined;
let cachedAjv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** Finds spec/assignar-openapi.yaml by walking up from this file (works from src/ and from a build). */
export function specPath(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'spec', 'assignar-openapi.yaml');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('spec/assignar-openapi.yaml not found above ' + __dirname);
    dir = parent;
  }
}

/** The raw OpenAPI document (as written, not converted). */
export function loadSpec(): Json {
  if (!cachedSpec) cachedSpec = parseYaml(fs.readFileSync(specPath(), 'utf8')) as Json;
  return cachedSpec;
}

/**
 * OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes a `null` type (or `anyOf [..., null]` next
 * to `$ref`/`allOf`, where OpenAPI 3.0 strictly ignores siblings of `$ref` but the spec plainly means
 * "nullable"), boolean exclusiveMinimum/Maximum become numeric. Everything else is kept; OpenAPI-only
 * keywords (example, readOnly, x-*) are annotations ajv ignores in non-strict mode.
 */
export function openapiToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openapiToJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const src = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === 'nullable' || key === 'example' || key === 'examples' || key === 'x-examples') continue;
    out[key] = openapiToJsonSchema(value);
  }
  if (typeof src.exclusiveMinimum === 'boolean') {
    if (src.exclusiveMinimum) out.exclusiveMinimum = src.minimum;
    else delete out.exclusiveMinimum;
    if (src.exclusiveMinimum) delete out.minimum;
  }
  if (typeof src.exclusiveMaximum === 'boolean') {
    if (src.exclusiveMaximum) out.exclusiveMaximum = src.maximum;
    else delete out.exclusiveMaximum;
    if (src.exclusiveMaximum) delete out.maximum;
  }
  if (src.nullable === true) {
    if (typeof out.$ref === 'string' || (out.allOf && out.type === undefined)) {
      const { description, readOnly, ...inner } = out;
      return { anyOf: [inner, { type: 'null' }], ...(description !== undefined ? { description } : {}), ...(readOnly !== undefined ? { readOnly } : {}) };
    }
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/** One ajv instance holding the whole converted document under $id `assignar-openapi`. */
export function specAjv(): Ajv {
  if (cachedAjv) return cachedAjv;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  for (const f of ['int32', 'int64', 'float', 'double', 'decimal', 'url', 'byte', 'binary', 'password']) ajv.addFormat(f, true);
  const converted = openapiToJsonSchema(loadSpec()) as Json;
  ajv.addSchema({ ...converted, $id: SPEC_ID });
  cachedAjv = ajv;
  return ajv;
}

/** JSON pointer → escaped fragment (`/paths/~1users/get`). */
export function pointer(...segments: string[]): string {
  return '/' + segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** A validator for the schema at a JSON pointer in the (converted) document. */
export function validatorAt(jsonPointer: string): ValidateFunction {
  let v = validators.get(jsonPointer);
  if (!v) {
    const ajv = specAjv();
    v = ajv.compile({ $ref: `${SPEC_ID}#${encodeURI(jsonPointer)}` });
    validators.set(jsonPointer, v);
  }
  return v;
}

/** Resolves a local `$ref` ('#/components/...') in the raw spec, following chains. */
export function resolveRef(node: unknown): Json {
  let cur = node as Json;
  for (let i = 0; i < 20 && cur && typeof cur.$ref === 'string'; i++) {
    const ref = cur.$ref as string;
    if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
    cur = ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((acc, seg) => (acc as Json)?.[seg], loadSpec()) as Json;
  }
  return cur;
}

/** The raw operation object of the spec for a path as the spec spells it and a lower-case method. */
export function specOperation(specPathTemplate: string, method: string): Json | undefined {
  const paths = loadSpec().paths as Json;
  const item = paths[specPathTemplate] as Json | undefined;
  return item?.[method.toLowerCase()] as Json | undefined;
}

/** JSON pointer of an operation's JSON request-body schema (following a requestBodies $ref). */
export function requestSchemaPointer(specPathTemplate: string, method: string): string | undefined {
  const op = specOperation(specPathTemplate, method);
  if (!op?.requestBody) return undefined;
  const rb = op.requestBody as Json;
  if (typeof rb.$ref === 'string') {
    return pointer(...(rb.$ref as string).slice(2).split('/'), 'content', 'application/json', 'schema');
  }
  return pointer('paths', specPathTemplate, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema');
}

/** JSON pointer of an operation's JSON response schema for a status code, or undefined if none. */
export function responseSchemaPointer(specPathTemplate: string, method: string, status: number): string | undefined {
  const op = specOperation(specPathTemplate, method);
  const responses = op?.responses as Json | undefined;
  const resp = responses?.[String(status)] as Json | undefined;
  const content = (resp?.content as Json | undefined)?.['application/json'] as Json | undefined;
  if (!content?.schema) return undefined;
  return pointer('paths', specPathTemplate, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema');
}

export interface FieldInfo {
  /** JSON types the field may take ('string', 'integer', 'boolean', 'number', 'object', 'array'). */
  type: string;
  nullable: boolean;
  readOnly: boolean;
  format?: string;
}

/** Top-level properties of a component schema (following $ref and allOf), with their types. */
export function schemaFields(componentName: string): Map<string, FieldInfo> {
  const out = new Map<string, FieldInfo>();
  const visit = (node: unknown) => {
    const s = resolveRef(node);
    if (!s) return;
    for (const part of (s.allOf as unknown[] | undefined) ?? []) visit(part);
    for (const [name, raw] of Object.entries((s.properties as Json | undefined) ?? {})) {
      const p = raw as Json;
      const target = p.$ref ? resolveRef(p) : p.allOf ? resolveRef((p.allOf as unknown[])[0]) : p;
      const type = typeof target.type === 'string' ? target.type : target.properties ? 'object' : 'string';
      out.set(name, { type, nullable: p.nullable === true, readOnly: p.readOnly === true || target.readOnly === true, format: target.format as string | undefined });
    }
  };
  visit({ $ref: `#/components/schemas/${componentName}` });
  return out;
}

/** Top-level properties of a request body schema (for read-only stripping and unknown-field detection). */
export function requestFields(schemaPointer: string): Map<string, FieldInfo> {
  const segs = schemaPointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const node = segs.reduce<unknown>((acc, seg) => (acc as Json)?.[seg], loadSpec());
  const s = resolveRef(node);
  const out = new Map<string, FieldInfo>();
  for (const [name, raw] of Object.entries((s.properties as Json | undefined) ?? {})) {
    const p = raw as Json;
    const target = p.$ref ? resolveRef(p) : p;
    out.set(name, {
      type: typeof target.type === 'string' ? target.type : 'object',
      nullable: p.nullable === true,
      readOnly: p.readOnly === true || target.readOnly === true,
      format: target.format as string | undefined,
    });
  }
  return out;
}

/** ajv errors → one readable line ("first_name must be string; body must have required property 'name'"). */
export function describeAjvErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors?.length) return 'invalid payload';
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'body';
    const text = `${where} ${e.message ?? 'is invalid'}`;
    if (!seen.has(text)) {
      seen.add(text);
      parts.push(text);
    }
  }
  return parts.join('; ') || 'invalid payload';
}
