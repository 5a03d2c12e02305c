import type { AssignarClient, BulkResult, ListQuery, Page, PageCursor } from '../assignar';
import type { EntityKind } from '../config/schema';
import { descriptorFor } from '../mapping';

export type AssignarRecord = Record<string, unknown> & { id: number };

/** The slice of an Assignar resource the sync uses, whatever the entity. */
export interface AssignarCollection {
  listPage(q?: ListQuery, cursor?: PageCursor, o?: { signal?: AbortSignal }): Promise<Page<AssignarRecord>>;
  createMany(bodies: readonly object[], o?: { signal?: AbortSignal; onSettled?: () => void }): Promise<Array<BulkResult<number>>>;
  updateMany(items: ReadonlyArray<{ id: number | string; body: object }>, o?: { signal?: AbortSignal; onSettled?: () => void }): Promise<Array<BulkResult<number | string>>>;
}

export function collectionFor(client: AssignarClient, kind: EntityKind): AssignarCollection {
  const name = descriptorFor(kind).assignarType as 'users' | 'tasks' | 'assets' | 'clients' | 'projects' | 'orders' | 'activities';
  return client[name] as unknown as AssignarCollection;
}
