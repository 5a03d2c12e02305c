import type { Weekday } from '../config/schema';
import { weekStartOf, type LocalDate } from './calendar';
import { controlIdOf, exportGroupKey } from './group-key';
import { allocateHours, type Rounding } from './hours';
import { DESCRIPTION_MAX_CHARS, type ExportLine } from './timesheet-lines';

/**
 * Export lines → the Sage Intacct timesheets to create: one per employee per week (or per Assignar
 * timesheet and week), with QTY in hours rounded once per employee-day so the day adds up exactly, and no
 * line with QTY 0 (Sage Intacct refuses it). Pure and deterministic: the same lines in any order give the
 * same groups, keys and lines.
 */

export interface PlanOptions {
  connection: string;
  /** `timesheets.grouping`. */
  grouping: 'employee-week' | 'timesheet';
  /** `timesheets.weekStartsOn`: the first day of a Sage Intacct timesheet period (BEGINDATE). */
  weekStartsOn: Weekday;
  /** `timesheets.hoursDecimals` (0–4). */
  hoursDecimals: number;
  /** `timesheets.rounding`. */
  rounding: Rounding;
  /** The approved version of each Assignar timesheet; default each line's `timesheetVersion`. */
  timesheetVersions?: ReadonlyMap<string, string>;
}

/** One TIMESHEETENTRY. */
export interface SageLine {
  /** ENTRYDATE as ISO `YYYY-MM-DD`; the XML layer writes it MM/DD/YYYY. */
  entryDate: LocalDate;
  /** QTY: hours, > 0, at most `hoursDecimals` decimals. */
  qty: number;
  /** The approved minutes this line carries (including lines merged into it). */
  minutes: number;
  projectId: string;
  taskId?: string;
  costTypeId?: string;
  itemId?: string;
  timeType?: string;
  description: string;
  /** The Assignar timesheet the line is described by. */
  timesheetId: string;
  kind: 'labor' | 'equipment';
  /** Every Assignar entry whose minutes are in this line (sorted). */
  sources: Array<{ timesheetId: string; kind: 'labor' | 'equipment'; entryId: string; minutes: number }>;
}

export interface ExportGroup {
  /** exportGroupKey: deterministic identity of the Sage Intacct timesheet. */
  key: string;
  /** The create function's controlid (`uniqueid=true`). */
  controlId: string;
  employeeId: string;
  /** BEGINDATE (ISO). */
  weekStart: LocalDate;
  /** The Assignar timesheets with time in this group: id, approved version, minutes in this group. */
  timesheets: Array<{ id: string; version: string; minutes: number }>;
  /** In order: date, project, task, cost type, item, timesheet id (then time type, kind). */
  lines: SageLine[];
  /** Approved minutes in the group (booked or not). */
  totalMinutes: number;
  /** Sum of QTY. */
  totalQty: number;
  /** Approved minutes per local date. */
  minutesByDay: Record<LocalDate, number>;
  /** Sum of QTY per local date: the day's minutes / 60 rounded once. */
  qtyByDay: Record<LocalDate, number>;
  /**
   * Days whose rounded total is 0 (e.g. 20 minutes with 0 decimals, or any time rounded `down` below one
   * unit): their minutes are approved but cannot be sent (QTY 0). A group with no lines cannot be created.
   */
  unbookedMinutesByDay: Record<LocalDate, number>;
  /** Header DESCRIPTION: `Assignar timesheet(s) 12, 15, … [controlid]` (sageTimesheetDescription). */
  description: string;
}

/** A line before its hours are allocated. */
type Working = Omit<SageLine, 'qty'>;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Decimal ids in numeric order (shorter first), anything else bytewise. */
export function compareIds(a: string, b: string): number {
  return /^\d+$/.test(a) && /^\d+$/.test(b) ? a.length - b.length || cmp(a, b) : cmp(a, b);
}

function compareLines(a: Working, b: Working): number {
  return (
    cmp(a.entryDate, b.entryDate) ||
    cmp(a.projectId, b.projectId) ||
    cmp(a.taskId ?? '', b.taskId ?? '') ||
    cmp(a.costTypeId ?? '', b.costTypeId ?? '') ||
    cmp(a.itemId ?? '', b.itemId ?? '') ||
    compareIds(a.timesheetId, b.timesheetId) ||
    cmp(a.timeType ?? '', b.timeType ?? '') ||
    cmp(a.kind, b.kind)
  );
}

function compareSources(a: SageLine['sources'][number], b: SageLine['sources'][number]): number {
  return compareIds(a.timesheetId, b.timesheetId) || cmp(a.kind, b.kind) || compareIds(a.entryId, b.entryId) || a.minutes - b.minutes;
}

/** How alike two lines are, for choosing where a line too small to keep goes: project first, then task, … */
function likeness(a: Working, b: Working): number {
  return (
    (a.projectId === b.projectId ? 32 : 0) +
    (a.taskId === b.taskId ? 16 : 0) +
    (a.costTypeId === b.costTypeId ? 8 : 0) +
    (a.timesheetId === b.timesheetId ? 4 : 0) +
    (a.itemId === b.itemId ? 2 : 0) +
    (a.timeType === b.timeType ? 1 : 0)
  );
}

/**
 * A Sage Intacct timesheet's DESCRIPTION: `Assignar timesheets 12, 15 [ts-…]`. The bracketed controlid is
 * how a create Sage Intacct answers as already done is found again (the description is queried exactly),
 * so it is never cut; the list of ids is, when long.
 */
export function sageTimesheetDescription(ids: readonly string[], controlId: string): string {
  const tail = ` [${controlId}]`;
  const budget = DESCRIPTION_MAX_CHARS - Array.from(tail).length;
  const head = ids.length === 1 ? 'Assignar timesheet ' : 'Assignar timesheets ';
  const full = head + ids.join(', ');
  if (Array.from(full).length <= budget) return full + tail;
  for (let n = ids.length - 1; n > 0; n--) {
    const text = `${head}${ids.slice(0, n).join(', ')} (+${ids.length - n} more)`;
    if (Array.from(text).length <= budget) return text + tail;
  }
  return `${head.trim()} (${ids.length})${tail}`;
}

/**
 * QTY units (hours × 10^decimals) for one employee-day's lines, in place. The day's total is the
 * day's minutes / 60 rounded once (allocateHours). No line may get 0 units:
 * - if the day's total is 0 units, no line is sent and the minutes are returned as unbooked;
 * - if the day has fewer units than lines, only as many lines as there are units are kept — those with the
 *   most minutes (ties: the earlier line) — and each other line's minutes (and sources) are merged into
 *   the kept line most like it (same project, then task, cost type, timesheet, item, time type; ties: most
 *   minutes, then the earlier line);
 * - a kept line still given 0 units takes one unit from the line holding the most units (ties: most
 *   minutes, then the earlier line), which keeps the day total exact.
 * Only arises with 0 or 1 decimals: at 2 decimals a unit is 0.6 minutes, so every line of ≥ 1 minute gets one.
 */
function allocateDay(lines: Working[], decimals: number, rounding: Rounding): { kept: Array<{ line: Working; units: number }>; unbooked: number } {
  const scale = 10 ** decimals;
  const toUnits = (ls: readonly Working[]) => allocateHours(ls.map((l) => l.minutes), decimals, rounding).map((h) => Math.round(h * scale));
  const first = toUnits(lines);
  const total = first.reduce((a, b) => a + b, 0);
  if (total === 0) return { kept: [], unbooked: lines.reduce((a, l) => a + l.minutes, 0) };
  let kept = lines;
  if (total < lines.length) {
    const ranked = lines.map((line, i) => ({ line, i })).sort((x, y) => y.line.minutes - x.line.minutes || x.i - y.i);
    const keep = new Set(ranked.slice(0, total).map((r) => r.i));
    kept = lines.filter((_, i) => keep.has(i)).map((l) => ({ ...l, sources: [...l.sources] }));
    lines.forEach((dropped, i) => {
      if (keep.has(i)) return;
      let best = kept[0];
      for (const k of kept.slice(1)) {
        const d = likeness(dropped, k) - likeness(dropped, best) || k.minutes - best.minutes;
        if (d > 0) best = k;
      }
      best.minutes += dropped.minutes;
      best.sources.push(...dropped.sources);
    });
  }
  const units = toUnits(kept);
  for (let zero = units.indexOf(0); zero >= 0; zero = units.indexOf(0)) {
    let donor = 0;
    for (let k = 1; k < units.length; k++) {
      if (units[k] > units[donor] || (units[k] === units[donor] && kept[k].minutes > kept[donor].minutes)) donor = k;
    }
    if (units[donor] < 2) break; // cannot happen (units ≥ lines here); never loop forever in workflow code
    units[donor] -= 1;
    units[zero] += 1;
  }
  return { kept: kept.map((line, i) => ({ line, units: units[i] })), unbooked: 0 };
}

/**
 * Groups export lines into Sage Intacct timesheets. A group is one employee and one week (the week
 * containing each line's ENTRYDATE, `weekStartOf`), or with `grouping: 'timesheet'` one Assignar
 * timesheet and one week. A timesheet whose lines fall in two weeks (an overnight shift split at midnight
 * across the week boundary) is in two groups, one per week — Sage Intacct keeps every entry inside its
 * timesheet's period — so both groups' keys name it (`groupKeysByTimesheet`), and it is done only when both
 * are created. Lines identical in every Sage field and from the same Assignar timesheet are merged.
 * Groups are sorted by employee, week, key.
 */
export function planExportGroups(lines: readonly ExportLine[], options: PlanOptions): ExportGroup[] {
  if (!Number.isInteger(options.hoursDecimals) || options.hoursDecimals < 0 || options.hoursDecimals > 4) {
    throw new RangeError(`hoursDecimals must be an integer from 0 to 4 (got ${options.hoursDecimals})`);
  }
  const scale = 10 ** options.hoursDecimals;
  const versionOf = new Map<string, string>();
  const employeeOf = new Map<string, string>();
  const buckets = new Map<string, { employeeId: string; weekStart: LocalDate; lines: ExportLine[] }>();
  for (const line of lines) {
    if (!(Number.isInteger(line.minutes) && line.minutes > 0)) throw new RangeError(`line of Assignar timesheet ${line.timesheetId} has ${line.minutes} minutes`);
    const version = options.timesheetVersions?.get(line.timesheetId) ?? line.timesheetVersion;
    if ((versionOf.get(line.timesheetId) ?? version) !== version || (employeeOf.get(line.timesheetId) ?? line.employeeId) !== line.employeeId) {
      throw new Error(`lines of Assignar timesheet ${line.timesheetId} disagree on its version or employee`);
    }
    versionOf.set(line.timesheetId, version);
    employeeOf.set(line.timesheetId, line.employeeId);
    const weekStart = weekStartOf(line.entryDate, options.weekStartsOn);
    const id = JSON.stringify([line.employeeId, weekStart, options.grouping === 'timesheet' ? line.timesheetId : '']);
    let bucket = buckets.get(id);
    if (!bucket) buckets.set(id, (bucket = { employeeId: line.employeeId, weekStart, lines: [] }));
    bucket.lines.push(line);
  }

  const groups: ExportGroup[] = [];
  for (const bucket of buckets.values()) {
    // Merge lines identical for Sage Intacct within one Assignar timesheet.
    const merged = new Map<string, Working>();
    const perTimesheet = new Map<string, number>();
    for (const l of bucket.lines) {
      perTimesheet.set(l.timesheetId, (perTimesheet.get(l.timesheetId) ?? 0) + l.minutes);
      const k = JSON.stringify([l.entryDate, l.projectId, l.taskId, l.costTypeId, l.itemId, l.timeType, l.timesheetId, l.kind, l.description]);
      const source = { timesheetId: l.timesheetId, kind: l.kind, entryId: l.entryId, minutes: l.minutes };
      const w = merged.get(k);
      if (w) {
        w.minutes += l.minutes;
        w.sources.push(source);
        continue;
      }
      const fresh: Working = { entryDate: l.entryDate, minutes: l.minutes, projectId: l.projectId, description: l.description, timesheetId: l.timesheetId, kind: l.kind, sources: [source] };
      if (l.taskId !== undefined) fresh.taskId = l.taskId;
      if (l.costTypeId !== undefined) fresh.costTypeId = l.costTypeId;
      if (l.itemId !== undefined) fresh.itemId = l.itemId;
      if (l.timeType !== undefined) fresh.timeType = l.timeType;
      merged.set(k, fresh);
    }
    const sorted = [...merged.values()].sort(compareLines);

    const byDay = new Map<LocalDate, Working[]>();
    for (const w of sorted) byDay.set(w.entryDate, [...(byDay.get(w.entryDate) ?? []), w]);
    const out: SageLine[] = [];
    const minutesByDay: Record<LocalDate, number> = {};
    const qtyByDay: Record<LocalDate, number> = {};
    const unbookedMinutesByDay: Record<LocalDate, number> = {};
    let totalUnits = 0;
    for (const [day, dayLines] of [...byDay.entries()].sort((a, b) => cmp(a[0], b[0]))) {
      minutesByDay[day] = dayLines.reduce((a, l) => a + l.minutes, 0);
      const { kept, unbooked } = allocateDay(dayLines, options.hoursDecimals, options.rounding);
      if (unbooked > 0) unbookedMinutesByDay[day] = unbooked;
      let dayUnits = 0;
      for (const { line, units } of kept) {
        dayUnits += units;
        const sage: SageLine = {
          entryDate: line.entryDate,
          qty: units / scale,
          minutes: line.minutes,
          projectId: line.projectId,
          description: line.description,
          timesheetId: line.timesheetId,
          kind: line.kind,
          sources: [...line.sources].sort(compareSources),
        };
        if (line.taskId !== undefined) sage.taskId = line.taskId;
        if (line.costTypeId !== undefined) sage.costTypeId = line.costTypeId;
        if (line.itemId !== undefined) sage.itemId = line.itemId;
        if (line.timeType !== undefined) sage.timeType = line.timeType;
        out.push(sage);
      }
      qtyByDay[day] = dayUnits / scale;
      totalUnits += dayUnits;
    }

    const timesheets = [...perTimesheet.entries()].map(([id, minutes]) => ({ id, version: versionOf.get(id)!, minutes })).sort((a, b) => compareIds(a.id, b.id));
    const key = exportGroupKey({ connection: options.connection, employeeId: bucket.employeeId, weekStart: bucket.weekStart, timesheets });
    groups.push({
      key,
      controlId: controlIdOf(key),
      employeeId: bucket.employeeId,
      weekStart: bucket.weekStart,
      timesheets,
      lines: out,
      totalMinutes: Object.values(minutesByDay).reduce((a, b) => a + b, 0),
      totalQty: totalUnits / scale,
      minutesByDay,
      qtyByDay,
      unbookedMinutesByDay,
      description: sageTimesheetDescription(timesheets.map((t) => t.id), controlIdOf(key)),
    });
  }
  return groups.sort((a, b) => cmp(a.employeeId, b.employeeId) || cmp(a.weekStart, b.weekStart) || cmp(a.key, b.key));
}

/** Each Assignar timesheet's group keys (two when its time falls in two weeks), keys sorted. */
export function groupKeysByTimesheet(groups: readonly ExportGroup[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of groups) for (const t of g.timesheets) out.set(t.id, [...(out.get(t.id) ?? []), g.key].sort(cmp));
  return out;
}
