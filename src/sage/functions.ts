import { randomUUID } from 'node:crypto';
import type { SageFunction } from './envelope';
import { assertControlId } from './envelope';
import { SageRequestError } from './errors';
import { filterElement, type SageFilter } from './filter';
import { assertFieldName, assertXmlName, el, emptyEl, textEl } from './xml';

/**
 * Builders for the functions the client sends (reference §1.4, §3, §4.1). Each returns a `SageFunction`
 * that `buildRequest` wraps; several may share one request. The controlid defaults to a random UUID; pass
 * a deterministic one for idempotent writes.
 */

export const QUERY_MAX_PAGE_SIZE = 2000;
/** Keys per `read`/`delete` function (the official SDK's cap; the server's is undocumented). */
export const MAX_KEYS_PER_FUNCTION = 100;

const WRITE_FUNCTIONS = new Set(['create', 'update', 'delete']);

function fn(name: string, body: string, controlId?: string, metered = 1): SageFunction {
  return { name, controlId: assertControlId(controlId ?? randomUUID()), xml: body, write: WRITE_FUNCTIONS.has(name), metered };
}

function objectName(object: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(object)) throw new SageRequestError(`Invalid object name ${JSON.stringify(object)}`, { level: 'client' });
  return object;
}

function intInRange(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new SageRequestError(`${what} must be an integer from ${min} to ${max}`, { level: 'client' });
  return value;
}

function fieldList(fields: readonly string[]): string[] {
  if (fields.length === 0) throw new SageRequestError('A field list cannot be empty (and `*` is never sent)', { level: 'client' });
  return fields.map(assertFieldName);
}

function keyList(keys: readonly string[], what: string): string {
  if (keys.length === 0) throw new SageRequestError(`${what} needs at least one key`, { level: 'client' });
  if (keys.length > MAX_KEYS_PER_FUNCTION) throw new SageRequestError(`${what} takes at most ${MAX_KEYS_PER_FUNCTION} keys per function`, { level: 'client' });
  for (const k of keys) {
    // Keys travel comma-separated: a key containing a comma (or nothing) cannot be expressed.
    if (k.length === 0 || k.includes(',')) throw new SageRequestError(`${what}: the key ${JSON.stringify(k)} cannot be sent (empty or contains a comma)`, { level: 'client' });
  }
  return keys.join(',');
}

export function buildGetAPISession(locationId?: string, controlId?: string): SageFunction {
  return fn('getAPISession', el('getAPISession', locationId !== undefined ? textEl('locationid', locationId) : ''), controlId, 0);
}

export interface SageOrder {
  field: string;
  descending?: boolean;
}

export interface SageQuery {
  object: string;
  /** Required; `*` is not allowed. Dotted relation paths (CONTACT.EMAIL1) are fine. */
  select: readonly string[];
  filter?: SageFilter;
  orderBy?: readonly SageOrder[];
  /** 1–2000 (Sage default 100). */
  pageSize?: number;
  offset?: number;
  caseInsensitive?: boolean;
  /** Read private records of entities from the top level of a multi-entity company. */
  showPrivate?: boolean;
}

/** `query` (reference §3.2): element order object, select, filter, orderby, options, pagesize, offset. */
export function buildQuery(q: SageQuery, controlId?: string): SageFunction {
  const options =
    q.caseInsensitive !== undefined || q.showPrivate !== undefined
      ? el(
          'options',
          q.caseInsensitive !== undefined ? textEl('caseinsensitive', String(q.caseInsensitive)) : '',
          q.showPrivate !== undefined ? textEl('showprivate', String(q.showPrivate)) : '',
        )
      : '';
  const orderBy =
    q.orderBy && q.orderBy.length > 0
      ? el('orderby', ...q.orderBy.map((o) => el('order', textEl('field', assertFieldName(o.field)), emptyEl(o.descending ? 'descending' : 'ascending'))))
      : '';
  const body = el(
    'query',
    textEl('object', objectName(q.object)),
    el('select', ...fieldList(q.select).map((f) => textEl('field', f))),
    filterElement(q.filter),
    orderBy,
    options,
    q.pageSize !== undefined ? textEl('pagesize', String(intInRange(q.pageSize, 1, QUERY_MAX_PAGE_SIZE, 'pagesize'))) : '',
    q.offset !== undefined ? textEl('offset', String(intInRange(q.offset, 0, Number.MAX_SAFE_INTEGER, 'offset'))) : '',
  );
  return fn('query', body, controlId);
}

/** `read` by RECORDNO keys. */
export function buildRead(object: string, recordNos: readonly string[], fields: readonly string[], controlId?: string): SageFunction {
  const body = el('read', textEl('object', objectName(object)), textEl('keys', keyList(recordNos, 'read')), textEl('fields', fieldList(fields).join(',')));
  return fn('read', body, controlId);
}

export function buildLookup(object: string, controlId?: string): SageFunction {
  return fn('lookup', el('lookup', textEl('object', objectName(object))), controlId, 0);
}

export type SageWritePrimitive = string | number | boolean;
/** A field value to write: text, a nested element, or a list of same-named elements (e.g. TIMESHEETENTRY). null/undefined are left out. */
export type SageWriteValue = SageWritePrimitive | null | undefined | SageWriteRecord | readonly (SageWritePrimitive | SageWriteRecord)[];
export interface SageWriteRecord {
  [field: string]: SageWriteValue;
}

function primitive(v: SageWritePrimitive, field: string): string {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new SageRequestError(`${field}: ${v} cannot be written`, { level: 'client' });
  return String(v);
}

function valueXml(name: string, value: SageWriteValue): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item: SageWritePrimitive | SageWriteRecord) => valueXml(name, item)).join('');
  if (typeof value === 'object') return recordXml(name, value as SageWriteRecord);
  return textEl(name, primitive(value as SageWritePrimitive, name));
}

/** `<NAME><FIELD>value</FIELD>…</NAME>` in the record's key order. */
export function recordXml(name: string, record: SageWriteRecord): string {
  assertXmlName(name, 'object name');
  return el(name, ...Object.entries(record).map(([k, v]) => valueXml(assertXmlName(k, 'field name'), v)));
}

/** Generic `create` of one or more records of one object. */
export function buildCreate(object: string, records: readonly SageWriteRecord[], controlId?: string): SageFunction {
  if (records.length === 0) throw new SageRequestError('create needs at least one record', { level: 'client' });
  return fn('create', el('create', ...records.map((r) => recordXml(objectName(object), r))), controlId, records.length);
}

/** Generic `update`: each record carries RECORDNO (or the object's ID field). */
export function buildUpdate(object: string, records: readonly SageWriteRecord[], controlId?: string): SageFunction {
  if (records.length === 0) throw new SageRequestError('update needs at least one record', { level: 'client' });
  return fn('update', el('update', ...records.map((r) => recordXml(objectName(object), r))), controlId, records.length);
}

/** Generic `delete` by RECORDNO keys. */
export function buildDelete(object: string, recordNos: readonly string[], controlId?: string): SageFunction {
  return fn('delete', el('delete', textEl('object', objectName(object)), textEl('keys', keyList(recordNos, 'delete'))), controlId, recordNos.length);
}
