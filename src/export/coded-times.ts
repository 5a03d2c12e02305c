import { z } from 'zod';
import { describeIssues } from '../assignar/schemas';

/**
 * Pay codes of activity time, from Assignar's time coding (`GET /timesheets/coded-worker-times?user_id=…`,
 * schemas CodedWorkerTimes → CodedTimesheet → TimesheetTime → CodedTime). TimesheetExpanded carries no pay
 * code, so this is where an export finds the time type of each minute.
 *
 * One activity entry (a TimesheetTime, same id) may be coded in several chronological spans — the first 8
 * hours ORD, the next 2 OT15, … — each with a `default_pay_code` (from the rule) and maybe an
 * `override_pay_code` (a supervisor's), the override winning. Pure: no I/O, safe in workflow code.
 */

/** The pay code(s) of one activity entry, as `ExportLookups.payCodes` answers them. */
export type PayCoding =
  /** The whole entry in one pay code. */
  | { readonly code: string }
  /** Chronological spans (minutes each); minutes beyond their sum are uncoded. */
  | ReadonlyArray<{ readonly code: string; readonly minutes: number }>
  /** The entry's coding could not be read: the timesheet is held with this reason. */
  | { readonly unavailable: string };

const integer = z.number().int().nullish();
const text = z.string().nullish();

const CodedTimeSchema = z.looseObject({
  id: integer,
  timesheet_time_id: integer,
  start_at: text,
  end_at: text,
  default_pay_code: z.looseObject({ pay_code: z.looseObject({ code: text }).nullish() }).nullish(),
  override_pay_code: z.looseObject({ code: text }).nullish(),
});
const TimesheetTimeSchema = z.looseObject({ id: z.number().int(), minutes: integer, coded_times: z.array(CodedTimeSchema).nullish() });
const CodedTimesheetSchema = z.looseObject({ id: z.number().int(), timesheet_times: z.array(TimesheetTimeSchema).nullish() });
/** The top level only; each timesheet is checked on its own so one bad row does not hide the others. */
const CodedWorkerTimesSchema = z.looseObject({ user_id: integer, employee_id: text, timesheets: z.array(z.unknown()).nullish() });

/** One worker's `coded-worker-times` answer (the envelope's `data`), with the Assignar user it was read for. */
export interface CodedWorkerTimesInput {
  assignarUserId: string;
  body: unknown;
}

export interface CodedTimesIndex {
  /**
   * The pay coding of an activity entry. `undefined` when the entry's timesheet was read and the entry
   * has no coded time (uncoded: the default time type applies); `{ unavailable }` when the timesheet's
   * coding was not read or was malformed (the export must hold it rather than guess a time type).
   */
  payCodes(entryId: string, context: { timesheetId: string; assignarUserId: string }): PayCoding | undefined;
  /** What could not be read, for the run's log (no values, only paths and ids). */
  problems: string[];
}

function codeOf(t: z.infer<typeof CodedTimeSchema>): string {
  return (t.override_pay_code?.code ?? '').trim() || (t.default_pay_code?.pay_code?.code ?? '').trim();
}

function minutesOf(t: z.infer<typeof CodedTimeSchema>): number | undefined {
  const start = t.start_at ? Date.parse(t.start_at) : NaN;
  const end = t.end_at ? Date.parse(t.end_at) : NaN;
  const ms = end - start;
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms / 60_000) : undefined;
}

function codingOf(entryId: number, coded: ReadonlyArray<z.infer<typeof CodedTimeSchema>>): PayCoding | undefined {
  if (coded.length === 0) return undefined;
  const spans = [...coded].sort((a, b) => (a.start_at ?? '').localeCompare(b.start_at ?? '') || (a.id ?? 0) - (b.id ?? 0));
  const out: Array<{ code: string; minutes: number }> = [];
  for (const s of spans) {
    const code = codeOf(s);
    if (!code) return { unavailable: `coded time ${s.id ?? '?'} of activity entry ${entryId} has no pay code` };
    const minutes = minutesOf(s);
    if (minutes === undefined) {
      // One span without times still says what the whole entry is coded as.
      if (spans.length === 1) return { code };
      return { unavailable: `coded time ${s.id ?? '?'} of activity entry ${entryId} has no usable start_at/end_at` };
    }
    const last = out[out.length - 1];
    if (last && last.code === code) out.push({ code, minutes: out.pop()!.minutes + minutes });
    else out.push({ code, minutes });
  }
  return out;
}

/**
 * Indexes the `coded-worker-times` answers of the workers whose timesheets are being exported. Validated
 * with zod: a malformed answer makes that worker's coding unavailable, a malformed timesheet in it that
 * timesheet's; both are reported in `problems`, and their entries answer `{ unavailable }`.
 */
export function indexCodedTimes(inputs: readonly CodedWorkerTimesInput[]): CodedTimesIndex {
  const problems: string[] = [];
  const byEntry = new Map<string, PayCoding | undefined>();
  const readTimesheets = new Set<string>();
  const brokenTimesheets = new Map<string, string>();
  const readUsers = new Set<string>();
  const brokenUsers = new Map<string, string>();
  for (const input of inputs) {
    const top = CodedWorkerTimesSchema.safeParse(input.body);
    if (!top.success) {
      const why = describeIssues(top.error, 'coded-worker-times').join('; ');
      brokenUsers.set(input.assignarUserId, why);
      problems.push(`coded times of Assignar user ${input.assignarUserId} are malformed: ${why}`);
      continue;
    }
    readUsers.add(input.assignarUserId);
    (top.data.timesheets ?? []).forEach((raw, i) => {
      const parsed = CodedTimesheetSchema.safeParse(raw);
      if (!parsed.success) {
        const rawId = (raw as { id?: unknown } | null)?.id;
        const why = describeIssues(parsed.error, `timesheets[${i}]`).join('; ');
        if (typeof rawId === 'number' || typeof rawId === 'string') brokenTimesheets.set(String(rawId), why);
        else brokenUsers.set(input.assignarUserId, why);
        problems.push(`coded times of Assignar user ${input.assignarUserId} hold a malformed timesheet: ${why}`);
        return;
      }
      readTimesheets.add(String(parsed.data.id));
      for (const time of parsed.data.timesheet_times ?? []) byEntry.set(String(time.id), codingOf(time.id, time.coded_times ?? []));
    });
  }
  return {
    problems,
    payCodes(entryId, context) {
      const brokenTs = brokenTimesheets.get(context.timesheetId);
      if (brokenTs) return { unavailable: `the coded times of Assignar timesheet ${context.timesheetId} are malformed (${brokenTs})` };
      if (!readTimesheets.has(context.timesheetId)) {
        const brokenUser = brokenUsers.get(context.assignarUserId);
        if (brokenUser) return { unavailable: `the coded times of Assignar user ${context.assignarUserId} are malformed (${brokenUser})` };
        if (!readUsers.has(context.assignarUserId)) return { unavailable: `the coded times of Assignar user ${context.assignarUserId} were not read` };
        return { unavailable: `Assignar timesheet ${context.timesheetId} is missing from the coded times of Assignar user ${context.assignarUserId}` };
      }
      return byEntry.get(entryId);
    },
  };
}
