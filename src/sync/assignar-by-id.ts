import type { AssignarClient } from '../assignar';
import type { EntityKind } from '../config/schema';
import { collectionFor, type AssignarRecord } from './assignar-collection';

const IDS_PER_REQUEST = 200;

/** The current Assignar records with these ids (only the given fields), one list call per 200 ids. Absent ids are not there. */
export async function assignarRecordsById(
  assignar: AssignarClient,
  kind: EntityKind,
  ids: readonly string[],
  fields: readonly string[],
  options: { signal?: AbortSignal; progress?: () => void } = {},
): Promise<Map<string, AssignarRecord>> {
  const out = new Map<string, AssignarRecord>();
  const wanted = [...new Set(ids)].map(Number).filter((n) => Number.isSafeInteger(n)).sort((a, b) => a - b);
  const collection = collectionFor(assignar, kind);
  for (let i = 0; i < wanted.length; i += IDS_PER_REQUEST) {
    const part = wanted.slice(i, i + IDS_PER_REQUEST);
    const page = await collection.listPage({ filter: { id: { in: part } }, fields: ['id', ...fields], pageSize: IDS_PER_REQUEST, sort: 'id' }, undefined, { signal: options.signal });
    for (const r of page.items) out.set(String(r.id), r);
    options.progress?.();
  }
  return out;
}
