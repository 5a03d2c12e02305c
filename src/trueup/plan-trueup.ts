import type { TrueupCounts, TrueupItem } from '../contracts/trueup';
import type { Link } from '../ledger';
import { selectFieldsFor } from '../mapping';
import type { SyncContext } from '../sync/sync-context';
import { planWorkers, type WorkerLinkFacts } from './plan-workers';

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

async function allLinks(ctx: SyncContext): Promise<Link[]> {
  const out: Link[] = [];
  for (;;) {
    const page = await ctx.ledger.listLinks(ctx.connection.id, 'worker', { limit: 5000, ...(out.length ? { afterSageKey: out.at(-1)!.sageKey } : {}) });
    out.push(...page);
    if (page.length < 5000) return out;
  }
}

/**
 * Diffs Sage Intacct and Assignar for the connection's workers and records the plan as generation
 * `generation` (items not found again are resolved; approved items that changed are withdrawn). Reads are
 * at their minimum: Sage Intacct employees one query per 2,000, Assignar users one call per page.
 */
export async function planTrueup(ctx: SyncContext, trueupId: string, generation: number): Promise<TrueupPlanSummary> {
  const employees: Row[] = [];
  for await (const page of ctx.sage.pagesByRecordNo({ object: 'EMPLOYEE', select: selectFieldsFor('worker', ctx.connection), pageSize: ctx.connection.sage.pageSize }, undefined, { signal: ctx.signal })) {
    employees.push(...(page.records as Row[]));
    ctx.progress({ employees: employees.length });
  }
  const users: Row[] = [];
  for await (const page of ctx.assignar.users.pages({ sort: 'id' }, { signal: ctx.signal })) {
    users.push(...(page.items as Row[]));
    ctx.progress({ users: users.length });
  }
  const links: WorkerLinkFacts[] = (await allLinks(ctx)).map((l) => ({ sageKey: l.sageKey, sageId: l.sageId, assignarId: l.assignarId, status: l.status }));
  const items = planWorkers({ employees, users, links, map: { config: ctx.connection, defaults: ctx.defaults, assignarIdFor: () => undefined } });
  const result = await ctx.ledger.upsertTrueupPlan(ctx.connection.id, trueupId, generation, items);
  const resolved = await ctx.ledger.resolveUnseenTrueupItems(ctx.connection.id, trueupId, generation);
  return { generation, ...result, resolved, items: items.length };
}
