import { AssignarError, AssignarUniqueConstraintError } from '../assignar';
import type { EntityKind } from '../config/schema';
import type { Outcome } from '../contracts/outcomes';
import { isConnectionFailure } from '../errors';
import type { JsonObject, Link, LinkInput } from '../ledger';
import { assignarHash, FIELD_WORKER_USER_TYPE_ID, type AnyPayload, type MapOk, type MapResult } from '../mapping';
import { collectionFor, type AssignarRecord } from './assignar-collection';
import { dependencySignatures } from './dependency-signature';
import { describeError, isRetryableError } from './describe-error';
import { findExisting } from './find-existing';
import { planLinkedUpdates } from './linked-updates';
import type { OutcomeSink } from './outcome-sink';
import { GIVE_UP_AFTER_ATTEMPT, type SyncContext } from './sync-context';

/** Writes go out in chunks; links and outcomes are saved after each, so a crash loses at most one chunk. */
const WRITE_CHUNK = 500;
const WRITE_OUTCOMES: readonly Outcome[] = ['created', 'updated', 'adopted', 'deactivated'];

type Planned =
  | { action: 'create'; mapped: MapOk<AnyPayload>; details?: Record<string, unknown> }
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
  // These records are present and in scope: any deactivation pending for them is no longer wanted.
  const present = results.map((r) => r.sageKey).filter((k) => k !== '');
  if (!ctx.dryRun && present.length) await ctx.ledger.clearPendingDeactivations(ctx.connection.id, kind, present);
  if (mapped.length === 0) return;

  const links = new Map((await ctx.ledger.getLinksBySageKeys(ctx.connection.id, kind, mapped.map((m) => m.sageKey))).map((l) => [l.sageKey, l]));
  const plan: Planned[] = [];
  const unlinked: MapOk<AnyPayload>[] = [];
  const unchanged: Array<{ mapped: MapOk<AnyPayload>; link: Link }> = [];
  const changed: Array<{ mapped: MapOk<AnyPayload>; link: Link }> = [];
  for (const m of mapped) {
    const link = links.get(m.sageKey);
    if (!link) unlinked.push(m);
    else if (link.status === 'held') {
      sink.add({
        kind, recordKey: m.sageKey, sageId: m.readableId, assignarId: link.assignarId, outcome: 'held',
        reason: link.reason ?? 'the Assignar copy drifted and is held for the true-up; Sage Intacct changes wait until it is reconciled',
      });
    } else if (link.contentHash === m.hash && link.status !== 'deactivated') unchanged.push({ mapped: m, link });
    else changed.push({ mapped: m, link });
  }
  await recordUnchanged(ctx, kind, unchanged, sink);
  plan.push(...(await planLinkedUpdates(ctx, kind, changed, sink)));

  if (unlinked.length) {
    const existing = await findExisting(ctx, kind, unlinked.map((m) => m.matchValue));
    const candidates = [...existing.values()].flat();
    const taken = new Set(
      candidates.length ? (await ctx.ledger.getLinksByAssignarIds(ctx.connection.id, kind, candidates.map((c) => String(c.id)))).map((l) => l.assignarId) : [],
    );
    for (const m of unlinked) {
      const all = (existing.get(m.matchValue) ?? []).filter((c) => !taken.has(String(c.id)));
      const matches = all.filter((c) => adoptable(kind, c));
      const adopt = matches[0];
      if (!adopt) {
        const other = all.find((c) => !adoptable(kind, c));
        if (other) {
          sink.add({
            kind, recordKey: m.sageKey, sageId: m.readableId, assignarId: other.id, outcome: 'failed',
            reason: `${m.object} ${m.readableId}: Assignar user ${other.id} already has employee_id "${m.matchValue}" but is not a field worker, so it is not adopted as one. Change that user's employee ID in Assignar, or reconcile it with a true-up.`,
            details: { conflictingUser: other.id, userTypeId: (other.user_type_id as number | undefined) ?? null },
          });
          continue;
        }
        plan.push({ action: 'create', mapped: m });
        continue;
      }
      taken.add(String(adopt.id));
      const details = matches.length > 1 ? { duplicates: matches.slice(1).map((c) => c.id) } : undefined;
      if (assignarHash(adopt, kind, ctx.connection, m.payload) === m.hash) plan.push({ action: 'link', mapped: m, assignarId: String(adopt.id), details });
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
    const result = await writeChunk(ctx, kind, writable.slice(i, i + WRITE_CHUNK), sink);
    await sink.flush();
    ctx.progress();
    // The connection itself failed (credentials, permissions, answers we cannot read): not these records' fault.
    if (result.connectionFailure) throw result.connectionFailure;
    retryLater ??= result.retryLater;
  }
  if (retryLater) throw new PageRetryError(`some ${kind} writes failed and will be retried: ${describeError(retryLater)}`, { cause: retryLater });
}

/** Only field workers are Intacct-owned users: an office user with a matching employee ID is never adopted as one. */
function adoptable(kind: EntityKind, record: AssignarRecord): boolean {
  return kind !== 'worker' || record.user_type_id === undefined || Number(record.user_type_id) === FIELD_WORKER_USER_TYPE_ID;
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
        // As good as refused: Assignar would refuse it, so it waits for its Sage record to change.
        refusal: { contentHash: p.mapped.hash, dependsOn: null },
      });
      return false;
    }
    return true;
  });
}

/**
 * A write Assignar refused for good (a 400) is not sent again while nothing about it changed: it is
 * reported as failed with the original reason on every run, and sent again once the Sage record's content
 * or a link it refers to (the project's client, say) changes.
 */
async function skipKnownFailures(ctx: SyncContext, kind: EntityKind, plan: readonly Planned[], sink: OutcomeSink): Promise<Planned[]> {
  const writes = plan.filter((p) => p.action !== 'link');
  if (writes.length === 0) return [...plan];
  const known = new Map((await ctx.ledger.getFailingRecords(ctx.connection.id, kind, writes.map((p) => p.mapped.sageKey))).map((f) => [f.sageKey, f]));
  const sameContent = writes.filter((p) => {
    const f = known.get(p.mapped.sageKey);
    return f?.refused === true && f.contentHash === p.mapped.hash;
  });
  if (sameContent.length === 0) return [...plan];
  const signatures = await dependencySignatures(ctx, kind, sameContent.map((p) => p.mapped.payload as unknown as Record<string, unknown>));
  const skip = new Set<Planned>();
  sameContent.forEach((p, i) => {
    const failure = known.get(p.mapped.sageKey)!;
    if ((failure.dependsOn ?? null) !== signatures[i]) return;
    skip.add(p);
    sink.add({
      kind, recordKey: p.mapped.sageKey, sageId: p.mapped.readableId, assignarId: 'assignarId' in p ? p.assignarId : null, outcome: 'failed',
      reason: `${failure.reason} (not sent again: unchanged in Sage Intacct since it failed at ${failure.failedAt})`,
      details: { skipped: true, failedAt: failure.failedAt },
      refusal: { contentHash: p.mapped.hash, dependsOn: signatures[i] },
    });
  });
  return plan.filter((p) => !skip.has(p));
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

interface ChunkResult {
  /** A retryable failure left after the client's own retries: the page is redone. */
  retryLater?: unknown;
  /** A failure of the connection, not of a record: the activity fails with it. */
  connectionFailure?: unknown;
}

async function writeChunk(ctx: SyncContext, kind: EntityKind, chunk: readonly Planned[], sink: OutcomeSink): Promise<ChunkResult> {
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
  const refused: Array<{ mapped: MapOk<AnyPayload>; reason: string; assignarId?: string }> = [];
  const result: ChunkResult = {};
  const unknownCreates: Array<{ planned: Extract<Planned, { action: 'create' }>; error: unknown }> = [];
  const link = (m: MapOk<AnyPayload>, assignarId: string): LinkInput => ({
    connection: ctx.connection.id, kind, sageKey: m.sageKey, sageId: m.readableId, assignarId, contentHash: m.hash, payload: m.payload as unknown as JsonObject, status: 'active',
  });
  const fail = (m: MapOk<AnyPayload>, error: unknown, assignarId?: string) => {
    if (isConnectionFailure(error)) {
      result.connectionFailure ??= error;
      return;
    }
    if (isRetryableError(error) && ctx.attempt < GIVE_UP_AFTER_ATTEMPT) {
      result.retryLater ??= error;
      return;
    }
    const reason = failureReason(kind, m, error);
    if (isRetryableError(error)) sink.add({ kind, recordKey: m.sageKey, sageId: m.readableId, assignarId, outcome: 'failed', reason, details: { attempt: ctx.attempt } });
    else refused.push({ mapped: m, reason, assignarId });
  };

  created.forEach((r, i) => {
    const p = creates[i];
    if (r.status === 'fulfilled') {
      newLinks.push(link(p.mapped, String(r.value)));
      sink.add({ kind, recordKey: p.mapped.sageKey, sageId: p.mapped.readableId, assignarId: r.value, outcome: p.details?.recreated ? 'updated' : 'created', details: (p.details ?? null) as never });
    } else if (r.error instanceof AssignarError && r.error.outcomeUnknown) unknownCreates.push({ planned: p, error: r.error });
    else fail(p.mapped, r.error);
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
  // A create that may have landed (a timeout, a 5xx, a 2xx whose body we could not read) is looked up by key, never sent twice.
  if (unknownCreates.length) {
    const found = await findExisting(ctx, kind, unknownCreates.map((u) => u.planned.mapped.matchValue));
    for (const { planned, error } of unknownCreates) {
      const record = (found.get(planned.mapped.matchValue) ?? []).find((r) => String(r.integration_id ?? '') === planned.mapped.sageKey) ?? found.get(planned.mapped.matchValue)?.[0];
      if (record) {
        newLinks.push(link(planned.mapped, String(record.id)));
        sink.add({ kind, recordKey: planned.mapped.sageKey, sageId: planned.mapped.readableId, assignarId: record.id, outcome: 'created', details: { confirmedByLookup: true } });
      } else if (ctx.attempt < GIVE_UP_AFTER_ATTEMPT) result.retryLater ??= error;
      else sink.add({ kind, recordKey: planned.mapped.sageKey, sageId: planned.mapped.readableId, outcome: 'failed', reason: failureReason(kind, planned.mapped, error), details: { attempt: ctx.attempt } });
    }
  }
  if (newLinks.length) await ctx.ledger.upsertLinks(newLinks);
  if (refused.length) {
    const signatures = await dependencySignatures(ctx, kind, refused.map((r) => r.mapped.payload as unknown as Record<string, unknown>));
    refused.forEach((r, i) =>
      sink.add({
        kind, recordKey: r.mapped.sageKey, sageId: r.mapped.readableId, assignarId: r.assignarId, outcome: 'failed', reason: r.reason,
        details: { attempt: ctx.attempt }, refusal: { contentHash: r.mapped.hash, dependsOn: signatures[i] },
      }),
    );
  }
  return result;
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
