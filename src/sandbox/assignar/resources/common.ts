import { foreignKey } from '../errors';
import { schemaFields, type FieldInfo } from '../spec';
import type { ResourceName, Row, Store } from '../store';

const fieldCache = new Map<string, Map<string, FieldInfo>>();

/** The spec's top-level fields of a component schema (cached). */
export function fieldsOf(schema: string): Map<string, FieldInfo> {
  let f = fieldCache.get(schema);
  if (!f) {
    f = schemaFields(schema);
    fieldCache.set(schema, f);
  }
  return f;
}

/**
 * A row's columns as the spec's schema lists them: a missing value is rendered as null where the spec
 * says nullable and left out where it does not (the spec gives many columns a plain type).
 */
export function renderColumns(row: Row, schema: string, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, info] of fieldsOf(schema)) {
    if (skip.includes(name)) continue;
    const v = row[name];
    if (v === undefined || v === null) {
      if (info.nullable && info.type !== 'object' && info.type !== 'array') out[name] = null;
      continue;
    }
    out[name] = v;
  }
  return out;
}

/** Drops keys whose value is null or undefined (for nested objects whose fields are not nullable). */
export function compact(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null));
}

/** `[{tag_id: 3}, {tag_id: "4"}]` → [3, 4] (ids accepted as integers or digit strings; de-duplicated). */
export function idsFrom(value: unknown, key: string, altKey?: string): number[] {
  if (!Array.isArray(value)) return [];
  const out: number[] = [];
  for (const item of value) {
    const raw = item && typeof item === 'object' ? ((item as Record<string, unknown>)[key] ?? (altKey ? (item as Record<string, unknown>)[altKey] : undefined)) : item;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isInteger(n) && !out.includes(n)) out.push(n);
  }
  return out;
}

/** Throws `[400] Foreign Key Constraint Error - <field>` if the id is set and not a row of the table. */
export function requireRow(store: Store, table: ResourceName, id: unknown, field: string): void {
  if (id === undefined || id === null) return;
  if (typeof id !== 'number' || !store.table(table).get(id)) throw foreignKey(field);
}

export function requireRows(store: Store, table: ResourceName, ids: number[], field: string): void {
  for (const id of ids) requireRow(store, table, id, field);
}

/** TagPart of a tag id (`{tag_id, name, description, color}`), or undefined if the tag is gone. */
export function tagPart(store: Store, id: number): Record<string, unknown> | undefined {
  const t = store.table('tags').get(id);
  if (!t) return undefined;
  return { tag_id: t.id, name: t.name ?? '', description: t.description ?? null, color: t.color ?? null };
}

/** `{tag_id, tag: Tag}` as projects and orders render their tags. */
export function tagWithTag(store: Store, id: number): Record<string, unknown> | undefined {
  const t = store.table('tags').get(id);
  if (!t) return undefined;
  return { tag_id: t.id, tag: { ...compact({ id: t.id, taxonomy: t.taxonomy, name: t.name, description: t.description, color: t.color }), integration_id: t.integration_id ?? null } };
}

export function numberList(row: Row, key: string): number[] {
  const v = row[key];
  return Array.isArray(v) ? (v as number[]) : [];
}

export function isActive(row: Row): boolean {
  return row.active !== false && !row.deleted_at;
}
