import { badRequest, notFound, validationError } from './errors';
import { applyListQuery, parseListQuery, queriedFields, selectFields } from './query';
import { fieldsOf } from './resources/common';
import type { ResourceContext, ResourceDef } from './resources/types';
import { describeAjvErrors, requestFields, requestSchemaPointer, validatorAt, type FieldInfo } from './spec';
import type { Row } from './store';
import type { Stats } from './stats';

/**
 * The generic behaviour of the API's CRUD resources: list with the query conventions, get, create,
 * update and (soft) delete, with request bodies validated against the spec's request schema,
 * read-only fields ignored, unknown fields dropped (and counted), foreign keys and unique constraints
 * checked, and the modified column stamped on every write.
 */

export interface HttpResult {
  status: number;
  body?: unknown;
}

/** Fields a list can filter, sort and select on: the item schema's top-level fields plus documented extras. */
export function listFields(def: ResourceDef): Map<string, FieldInfo> {
  const fields = new Map(fieldsOf(def.itemSchema));
  for (const [k, v] of Object.entries(def.extraFields ?? {})) fields.set(k, v);
  return fields;
}

export function rowsFor(def: ResourceDef, ctx: ResourceContext, visible?: (row: Row) => boolean): Row[] {
  return ctx.store
    .table(def.name)
    .all()
    .filter((r) => !visible || visible(r));
}

export function list(def: ResourceDef, ctx: ResourceContext, query: Record<string, unknown>, opts: { maxPageSize?: number; visible?: (row: Row) => boolean } = {}): HttpResult {
  const fields = listFields(def);
  const q = parseListQuery(query, fields);
  if (opts.maxPageSize && q.page !== undefined && (q.pageSize ?? 100) > opts.maxPageSize) q.pageSize = opts.maxPageSize;
  const source = rowsFor(def, ctx, opts.visible);
  let total: number;
  let rows: Array<Record<string, unknown>>;
  if (def.listValue) {
    // Filter and sort on the queried columns of the stored rows; render only the page (20,000 timesheets).
    const listValue = def.listValue;
    const used = queriedFields(q);
    const rowOf = new Map<Record<string, unknown>, Row>();
    const views = source.map((row) => {
      const view: Record<string, unknown> = {};
      for (const f of used) view[f] = listValue(row, f);
      rowOf.set(view, row);
      return view;
    });
    const page = applyListQuery(views, { ...q, fields: undefined }, fields);
    total = page.total;
    rows = page.rows.map((view) => def.render(rowOf.get(view)!, ctx));
    if (q.fields) rows = selectFields(rows, q.fields);
  } else {
    ({ total, rows } = applyListQuery(
      source.map((r) => def.render(r, ctx)),
      q,
      fields,
    ));
  }
  if (def.name === 'timesheets') return { status: 200, body: { status: 200, data: { count: total, rows } } };
  return { status: 200, body: { status: 200, data: rows, count: total } };
}

export function findRow(def: ResourceDef, ctx: ResourceContext, rawId: number | undefined, rawText: string, visible?: (row: Row) => boolean): Row {
  const row = rawId === undefined ? undefined : ctx.store.table(def.name).get(rawId);
  if (!row || (visible && !visible(row))) throw notFound(def.label, rawText);
  return row;
}

export function getOne(def: ResourceDef, ctx: ResourceContext, rawId: number | undefined, rawText: string, visible?: (row: Row) => boolean): HttpResult {
  return { status: 200, body: { status: 200, data: def.render(findRow(def, ctx, rawId, rawText, visible), ctx) } };
}

/** Validates an API body; returns the writable fields that were sent (read-only and unknown ones dropped). */
function acceptBody(def: ResourceDef, method: 'post' | 'put', body: unknown, stats: Stats | undefined): Record<string, unknown> {
  if (body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)) {
    throw badRequest('Missing payload.');
  }
  if (typeof body !== 'object' || Array.isArray(body)) throw validationError('body must be object');
  const path = method === 'post' ? def.collectionPath : def.itemPath;
  const pointer = requestSchemaPointer(path, method);
  if (!pointer) throw new Error(`no request schema for ${method} ${path}`);
  const known = new Map(requestFields(pointer));
  for (const [k, v] of Object.entries(def.extraRequestFields ?? {})) known.set(k, v);
  const sent: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const info = known.get(k);
    if (!info) {
      stats?.ignoredField(def.name, k);
      continue;
    }
    if (info.readOnly) continue;
    sent[k] = v;
  }
  const validate = validatorAt(pointer);
  const extras = Object.keys(def.extraRequestFields ?? {});
  const checked = extras.length ? Object.fromEntries(Object.entries(sent).filter(([k]) => !extras.includes(k))) : sent;
  if (!validate(checked)) throw validationError(describeAjvErrors(validate.errors));
  for (const k of extras) {
    const info = def.extraRequestFields![k];
    if (k in sent && sent[k] !== null && typeof sent[k] !== info.type) throw validationError(`${k} must be ${info.type}`);
  }
  return sent;
}

function actorFields(def: ResourceDef, ctx: ResourceContext): Record<string, unknown> {
  const fields = fieldsOf(def.itemSchema);
  const out: Record<string, unknown> = { [def.modifiedField]: ctx.now() };
  const by = fields.get('modified_by');
  if (by) out.modified_by = by.type === 'integer' ? ctx.actor.id : ctx.actor.username;
  if (fields.has('modified_by_id')) out.modified_by_id = ctx.actor.id;
  return out;
}

/** Splits sent fields into columns and relation sets. */
function columnsOf(def: ResourceDef, sent: Record<string, unknown>, ctx: ResourceContext): Record<string, unknown> {
  const relations = new Set(def.relationFields ?? []);
  const cols: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sent)) if (!relations.has(k)) cols[k] = v;
  return { ...cols, ...(def.writeRelations?.(sent, ctx) ?? {}) };
}

/** Reactivating a soft-deleted record (active: true) clears its deletion stamp. */
function reactivation(def: ResourceDef, cols: Record<string, unknown>, existing: Row | undefined): Record<string, unknown> {
  if (def.softDelete === 'deleted_at' && cols.active === true && existing?.deleted_at && !('deleted_at' in cols)) {
    return { deleted_at: null, deleted_by_id: null };
  }
  return {};
}

export function create(def: ResourceDef, ctx: ResourceContext, body: unknown, stats?: Stats): HttpResult {
  const sent = acceptBody(def, 'post', body, stats);
  for (const field of def.createRequired ?? []) {
    if (sent[field] === undefined || sent[field] === null || sent[field] === '') throw validationError(`body must have required property '${field}'`);
  }
  const table = ctx.store.table(def.name);
  const defaults = def.defaults?.(ctx) ?? {};
  const cols = columnsOf(def, sent, ctx);
  const draft = { ...defaults, ...cols, id: table.peekNextId() } as Row;
  Object.assign(draft, def.derive?.(draft, ctx) ?? {});
  def.check?.(draft, ctx, undefined);
  const audit = actorFields(def, ctx);
  if (def.createdField) audit[def.createdField] = audit[def.modifiedField];
  const row = table.insert({ ...draft, ...audit, id: undefined });
  Object.assign(row, def.derive?.(row, ctx) ?? {});
  stats?.write(def.name, 'creates');
  // "Every field you sent, plus the generated id, any column defaults, and audit values ... related objects are not included."
  const data: Record<string, unknown> = { id: row.id };
  for (const k of [...Object.keys(defaults), ...Object.keys(sent), ...def.auditKeys]) {
    if (def.echo && k in def.echo) {
      if (k in sent) {
        const v = def.echo[k](row, sent);
        if (v !== undefined) data[k] = v;
      }
      continue;
    }
    if (row[k] !== undefined) data[k] = row[k];
  }
  Object.assign(data, def.createdExtras?.(row) ?? {});
  return { status: def.createStatus, body: { status: 201, data } };
}

export function update(def: ResourceDef, ctx: ResourceContext, rawId: number | undefined, rawText: string, body: unknown, stats?: Stats): HttpResult {
  const existing = findRow(def, ctx, rawId, rawText);
  const sent = acceptBody(def, 'put', body, stats);
  const cols = columnsOf(def, sent, ctx);
  const draft = { ...existing, ...cols, ...reactivation(def, cols, existing) } as Row;
  Object.assign(draft, def.derive?.(draft, ctx) ?? {});
  def.check?.(draft, ctx, existing);
  ctx.store.table(def.name).update(existing.id, { ...draft, ...actorFields(def, ctx) });
  stats?.write(def.name, 'updates');
  return def.updateStatus === 204 ? { status: 204 } : { status: 200, body: { status: 204 } };
}

/** DELETE: stamps deleted_at/deleted_by_id where the schema has them, and deactivates. Repeating it is harmless. */
export function softDelete(def: ResourceDef, ctx: ResourceContext, row: Row): void {
  const stamp: Record<string, unknown> = { active: false, ...actorFields(def, ctx) };
  if (def.softDelete === 'deleted_at' && !row.deleted_at) {
    stamp.deleted_at = ctx.now();
    stamp.deleted_by_id = ctx.actor.id;
  }
  ctx.store.table(def.name).update(row.id, stamp);
}

export function remove(def: ResourceDef, ctx: ResourceContext, rawId: number | undefined, rawText: string, stats?: Stats): HttpResult {
  const existing = findRow(def, ctx, rawId, rawText);
  softDelete(def, ctx, existing);
  stats?.write(def.name, 'deletes');
  return def.deleteStatus === 204 ? { status: 204 } : { status: 200, body: { status: 204 } };
}

/**
 * A write as a person in the product's UI makes it (control API `POST records/<type>`): no request
 * validation or constraint checks, read-only columns accepted, relation sets in either the request or
 * the response form; create when the id is new, else merge into the row; the modified column bumped.
 */
export function uiUpsert(def: ResourceDef, ctx: ResourceContext, input: Record<string, unknown>): Row {
  const table = ctx.store.table(def.name);
  const id = typeof input.id === 'number' ? input.id : undefined;
  const existing = id !== undefined ? table.get(id) : undefined;
  const relationNames = new Set(def.relationFields ?? []);
  const cols: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (k !== 'id' && !relationNames.has(k) && !k.startsWith('_')) cols[k] = v;
  Object.assign(cols, def.writeRelations?.(input, ctx) ?? {});
  const audit = actorFields(def, ctx);
  for (const k of Object.keys(audit)) if (k in input) audit[k] = input[k];
  if (existing) {
    const draft = { ...existing, ...cols, ...reactivation(def, cols, existing), ...audit } as Row;
    Object.assign(draft, def.derive?.(draft, ctx) ?? {});
    return table.update(existing.id, draft);
  }
  const defaults = def.defaults?.(ctx) ?? {};
  if (def.createdField && !(def.createdField in input)) audit[def.createdField] = audit[def.modifiedField];
  const row = table.insert({ ...defaults, ...cols, ...audit, id });
  Object.assign(row, def.derive?.(row, ctx) ?? {});
  return row;
}
