import type { EntityKind } from '../config/schema';
import { assignarMatchValue, descriptorFor } from '../mapping';
import { collectionFor, type AssignarRecord } from './assignar-collection';
import type { SyncContext } from './sync-context';

const VALUES_PER_REQUEST = 200;
const PAGE_SIZE = 1000;

/**
 * Finds Assignar records that carry these match values (external_id / employee_id / job_number): the
 * records to adopt instead of duplicating, including ones an earlier attempt of this page created
 * before it crashed. One list call per 200 values; none at all when the resource is empty (a new
 * tenant), which one call of page size 1 tells.
 */
export async function findExisting(ctx: SyncContext, kind: EntityKind, matchValues: readonly string[]): Promise<Map<string, AssignarRecord[]>> {
  const found = new Map<string, AssignarRecord[]>();
  const wanted = [...new Set(matchValues.filter((v) => v !== ''))];
  if (wanted.length === 0) return found;
  const collection = collectionFor(ctx.assignar, kind);
  const probe = await collection.listPage({ pageSize: 1, sort: 'id', fields: ['id'] }, undefined, { signal: ctx.signal });
  if (probe.items.length === 0) return found;

  const matchKey = descriptorFor(kind).matchKey;
  // A comma cannot be escaped inside an `__in` list: such values are looked up one by one.
  const listable = wanted.filter((v) => !v.includes(','));
  const single = wanted.filter((v) => v.includes(','));
  const filters = [
    ...chunks(listable, VALUES_PER_REQUEST).map((part) => ({ [matchKey]: { in: part } })),
    ...single.map((v) => ({ [matchKey]: v })),
  ];
  for (const filter of filters) {
    let cursor: { page: number; pageSize: number } | undefined;
    do {
      const page = await collection.listPage({ filter, pageSize: PAGE_SIZE, sort: 'id' }, cursor, { signal: ctx.signal });
      for (const record of page.items) {
        const value = assignarMatchValue(kind, record);
        if (!value) continue;
        const list = found.get(value) ?? [];
        list.push(record);
        found.set(value, list);
      }
      cursor = page.next ?? undefined;
    } while (cursor);
    ctx.progress();
  }
  for (const list of found.values()) list.sort((a, b) => a.id - b.id);
  return found;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
