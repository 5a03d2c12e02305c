import { badRequest } from './errors';
import { HOSTILE_TEXTS } from './hostile-text';
import { UNUSUAL_PAY_CODE } from './pay-codes';
import { Prng } from '../prng';
import { isActive, numberList } from './resources/common';
import { WORKER_USER_TYPE_ID } from './resources/users';
import type { Row, Store } from './store';
import { addDays, DATE_RE, hhmm, instantOfLocal, mondayOfPreviousWeek, toNaive, weekday } from './time';
import { TIMESHEET_STATUSES, type ActivityEntryRow, type AssetEntryRow, type TimesheetStatus } from './timesheets';

/**
 * The field-activity generator behind `POST /_sandbox/simulate/timesheets`: crews of field workers,
 * each led by a supervisor, work on the active work orders (or projects) that exist, Monday to Friday,
 * and fill in timesheets as they would in the mobile app: day shifts of 7.5-10 hours with an unpaid
 * half-hour break (a share as night shifts that cross local midnight), split over the activities
 * (cost codes) they did, in the project's time zone; operators book time on their machine (asset
 * entries). Each sheet is then submitted and most are approved by the supervisor the next morning; a
 * share stays submitted or in draft. Some carry hostile comments, and some time a supervisor overrides
 * to an unusual pay code. Deterministic for a given seed and the same tenant data.
 */

export interface SimulateOptions {
  /** Working days (Monday-Friday) to simulate from startDate; default 5. Not with endDate. */
  days?: number;
  /** First day (YYYY-MM-DD); weekend days are skipped. Default: Monday of last week. */
  startDate?: string;
  /** Last day (YYYY-MM-DD, inclusive): every working day from startDate to endDate. Needs startDate. */
  endDate?: string;
  /** Timesheets per worker per day (split shifts, possibly on different jobs); default 1. */
  perWorkerPerDay?: number;
  /** Share of the sheets the supervisor approves; default 0.8. */
  approveRatio?: number;
  /** Share left in draft (STARTED or PENDING_SUBMISSION); default 0. The rest (1 - approve - draft) stays SUBMITTED. */
  draftRatio?: number;
  /** Share of crew-days worked as a night shift (starting 18:00-20:00, ending after local midnight); default 0.08. */
  overnightRatio?: number;
  /** Share of the sheets whose comments (and sometimes office_use) are hostile text; default 0.03. */
  hostileRatio?: number;
  /** Share of the approved sheets where a supervisor overrides one entry's pay code to WET; default 0.02. */
  unusualPayCodeRatio?: number;
  /** IANA zones given to the projects in turn (by project id); default: from the project's state. */
  timeZones?: string[];
  /** The workers (field workers, active or not); default every active field worker, linked or not. */
  workerIds?: number[];
  /** Only jobs on these (active) projects; default every active project. */
  projectIds?: number[];
  /** PRNG seed; default 1. */
  seed?: number;
  /** Only the first N workers (by id); default all. */
  maxWorkers?: number;
}

export interface SimulateResult {
  created: number;
  approved: number;
  submitted: number;
  /** STARTED or PENDING_SUBMISSION (not exportable). */
  draft: number;
  byStatus: Record<string, number>;
  workers: number;
  /** Workers without `integration_id` or without `employee_id` (not linked to a Sage Intacct employee). */
  unlinkedWorkers: number;
  crews: number;
  operators: number;
  /** Timesheets with asset (equipment) entries. */
  withAssetTime: number;
  /** Timesheets of crews on a night shift (starting in the evening). */
  nightShifts: number;
  /** Timesheets whose last minute is on a later local date than their first (in their zone). */
  overnight: number;
  /** Timesheets with hostile comments or office_use. */
  hostile: number;
  /** Timesheets of unlinked workers. */
  unlinkedWorkerTimesheets: number;
  /** Approved timesheets with time overridden to `unusualPayCode`. */
  withUnusualPayCode: number;
  unusualPayCode: string;
  days: string[];
  timeZones: string[];
  byTimeZone: Record<string, number>;
  /** Approved activity minutes per user id per local work date (the `submitted_date`, the shift's start). */
  approvedMinutes: Record<string, Record<string, number>>;
  /** Approved asset (equipment) minutes per user id per local work date. */
  approvedAssetMinutes: Record<string, Record<string, number>>;
  firstId: number | null;
  lastId: number | null;
  skipped?: string;
}

const STATE_TZ: Record<string, string> = {};
for (const s of ['IL', 'TX', 'WI', 'MO', 'MN', 'IA', 'LA', 'OK', 'KS', 'NE', 'AR', 'AL', 'MS', 'TN', 'SD', 'ND']) STATE_TZ[s] = 'America/Chicago';
for (const s of ['CO', 'NM', 'UT', 'MT', 'WY', 'ID']) STATE_TZ[s] = 'America/Denver';
STATE_TZ.AZ = 'America/Phoenix';
for (const s of ['CA', 'WA', 'OR', 'NV']) STATE_TZ[s] = 'America/Los_Angeles';
for (const s of ['NY', 'NJ', 'PA', 'MA', 'FL', 'GA', 'OH', 'MI', 'NC', 'SC', 'VA', 'MD', 'CT', 'IN', 'KY']) STATE_TZ[s] = 'America/New_York';
// Australian states (WA stays Washington).
for (const s of ['NSW', 'ACT']) STATE_TZ[s] = 'Australia/Sydney';
STATE_TZ.VIC = 'Australia/Melbourne';
STATE_TZ.QLD = 'Australia/Brisbane';
STATE_TZ.SA = 'Australia/Adelaide';
STATE_TZ.TAS = 'Australia/Hobart';
STATE_TZ.NT = 'Australia/Darwin';

const CITY: Record<string, [number, number]> = {
  'America/Chicago': [41.8781, -87.6298],
  'America/Denver': [39.7392, -104.9903],
  'America/New_York': [40.7128, -74.006],
  'America/Los_Angeles': [34.0522, -118.2437],
  'America/Phoenix': [33.4484, -112.074],
  'Australia/Sydney': [-33.8688, 151.2093],
  'Australia/Melbourne': [-37.8136, 144.9631],
  'Australia/Brisbane': [-27.4698, 153.0251],
  'Australia/Adelaide': [-34.9285, 138.6007],
  'Australia/Perth': [-31.9523, 115.8613],
  'Australia/Hobart': [-42.8821, 147.3272],
  'Australia/Darwin': [-12.4634, 130.8456],
};

const COMMENTS = [
  'Formwork and pour on level 2',
  'Site clean-up and toolbox talk',
  'Waiting on concrete truck 45 min',
  'Rain delay in the morning',
  'Excavation for footings',
  'Framing east wing',
  'Safety induction for new starters',
  'Material delivery and unload',
  '',
  '',
];

const OPTION_KEYS = new Set<string>([
  'days',
  'startDate',
  'endDate',
  'perWorkerPerDay',
  'approveRatio',
  'draftRatio',
  'overnightRatio',
  'hostileRatio',
  'unusualPayCodeRatio',
  'timeZones',
  'workerIds',
  'projectIds',
  'seed',
  'maxWorkers',
]);

/** Stable small hash of an integer (for per-project choices independent of the PRNG stream). */
function hash(n: number): number {
  let x = Math.imul(n ^ 0x5bd1e995, 0x27d4eb2d);
  x ^= x >>> 15;
  return (x >>> 0) / 4294967296;
}

export function timeZoneOf(project: Row | undefined): string {
  const state = typeof project?.state === 'string' ? project.state.trim().toUpperCase() : '';
  if (STATE_TZ[state]) return STATE_TZ[state];
  const h = hash(project?.id ?? 0);
  return h < 0.6 ? 'America/Chicago' : h < 0.75 ? 'America/Denver' : h < 0.9 ? 'America/New_York' : 'America/Los_Angeles';
}

function coordinates(project: Row | undefined, tz: string): [number, number] {
  const geo = project?.address_geo as { coordinates?: unknown } | undefined;
  if (geo && Array.isArray(geo.coordinates) && geo.coordinates.length === 2 && geo.coordinates.every((c) => typeof c === 'number')) {
    return geo.coordinates as [number, number];
  }
  const [lat, lon] = CITY[tz] ?? CITY['America/Chicago'];
  const h = hash((project?.id ?? 0) + 7);
  return [Number((lat + (h - 0.5) * 0.2).toFixed(6)), Number((lon + (hash((project?.id ?? 0) + 13) - 0.5) * 0.2).toFixed(6))];
}

interface Job {
  order?: Row;
  project?: Row;
  clientId: number | null;
  tz: string;
}

interface Checked {
  days: string[];
  perWorkerPerDay: number;
  approveRatio: number;
  draftRatio: number;
  overnightRatio: number;
  hostileRatio: number;
  unusualPayCodeRatio: number;
  timeZones?: string[];
  workerIds?: number[];
  projectIds?: number[];
  seed: number;
  maxWorkers?: number;
}

function int(v: unknown, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return v;
}

function ratio(v: unknown, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw badRequest(`${name} must be a number from 0 to 1`);
  return v;
}

function date(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !DATE_RE.test(v) || Number.isNaN(Date.parse(v)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
    throw badRequest(`${name} must be YYYY-MM-DD`);
  }
  return v;
}

function idList(v: unknown, name: string): number[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || v.length > 1_000_000 || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0)) {
    throw badRequest(`${name} must be a non-empty array of ids`);
  }
  return [...new Set(v as number[])];
}

export function isTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || !tz) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isWorkingDay(d: string): boolean {
  return weekday(d) !== 0 && weekday(d) !== 6;
}

function checkOptions(o: SimulateOptions): Checked {
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw badRequest('options must be an object');
  for (const k of Object.keys(o)) if (!OPTION_KEYS.has(k)) throw badRequest(`unknown option ${k}; one of ${[...OPTION_KEYS].join(', ')}`);
  const approveRatio = ratio(o.approveRatio, 'approveRatio', 0.8);
  const draftRatio = ratio(o.draftRatio, 'draftRatio', 0);
  if (approveRatio + draftRatio > 1 + 1e-9) throw badRequest('approveRatio + draftRatio must not exceed 1');
  const startDate = date(o.startDate, 'startDate');
  const endDate = date(o.endDate, 'endDate');
  const days: string[] = [];
  if (endDate !== undefined) {
    if (o.days !== undefined) throw badRequest('give days or endDate, not both');
    if (startDate === undefined) throw badRequest('endDate needs startDate');
    if (endDate < startDate) throw badRequest('endDate must not be before startDate');
    if ((Date.parse(endDate) - Date.parse(startDate)) / 86_400_000 > 731) throw badRequest('startDate to endDate spans at most 732 days');
    for (let d = startDate; d <= endDate; d = addDays(d, 1)) if (isWorkingDay(d)) days.push(d);
    if (!days.length) throw badRequest(`no working day (Monday-Friday) from ${startDate} to ${endDate}`);
  } else {
    const n = int(o.days, 'days', 1, 366, 5);
    for (let d = startDate ?? mondayOfPreviousWeek(new Date()); days.length < n; d = addDays(d, 1)) if (isWorkingDay(d)) days.push(d);
  }
  let timeZones: string[] | undefined;
  if (o.timeZones !== undefined) {
    if (!Array.isArray(o.timeZones) || o.timeZones.length === 0 || o.timeZones.length > 50) throw badRequest('timeZones must be a non-empty array of IANA time zones');
    for (const tz of o.timeZones) if (!isTimeZone(tz)) throw badRequest(`timeZones: unknown time zone ${JSON.stringify(tz)}`);
    timeZones = o.timeZones;
  }
  return {
    days,
    perWorkerPerDay: int(o.perWorkerPerDay, 'perWorkerPerDay', 1, 4, 1),
    approveRatio,
    draftRatio,
    overnightRatio: ratio(o.overnightRatio, 'overnightRatio', 0.08),
    hostileRatio: ratio(o.hostileRatio, 'hostileRatio', 0.03),
    unusualPayCodeRatio: ratio(o.unusualPayCodeRatio, 'unusualPayCodeRatio', 0.02),
    timeZones,
    workerIds: idList(o.workerIds, 'workerIds'),
    projectIds: idList(o.projectIds, 'projectIds'),
    seed: int(o.seed, 'seed', 0, 2 ** 31 - 1, 1),
    maxWorkers: o.maxWorkers === undefined ? undefined : int(o.maxWorkers, 'maxWorkers', 1, 1_000_000, 1),
  };
}

/** Minutes after local midnight → the UTC instant on a local date in a zone. */
function at(date: string, minutes: number, tz: string): Date {
  return new Date(instantOfLocal(Date.parse(`${date}T00:00:00Z`) + minutes * 60_000, tz));
}

/** A worker with no Sage Intacct link on the Assignar side: no integration_id or no employee_id. */
export function isUnlinkedWorker(u: Row): boolean {
  const blank = (v: unknown) => v === undefined || v === null || String(v).trim() === '';
  return blank(u.integration_id) || blank(u.employee_id);
}

function add(map: Record<string, Record<string, number>>, user: number, day: string, minutes: number): void {
  const perDay = (map[String(user)] ??= {});
  perDay[day] = (perDay[day] ?? 0) + minutes;
}

function selectWorkers(store: Store, o: Checked): Row[] {
  const users = store.table('users');
  let workers: Row[];
  if (o.workerIds) {
    workers = o.workerIds.map((id) => {
      const u = users.get(id);
      if (!u || u.user_type_id !== WORKER_USER_TYPE_ID) throw badRequest(`workerIds: user ${id} is not a field worker (user_type_id ${WORKER_USER_TYPE_ID})`);
      return u;
    });
    workers.sort((a, b) => a.id - b.id);
  } else {
    workers = users.all().filter((u) => u.user_type_id === WORKER_USER_TYPE_ID && u.active !== false);
  }
  return o.maxWorkers ? workers.slice(0, o.maxWorkers) : workers;
}

function selectJobs(store: Store, o: Checked): Job[] {
  let projects = store.table('projects').all().filter(isActive);
  if (o.projectIds) {
    const wanted = new Set(o.projectIds);
    for (const id of wanted) if (!projects.some((p) => p.id === id)) throw badRequest(`projectIds: project ${id} does not exist or is not active`);
    projects = projects.filter((p) => wanted.has(p.id));
  }
  const orders = store.table('orders').all().filter((r) => r.active !== false);
  const projectById = new Map(projects.map((p) => [p.id, p]));
  const draft: Array<Omit<Job, 'tz'>> = orders.length
    ? orders
        .filter((ord) => (o.projectIds ? projectById.has(ord.project_id as number) : ord.project_id === undefined || ord.project_id === null || projectById.has(ord.project_id as number)))
        .map((ord) => {
          const project = projectById.get(ord.project_id as number);
          return { order: ord, project, clientId: (ord.client_id as number | undefined) ?? (project?.client_id as number | undefined) ?? null };
        })
    : [];
  if (!draft.length) for (const p of projects) draft.push({ project: p, clientId: (p.client_id as number | undefined) ?? null });
  // Zones: the option's list given to the projects in id order (jobs without one after them), else the project's state.
  const zoneOf = new Map<string, string>();
  if (o.timeZones) {
    const keys = [...new Set(draft.map((j) => (j.project ? `p${j.project.id}` : `o${j.order?.id}`)))];
    keys.sort((a, b) => (a[0] === b[0] ? Number(a.slice(1)) - Number(b.slice(1)) : a[0] === 'p' ? -1 : 1));
    keys.forEach((k, i) => zoneOf.set(k, o.timeZones![i % o.timeZones!.length]));
  }
  return draft.map((j) => ({ ...j, tz: zoneOf.get(j.project ? `p${j.project.id}` : `o${j.order?.id}`) ?? timeZoneOf(j.project) }));
}

export function simulateTimesheets(store: Store, input: SimulateOptions): SimulateResult {
  const o = checkOptions(input ?? {});
  const rng = new Prng(o.seed);
  const workers = selectWorkers(store, o);
  const activities = store.table('activities').all().filter(isActive);
  const assets = store.table('assets').all().filter(isActive);
  const tasks = store.table('tasks').all().filter((t) => t.active !== false);
  const result: SimulateResult = {
    created: 0,
    approved: 0,
    submitted: 0,
    draft: 0,
    byStatus: {},
    workers: workers.length,
    unlinkedWorkers: workers.filter(isUnlinkedWorker).length,
    crews: 0,
    operators: 0,
    withAssetTime: 0,
    nightShifts: 0,
    overnight: 0,
    hostile: 0,
    unlinkedWorkerTimesheets: 0,
    withUnusualPayCode: 0,
    unusualPayCode: UNUSUAL_PAY_CODE,
    days: o.days,
    timeZones: [],
    byTimeZone: {},
    approvedMinutes: {},
    approvedAssetMinutes: {},
    firstId: null,
    lastId: null,
  };
  const finish = () => {
    for (const s of TIMESHEET_STATUSES) if (!(s in result.byStatus)) result.byStatus[s] = 0;
    return result;
  };
  if (!workers.length) return { ...finish(), skipped: 'no active workers (users with user_type_id 2)' };
  const jobs = selectJobs(store, o);
  if (!jobs.length) return { ...finish(), skipped: 'no active projects or work orders' };

  // Crews of 3-6, the first member supervising.
  const shuffled = rng.shuffle(workers);
  const crews: Array<{ members: Row[]; job: Job }> = [];
  for (let i = 0; i < shuffled.length; ) {
    const size = Math.min(rng.int(3, 6), shuffled.length - i);
    crews.push({ members: shuffled.slice(i, i + size), job: jobs[crews.length % jobs.length] });
    i += size;
  }
  result.crews = crews.length;

  // Roles and operators.
  const taskById = new Map(tasks.map((t) => [t.id, t]));
  const roleOf = new Map<number, Row | undefined>();
  for (const w of shuffled) {
    const own = numberList(w, '_task_ids')
      .map((id) => taskById.get(id))
      .find((t) => !!t);
    roleOf.set(w.id, own ?? (tasks.length ? rng.pick(tasks) : undefined));
  }
  const machineRole = (t: Row | undefined) => !!t && (t.req_machines === true || /operator|driver|excavat|crane/i.test(String(t.name ?? '')));
  let operators = shuffled.filter((w) => machineRole(roleOf.get(w.id)));
  if (!operators.length) operators = crews.flatMap((c) => c.members.slice(1).filter(() => rng.chance(0.35)));
  const machineOf = new Map<number, Row>();
  if (assets.length) operators.forEach((w, i) => machineOf.set(w.id, assets[i % assets.length]));
  result.operators = machineOf.size;
  const unlinked = new Set(workers.filter(isUnlinkedWorker).map((w) => w.id));

  const table = store.table('timesheets');
  const approvedVariants: ReadonlyArray<readonly [TimesheetStatus, number]> = [
    ['APPROVED', 50],
    ['APPROVED_WITH_PAY_RATES', 20],
    ['APPROVED_WITH_CHARGE_RATES', 10],
    ['APPROVED_WITH_PAY_AND_CHARGE_RATES', 20],
  ];
  const drafts: readonly TimesheetStatus[] = ['STARTED', 'PENDING_SUBMISSION'];
  // A split shift's other parts are on jobs in the same zone (a worker does not change continents midday).
  const jobsInZone = new Map<string, Job[]>();
  for (const j of jobs) jobsInZone.set(j.tz, [...(jobsInZone.get(j.tz) ?? []), j]);

  for (const day of o.days) {
    for (const crew of crews) {
      if (jobs.length > 1 && rng.chance(0.2)) crew.job = rng.pick(jobs);
      const night = rng.chance(o.overnightRatio);
      const crewStart = night ? rng.pick([1080, 1140, 1200]) : rng.pick([360, 390, 420, 420, 450]);
      const supervisor = crew.members[0];
      for (const worker of crew.members) {
        let cursor = crewStart + (rng.chance(0.2) ? rng.pick([-15, 15, 30]) : 0);
        const worked = rng.pick([450, 480, 480, 480, 510, 540, 570, 600]);
        const shiftLength = Math.max(120, Math.round(worked / o.perWorkerPerDay / 15) * 15);
        // Every part of a day's work starts on that local date (a night run of split shifts starts earlier).
        if (night && o.perWorkerPerDay > 1) cursor = Math.min(cursor, 1425 - (o.perWorkerPerDay - 1) * (shiftLength + 60));
        for (let k = 0; k < o.perWorkerPerDay; k++) {
          const job = k === 0 ? crew.job : rng.pick(jobsInZone.get(crew.job.tz)!);
          const tz = job.tz;
          const [lat, lon] = coordinates(job.project, tz);
          const hasBreak = shiftLength >= 300;
          const firstPart = hasBreak ? Math.round(shiftLength / 2 / 15) * 15 : shiftLength;
          const intervals: Array<[number, number]> = hasBreak
            ? [
                [cursor, cursor + firstPart],
                [cursor + firstPart + 30, cursor + shiftLength + 30],
              ]
            : [[cursor, cursor + shiftLength]];
          const shiftStart = at(day, intervals[0][0], tz);
          const shiftEnd = at(day, intervals[intervals.length - 1][1], tz);
          cursor = intervals[intervals.length - 1][1] + 30;
          const localStart = toNaive(shiftStart, tz);
          const localEnd = toNaive(shiftEnd, tz);

          // Split the worked minutes over 1-3 activities, laid over the working intervals.
          const n = activities.length ? Math.min(activities.length, rng.weighted([[1, 3], [2, 5], [3, 2]] as const)) : 1;
          const acts = activities.length ? rng.shuffle(activities).slice(0, n) : [undefined];
          const shares: number[] = [];
          let left = shiftLength;
          for (let a = 0; a < acts.length; a++) {
            const share = a === acts.length - 1 ? left : Math.max(60, Math.round((left * rng.pick([0.3, 0.4, 0.5])) / 15) * 15);
            shares.push(Math.min(share, left));
            left -= shares[a];
          }
          const segments: Array<{ activity: Row | undefined; from: number; to: number }> = [];
          let iv = 0;
          let pos = intervals[0][0];
          acts.forEach((activity, a) => {
            let need = shares[a];
            while (need > 0 && iv < intervals.length) {
              const room = intervals[iv][1] - pos;
              const take = Math.min(room, need);
              if (take > 0) segments.push({ activity, from: pos, to: pos + take });
              need -= take;
              pos += take;
              if (pos >= intervals[iv][1] && iv + 1 < intervals.length) {
                iv++;
                pos = intervals[iv][0];
              } else if (pos >= intervals[iv][1]) break;
            }
          });

          // Status: approved, draft (not finished in the app) or submitted.
          const roll = rng.next();
          const approved = roll < o.approveRatio;
          const isDraft = !approved && roll < o.approveRatio + o.draftRatio;
          const status: TimesheetStatus = approved ? rng.weighted(approvedVariants) : isDraft ? rng.pick(drafts) : 'SUBMITTED';
          const createdAt = shiftStart.toISOString();
          const submittedAt = new Date(shiftEnd.getTime() + rng.int(5, 60) * 60_000).toISOString();
          const savedAt = isDraft ? createdAt : submittedAt;
          const approvedAt = at(addDays(localEnd.slice(0, 10), 1), rng.int(480, 600), tz).toISOString();
          const modified = approved ? approvedAt : savedAt;

          const machine = machineOf.get(worker.id);
          const assetEntries: AssetEntryRow[] = [];
          if (machine) {
            const fraction = rng.pick([1, 1, 0.75, 0.5]);
            const minutes = Math.max(15, Math.round((shiftLength * fraction) / 15) * 15);
            assetEntries.push({
              id: store.assetEntryIds.next(),
              asset_id: machine.id,
              start_at: shiftStart.toISOString(),
              end_at: fraction === 1 ? shiftEnd.toISOString() : new Date(shiftStart.getTime() + (minutes + (hasBreak && minutes > firstPart ? 30 : 0)) * 60_000).toISOString(),
              tz,
              duration: minutes,
              uses_whole_shift: fraction === 1,
              created_at: savedAt,
              modified_at: savedAt,
              created_by_id: worker.id,
            });
          }
          let assetLeft = assetEntries[0]?.duration ?? 0;
          const activityEntries: ActivityEntryRow[] = segments.map((s) => {
            const duration = s.to - s.from;
            const related: ActivityEntryRow['related'] = [];
            if (assetLeft > 0) {
              const use = Math.min(assetLeft, duration);
              assetLeft -= use;
              related.push({ id: store.relatedAssetEntryIds.next(), asset_entry_id: assetEntries[0].id, minutes: use, created_at: savedAt, modified_at: savedAt });
            }
            return {
              id: store.activityEntryIds.next(),
              activity_id: s.activity?.id ?? null,
              start_at: at(day, s.from, tz).toISOString(),
              end_at: at(day, s.to, tz).toISOString(),
              tz,
              duration,
              created_at: savedAt,
              modified_at: savedAt,
              created_by_id: worker.id,
              related,
            };
          });

          // A supervisor codes some time (a rain stand-down) to a pay code a typical mapping lacks.
          const unusual = approved && activityEntries.length > 0 && rng.chance(o.unusualPayCodeRatio);
          if (unusual) activityEntries[rng.int(0, activityEntries.length - 1)].pay_code = UNUSUAL_PAY_CODE;
          const hostile = rng.chance(o.hostileRatio);
          const comments = hostile ? rng.pick(HOSTILE_TEXTS) : rng.pick(COMMENTS);
          const officeUse = hostile && rng.chance(0.5) ? rng.pick(HOSTILE_TEXTS) : null;

          const role = roleOf.get(worker.id);
          const row = table.insert({
            user_id: worker.id,
            client_id: job.clientId,
            project_id: job.project?.id ?? null,
            task_id: role?.id ?? null,
            order_id: job.order?.id ?? null,
            supplier_id: null,
            job_number: (job.order?.job_number as string | undefined) ?? null,
            location: (job.order?.location as string | undefined) ?? (job.project?.address as string | undefined) ?? null,
            start_time: localStart.slice(11, 16),
            end_time: localEnd.slice(11, 16),
            start_datetime: shiftStart.toISOString(),
            end_datetime: shiftEnd.toISOString(),
            total_time: hhmm(shiftLength),
            comments,
            office_use: officeUse,
            submitted_date: localStart.slice(0, 10),
            date_of_creation: createdAt,
            created_by_id: worker.id,
            modified_time: modified,
            modified_by: approved ? String(supervisor.username ?? '') : String(worker.username ?? ''),
            submitted_by: isDraft ? null : String(worker.username ?? ''),
            latitude: lat,
            longitude: lon,
            latitude2: lat,
            longitude2: lon,
            signature_name: String(worker.full_name ?? ''),
            client_signature_name: null,
            completed_at: isDraft ? null : submittedAt,
            completed_by_id: isDraft ? null : worker.id,
            processed_by_id: null,
            processed_at: null,
            deleted_time: null,
            integration_id: null,
            status,
            is_processed: false,
            _tz: tz,
            _activity_entries: activityEntries,
            _asset_entries: assetEntries,
            ...(approved ? { _approver_id: supervisor.id } : {}),
          });

          result.created++;
          if (approved) result.approved++;
          else if (isDraft) result.draft++;
          else result.submitted++;
          result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
          result.byTimeZone[tz] = (result.byTimeZone[tz] ?? 0) + 1;
          if (night) result.nightShifts++;
          if (localEnd.slice(0, 10) > localStart.slice(0, 10)) result.overnight++;
          if (assetEntries.length) result.withAssetTime++;
          if (hostile) result.hostile++;
          if (unusual) result.withUnusualPayCode++;
          if (unlinked.has(worker.id)) result.unlinkedWorkerTimesheets++;
          if (approved) {
            add(result.approvedMinutes, worker.id, localStart.slice(0, 10), shiftLength);
            if (assetEntries.length) add(result.approvedAssetMinutes, worker.id, localStart.slice(0, 10), assetEntries[0].duration);
          }
          result.firstId ??= row.id;
          result.lastId = row.id;
        }
      }
    }
  }
  result.timeZones = Object.keys(result.byTimeZone).sort();
  return finish();
}
