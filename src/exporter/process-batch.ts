import { EXPORT_TOTALS, type ExportPageResult, type TimesheetOutcomeDetails } from '../contracts/export';
import { emptyCounts } from '../contracts/outcomes';
import { isConnectionFailure } from '../errors';
import type { ExportGroup, Json, RecordOutcomeInput } from '../ledger';
import { failpoint, FAILPOINTS } from '../runtime/failpoints';
import type { ExportContext } from './export-context';

/**
 * Confirmed groups per activity call (≈ 5 timesheets each): ~2,000 process calls, 20 s at 100 requests/s;
 * two loops run side by side (workflows/timesheet-export.ts), so one's bookkeeping overlaps the other's calls.
 */
export const PROCESS_GROUPS_PER_BATCH = 400;
/**
 * Ids per `id__in` read of the timesheets' current state: the connection's page size, at most 500 (five
 * hundred ids keep the URL near 3 KB, well inside what proxies accept).
 */
const MAX_IDS_PER_READ = 500;

const IN_SAGE = new Set(['confirmed', 'processed']);

interface Current {
  modifiedTime: string | null;
  processedAt: string | null;
  isProcessed: boolean;
}

/**
 * Marks processed in Assignar the timesheets of a batch of confirmed groups (keyset on the group key, within
 * the key range after `cursor` and before `beforeKey`, so two loops can share the work),
 * and a group `processed` once all of its timesheets are. A timesheet is processed only when:
 * - every group its version is in is in Sage Intacct (a shift split across two weeks waits for both);
 * - Assignar still has that version: one edited since it was planned is left unprocessed, so the next
 *   export sends it as a correction (processing it would hide the edit for good).
 * A timesheet Assignar already shows processed (an earlier attempt got through) counts as done; one no
 * longer visible (deleted) is reported and counts as done, there being nothing left to mark. A refusal
 * fails that timesheet alone and its group stays confirmed, retried by the next export; a failure of the
 * connection fails the activity once the rest is recorded.
 */
export async function processBatch(ctx: ExportContext, cursor: string | null, beforeKey: string | null = null): Promise<ExportPageResult> {
  const conn = ctx.connection.id;
  const groups = await ctx.ledger.listExportGroups(conn, {
    states: ['confirmed'],
    ...(cursor !== null ? { afterKey: cursor } : {}),
    ...(beforeKey !== null ? { beforeKey } : {}),
    withLines: false,
    limit: PROCESS_GROUPS_PER_BATCH,
  });
  const nextCursor = groups.length === PROCESS_GROUPS_PER_BATCH ? groups.at(-1)!.groupKey : null;
  if (groups.length === 0) return { nextCursor, counts: {} };
  const counts = { timesheet: emptyCounts() };
  const totals: Record<string, number> = {};
  const notices: string[] = [];

  const ids = [...new Set(groups.flatMap((g) => g.timesheets.map((t) => t.assignarTimesheetId)))];
  // Per timesheet version: is every group it is in already in Sage Intacct? (Indexed: a batch holds ~2,000.)
  const notInSage = new Set<string>();
  for (const r of await ctx.ledger.exportsOfTimesheets(conn, ids)) {
    if (!IN_SAGE.has(r.state) && r.state !== 'superseded') notInSage.add(`${r.assignarTimesheetId}\u0000${r.version}`);
  }
  const ready = (id: string, version: string) => !notInSage.has(`${id}\u0000${version}`);

  const current = new Map<string, Current>();
  const idsPerRead = Math.min(ctx.connection.assignar.pageSize, MAX_IDS_PER_READ);
  const parts: string[][] = [];
  for (let i = 0; i < ids.length; i += idsPerRead) parts.push(ids.slice(i, i + idsPerRead));
  const pagesRead = await Promise.all(
    parts.map((part) =>
      ctx.assignar.timesheetsExpanded.listPage({ filter: { id: { in: part.map(Number) } }, fields: ['modified_time', 'processed_at', 'is_processed'], pageSize: part.length }, undefined, { signal: ctx.signal }),
    ),
  );
  for (const page of pagesRead) {
    for (const ts of page.items) {
      current.set(String(ts.id), { modifiedTime: ts.modified_time ?? null, processedAt: ts.processed_at ?? null, isProcessed: (ts as { is_processed?: unknown }).is_processed === true });
    }
  }

  /** Per timesheet id + version: done (processed or nothing to do), waiting, or failed with a reason. */
  const state = new Map<string, { done: boolean; reason?: string; already?: boolean }>();
  const toProcess: string[] = [];
  const versionOf = new Map<string, string>();
  for (const g of groups) {
    for (const t of g.timesheets) {
      const key = `${t.assignarTimesheetId}\u0000${t.version}`;
      if (state.has(key)) continue;
      const now = current.get(t.assignarTimesheetId);
      if (!now) {
        state.set(key, { done: true, reason: `Assignar timesheet ${t.assignarTimesheetId} is no longer visible in Assignar (deleted after it was exported): its time stays in Sage Intacct; remove it there if it should not be paid` });
      } else if (now.isProcessed) {
        state.set(key, { done: true, already: true });
      } else if (now.modifiedTime !== t.version) {
        state.set(key, { done: false, reason: `Assignar timesheet ${t.assignarTimesheetId} changed after it was exported; the next export sends the change as a correction` });
      } else if (!ready(t.assignarTimesheetId, t.version)) {
        state.set(key, { done: false, reason: `part of Assignar timesheet ${t.assignarTimesheetId} is in another export group not yet in Sage Intacct` });
      } else {
        state.set(key, { done: false });
        if (!versionOf.has(t.assignarTimesheetId)) toProcess.push(t.assignarTimesheetId);
        versionOf.set(t.assignarTimesheetId, t.version);
      }
    }
  }

  let connectionError: unknown;
  if (toProcess.length > 0) {
    failpoint(FAILPOINTS.beforeMarkProcessed);
    const results = await ctx.assignar.processTimesheets(toProcess, {
      signal: ctx.signal,
      onSettled: (_r, settled, total) => {
        if (settled % 50 === 0 || settled === total) ctx.progress({ processed: settled, of: total });
      },
    });
    results.forEach((r, i) => {
      const id = toProcess[i];
      const key = `${id}\u0000${versionOf.get(id)}`;
      if (r.status === 'fulfilled') {
        state.set(key, { done: true, already: r.value.alreadyProcessed });
        totals[EXPORT_TOTALS.timesheetsProcessed] = (totals[EXPORT_TOTALS.timesheetsProcessed] ?? 0) + 1;
      } else if (isConnectionFailure(r.error)) {
        connectionError ??= r.error;
      } else if (r.error.retryable) {
        // Rate limits, 5xx, timeouts the client gave up on: left for the retry of this batch.
        connectionError ??= r.error;
      } else {
        state.set(key, { done: false, reason: `marking Assignar timesheet ${id} processed failed: ${r.error.message}; it is in Sage Intacct and the next export tries again` });
      }
    });
  }

  const outcomes: RecordOutcomeInput[] = [];
  const finished: string[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    const all = g.timesheets.map((t) => ({ t, s: state.get(`${t.assignarTimesheetId}\u0000${t.version}`)! }));
    if (all.every(({ s }) => s.done)) finished.push(g.groupKey);
    for (const { t, s } of all) {
      if (seen.has(t.assignarTimesheetId)) continue;
      const outcome = outcomeOf(ctx, g, s);
      if (!outcome) continue;
      seen.add(t.assignarTimesheetId);
      const details: TimesheetOutcomeDetails = { version: t.version, employeeId: g.employeeId, groupKeys: [g.groupKey], sageRecordNos: g.sageRecordNo ? [g.sageRecordNo] : [], processed: s.done, minutes: t.minutes };
      counts.timesheet.seen += 1;
      counts.timesheet[outcome.outcome] += 1;
      if (s.reason && outcome.outcome !== 'failed') notices.push(s.reason);
      outcomes.push({
        runId: ctx.runId,
        connection: conn,
        kind: 'timesheet',
        recordKey: t.assignarTimesheetId,
        assignarId: t.assignarTimesheetId,
        sageId: g.sageRecordNo,
        outcome: outcome.outcome,
        reason: outcome.reason,
        details: details as unknown as Json,
      });
    }
  }
  if (finished.length > 0) await ctx.ledger.markExportGroups(conn, finished, { state: 'processed', fromStates: ['confirmed'] });
  await ctx.ledger.recordOutcomes(outcomes);
  if (connectionError !== undefined) throw connectionError;
  return { nextCursor, counts, totals, notices: notices.slice(0, 10) };
}

/**
 * The timesheet's outcome after processing: exported by this run (created / updated, now processed), in
 * Sage Intacct from an earlier run and only marked processed now (unchanged), or failed. Waiting ones
 * keep whatever outcome the send phase gave them.
 */
function outcomeOf(ctx: ExportContext, g: ExportGroup, s: { done: boolean; reason?: string }): { outcome: 'created' | 'updated' | 'unchanged' | 'failed'; reason: string | null } | undefined {
  const mine = g.runId === ctx.runId;
  // A correction's outcome is the send phase's `updated` (its timesheets were processed before).
  if (mine && g.replacesGroupKey) return s.reason?.startsWith('marking') ? { outcome: 'failed', reason: s.reason } : undefined;
  if (s.done) {
    const where = `in Sage Intacct as timesheet ${g.sageRecordNo}`;
    if (mine) return { outcome: g.replacesGroupKey ? 'updated' : 'created', reason: s.reason ?? null };
    return { outcome: 'unchanged', reason: s.reason ?? `already ${where} (exported by an earlier run); marked processed in Assignar now` };
  }
  if (s.reason?.startsWith('marking')) return { outcome: 'failed', reason: s.reason };
  return mine ? undefined : { outcome: 'unchanged', reason: s.reason ?? null };
}
