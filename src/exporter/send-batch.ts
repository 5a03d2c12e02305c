import { EXPORT_TOTALS, type ExportGroupOutcomeDetails, type ExportPageResult, type TimesheetOutcomeDetails } from '../contracts/export';
import { emptyCounts } from '../contracts/outcomes';
import { isConnectionFailure } from '../errors';
import { sageTimesheetDescription } from '../export/plan-groups';
import type { ExportGroup, ExportLine, Json, RecordOutcomeInput } from '../ledger';
import { SageAlreadyDoneError, SageBusinessError } from '../sage/errors';
import { and, inList } from '../sage/filter';
import type { SageFunction } from '../sage/envelope';
import { buildCreate, buildUpdate, type SageWriteRecord } from '../sage/functions';
import { failpoint, FAILPOINTS } from '../runtime/failpoints';
import type { ExportContext } from './export-context';
import { outcomeLinesOf } from './outcome-lines';

/**
 * Groups per Sage Intacct request. Each create is one metered transaction whatever the batching, so
 * batching only saves round trips: 50 timesheets of a week (≈ 10 lines each) are ~250 KB of XML, well
 * inside what a synchronous request handles (no documented maximum; async requests cap at 500K
 * characters), while a request that times out or fails re-sends at most 50 functions.
 */
export const GROUPS_PER_REQUEST = 50;
/** Groups per activity call: four requests, in flight together up to the connection's Sage concurrency. */
export const GROUPS_PER_BATCH = 200;

function sageDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${m}/${d}/${y}`;
}

function entriesOf(lines: readonly ExportLine[]): SageWriteRecord {
  return {
    TIMESHEETENTRY: lines.map((l) => {
      const e: SageWriteRecord = { ENTRYDATE: sageDate(l.entryDate), QTY: String(l.qty), PROJECTID: l.projectId };
      if (l.taskId !== undefined) e.TASKID = l.taskId;
      if (l.costTypeId !== undefined) e.COSTTYPEID = l.costTypeId;
      if (l.itemId !== undefined) e.ITEMID = l.itemId;
      if (l.timeType !== undefined) e.TIMETYPE = l.timeType;
      if (l.description !== undefined) e.DESCRIPTION = l.description;
      return e;
    }),
  };
}

export function descriptionOf(g: Pick<ExportGroup, 'timesheets' | 'controlId'>): string {
  return sageTimesheetDescription(
    g.timesheets.map((t) => t.assignarTimesheetId),
    g.controlId,
  );
}

/** The create of a group, or for a correction the update (a complete replace of the lines) of the timesheet it replaces. */
function functionOf(ctx: ExportContext, g: ExportGroup, replacedRecordNo: string | undefined): SageFunction {
  if (replacedRecordNo !== undefined) {
    return buildUpdate('TIMESHEET', [{ RECORDNO: replacedRecordNo, DESCRIPTION: descriptionOf(g), TIMESHEETENTRIES: entriesOf(g.lines) }], g.controlId);
  }
  return buildCreate(
    'TIMESHEET',
    [{ EMPLOYEEID: g.employeeId, BEGINDATE: sageDate(g.weekStart), DESCRIPTION: descriptionOf(g), STATE: ctx.connection.timesheets.state, TIMESHEETENTRIES: entriesOf(g.lines) }],
    g.controlId,
  );
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** Hours sent, summed exactly (QTY has at most 4 decimals). */
function hoursOf(lines: readonly ExportLine[]): number {
  return Math.round(sum(lines.map((l) => l.qty * 10_000))) / 10_000;
}

export function groupOutcomeDetails(g: ExportGroup, sageRecordNo: string | null): ExportGroupOutcomeDetails {
  const minutesByDay: Record<string, number> = {};
  const hoursByDay: Record<string, number> = {};
  for (const l of g.lines) {
    minutesByDay[l.entryDate] = (minutesByDay[l.entryDate] ?? 0) + l.minutes;
    hoursByDay[l.entryDate] = Math.round(((hoursByDay[l.entryDate] ?? 0) + l.qty) * 10_000) / 10_000;
  }
  return {
    employeeId: g.employeeId,
    weekStart: g.weekStart,
    controlId: g.controlId,
    sageRecordNo,
    replacesGroupKey: g.replacesGroupKey,
    timesheets: g.timesheets.map((t) => ({ id: t.assignarTimesheetId, version: t.version, minutes: t.minutes })),
    minutesByDay,
    hoursByDay,
    totalMinutes: g.totalMinutes,
    totalHours: hoursOf(g.lines),
    lines: outcomeLinesOf(g.lines),
    dryRun: false,
  };
}

function businessReason(err: SageBusinessError): string {
  const parts = err.errors.map((e) => [e.description2 ?? e.description, e.correction].filter(Boolean).join(' — ')).filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : err.message;
}

type Result = { kind: 'confirmed'; recordNo: string; recovered: boolean } | { kind: 'lookup' } | { kind: 'failed'; reason: string; refusedUpdate: boolean } | { kind: 'error'; error: unknown };

/**
 * Sends the groups a build batch just planned (by key), so creates start while later workers are still
 * being planned. See sendLoaded for what happens to each.
 */
export async function sendGroups(ctx: ExportContext, groupKeys: readonly string[]): Promise<ExportPageResult> {
  const groups = (await ctx.ledger.getExportGroups(ctx.connection.id, groupKeys)).filter((g) => g.state === 'planned' || g.state === 'sent' || g.state === 'failed');
  return sendLoaded(ctx, groups, null);
}

/**
 * The send phase's last pass, a batch at a time (keyset on the group key) over the connection's planned,
 * sent and failed groups: a group left `sent` (by a crash, or by an earlier run) is sent again — the same
 * function, so at most found, never created twice; a planned or failed group no build of this run planned
 * has timesheets that are no longer approved and unprocessed in Assignar (or that are in a newer group):
 * it is superseded, never sent. Groups this run already tried and saw refused are not tried twice.
 */
export async function sendBatch(ctx: ExportContext, cursor: string | null): Promise<ExportPageResult> {
  const conn = ctx.connection.id;
  const page = await ctx.ledger.listExportGroups(conn, { states: ['planned', 'sent', 'failed'], ...(cursor !== null ? { afterKey: cursor } : {}), limit: GROUPS_PER_BATCH });
  const nextCursor = page.length === GROUPS_PER_BATCH ? page.at(-1)!.groupKey : null;
  const abandoned = page.filter((g) => g.state !== 'sent' && g.runId !== ctx.runId);
  if (abandoned.length > 0) {
    await ctx.ledger.markExportGroups(
      conn,
      abandoned.map((g) => g.groupKey),
      { state: 'superseded', reason: 'never sent: its timesheets were not planned again (no longer approved and unprocessed in Assignar, or planned in a newer group)', fromStates: ['planned', 'failed'] },
    );
  }
  return sendLoaded(
    ctx,
    page.filter((g) => g.state === 'sent' || (g.state === 'planned' && g.runId === ctx.runId)),
    nextCursor,
  );
}

/**
 * Sends groups many per request with `uniqueid=true` and each group's key-derived controlid, so a crash or
 * timeout anywhere is repaired by sending the very same functions again:
 * - a group Sage Intacct creates (or, for a correction, updates) is confirmed with its RECORDNO;
 * - "already executed" means it exists: it is found by its description (which carries the controlid) and
 *   confirmed, never created again;
 * - a business refusal fails that group alone, with Sage Intacct's reasons (a refused correction is held
 *   for an operator with both versions); the others go on;
 * - anything else (connection, transport) leaves the group `sent` and fails the activity after the batch's
 *   other results are recorded: the retry re-sends it.
 */
async function sendLoaded(ctx: ExportContext, groups: ExportGroup[], nextCursor: string | null): Promise<ExportPageResult> {
  const conn = ctx.connection.id;
  const counts = { exportGroup: emptyCounts(), timesheet: emptyCounts() };
  const totals: Record<string, number> = {};
  const add = (k: string, n: number) => (totals[k] = (totals[k] ?? 0) + n);
  const notices: string[] = [];
  if (groups.length === 0) return { nextCursor, counts: {}, totals, notices };

  const replacedKeys = [...new Set(groups.flatMap((g) => (g.replacesGroupKey ? [g.replacesGroupKey] : [])))];
  const replaced = new Map((await ctx.ledger.getExportGroups(conn, replacedKeys)).map((g) => [g.groupKey, g]));
  const results = new Map<string, Result>();
  const sendable: ExportGroup[] = [];
  for (const g of groups) {
    const old = g.replacesGroupKey ? replaced.get(g.replacesGroupKey) : undefined;
    if (g.replacesGroupKey && !(old && (old.state === 'confirmed' || old.state === 'processed') && old.sageRecordNo)) {
      results.set(g.groupKey, { kind: 'failed', reason: `the export it corrects (group ${g.replacesGroupKey.slice(0, 12)}) is no longer the current one in Sage Intacct`, refusedUpdate: false });
      continue;
    }
    sendable.push(g);
  }
  await ctx.ledger.markExportGroups(
    conn,
    sendable.map((g) => g.groupKey),
    { state: 'sent', runId: ctx.runId },
  );

  const requests: ExportGroup[][] = [];
  for (let i = 0; i < sendable.length; i += GROUPS_PER_REQUEST) requests.push(sendable.slice(i, i + GROUPS_PER_REQUEST));
  const settled = await Promise.allSettled(
    requests.map(async (batch) => {
      const fns = batch.map((g) => functionOf(ctx, g, g.replacesGroupKey ? replaced.get(g.replacesGroupKey)!.sageRecordNo! : undefined));
      const answer = await ctx.sage.execute(fns, { uniqueId: true, signal: ctx.signal });
      failpoint(FAILPOINTS.afterSageCreate);
      add(EXPORT_TOTALS.sageRequests, 1);
      ctx.progress({ sent: batch.length, last: batch.at(-1)!.groupKey });
      return answer;
    }),
  );
  let firstError: unknown;
  settled.forEach((s, i) => {
    const batch = requests[i];
    if (s.status === 'rejected') {
      firstError ??= s.reason;
      for (const g of batch) results.set(g.groupKey, { kind: 'error', error: s.reason });
      return;
    }
    s.value.forEach((r, j) => {
      const g = batch[j];
      const update = g.replacesGroupKey !== null;
      if (!r.error) {
        const created = r.data?.records[0]?.RECORDNO;
        const recordNo = update ? replaced.get(g.replacesGroupKey!)!.sageRecordNo! : typeof created === 'string' ? created : r.key;
        results.set(g.groupKey, recordNo && /^\d+$/.test(String(recordNo)) ? { kind: 'confirmed', recordNo: String(recordNo), recovered: false } : { kind: 'lookup' });
      } else if (r.error instanceof SageAlreadyDoneError) {
        results.set(g.groupKey, update ? { kind: 'confirmed', recordNo: replaced.get(g.replacesGroupKey!)!.sageRecordNo!, recovered: true } : { kind: 'lookup' });
      } else if (r.error instanceof SageBusinessError && !isConnectionFailure(r.error)) {
        results.set(g.groupKey, { kind: 'failed', reason: businessReason(r.error), refusedUpdate: update });
      } else {
        firstError ??= r.error;
        results.set(g.groupKey, { kind: 'error', error: r.error });
      }
    });
  });

  // Creates that already ran: find them by their description (it carries the controlid).
  const lookups = sendable.filter((g) => results.get(g.groupKey)?.kind === 'lookup');
  if (lookups.length > 0) {
    const found = new Map<string, string>();
    for (let i = 0; i < lookups.length; i += 100) {
      const part = lookups.slice(i, i + 100);
      const answer = await ctx.sage.query(
        {
          object: 'TIMESHEET',
          select: ['RECORDNO', 'EMPLOYEEID', 'BEGINDATE', 'DESCRIPTION'],
          filter: and(inList('EMPLOYEEID', [...new Set(part.map((g) => g.employeeId))]), inList('DESCRIPTION', part.map(descriptionOf))),
          pageSize: 2000,
        },
        { signal: ctx.signal },
      );
      add(EXPORT_TOTALS.sageRequests, 1);
      for (const rec of answer.records) if (rec.RECORDNO && rec.DESCRIPTION) found.set(`${rec.EMPLOYEEID}\u0000${rec.DESCRIPTION}`, String(rec.RECORDNO));
    }
    for (const g of lookups) {
      const recordNo = found.get(`${g.employeeId}\u0000${descriptionOf(g)}`);
      results.set(
        g.groupKey,
        recordNo
          ? { kind: 'confirmed', recordNo, recovered: true }
          : {
              kind: 'failed',
              reason: `Sage Intacct says this timesheet was already created (controlid ${g.controlId}) but none of employee ${g.employeeId} has its description: it was deleted or its description changed in Sage Intacct; find it there (week of ${g.weekStart}) and restore the description "${descriptionOf(g)}"`,
              refusedUpdate: false,
            },
      );
    }
  }

  // Record what happened.
  const confirmations: Array<{ groupKey: string; sageRecordNo: string }> = [];
  const failed: Array<{ g: ExportGroup; reason: string; refusedUpdate: boolean }> = [];
  const outcomes: RecordOutcomeInput[] = [];
  const timesheetOutcomes = new Map<string, RecordOutcomeInput>();
  const holds: Array<{ id: string; version: string; reason: string; details: Json }> = [];
  for (const g of groups) {
    const r = results.get(g.groupKey);
    if (!r || r.kind === 'error' || r.kind === 'lookup') continue;
    const old = g.replacesGroupKey ? replaced.get(g.replacesGroupKey) : undefined;
    const oldVersions = new Map(old?.timesheets.map((t) => [t.assignarTimesheetId, t.version]) ?? []);
    const changed = g.timesheets.filter((t) => oldVersions.get(t.assignarTimesheetId) !== t.version);
    if (r.kind === 'confirmed') {
      confirmations.push({ groupKey: g.groupKey, sageRecordNo: r.recordNo });
      const outcome = old ? 'updated' : 'created';
      counts.exportGroup.seen += 1;
      counts.exportGroup[outcome] += 1;
      add(old ? EXPORT_TOTALS.groupsUpdated : EXPORT_TOTALS.groupsCreated, 1);
      if (r.recovered) add(EXPORT_TOTALS.groupsRecovered, 1);
      add(EXPORT_TOTALS.exportedMinutes, g.totalMinutes - (old?.totalMinutes ?? 0));
      add(EXPORT_TOTALS.exportedHours, hoursOf(g.lines) - (old ? hoursOf(old.lines) : 0));
      outcomes.push({
        runId: ctx.runId,
        connection: conn,
        kind: 'exportGroup',
        recordKey: g.groupKey,
        sageId: r.recordNo,
        outcome,
        reason: old ? `replaced the lines of Sage Intacct timesheet ${r.recordNo} with the corrected ones` : r.recovered ? `found in Sage Intacct as timesheet ${r.recordNo} (created by an earlier attempt)` : null,
        details: groupOutcomeDetails(g, r.recordNo) as unknown as Json,
      });
      for (const t of changed) {
        const prior = timesheetOutcomes.get(t.assignarTimesheetId)?.details as unknown as TimesheetOutcomeDetails | undefined;
        const details: TimesheetOutcomeDetails = {
          version: t.version,
          employeeId: g.employeeId,
          groupKeys: [...(prior?.groupKeys ?? []), g.groupKey],
          sageRecordNos: [...(prior?.sageRecordNos ?? []), r.recordNo],
          processed: false,
          minutes: (prior?.minutes ?? 0) + t.minutes,
        };
        timesheetOutcomes.set(t.assignarTimesheetId, { runId: ctx.runId, connection: conn, kind: 'timesheet', recordKey: t.assignarTimesheetId, assignarId: t.assignarTimesheetId, sageId: r.recordNo, outcome, reason: null, details: details as unknown as Json });
      }
      continue;
    }
    failed.push({ g, reason: r.reason, refusedUpdate: r.refusedUpdate });
    counts.exportGroup.seen += 1;
    counts.exportGroup[r.refusedUpdate ? 'held' : 'failed'] += 1;
    add(EXPORT_TOTALS.groupsFailed, 1);
    const reason = r.refusedUpdate
      ? `Sage Intacct refused to replace timesheet ${old?.sageRecordNo} with the correction (${r.reason}): the correction is held; put the Sage Intacct timesheet back to Draft to let the next export apply it, or correct it by hand there and mark the Assignar timesheet processed`
      : `Sage Intacct refused the timesheet: ${r.reason}; fix it and the next export sends it again`;
    outcomes.push({ runId: ctx.runId, connection: conn, kind: 'exportGroup', recordKey: g.groupKey, outcome: r.refusedUpdate ? 'held' : 'failed', reason, details: groupOutcomeDetails(g, null) as unknown as Json });
    for (const t of changed) {
      const exportedLines = old ? outcomeLinesOf(old.lines.filter((l) => l.assignarTimesheetId === t.assignarTimesheetId)) : undefined;
      const correctedLines = old ? outcomeLinesOf(g.lines.filter((l) => l.assignarTimesheetId === t.assignarTimesheetId)) : undefined;
      const details: TimesheetOutcomeDetails = {
        version: t.version,
        employeeId: g.employeeId,
        groupKeys: [g.groupKey],
        sageRecordNos: old?.sageRecordNo ? [old.sageRecordNo] : [],
        processed: false,
        minutes: t.minutes,
        ...(exportedLines ? { exportedLines, correctedLines } : {}),
      };
      timesheetOutcomes.set(t.assignarTimesheetId, {
        runId: ctx.runId,
        connection: conn,
        kind: 'timesheet',
        recordKey: t.assignarTimesheetId,
        assignarId: t.assignarTimesheetId,
        outcome: r.refusedUpdate ? 'held' : 'failed',
        reason,
        details: details as unknown as Json,
      });
      if (r.refusedUpdate) holds.push({ id: t.assignarTimesheetId, version: t.version, reason, details: { exportedLines, correctedLines } as unknown as Json });
    }
  }
  // Outcomes first: once a group is confirmed, the process loop may mark its timesheets processed and
  // record that, which must not be overwritten by this send's "not yet processed".
  for (const o of timesheetOutcomes.values()) {
    counts.timesheet.seen += 1;
    counts.timesheet[o.outcome] += 1;
  }
  await ctx.ledger.recordOutcomes([...outcomes, ...timesheetOutcomes.values()]);
  if (confirmations.length > 0) await ctx.ledger.confirmExportGroups(conn, confirmations, { runId: ctx.runId });
  for (const f of failed) {
    await ctx.ledger.markExportGroups(conn, [f.g.groupKey], { state: 'failed', reason: f.reason, runId: ctx.runId });
  }
  if (holds.length > 0) await ctx.ledger.holdTimesheets(holds.map((h) => ({ connection: conn, assignarTimesheetId: h.id, version: h.version, reason: h.reason, details: h.details, runId: ctx.runId })));
  const exportedIds = [...timesheetOutcomes.values()].filter((o) => o.outcome === 'created' || o.outcome === 'updated').map((o) => o.recordKey);
  if (exportedIds.length > 0) await ctx.ledger.releaseHeldTimesheets(conn, exportedIds);
  if (firstError !== undefined) throw firstError;
  return { nextCursor, counts, totals, notices };
}
