import { uiUpsert } from '../crud';
import { RESOURCES } from '../resources';
import type { ResourceContext } from '../resources/types';
import { isResourceName, RESOURCE_NAMES, type ResourceName, type Row } from '../store';
import { timesheetFromInput } from '../timesheets';
import { seedDemo } from './demo';
import { seedExistingTenant } from './existing-tenant';
import { sageDemoRecords } from './sage-source';

export type SeedScale = 'none' | 'demo' | 'existing-tenant';
export const SEED_SCALES: readonly SeedScale[] = ['none', 'demo', 'existing-tenant'];

/** Loads a seed into an empty store: `none` (a new tenant), `demo`, or `existing-tenant` (demo + hand-made records). */
export async function applySeed(ctx: ResourceContext, scale: SeedScale): Promise<void> {
  if (scale === 'none') return;
  seedDemo(ctx);
  if (scale === 'existing-tenant') seedExistingTenant(ctx, sageDemoRecords());
}

/** Upserts one record of any resource as a person in the UI would (timesheets take their expanded shape). */
export function upsertRecord(ctx: ResourceContext, resource: ResourceName, input: Record<string, unknown>): Row {
  if (resource === 'timesheets') {
    const table = ctx.store.table('timesheets');
    const existing = typeof input.id === 'number' ? table.get(input.id) : undefined;
    const now = ctx.now();
    const cols = timesheetFromInput(input, ctx.store, now, existing);
    const audit = { modified_time: typeof input.modified_time === 'string' ? input.modified_time : now, modified_by: input.modified_by ?? ctx.actor.username };
    if (existing) return table.update(existing.id, { ...cols, ...audit });
    return table.insert({
      status: 'SUBMITTED',
      is_processed: false,
      date_of_creation: now,
      created_by_id: cols.user_id ?? null,
      _activity_entries: [],
      _asset_entries: [],
      ...cols,
      ...audit,
      id: input.id,
    });
  }
  return uiUpsert(RESOURCES[resource], ctx, input);
}

/** `POST /_sandbox/seed {"records": {...}}`: upserts explicit records, lookups first. */
export function applyRecords(ctx: ResourceContext, records: Record<string, unknown>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of Object.keys(records)) {
    if (!isResourceName(name)) throw new Error(`unknown resource "${name}"; one of ${RESOURCE_NAMES.join(', ')}`);
    if (!Array.isArray(records[name])) throw new Error(`records.${name} must be an array`);
  }
  const order: ResourceName[] = ['user-types', 'employment-types', 'asset-classes', 'tags', 'clients', 'activities', 'tasks', 'assets', 'projects', 'users', 'orders', 'timesheets'];
  for (const name of order) {
    const list = records[name] as Array<Record<string, unknown>> | undefined;
    if (!list) continue;
    for (const r of list) upsertRecord(ctx, name, r);
    counts[name] = list.length;
  }
  return counts;
}
