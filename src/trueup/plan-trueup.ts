import type { TrueupCounts, TrueupItem } from '../contracts/trueup';
import type { EntityKind } from '../config/schema';
import type { Link } from '../ledger';
import { CATALOG, selectFieldsFor, SYNC_ORDER, type MapContext } from '../mapping';
import { collectionFor } from '../sync/assignar-collection';
import type { SyncContext } from '../sync/sync-context';
import { planEntities, type LinkFacts } from './plan-entities';
import type { PlanItem } from './plan-item';
import { planWorkers } from './plan-workers';

type Row = Readonly<Record<string, unknown>>;

/** Items shown in `status` (waiting for a decision). */
export const STATUS_PAGE = 20;

export interface TrueupPlanSummary {
  generation: number;
  added: number;
  changed: number;
  withdrawn: number;
  resolved: number;
  items: number;
}

export interface TrueupView {
  counts: TrueupCounts;
  /** Items whose approval a re-diff withdrew (state withdrawn). */
  withdrawn: number;
  page: TrueupItem[];
}

/** Counts and the first waiting items, for the workflow's `status` (the plan itself stays in the ledger). */
export async function trueupView(ctx: Pick<SyncContext, 'ledger' | 'connection'>, trueupId: string): Promise<TrueupView> {
  const counts = await ctx.ledger.trueupCounts(ctx.connection.id, trueupId);
  const waiting = await ctx.ledger.listTrueupItems(ctx.connection.id, trueupId, { states: ['withdrawn', 'proposed', 'failed'], limit: STATUS_PAGE });
  const withdrawn = Object.values(counts).reduce((n, byState) => n + (byState.withdrawn ?? 0), 0);
  const page = waiting.map((i): TrueupItem => ({
    itemId: i.itemId,
    kind: i.kind,
    action: i.action,
    state: i.state,
    confidence: i.confidence,
    sageKey: i.sageKey,
    sageId: i.sageId,
    assignarId: i.assignarId,
    summary: i.summary,
    evidence: i.evidence,
    contentHash: i.contentHash,
    approvedHash: i.approvedHash,
    reason: i.reason,
  }));
  return { counts, withdrawn, page };
}

/** Every link of a kind, in pages of 5,000. */
async function allLinks(ctx: SyncContext, kind: EntityKind): Promise<Link[]> {
  const out: Link[] = [];
  for (;;) {
    const page = await ctx.ledger.listLinks(ctx.connection.id, kind, { limit: 5000, ...(out.length ? { afterSageKey: out.at(-1)!.sageKey } : {}) });
    out.push(...page);
    if (page.length < 5000) return out;
  }
}

/** Every record of a Sage Intacct object, one query per page (roles and assets share ITEM: read once). */
async function allSage(ctx: SyncContext, object: string, select: string[]): Promise<Row[]> {
  const out: Row[] = [];
  for await (const page of ctx.sage.pagesByRecordNo({ object, select, pageSize: ctx.connection.sage.pageSize }, undefined, { signal: ctx.signal })) {
    out.push(...(page.records as Row[]));
    ctx.progress({ object, read: out.length });
  }
  return out;
}

/**
 * Every record of an Assignar resource (archived ones too), keyset on id: a record deleted mid-listing
 * must not shift another out of view (it would look deleted and be proposed for recreation).
 */
async function allAssignar(ctx: SyncContext, kind: EntityKind): Promise<Row[]> {
  const out: Row[] = [];
  const pageSize = ctx.connection.assignar.pageSize;
  const collection = collectionFor(ctx.assignar, kind);
  for (let lastId = 0; ;) {
    const page = await collection.listPage({ sort: 'id', filter: { id: { gt: lastId } }, pageSize }, undefined, { signal: ctx.signal });
    out.push(...page.items);
    ctx.progress({ kind, read: out.length });
    if (page.items.length < pageSize) return out;
    lastId = page.items.at(-1)!.id;
  }
}

const linkFacts = (links: readonly Link[]): LinkFacts[] => links.map((l) => ({ sageKey: l.sageKey, sageId: l.sageId, assignarId: l.assignarId, status: l.status }));

/**
 * The kinds a true-up plans (the enabled ones, or those asked for), workers first (the case it exists
 * for), then the others in dependency order.
 */
export function trueupKinds(ctx: Pick<SyncContext, 'connection'>, only?: readonly EntityKind[]): EntityKind[] {
  return (['worker', ...SYNC_ORDER.filter((k) => k !== 'worker')] as EntityKind[]).filter((k) => ctx.connection.entities[k].enabled && (!only || only.includes(k)));
}

/**
 * Diffs Sage Intacct and Assignar for every enabled kind of the connection and records the plan as
 * generation `generation` (items not found again are resolved; approved items that changed are withdrawn).
 * Reads are at their minimum: each Sage Intacct object one query per page (ITEM once for roles and
 * assets), each Assignar resource one call per page.
 */
export async function planTrueup(ctx: SyncContext, trueupId: string, generation: number, only?: readonly EntityKind[]): Promise<TrueupPlanSummary> {
  const kinds = trueupKinds(ctx, only);
  const objects = new Map<string, Set<string>>();
  for (const kind of kinds) {
    const fields = objects.get(CATALOG[kind].sageObject) ?? new Set<string>();
    for (const f of selectFieldsFor(kind, ctx.connection)) fields.add(f);
    objects.set(CATALOG[kind].sageObject, fields);
  }
  const sage = new Map<string, Row[]>();
  for (const [object, fields] of objects) sage.set(object, await allSage(ctx, object, [...fields]));
  // Every enabled kind's links: a project's mapping looks up its client's even when only projects are planned.
  const linkedKinds = trueupKinds(ctx);
  const links = new Map<EntityKind, Link[]>();
  for (const kind of linkedKinds) links.set(kind, await allLinks(ctx, kind));
  const bySageId = new Map(linkedKinds.map((k) => [k, new Map(links.get(k)!.filter((l) => l.status !== 'deactivated').map((l) => [l.sageId, l]))]));
  const map: MapContext = {
    config: ctx.connection,
    defaults: ctx.defaults,
    assignarIdFor: (kind, sageId) => bySageId.get(kind)?.get(sageId)?.assignarId,
    projectClientId: (projectId) => {
      const clientId = bySageId.get('project')?.get(projectId)?.payload?.client_id;
      return typeof clientId === 'number' || typeof clientId === 'string' ? clientId : undefined;
    },
  };

  const items: PlanItem[] = [];
  for (const kind of kinds) {
    const records = sage.get(CATALOG[kind].sageObject)!;
    const assignar = await allAssignar(ctx, kind);
    const facts = linkFacts(links.get(kind)!);
    if (kind === 'worker') items.push(...planWorkers({ employees: records, users: assignar, links: facts, map }));
    else items.push(...planEntities({ kind, records, assignar, links: facts, map }));
  }
  const result = await ctx.ledger.upsertTrueupPlan(ctx.connection.id, trueupId, generation, items);
  const resolved = await ctx.ledger.resolveUnseenTrueupItems(ctx.connection.id, trueupId, generation);
  return { generation, ...result, resolved, items: items.length };
}
