import type { EntityKind } from '../config/schema';
import { CATALOG, fieldType } from './catalog';
import { contentHash } from './hash';
import type { MappingConfig } from './types';

type AnyRecord = Readonly<Record<string, unknown>>;

/**
 * The Assignar fields the mapping owns for a kind: the default mapping's fields, plus fields added by
 * `fieldOverrides`, minus fields an override leaves out (`{ value: null }` = "Assignar owns this field").
 */
export function comparableFields(kind: EntityKind, config?: MappingConfig): string[] {
  const fields = new Set(CATALOG[kind].baseFields);
  const overrides = config?.entities[kind].fieldOverrides ?? {};
  for (const [target, override] of Object.entries(overrides)) {
    if ('value' in override && override.value === null) fields.delete(target);
    else fields.add(target);
  }
  return [...fields];
}

/** An Assignar value in the form the mapping writes it (dates as YYYY-MM-DD, ids as numbers). */
function normalise(field: string, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  switch (fieldType(field)) {
    case 'date':
      // The API may echo dates as full timestamps ('1971-01-01T00:00:00.000Z').
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : value;
    case 'int':
      return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
    case 'bool':
      return value === 1 || value === '1' || value === 'true' ? true : value === 0 || value === '0' || value === 'false' ? false : value;
    default:
      return typeof value === 'number' ? String(value) : value;
  }
}

/**
 * Projects an Assignar API record onto the fields the mapping writes, in the same form, so that
 * `contentHash(comparable(record, kind))` equals the hash of what was last written unless someone
 * edited the record in Assignar (drift). Fields the mapping did not send are absent on our side and
 * null/'' on Assignar's: the canonical hash treats both as "no value".
 */
export function comparable(assignarRecord: AnyRecord, kind: EntityKind, config?: MappingConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of comparableFields(kind, config)) {
    const v = normalise(field, assignarRecord[field]);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

/**
 * contentHash(comparable(record, kind, config)): compare with the hash of the last write. Given what was
 * last written, only its fields count: a field the mapping did not send (an employment type set by hand
 * in Assignar on an adopted worker, say) is Assignar's, not an edit of ours.
 */
export function assignarHash(assignarRecord: AnyRecord, kind: EntityKind, config?: MappingConfig, written?: Readonly<Record<string, unknown>> | null): string {
  const all = comparable(assignarRecord, kind, config);
  if (!written) return contentHash(all);
  return contentHash(Object.fromEntries(Object.entries(all).filter(([field]) => field in written)));
}

/**
 * The body that deactivates (never deletes) an Assignar record whose Sage record is gone, inactive or
 * out of scope: `{ active: false }`, plus the fields the spec requires in every PUT of that resource,
 * copied from the current Assignar record (or the last payload written): clients name/company_name;
 * roles, assets and activities name; work orders client_id, order_owner, start_date, end_date. Users
 * and projects need only `{ active: false }`.
 */
export function deactivationPayload(kind: EntityKind, current: AnyRecord = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of CATALOG[kind].requiredOnWrite) {
    const v = normalise(field, current[field]);
    if (v !== undefined && v !== '') body[field] = v;
  }
  body.active = false;
  return body;
}

