import { badRequest } from './errors';
import { Prng } from '../prng';
import { isActive, numberList } from './resources/common';
import { WORKER_USER_TYPE_ID } from './resources/users';
import type { Row, Store } from './store';
import { addDays, DATE_RE, fromNaive, hhmm, mondayOfPreviousWeek, toNaive, weekday } from './time';
import { TIMESHEET_STATUSES, type ActivityEntryRow, type AssetEntryRow, type TimesheetStatus } from './timesheets';

/**
 * The field-activity generator behind `POST /_sandbox/simulate/timesheets`: crews of active workers,
 * each led by a supervisor, work on the active work orders (or projects) that exist, Monday to Friday,
 * and fill in timesheets as they would in the mobile app: day shifts of 7.5-10 hours with an unpaid
 * half-hour break (now and then a night shift that crosses midnight, so the UTC date differs from the
 * local one), split over the activities (cost codes) they did, in the project's time zone; operators
 * book time on their machine (asset entries). Each sheet is then submitted, and a share approved by
 * the supervisor the next morning. Deterministic for a given seed and the same tenant data.
 */

export interface SimulateOptions {
  /** Working days (Monday-Friday) to simulate; default 5. */
  days?: number;
  /** Timesheets per worker per day (split shifts, possibly on different jobs); default 1. */
  perWorkerPerDay?: number;
  /** Share of the sheets the supervisor approves; the rest stay SUBMITTED. Default 0.8. */
  approveRatio?: number;
  /** First day (YYYY-MM-DD); weekend days are skipped. Default: Monday of last week. */
  startDate?: string;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Only the first N workers (by id); default all. */
  maxWorkers?: number;
}

export interface SimulateResult {
  created: number;
  submitted: number;
  approved: number;
  byStatus: Record<string, number>;
  workers: number;
  crews: number;
  operators: number;
  withAssetTime: number;
  nightShifts: number;
  days: string[];
  timeZones: string[];
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

const CITY: Record<string, [number, number]> = {
  'America/Chicago': [41.8781, -87.6298],
  'America/Denver': [39.7392, -104.9903],
  'America/New_York': [40.7128, -74.006],
  'America/Los_Angeles': [34.0522, -118.2437],
  'America/Phoenix': [33.4484, -112.074],
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
}

function checkOptions(o: SimulateOptions): Required<Omit<SimulateOptions, 'maxWorkers'>> & { maxWorkers?: number } {
  const int = (v: unknown, name: string, min: number, max: number, dflt: number) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
    return v;
  };
  const approveRatio = o.approveRatio ?? 0.8;
  if (typeof approveRatio !== 'number' || approveRatio < 0 || approveRatio > 1) throw badRequest('approveRatio must be a number from 0 to 1');
  if (o.startDate !== undefined && (typeof o.startDate !== 'string' || !DATE_RE.test(o.startDate) || Number.isNaN(Date.parse(o.startDate)))) {
    throw badRequest('startDate must be YYYY-MM-DD');
  }
  return {
    days: int(o.days, 'days', 1, 366, 5),
    perWorkerPerDay: int(o.perWorkerPerDay, 'perWorkerPerDay', 1, 4, 1),
    approveRatio,
    startDate: o.startDate ?? mondayOfPreviousWeek(new Date()),
    seed: int(o.seed, 'seed', 0, 2 ** 31 - 1, 1),
    maxWorkers: o.maxWorkers === undefined ? undefined : int(o.maxWorkers, 'maxWorkers', 1, 1_000_000, 1),
  };
}

/** Minutes after local midnight → the UTC instant on a local date in a zone. */
function at(date: string, minutes: number, tz: string): Date {
  const day = addDays(date, Math.floor(minutes / 1440));
  const m = ((minutes % 1440) + 1440) % 1440;
  return fromNaive(`${day}T${hhmm(m)}:00`, tz);
}

export function simulateTimesheets(store: Store, input: SimulateOptions): SimulateResult {
  const o = checkOptions(input);
  const rng = new Prng(o.seed);
  const users = store.table('users').all();
  let workers = users.filter((u) => u.user_type_id === WORKER_USER_TYPE_ID && u.active !== false);
  if (o.maxWorkers) workers = workers.slice(0, o.maxWorkers);
  const projects = store.table('projects').all().filter(isActive);
  const orders = store.table('orders').all().filter((r) => r.active !== false);
  const activities = store.table('activities').all().filter(isActive);
  const assets = store.table('assets').all().filter(isActive);
  const tasks = store.table('tasks').all().filter((t) => t.active !== false);
  const result: SimulateResult = {
    created: 0,
    submitted: 0,
    approved: 0,
    byStatus: {},
    workers: workers.length,
    crews: 0,
    operators: 0,
    withAssetTime: 0,
    nightShifts: 0,
    days: [],
    timeZones: [],
    firstId: null,
    lastId: null,
  };
  if (!workers.length) return { ...result, skipped: 'no active workers (users with user_type_id 2)' };
  if (!projects.length && !orders.length) return { ...result, skipped: 'no active projects or work orders' };

  const projectById = new Map(projects.map((p) => [p.id, p]));
  const jobs: Job[] = orders.length
    ? orders
        .filter((ord) => ord.project_id === undefined || ord.project_id === null || projectById.has(ord.project_id as number))
        .map((ord) => {
          const project = projectById.get(ord.project_id as number);
          return { order: ord, project, clientId: (ord.client_id as number | undefined) ?? (project?.client_id as number | undefined) ?? null };
        })
    : [];
  if (!jobs.length) for (const p of projects) jobs.push({ project: p, clientId: (p.client_id as number | undefined) ?? null });

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

  // Working days.
  const days: string[] = [];
  for (let d = o.startDate; days.length < o.days; d = addDays(d, 1)) if (weekday(d) !== 0 && weekday(d) !== 6) days.push(d);
  result.days = days;

  const table = store.table('timesheets');
  const zones = new Set<string>();
  const approvedVariants: ReadonlyArray<readonly [TimesheetStatus, number]> = [
    ['APPROVED', 50],
    ['APPROVED_WITH_PAY_RATES', 20],
    ['APPROVED_WITH_CHARGE_RATES', 10],
    ['APPROVED_WITH_PAY_AND_CHARGE_RATES', 20],
  ];

  for (const day of days) {
    for (const crew of crews) {
      if (jobs.length > 1 && rng.chance(0.2)) crew.job = rng.pick(jobs);
      const night = rng.chance(0.08);
      const crewStart = night ? rng.pick([1080, 1140, 1200]) : rng.pick([360, 390, 420, 420, 450]);
      const supervisor = crew.members[0];
      for (const worker of crew.members) {
        let cursor = crewStart + (rng.chance(0.2) ? rng.pick([-15, 15, 30]) : 0);
        const worked = rng.pick([450, 480, 480, 480, 510, 540, 570, 600]);
        const shiftLength = Math.max(120, Math.round(worked / o.perWorkerPerDay / 15) * 15);
        for (let k = 0; k < o.perWorkerPerDay; k++) {
          const job = k === 0 ? crew.job : rng.pick(jobs);
          const tz = timeZoneOf(job.project);
          zones.add(tz);
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
          if (night) result.nightShifts++;

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
          const createdAt = shiftStart.toISOString();
          const submittedAt = new Date(shiftEnd.getTime() + rng.int(5, 60) * 60_000).toISOString();
          const approved = rng.chance(o.approveRatio);
          const status: TimesheetStatus = approved ? rng.weighted(approvedVariants) : 'SUBMITTED';
          const approvedAt = at(addDays(toNaive(shiftEnd, tz).slice(0, 10), 1), rng.int(480, 600), tz).toISOString();
          const modified = approved ? approvedAt : submittedAt;

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
              created_at: submittedAt,
              modified_at: submittedAt,
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
              related.push({ id: store.relatedAssetEntryIds.next(), asset_entry_id: assetEntries[0].id, minutes: use, created_at: submittedAt, modified_at: submittedAt });
            }
            return {
              id: store.activityEntryIds.next(),
              activity_id: s.activity?.id ?? null,
              start_at: at(day, s.from, tz).toISOString(),
              end_at: at(day, s.to, tz).toISOString(),
              tz,
              duration,
              created_at: submittedAt,
              modified_at: submittedAt,
              created_by_id: worker.id,
              related,
            };
          });
          if (assetEntries.length) result.withAssetTime++;
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
            start_time: toNaive(shiftStart, tz).slice(11, 16),
            end_time: toNaive(shiftEnd, tz).slice(11, 16),
            start_datetime: shiftStart.toISOString(),
            end_datetime: shiftEnd.toISOString(),
            total_time: hhmm(shiftLength),
            comments: rng.pick(COMMENTS),
            office_use: null,
            submitted_date: toNaive(shiftStart, tz).slice(0, 10),
            date_of_creation: createdAt,
            created_by_id: worker.id,
            modified_time: modified,
            modified_by: approved ? String(supervisor.username ?? '') : String(worker.username ?? ''),
            submitted_by: String(worker.username ?? ''),
            latitude: lat,
            longitude: lon,
            latitude2: lat,
            longitude2: lon,
            signature_name: String(worker.full_name ?? ''),
            client_signature_name: null,
            completed_at: submittedAt,
            completed_by_id: worker.id,
            processed_by_id: null,
            processed_at: null,
            deleted_time: null,
            integration_id: null,
            status,
            is_processed: false,
            _tz: tz,
            _activity_entries: activityEntries,
            _asset_entries: assetEntries,
          });
          result.created++;
          if (approved) result.approved++;
          else result.submitted++;
          result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
          result.firstId ??= row.id;
          result.lastId = row.id;
        }
      }
    }
  }
  result.timeZones = [...zones].sort();
  for (const s of TIMESHEET_STATUSES) if (!(s in result.byStatus)) result.byStatus[s] = 0;
  return result;
}
