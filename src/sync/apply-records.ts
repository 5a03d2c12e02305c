import { AssignarUniqueConstraintError } from '../assignar';
import type { EntityKind } from '../config/schema';
import type { Outcome } from '../contracts/outcomes';
import type { JsonObject, Link, LinkInput } from '../ledger';
import { assignarHash, type AnyPayload, type MapOk, type MapResult } from '../mapping';
import { collectionFor, type AssignarRecord } from './assignar-collection';
import { describeError, isRetryableError } from './describe-error';
import { findExisting } from './find-existing';
import type { OutcomeSink } from './outcome-sink';
import { GIVE_UP_AFTER_ATTEMPT, type SyncContext } from './sync-context';

/** Writes go out in chunks; links and outcomes are saved after each, so a crash loses at most one chunk. */
const WRITE_CHUNK = 500;
const WRITE_OUTCOMES: readonly Outcome[] = ['created', 'updated', 'adopted', 'deactivated'];

type Planned =
  | { action: 'create'; mapped: MapOk<AnyPayload> }
  | { action: 'update'; mapped: MapOk<AnyPayload>; assignarId: string; outcome: 'updated' | 'adopted'; details?: Record<string, unknown> }
  | { action: 'link'; mapped: MapOk<AnyPayload>; assignarId: string; details?: Record<string, unknown> };

/** A retryable failure left after the client's own retries: the page is redone by Temporal. */
export class PageRetryError extends Error {
  readonly retryable = true;
}

/**
 * Brings Assignar in line with these mapped Sage records of one kind: creates what is missing, adopts
 * what already exists unlinked (never duplicates), updates what changed, and leaves alone what did not
 * (same content hash) or is held for the true-up. Every record ends in an outcome.
 */
export async function applyMapped(ctx: SyncContext, kind: EntityKind, results: ReadonlyArray<MapResult<AnyPayload>>, sink: OutcomeSink): Promise<void> {
  const mapped: MapOk<AnyPayload>[] = [];
  for (const r of results) {
    sink.seen(kind);
    if (r.ok) mapped.push(r);
    else sink.add({ kind, recordKey: r.sageKey, sageId: r.readableId, outcome: 'failed', reason: r.reason, details: r.field ? { field: r.field } : null });
  }
  if (mapped.length === 0) return;

  const links = new Map((await ctx.ledger.getLinksBySageKeys(ctx.connection.id, kind, mapped.map((m) => m.sageKey))).map((l) => [l.sageKey, l]));
  const plan: Planned[] = [];
  const unlinked: MapOk<AnyPayload>[] = [];
  const unchanged: Array<{ mapped: MapOk<AnyPayload>; link: Link }> = [];
  for (const m of mapped) {
    const link = links.get(m.sageKey);
    if (!link) unlinked.push(m);
    else if (link.status === 'held') {
      sink.add({
        kind, recordKey: m.sageKey, sageId: m.readableId, assignarId: link.assignarId, outcome: 'held',
        reason: link.reason ?? 'the Assignar copy drifted and is held for the true-up; Sage Intacct changes wait until it is reconciled',
      });
    } else if (link.contentHash === m.hash && link.status !== 'deactivated') unchanged.push({ mapped: m, link });
    else plan.push({ action: 'update', mapped: m, assignarId: link.assignarId, outcome: 'updated', details: link.status === 'deactivated' ? { reactivated: true } : undefined });
  }
  await recordUnchanged(ctx, kind, unchanged, sink);

  if (unlinked.length) {
    const existing = await findExisting(ctx, kind, unlinked.map((m) => m.matchValue));
    const candidates = [...existing.values()].flat();
    const taken = new Set(
      candidates.length ? (await ctx.ledger.getLinksByAssignarIds(ctx.connection.id, kind, candidates.map((c) => String(c.id)))).map((l) => l.assignarId) : [],
    );
    for (const m of unlinked) {
      const matches = (existing.get(m.matchValue) ?? []).filter((c) => !taken.has(String(c.id)));
      const adopt = matches[0];
      if (!adopt) {
        plan.push({ action: 'create', mapped: m });
        continue;
      }
      taken.add(String(adopt.id));
      const details = matches.length > 1 ? { duplicates: matches.slice(1).map((c) => c.id) } : undefined;
      if (assignarHash(adopt, kind, ctx.connection) === m.hash) plan.push({ action: 'link', mapped: m, assignarId: String(adopt.id), details });
      else plan.push({ action: 'update', mapped: m, assignarId: String(adopt.id), outcome: 'adopted', details: { ...details, updated: true } });
    }
  }

  const writable = await skipKnownFailures(ctx, kind, firstOfSharedValues(kind, mapped, new Set(links.keys()), plan, sink), sink);

  if (ctx.dryRun) {
    for (const p of writable) {
      const outcome: Outcome = p.action === 'create' ? 'created' : p.action === 'link' ? 'adopted' : p.outcome;
      sink.add({ kind, recordKey: p.mapped.sageKey, sageId: p.mapped.readableId, assignarId: 'assignarId' in p ? p.assignarId : null, outcome, details: { dryRun: true, ...('details' in p ? p.details : {}) } });
    }
    return;
  }

  let retryLater: unknown;
  for (let i = 0; i < writable.length; i += WRITE_CHUNK) {
    retryLater ??= await writeChunk(ctx, kind, writable.slice(i, i + WRITE_CHUNK), sink);
    await sink.flush();
    ctx.progress();
  }
  if (retryLater) throw new PageRetryError(`some ${kind} writes failed and will be retried: ${describeError(retryLater)}`, { cause: retryLater });
}

/** Fields Assignar keeps unique (case-insensitively) among active records of a kind. */
const UNIQUE_FIELDS: Partial<Record<EntityKind, string[]>> = { worker: ['email'] };

/**
 * When Sage records in one page share a value Assignar keeps unique (two employees with one email), one
 * keeps it — the one already linked, else the first in RECORDNO order — and the others fail up front with
 * a reason naming both. Sending them all would let request timing decide which one Assignar accepts.
 */
function firstOfSharedValues(kind: EntityKind, mapped: ReadonlyArray<MapOk<AnyPayload>>, linked: ReadonlySet<string>, plan: readonly Planned[], sink: OutcomeSink): Planned[] {
  const fields = UNIQUE_FIELDS[kind] ?? [];
  if (fields.length === 0) return [...plan];
  const rank = (m: MapOk<AnyPayload>) => (linked.has(m.sageKey) ? 0 : 1);
  const ordered = [...mapped].sort((a, b) => rank(a) - rank(b) || Number(a.sageKey) - Number(b.sageKey));
  const owner = new Map<string, MapOk<AnyPayload>>();
  const valueOf = (m: MapOk<AnyPayload>, field: string) => {
    const v = (m.payload as Record<string, unknown>)[field];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  for (const m of ordered) {
    for (const field of fields) {
      const v = valueOf(m, field);
      if (v !== undefined && !owner.has(`${field}\u0000${v.toLowerCase()}`)) owner.set(`${field}\u0000${v.toLowerCase()}`, m);
    }
  }
  return plan.filter((p) => {
    for (const field of fields) {
      const v = valueOf(p.mapped, field);
      const first = v === undefined ? undefined : owner.get(`${field}\u0000${v.toLowerCase()}`);
      if (!first || first === p.mapped) continue;
      sink.add({
        kind, recordKey: p.mapped.sageKey, sageId: p.mapped.readableId, outcome: 'failed',
        reason: `${p.mapped.object} ${p.mapped.readableId} has the same ${field} "${v}" as ${first.object} ${first.readableId}, and Assignar needs it unique among active ${kind}s. Give each its own ${field} in Sage Intacct.`,
        details: { field, sharedWith: first.readableId },
      });
      return false;
    }
    return true;
  });
}

/**
 * A write Assignar refused for good (a 400) is not sent again while the Sage record is unchanged: it is
 * reported as failed with the original reason on every run, and retried once the record's content changes.
 */
async function skipKnownFailures(ctx: SyncContext, kind: EntityKind, plan: readonly Planned[], sink: OutcomeSink): Promise<Planned[]> {
  const writes = plan.filter((p) => p.action !== 'link');
  if (writes.length === 0) return [...plan];
  const known = new Map((await ctx.ledger.getWriteFailures(ctx.connection.id, kind, writes.map((p) => p.mapped.sageKey))).map((f) => [f.sageKey, f]));
  return plan.filter((p) => {
    const failure = p.action === 'link' ? undefined : known.get(p.mapped.sageKey);
    if (!failure || failure.contentHash !== p.mapped.hash) return true;
    sink.add({
      kind, recordKey: p.mapped.sageKey, sageId: p.mapped.readableId, assignarId: 'assignarId' in p ? p.assignarId : null, outcome: 'failed',
      reason: `${failure.reason} (not sent again: unchanged in Sage Intacct since it failed at ${failure.failedAt})`,
      details: { skipped: true, failedAt: failure.failedAt },
    });
    return false;
  });
}

/** A retried page finds its own earlier writes unchanged: it keeps the outcome the earlier attempt recorded. */
async function recordUnchanged(ctx: SyncContext, kind: EntityKind, unchanged: ReadonlyArray<{ mapped: MapOk<AnyPayload>; link: Link }>, sink: OutcomeSink): Promise<void> {
  const earlier = new Map<string, Outcome>();
  if (ctx.attempt > 1 && unchanged.length) {
    for (const o of await ctx.ledger.getOutcomes(ctx.runId, kind, unchanged.map((u) => u.mapped.sageKey))) earlier.set(o.recordKey, o.outcome);
  }
  for (const { mapped, link } of unchanged) {
    const before = earlier.get(mapped.sageKey);
    const outcome = before && WRITE_OUTCOMES.includes(before) ? before : 'unchanged';
    sink.add({ kind, recordKey: mapped.sageKey, sageId: mapped.readableId, assignarId: link.assignarId, outcome });
  }
}

async function writeChunk(ctx: SyncContext, kind: EntityKind, chunk: readonly Planned[], sink: OutcomeSink): Promise<unknown> {
  const collection = collectionFor(ctx.assignar, kind);
  const creates = chunk.filter((p): p is Extract<Planned, { action: 'create' }> => p.action === 'create');
  const updates = chunk.filter((p): p is Extract<Planned, { action: 'update' }> => p.action === 'update');
  const linksOnly = chunk.filter((p): p is Extract<Planned, { action: 'link' }> => p.action === 'link');
  const onSettled = () => ctx.progress();
  const [created, updated] = await Promise.all([
    creates.length ? collection.createMany(creates.map((p) => p.mapped.payload), { signal: ctx.signal, onSettled }) : [],
    updates.length ? collection.updateMany(updates.map((p) => ({ id: Number(p.assignarId), body: p.mapped.payload })), { signal: ctx.signal, onSettled }) : [],
  ]);

  const newLinks: LinkInput[] = [];
  const refused: Array<{ connection: string; kind: EntityKind; sageKey: string; contentHash: string; reason: string }> = [];
  let retryLater: unknown;
  const link = (m: MapOk<AnyPayload>, assignarId: string): LinkInput => ({
    connection: ctx.connection.id, kind, sageKey: m.sageKey, sageId: m.readableId, assignarId, contentHash: m.hash, payload: m.payload as unknown as JsonObject, status: 'active',
  });
  const fail = (m: MapOk<AnyPayload>, error: unknown, assignarId?: string) => {
    if (isRetryableError(error) && ctx.attempt < GIVE_UP_AFTER_ATTEMPT) {
      retryLater ??= error;
      return;
    }
    const reason = failureReason(kind, m, error);
    sink.add({ kind, recordKey: m.sageKey, sageId: m.readableId, assignarId, outcome: 'failed', reason, details: { attempt: ctx.attempt } });
    if (!isRetryableError(error)) refused.push({ connection: ctx.connection.id, kind, sageKey: m.sageKey, contentHash: m.hash, reason });
  };

  created.forEach((r, i) => {
    const p = creates[i];
    if (r.status === 'fulfilled') {
      newLinks.push(link(p.mapped, String(r.value)));
      sink.add({ kind, recordKey: p.mapped.sageKey, sageId: p.mapped.readableId, assignarId: r.value, outcome: 'created' });
    } else fail(p.mapped, r.error);
  });
  updated.forEach((r, i) => {
    const p = updates[i];
    if (r.status === 'fulfilled') {
      newLinks.push(link(p.mapped, p.assignarId));
      sink.add({ kind, recordKey: p.mapped.sageKey, sageId: p.mapped.readableId, assignarId: p.assignarId, outcome: p.outcome, details: p.details as never });
    } else fail(p.mapped, r.error, p.assignarId);
  });
  for (const p of linksOnly) {
    newLinks.push(link(p.mapped, p.assignarId));
    sink.add({ kind, recordKey: p.mapped.sageKey, sageId: p.mapped.readableId, assignarId: p.assignarId, outcome: 'adopted', details: p.details as never });
  }
  if (newLinks.length) {
    await ctx.ledger.upsertLinks(newLinks);
    await ctx.ledger.clearWriteFailures(ctx.connection.id, kind, newLinks.map((l) => l.sageKey));
  }
  await ctx.ledger.recordWriteFailures(refused);
  return retryLater;
}

function failureReason(kind: EntityKind, m: MapOk<AnyPayload>, error: unknown): string {
  const ref = `${m.object} ${m.readableId}`;
  if (error instanceof AssignarUniqueConstraintError) {
    const field = error.field ?? 'a unique field';
    const value = (m.payload as Record<string, unknown>)[field];
    return `Assignar refused ${ref}: ${field}${value === undefined ? '' : ` "${String(value)}"`} is already used by another active ${kind} in Assignar. Make it unique in Sage Intacct (or reconcile the other Assignar record with a true-up).`;
  }
  return `Assignar refused ${ref}: ${describeError(error)}`;
}

export type { AssignarRecord };
