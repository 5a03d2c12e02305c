import { emptyCounts, type Counts } from '../contracts/outcomes';
import { EXPORT_TOTALS, type ExportGroupOutcomeDetails, type ExportPageResult, type OutcomeLine, type TimesheetOutcomeDetails } from '../contracts/export';
import type { ExportCandidate, ExportGroup as StoredGroup, ExportGroupPlan, Json, RecordOutcomeInput, TimesheetExportRecord } from '../ledger';
import { planExportGroups, type ExportGroup, type PlanOptions } from '../export/plan-groups';
import { buildTimesheetLines, describeHolds, type ExportLine, type HoldReason, type TimesheetLineOptions } from '../export/timesheet-lines';
import type { ExportContext } from './export-context';
import { loadLinkLookups, loadPayCodes } from './load-lookups';
import { outcomeLinesOf } from './outcome-lines';

/** Workers per build batch: their timesheets, links and pay codes fit comfortably in one activity. */
export const WORKERS_PER_BATCH = 100;

const ACTIVE_STATES = new Set(['sent', 'confirmed', 'processed']);
const IN_SAGE_STATES = new Set(['confirmed', 'processed']);

export function lineOptions(ctx: Pick<ExportContext, 'connection'>): TimesheetLineOptions {
  const t = ctx.connection.timesheets;
  return {
    timeZone: ctx.connection.timeZone,
    splitAtMidnight: t.splitAtMidnight,
    timeTypes: t.timeTypes,
    defaultTimeType: t.defaultTimeType,
    equipmentCostType: t.equipmentCostType,
    approvedStatuses: t.approvedStatuses,
  };
}

export function planOptions(ctx: Pick<ExportContext, 'connection'>): PlanOptions {
  const t = ctx.connection.timesheets;
  return { connection: ctx.connection.id, grouping: t.grouping, weekStartsOn: t.weekStartsOn, hoursDecimals: t.hoursDecimals, rounding: t.rounding };
}

/** A group the planner made, as the ledger stores it. */
function toPlan(ctx: ExportContext, g: ExportGroup, replacesGroupKey: string | null): ExportGroupPlan {
  return {
    connection: ctx.connection.id,
    groupKey: g.key,
    controlId: g.controlId,
    employeeId: g.employeeId,
    weekStart: g.weekStart,
    timesheets: g.timesheets.map((t) => ({ assignarTimesheetId: t.id, version: t.version })),
    lines: g.lines.map((l) => ({
      entryDate: l.entryDate,
      qty: l.qty,
      minutes: l.minutes,
      projectId: l.projectId,
      ...(l.taskId !== undefined ? { taskId: l.taskId } : {}),
      ...(l.costTypeId !== undefined ? { costTypeId: l.costTypeId } : {}),
      ...(l.itemId !== undefined ? { itemId: l.itemId } : {}),
      ...(l.timeType !== undefined ? { timeType: l.timeType } : {}),
      description: l.description,
      assignarTimesheetId: l.timesheetId,
      kind: l.kind,
    })),
    replacesGroupKey,
    runId: ctx.runId,
  };
}

/** A stored group's lines of other timesheets, back as planner input (kept as they were sent). */
function storedLinesAsInput(group: StoredGroup, except: ReadonlySet<string>): ExportLine[] {
  const version = new Map(group.timesheets.map((t) => [t.assignarTimesheetId, t.version]));
  return group.lines
    .filter((l) => !except.has(l.assignarTimesheetId) && l.minutes > 0)
    .map((l, i) => ({
      timesheetId: l.assignarTimesheetId,
      timesheetVersion: version.get(l.assignarTimesheetId) ?? 'unknown',
      assignarUserId: '',
      employeeId: group.employeeId,
      kind: l.kind,
      entryId: `sent-${i}`,
      entryDate: l.entryDate,
      minutes: l.minutes,
      projectId: l.projectId,
      ...(l.taskId !== undefined ? { taskId: l.taskId } : {}),
      ...(l.costTypeId !== undefined ? { costTypeId: l.costTypeId } : {}),
      ...(l.itemId !== undefined ? { itemId: l.itemId } : {}),
      ...(l.timeType !== undefined ? { timeType: l.timeType } : {}),
      description: l.description ?? `Assignar timesheet ${l.assignarTimesheetId}`,
    }));
}

function groupDetails(g: ExportGroup, replacesGroupKey: string | null, dryRun: boolean, sageRecordNo: string | null): ExportGroupOutcomeDetails {
  return {
    employeeId: g.employeeId,
    weekStart: g.weekStart,
    controlId: g.controlId,
    sageRecordNo,
    replacesGroupKey,
    timesheets: g.timesheets.map((t) => ({ id: t.id, version: t.version, minutes: t.minutes })),
    minutesByDay: g.minutesByDay,
    hoursByDay: g.qtyByDay,
    totalMinutes: g.totalMinutes,
    totalHours: g.totalQty,
    lines: g.lines.map((l) => ({
      entryDate: l.entryDate,
      qty: l.qty,
      minutes: l.minutes,
      kind: l.kind,
      projectId: l.projectId,
      ...(l.taskId !== undefined ? { taskId: l.taskId } : {}),
      ...(l.costTypeId !== undefined ? { costTypeId: l.costTypeId } : {}),
      ...(l.itemId !== undefined ? { itemId: l.itemId } : {}),
      ...(l.timeType !== undefined ? { timeType: l.timeType } : {}),
      timesheetId: l.timesheetId,
    })),
    dryRun,
  };
}

interface Hold {
  candidate: ExportCandidate;
  reason: string;
  holds: HoldReason[];
  employeeId: string | null;
  /** Only for a correction held: the lines in Sage Intacct now and the corrected ones. */
  exportedLines?: OutcomeLine[];
  correctedLines?: OutcomeLine[];
  /** Waiting for something that resolves itself (an earlier send): an outcome, no held_timesheets row. */
  transient?: boolean;
  /** The timesheet's approved minutes (labour and equipment), so a hold shows what waits. */
  minutes?: number;
}

/** Approved minutes on a timesheet as read (labour and equipment entries), for holds. */
function minutesOf(body: unknown): number | undefined {
  const ts = body as { activity_entries?: Array<{ duration?: unknown }> | null; asset_entries?: Array<{ duration?: unknown }> | null } | null;
  if (!ts || typeof ts !== 'object') return undefined;
  const sum = (entries: Array<{ duration?: unknown }> | null | undefined) => (entries ?? []).reduce((n, e) => n + (typeof e?.duration === 'number' && e.duration > 0 ? e.duration : 0), 0);
  return sum(ts.activity_entries) + sum(ts.asset_entries);
}

/**
 * Plans the export of a batch of workers' staged timesheets (keyset on the Assignar user id):
 * - each timesheet is mapped to lines, or held with every reason an operator can act on;
 * - a timesheet never exported (or only in groups that never reached Sage Intacct) goes into a new group
 *   per employee-week: a late approval for a week already exported is a new group, never merged;
 * - a timesheet exported under an earlier version is a correction: the group it is in is re-planned with
 *   its new lines and the others' as sent, as a replacement (`replacesGroupKey`) the send phase applies
 *   as an update of the same Sage Intacct timesheet;
 * - a timesheet whose version is already sent, confirmed or processed is left to the send and process
 *   phases.
 * Groups planned earlier and left behind (a newer version or set planned now) are superseded. A dry run
 * records what it would create as outcomes and writes no group or hold.
 */
export async function buildBatch(ctx: ExportContext, cursor: string | null): Promise<ExportPageResult> {
  const conn = ctx.connection.id;
  const workers = await ctx.ledger.listCandidateWorkers(conn, ctx.runId, { afterUserId: cursor, limit: WORKERS_PER_BATCH });
  const last = workers.length < WORKERS_PER_BATCH;
  const counts = { timesheet: emptyCounts(), exportGroup: emptyCounts() } satisfies Record<string, Counts>;
  const totals: Record<string, number> = {};
  const add = (k: string, n: number) => (totals[k] = (totals[k] ?? 0) + n);
  const notices: string[] = [];
  const outcomes: RecordOutcomeInput[] = [];
  const groupKeys: string[] = [];

  if (workers.length > 0) {
    const candidates = await ctx.ledger.getExportCandidates(conn, ctx.runId, workers);
    const bodies = candidates.map((c) =>
      // A correction comes from a processed timesheet: what is checked is its new version, not whether it
      // was processed before.
      c.stream === 'corrections' && c.body && typeof c.body === 'object' && !Array.isArray(c.body) ? { ...c.body, is_processed: false } : c.body,
    );
    const [links, payCodes] = await Promise.all([loadLinkLookups(ctx, bodies), loadPayCodes(ctx, bodies)]);
    const exports = await ctx.ledger.exportsOfTimesheets(conn, candidates.map((c) => c.assignarTimesheetId));
    const exportsOf = new Map<string, TimesheetExportRecord[]>();
    for (const r of exports) exportsOf.set(r.assignarTimesheetId, [...(exportsOf.get(r.assignarTimesheetId) ?? []), r]);

    const held: Hold[] = [];
    const fresh: ExportLine[] = [];
    const freshIds = new Set<string>();
    /** Corrections: new lines per timesheet, and the groups in Sage Intacct they correct. */
    const corrected = new Map<string, { candidate: ExportCandidate; lines: ExportLine[]; employeeId: string }>();
    const correctedGroups = new Set<string>();

    candidates.forEach((c, i) => {
      counts.timesheet.seen += 1;
      const records = exportsOf.get(c.assignarTimesheetId) ?? [];
      // This very version is already on its way or in Sage Intacct: the send and process phases own it.
      if (records.some((r) => r.version === c.version && ACTIVE_STATES.has(r.state))) {
        counts.timesheet.seen -= 1;
        return;
      }
      const built = buildTimesheetLines(bodies[i], { ...links, payCodes }, lineOptions(ctx));
      if (!built.ok) {
        held.push({ candidate: c, reason: describeHolds(built.holds), holds: built.holds, employeeId: links.worker(c.assignarUserId)?.employeeId ?? null, minutes: minutesOf(bodies[i]) });
        return;
      }
      const employeeId = built.lines[0]?.employeeId ?? null;
      const unconfirmed = records.filter((r) => r.version !== c.version && r.state === 'sent');
      if (unconfirmed.length > 0) {
        const reason = `an earlier version of Assignar timesheet ${c.assignarTimesheetId} is being sent to Sage Intacct (export group ${unconfirmed[0].groupKey.slice(0, 12)}); this version follows as a correction once that is confirmed`;
        held.push({ candidate: c, reason, holds: [], employeeId, transient: true });
        return;
      }
      if (built.lines.length === 0) {
        outcomes.push({
          runId: ctx.runId,
          connection: conn,
          kind: 'timesheet',
          recordKey: c.assignarTimesheetId,
          assignarId: c.assignarTimesheetId,
          outcome: 'unchanged',
          reason: 'approved with no time on it: nothing to send to Sage Intacct; it stays unprocessed in Assignar',
        });
        counts.timesheet.unchanged += 1;
        return;
      }
      const inSage = records.filter((r) => r.version !== c.version && IN_SAGE_STATES.has(r.state));
      if (inSage.length > 0) {
        corrected.set(c.assignarTimesheetId, { candidate: c, lines: built.lines, employeeId: built.lines[0].employeeId });
        for (const r of inSage) correctedGroups.add(r.groupKey);
        return;
      }
      fresh.push(...built.lines);
      freshIds.add(c.assignarTimesheetId);
    });

    const plans: Array<{ group: ExportGroup; replaces: string | null }> = [];
    for (const group of planExportGroups(fresh, planOptions(ctx))) plans.push({ group, replaces: null });

    // Corrections: each group in Sage Intacct that holds a corrected timesheet is planned again with the
    // corrected lines of its week and everything else as it was sent.
    if (correctedGroups.size > 0) {
      const olds = (await ctx.ledger.getExportGroups(conn, [...correctedGroups])).filter((g) => IN_SAGE_STATES.has(g.state));
      const placed = new Map<string, number>();
      for (const old of olds) {
        const mine = old.timesheets.map((t) => t.assignarTimesheetId).filter((id) => corrected.has(id));
        const mineSet = new Set(mine);
        const weekEnd = new Date(Date.parse(`${old.weekStart}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
        const newLines = mine.flatMap((id) => corrected.get(id)!.lines.filter((l) => l.entryDate >= old.weekStart && l.entryDate <= weekEnd));
        for (const l of newLines) placed.set(`${l.timesheetId}\u0000${l.entryId}\u0000${l.entryDate}\u0000${l.minutes}`, 1);
        const input = [...storedLinesAsInput(old, mineSet), ...newLines].map((l) => ({ ...l, employeeId: old.employeeId }));
        const replanned = planExportGroups(input, { ...planOptions(ctx), grouping: 'employee-week' }).filter((g) => g.weekStart === old.weekStart);
        if (replanned.length !== 1) {
          for (const id of mine) {
            const { candidate, employeeId } = corrected.get(id)!;
            held.push({
              candidate,
              employeeId,
              reason: `the correction of Assignar timesheet ${id} leaves no time on Sage Intacct timesheet ${old.sageRecordNo} (week of ${old.weekStart}): delete or adjust that timesheet in Sage Intacct, then mark the Assignar timesheet processed`,
              holds: [],
              exportedLines: outcomeLinesOf(old.lines.filter((l) => l.assignarTimesheetId === id)),
              correctedLines: [],
            });
            corrected.delete(id);
          }
          continue;
        }
        plans.push({ group: replanned[0], replaces: old.groupKey });
      }
      // Corrected time that moved out of the week it was exported in goes out as new time.
      const moved = [...corrected.values()].flatMap((c) => c.lines.filter((l) => !placed.has(`${l.timesheetId}\u0000${l.entryId}\u0000${l.entryDate}\u0000${l.minutes}`)));
      for (const group of planExportGroups(moved, planOptions(ctx))) plans.push({ group, replaces: null });
    }

    // Groups with no line (every day rounds to 0 hours) cannot be created: their timesheets are held.
    const sendable = plans.filter((p) => p.group.lines.length > 0);
    for (const p of plans.filter((x) => x.group.lines.length === 0)) {
      for (const t of p.group.timesheets) {
        const candidate = candidates.find((c) => c.assignarTimesheetId === t.id);
        if (!candidate) continue;
        held.push({
          candidate,
          employeeId: p.group.employeeId,
          reason: `the time of Assignar timesheet ${t.id} rounds to 0 hours at timesheets.hoursDecimals ${ctx.connection.timesheets.hoursDecimals}: raise hoursDecimals or correct the time`,
          holds: [],
        });
      }
    }

    // Record the plan.
    if (!ctx.dryRun && sendable.length > 0) {
      await ctx.ledger.planExportGroups(sendable.map((p) => toPlan(ctx, p.group, p.replaces)));
      groupKeys.push(...sendable.map((p) => p.group.key));
    }
    const plannedKeys = new Set(sendable.map((p) => p.group.key));
    const plannedIds = new Set(sendable.flatMap((p) => p.group.timesheets.map((t) => t.id)));
    // Earlier plans of these timesheets that never reached Sage Intacct and were not planned again now.
    const stale = [...new Set(exports.filter((r) => (r.state === 'planned' || r.state === 'failed') && !plannedKeys.has(r.groupKey) && plannedIds.has(r.assignarTimesheetId)).map((r) => r.groupKey))];
    if (!ctx.dryRun && stale.length > 0) {
      await ctx.ledger.markExportGroups(conn, stale, { state: 'superseded', reason: 'planned again with a newer version or set of timesheets', runId: ctx.runId, fromStates: ['planned', 'failed'] });
    }
    if (!ctx.dryRun && plannedIds.size > 0) await ctx.ledger.releaseHeldTimesheets(conn, [...plannedIds].filter((id) => freshIds.has(id) || corrected.has(id)));

    for (const p of sendable) {
      add(EXPORT_TOTALS.groupsPlanned, 1);
      add(EXPORT_TOTALS.plannedMinutes, p.group.timesheets.filter((t) => freshIds.has(t.id) || corrected.has(t.id)).reduce((s, t) => s + t.minutes, 0));
      if (!ctx.dryRun) continue;
      // A dry run's outcomes are the plan itself.
      counts.exportGroup.seen += 1;
      counts.exportGroup[p.replaces ? 'updated' : 'created'] += 1;
      outcomes.push({
        runId: ctx.runId,
        connection: conn,
        kind: 'exportGroup',
        recordKey: p.group.key,
        outcome: p.replaces ? 'updated' : 'created',
        reason: p.replaces ? 'would replace the Sage Intacct timesheet of the group it corrects' : 'would be created',
        details: groupDetails(p.group, p.replaces, true, null) as unknown as Json,
      });
      for (const t of p.group.timesheets) {
        if (!freshIds.has(t.id) && !corrected.has(t.id)) continue;
        const details: TimesheetOutcomeDetails = { version: t.version, employeeId: p.group.employeeId, groupKeys: [p.group.key], sageRecordNos: [], processed: false, minutes: t.minutes };
        outcomes.push({ runId: ctx.runId, connection: conn, kind: 'timesheet', recordKey: t.id, assignarId: t.id, outcome: corrected.has(t.id) ? 'updated' : 'created', reason: 'would be exported', details: details as unknown as Json });
      }
    }
    if (ctx.dryRun) {
      const dryIds = new Set(sendable.flatMap((p) => p.group.timesheets.map((t) => t.id)));
      for (const id of dryIds) if (freshIds.has(id) || corrected.has(id)) counts.timesheet[corrected.has(id) ? 'updated' : 'created'] += 1;
    }

    // Holds.
    for (const h of held) {
      counts.timesheet.held += 1;
      add(EXPORT_TOTALS.timesheetsHeld, 1);
      const details: TimesheetOutcomeDetails = {
        version: h.candidate.version,
        employeeId: h.employeeId,
        groupKeys: [],
        sageRecordNos: [],
        processed: false,
        ...(h.minutes !== undefined ? { minutes: h.minutes } : {}),
        holds: h.holds.map((x) => ({ code: x.code, message: x.message })),
        ...(h.exportedLines ? { exportedLines: h.exportedLines } : {}),
        ...(h.correctedLines ? { correctedLines: h.correctedLines } : {}),
      };
      outcomes.push({
        runId: ctx.runId,
        connection: conn,
        kind: 'timesheet',
        recordKey: h.candidate.assignarTimesheetId,
        assignarId: h.candidate.assignarTimesheetId,
        outcome: 'held',
        reason: h.reason,
        details: details as unknown as Json,
      });
    }
    if (!ctx.dryRun) {
      await ctx.ledger.holdTimesheets(
        held
          .filter((h) => !h.transient)
          .map((h) => ({
            connection: conn,
            assignarTimesheetId: h.candidate.assignarTimesheetId,
            version: h.candidate.version,
            reason: h.reason,
            details: {
              holds: h.holds.map((x) => ({ code: x.code, message: x.message })),
              ...(h.exportedLines ? { exportedLines: h.exportedLines, correctedLines: h.correctedLines ?? [] } : {}),
            } as unknown as Json,
            runId: ctx.runId,
          })),
      );
    }
    await ctx.ledger.recordOutcomes(outcomes);
    ctx.progress({ workers: workers.length, lastWorker: workers.at(-1) });
  }

  if (last && !ctx.dryRun) {
    const released = await ctx.ledger.releaseHoldsNotStaged(conn, ctx.runId);
    if (released > 0) notices.push(`${released} held timesheet(s) are no longer approved and unprocessed in Assignar; their holds were dropped`);
  }
  return { nextCursor: last ? null : workers.at(-1)!, counts: compact(counts), totals, notices, groupKeys };
}

function compact(counts: Record<string, Counts>): ExportPageResult['counts'] {
  return Object.fromEntries(Object.entries(counts).filter(([, c]) => c.seen > 0 || Object.values(c).some((n) => n > 0)));
}
