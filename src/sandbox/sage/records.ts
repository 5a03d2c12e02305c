/**
 * Records in and out: rendering stored records the way each function returns them (timestamps in the user
 * offset, STATUS `active`/`inactive` — or database codes for readByQuery), and turning a record written in
 * XML (nested elements, e.g. DISPLAYCONTACT/MAILADDRESS/CITY) or JSON into validated flat field values.
 */
import type { FieldDef, ObjectDef } from './catalog';
import { errors, SageFunctionError } from './errors';
import type { Rec } from './store';
import { dateKey, formatTimestamp } from './time';
import type { XNode } from './xml-parse';
import type { ONode } from './xml-write';

export interface RenderOptions {
  offsetMinutes: number;
  /** readByQuery: enum fields as database codes (STATUS T/F). */
  codes: boolean;
}

export function renderValue(field: FieldDef, rec: Rec, opts: RenderOptions): string {
  const raw = rec[field.name] ?? '';
  if (raw === '') return '';
  if (field.type === 'timestamp') return formatTimestamp(raw, opts.offsetMinutes);
  if (opts.codes && field.codes) return field.codes[raw] ?? raw;
  return raw;
}

/** A record as JSON (control API): every field of the object, as `query` returns it. */
export function renderJson(def: ObjectDef, rec: Rec, opts: RenderOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of def.fields) out[field.name] = renderValue(field, rec, opts);
  return out;
}

export function recordNode(element: string, rec: Rec, fields: readonly FieldDef[], opts: RenderOptions): ONode {
  return { name: element, children: fields.map((field) => ({ name: field.name, text: renderValue(field, rec, opts) })) };
}

/** Aliases accepted in writes: the generic API's PERSONALINFO block is the employee's contact. */
const ALIASES: Record<string, Record<string, string>> = {
  EMPLOYEE: { PERSONALINFO: 'CONTACT' },
};

/** A written field name with its first segment's alias applied (PERSONALINFO.CONTACTNAME → CONTACT.CONTACTNAME). */
function unalias(def: ObjectDef, name: string): string {
  const head = name.split('.')[0];
  const alias = ALIASES[def.name]?.[head];
  return alias ? alias + name.slice(head.length) : name;
}

/**
 * A record element (`<CUSTOMER>…</CUSTOMER>`) → dotted field → text. Nested elements are joined with dots;
 * `skip` names child elements the caller handles itself (TIMESHEETENTRIES).
 */
export function flattenRecordXml(def: ObjectDef, node: XNode, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (n: XNode, prefix: string): void => {
    for (const c of n.children) {
      let name = c.name.toUpperCase();
      if (!prefix && skip.includes(name)) continue;
      if (!prefix) name = unalias(def, name);
      const path = prefix ? `${prefix}.${name}` : name;
      if (c.children.length > 0) walk(c, path);
      else out[path] = c.text;
    }
  };
  walk(node, '');
  return out;
}

/**
 * Validates written values against the catalog: unknown fields are refused; read-only fields are ignored
 * (RECORDNO is kept — it is the update key); enum values must be display values (STATUS active/inactive);
 * dates MM/DD/YYYY; numbers numeric; booleans true/false.
 */
export function validateInput(def: ObjectDef, input: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  const unknown: string[] = [];
  const problems: string[] = [];
  for (const [rawName, rawValue] of Object.entries(input)) {
    const name = unalias(def, rawName.toUpperCase());
    const field = def.fieldMap.get(name);
    if (!field) {
      unknown.push(rawName);
      continue;
    }
    const value = rawValue === null || rawValue === undefined ? '' : typeof rawValue === 'string' ? rawValue : String(rawValue);
    if (name === 'RECORDNO') {
      if (value !== '' && !/^\d+$/.test(value.trim())) problems.push(`RECORDNO '${value}' is not a record number`);
      out.RECORDNO = value.trim();
      continue;
    }
    if (field.readonly) continue;
    if (value === '') {
      out[name] = '';
      continue;
    }
    switch (field.type) {
      case 'enum':
        if (field.codes && !(value in field.codes)) problems.push(`${name} must be one of ${Object.keys(field.codes).join(', ')} (got '${value}')`);
        break;
      case 'date':
        if (!dateKey(value)) problems.push(`${name} '${value}' is not a valid date (expected MM/DD/YYYY)`);
        break;
      case 'integer':
        if (!/^\s*-?\d+\s*$/.test(value)) problems.push(`${name} '${value}' is not a whole number`);
        break;
      case 'decimal':
        if (!/^\s*-?\d+(\.\d+)?\s*$/.test(value)) problems.push(`${name} '${value}' is not a number`);
        break;
      case 'boolean':
        if (!['true', 'false'].includes(value)) problems.push(`${name} must be true or false (got '${value}')`);
        break;
      default:
        break;
    }
    out[name] = field.type === 'integer' || field.type === 'decimal' ? value.trim() : value;
  }
  if (unknown.length > 0) throw new SageFunctionError(errors.invalidFields(def.name, unknown));
  if (problems.length > 0) throw new SageFunctionError(problems.map((p) => errors.businessRule(p, `Could not save ${def.name} record`)));
  return out;
}
