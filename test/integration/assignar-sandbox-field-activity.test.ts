/**
 * The field-activity generator as an export sees it (issue 9 §2): realistic approved time over HTTP —
 * multi-day weeks for every field worker (linked or not), split shifts, equipment time, overnight
 * shifts in several time zones, statuses, pay codes (coded times), hostile comments, corrections after
 * approval, and 20,000 timesheets that page. Everything is read back through /v2 and checked against
 * the OpenAPI file; local times are recomputed here with Intl, not with the sandbox's own helpers.
 */
import { HOSTILE_TEXTS, RULE_PAY_CODES, startAssignarSandbox, UNUSUAL_PAY_CODE, type AssignarSandbox } from '../../src/sandbox/assignar';
import { responseSchemaPointer, validatorAt } from '../../src/sandbox/assignar/spec';
import { apiCaller, controlCaller, importLikeTenant, type Call, type Loose } from './assignar-sandbox-http';

let sb: AssignarSandbox;
let call: Call;
let control: Call;
beforeAll(async () => {
  sb = await startAssignarSandbox({ seed: 'demo' });
  call = await apiCaller(sb);
  control = controlCaller(sb);
});
afterAll(async () => {
  await sb?.close();
});

const listSchema = () => validatorAt(responseSchemaPointer('/timesheets-expanded', 'get', 200)!);
const itemSchema = () => validatorAt(responseSchemaPointer('/timesheets-expanded/{id}', 'get', 200)!);
const codedSchema = () => validatorAt(responseSchemaPointer('/timesheets/coded-worker-times', 'get', 200)!);

const WEEK = ['2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07'];
const ZONE_OF_PROJECT: Record<string, string> = { 'P-0100': 'America/Chicago', 'P-0200': 'Australia/Sydney', 'P-0300': 'America/Los_Angeles' };

interface Tenant {
  linked: number[];
  unlinked: number[];
  inactive: number;
  closedProjectId: number;
  projectIds: number[];
  assetIds: number[];
}

/** 12 imported workers + 3 made by hand in Assignar (unlinked) + 1 archived; projects in Illinois, New South Wales and California (+ a closed one). */
async function tenant(): Promise<Tenant> {
  await sb.reset('demo');
  const t = await importLikeTenant(call, 12);
  const id = async (path: string, body: unknown) => {
    const res = await call('POST', path, body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${res.text}`);
    return res.body.data.id as number;
  };
  const harbour = await id('/clients/', { name: 'Harbour Civil', company_name: 'Harbour Civil Pty Ltd', external_id: 'C-0200', integration_id: '110' });
  const sydney = await id('/projects/', { name: 'Barangaroo Pier', client_id: harbour, external_id: 'P-0200', integration_id: '210', state: 'NSW' });
  const la = await id('/projects/', { name: 'Long Beach Depot', client_id: t.clientId, external_id: 'P-0300', integration_id: '220', state: 'CA' });
  const closed = await id('/projects/', { name: 'Closed Job', client_id: t.clientId, external_id: 'P-0900', integration_id: '290', state: 'IL', active: false });
  const order = (project: number, client: number, job: string) =>
    id('/orders', { client_id: client, project_id: project, order_owner: 1001, start_date: '2025-01-01', end_date: '2026-12-31', job_number: job, job_description: job, integration_id: job });
  await order(sydney, harbour, 'P-0200-01-PIER');
  await order(la, t.clientId, 'P-0300-01-SLAB');
  await order(closed, t.clientId, 'P-0900-01-OLD');
  const crane = await id('/assets', { name: 'Crane 50t', external_id: 'EQ-CRN50', integration_id: '401', active: true, asset_class_id: 1 });
  const worker = (i: number, extra: Record<string, unknown>) =>
    id('/users', { user_type_id: 2, first_name: `Hand${i}`, last_name: 'Made', email: `hand${i}@example-builders.com`, employment_type: 1, ...extra });
  const unlinked = [await worker(1, { employee_id: 'E9001' }), await worker(2, { employee_id: 'E9002' }), await worker(3, {})];
  const inactive = await worker(4, { employee_id: 'E9004', integration_id: '699', active: false });
  return { linked: t.userIds, unlinked, inactive, closedProjectId: closed, projectIds: [t.projectId, sydney, la], assetIds: [t.assetId, crane] };
}

/** Every timesheet through the API, page by page, each page checked against the spec. */
async function readAll(query = '', pageSize = 200): Promise<Loose[]> {
  const v = listSchema();
  const rows: Loose[] = [];
  for (let page = 1; ; page++) {
    const res = await call('GET', `/timesheets-expanded?sort=id&page=${page}&page_size=${pageSize}${query}`);
    expect(res.status).toBe(200);
    expect(v(res.body) ? [] : v.errors).toEqual([]);
    rows.push(...res.body.data.rows);
    if (res.body.data.rows.length < pageSize) return rows;
  }
}

/** Wall date and time of an instant in a zone, by Intl. */
function local(iso: string, timeZone: string): { date: string; time: string; naive: string } {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, naive: `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}` };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const activityMinutes = (ts: Loose) => ts.activity_entries.reduce((s: number, e: Loose) => s + e.duration, 0);
const assetMinutes = (ts: Loose) => ts.asset_entries.reduce((s: number, e: Loose) => s + e.duration, 0);
const approved = (ts: Loose) => String(ts.status).startsWith('APPROVED');
const firstStart = (ts: Loose) => ts.activity_entries.reduce((a: Loose, b: Loose) => (b.start_at < a.start_at ? b : a));
const lastEnd = (ts: Loose) => ts.activity_entries.reduce((a: Loose, b: Loose) => (b.end_at > a.end_at ? b : a));

function perWorkerDate(rows: Loose[], of: (ts: Loose) => number): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const ts of rows) {
    const m = of(ts);
    if (!m) continue;
    const day = (out[String(ts.user_id)] ??= {});
    day[ts.submitted_date] = (day[ts.submitted_date] ?? 0) + m;
  }
  return out;
}

const RICH = { startDate: '2025-03-03', endDate: '2025-03-09', seed: 21, approveRatio: 0.7, draftRatio: 0.1, overnightRatio: 0.2, hostileRatio: 0.2, unusualPayCodeRatio: 0.25 };

describe('POST /_sandbox/simulate/timesheets: what an export reads', () => {
  let t: Tenant;
  let r: Loose;
  let rows: Loose[];
  beforeAll(async () => {
    t = await tenant();
    const res = await control('POST', 'simulate/timesheets', RICH);
    expect(res.status).toBe(200);
    r = res.body;
    rows = await readAll();
  });

  test('one timesheet per working day for every active field worker, linked or not; counts by status', () => {
    expect(r.days).toEqual(WEEK); // the weekend of the range is skipped
    const workers = [...t.linked, ...t.unlinked].sort((a, b) => a - b);
    expect(r.workers).toBe(15);
    expect(r.unlinkedWorkers).toBe(3);
    expect(r.created).toBe(15 * 5);
    expect(rows.length).toBe(r.created);
    expect([...new Set(rows.map((x) => x.user_id))].sort((a, b) => a - b)).toEqual(workers); // not the archived one
    const keys = rows.map((x) => `${x.user_id}/${x.submitted_date}`);
    expect(new Set(keys).size).toBe(75);
    for (const ts of rows) expect(WEEK).toContain(ts.submitted_date);

    // Statuses: mostly approved, some submitted and draft; the summary is what the API shows.
    const byStatus: Record<string, number> = {};
    for (const ts of rows) byStatus[ts.status] = (byStatus[ts.status] ?? 0) + 1;
    expect(Object.fromEntries(Object.entries(r.byStatus).filter(([, n]) => n))).toEqual(byStatus);
    expect(r.approved + r.submitted + r.draft).toBe(r.created);
    expect(r.approved).toBe(rows.filter(approved).length);
    expect(r.submitted).toBe(byStatus.SUBMITTED);
    expect(r.draft).toBe((byStatus.STARTED ?? 0) + (byStatus.PENDING_SUBMISSION ?? 0));
    expect(r.approved).toBeGreaterThan(r.created / 2);
    expect(r.submitted).toBeGreaterThan(0);
    expect(r.draft).toBeGreaterThan(0);
    for (const ts of rows.filter((x) => ['STARTED', 'PENDING_SUBMISSION'].includes(x.status))) expect(ts).toMatchObject({ completed_at: null, submitted_by: null });

    // Unlinked workers' time is there for the export to hold.
    const unlinkedRows = rows.filter((x) => t.unlinked.includes(x.user_id));
    expect(r.unlinkedWorkerTimesheets).toBe(unlinkedRows.length);
    expect(unlinkedRows.length).toBe(15);
    expect(unlinkedRows.some((x) => x.user.employee_id === undefined)).toBe(true);
  });

  test('on active projects and work orders that exist, with activity entries in minutes and roles', async () => {
    const orders = (await call('GET', '/orders')).body.data as Loose[];
    const activities = new Set(((await call('GET', '/activities')).body.data as Loose[]).map((a) => a.id));
    for (const ts of rows) {
      expect(t.projectIds).toContain(ts.project_id);
      expect(ts.project_id).not.toBe(t.closedProjectId);
      const order = orders.find((o) => o.id === ts.order_id);
      expect(order).toMatchObject({ project_id: ts.project_id, job_number: ts.job_number });
      expect(ts.task).toEqual(expect.objectContaining({ external_id: expect.stringMatching(/^LAB-/) }));
      expect(ts.activity_entries.length).toBeGreaterThan(0);
      for (const e of ts.activity_entries) {
        expect(activities).toContain(e.activity.id);
        expect(Number.isInteger(e.duration)).toBe(true);
        expect(e.duration).toBe((Date.parse(e.end_at) - Date.parse(e.start_at)) / 60_000);
      }
      expect(minutes(ts.total_time)).toBe(activityMinutes(ts));
    }
  });

  test('summary minutes per worker per local date equal the sums read back through the API, to the minute', async () => {
    const approvedRows = rows.filter(approved);
    expect(perWorkerDate(approvedRows, activityMinutes)).toEqual(r.approvedMinutes);
    expect(perWorkerDate(approvedRows, assetMinutes)).toEqual(r.approvedAssetMinutes);
    // The export's selection sees exactly the approved ones.
    const selection = await readAll('&status__starts_with=APPROVED&is_processed=false', 17);
    expect(selection.map((x) => x.id)).toEqual(approvedRows.map((x) => x.id));
  });

  test('overnight shifts cross local midnight in their zone; the work date is the local start date', () => {
    const crossing = rows.filter((ts) => local(lastEnd(ts).end_at, lastEnd(ts).end_at_tz).date > local(firstStart(ts).start_at, firstStart(ts).start_at_tz).date);
    expect(crossing.length).toBe(r.overnight);
    expect(r.overnight).toBeGreaterThan(0);
    for (const ts of crossing) {
      const tz = firstStart(ts).start_at_tz;
      const start = local(ts.start_datetime, tz);
      expect(ts.submitted_date).toBe(start.date);
      expect(ts.start_time).toBe(start.time);
      expect(minutes(ts.start_time)).toBeGreaterThanOrEqual(17 * 60 + 45);
      expect(ts.end_time).toBe(local(ts.end_datetime, tz).time);
      expect(minutes(ts.end_time)).toBeLessThan(8 * 60);
      expect(lastEnd(ts).end_at_naive.slice(0, 10) > ts.submitted_date).toBe(true);
    }
    // Night shifts in the Americas start and end on a UTC date after the local work date.
    expect(crossing.some((ts) => ts.end_datetime.slice(0, 10) > ts.submitted_date)).toBe(true);
  });

  test('several time zones: each timesheet in its project zone, UTC instants with *_tz and naive local times', () => {
    expect(r.timeZones).toEqual(['America/Chicago', 'America/Los_Angeles', 'Australia/Sydney']);
    const byZone: Record<string, number> = {};
    for (const ts of rows) {
      const tz = ZONE_OF_PROJECT[ts.project.external_id];
      byZone[tz] = (byZone[tz] ?? 0) + 1;
      expect(ts.start_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      expect(ts.start_time).toBe(local(ts.start_datetime, tz).time);
      expect(ts.submitted_date).toBe(local(ts.start_datetime, tz).date);
      for (const e of [...ts.activity_entries, ...ts.asset_entries]) {
        expect(e).toMatchObject({ start_at_tz: tz, end_at_tz: tz, is_naive_datetime: false });
        expect(e.start_at_naive).toBe(local(e.start_at, tz).naive);
        expect(e.end_at_naive).toBe(local(e.end_at, tz).naive);
      }
    }
    expect(byZone).toEqual(r.byTimeZone);
    // A Sydney day shift starts on the previous UTC date (UTC+11 in March).
    const sydneyDay = rows.find((ts) => ts.project.external_id === 'P-0200' && minutes(ts.start_time) < 12 * 60);
    expect(sydneyDay.start_datetime.slice(0, 10) < sydneyDay.submitted_date).toBe(true);
  });

  test('equipment time: operators book minutes on an active asset, linked to their activity time', () => {
    const withAssets = rows.filter((ts) => ts.asset_entries.length > 0);
    expect(withAssets.length).toBe(r.withAssetTime);
    expect(r.withAssetTime).toBeGreaterThan(0);
    expect(new Set(withAssets.map((ts) => ts.task.external_id))).toEqual(new Set(['LAB-OPER']));
    for (const ts of withAssets) {
      for (const a of ts.asset_entries) {
        expect(t.assetIds).toContain(a.asset.id);
        expect(a.duration).toBeGreaterThan(0);
        expect(a.duration).toBeLessThanOrEqual(activityMinutes(ts));
        const related = ts.activity_entries.flatMap((e: Loose) => e.related_asset_entries).filter((x: Loose) => x.asset_entry_id === a.id);
        expect(related.reduce((s: number, x: Loose) => s + x.activity_asset_usage_minutes, 0)).toBe(a.duration);
      }
    }
  });

  test('hostile comments round-trip byte for byte; the API filters on them', async () => {
    const hostile = rows.filter((ts) => HOSTILE_TEXTS.includes(ts.comments) || HOSTILE_TEXTS.includes(ts.office_use));
    expect(hostile.length).toBe(r.hostile);
    expect(r.hostile).toBeGreaterThan(0);
    const one = hostile.find((ts) => HOSTILE_TEXTS.includes(ts.comments))!;
    const single = await call('GET', `/timesheets-expanded/${one.id}`);
    expect(single.body.data.comments).toBe(one.comments);
    const withCdataEnd = rows.filter((ts) => String(ts.comments).includes(']]>')).map((ts) => ts.id);
    expect(withCdataEnd.length).toBeGreaterThan(0);
    expect((await readAll(`&comments__substring=${encodeURIComponent(']]>')}`)).map((ts) => ts.id)).toEqual(withCdataEnd);
  });

  test('pay codes: coded times by the rules, an unusual override on some approved time, through GET /timesheets/coded-worker-times', async () => {
    expect(RULE_PAY_CODES).not.toContain(UNUSUAL_PAY_CODE);
    const v = codedSchema();
    let overridden = 0;
    for (const user of [...t.linked, ...t.unlinked]) {
      const res = await call('GET', `/timesheets/coded-worker-times?user_id=${user}&start_date=2025-03-03&end_date=2025-03-07`);
      expect(res.status).toBe(200);
      expect(v(res.body) ? [] : v.errors).toEqual([]);
      const sheets: Loose[] = res.body.data.timesheets;
      expect(sheets.map((s) => s.id).sort()).toEqual(rows.filter((x) => x.user_id === user).map((x) => x.id).sort());
      for (const s of sheets) {
        const expanded = rows.find((x) => x.id === s.id);
        const coded = s.timesheet_times.flatMap((tt: Loose) => tt.coded_times.map((c: Loose) => ({ ...c, tt })));
        if (!approved(expanded)) {
          expect(coded).toEqual([]);
          continue;
        }
        // Every coded minute is the entry's minute; bands in start order: 8 h ordinary (or night), 2 h OT15, then OT20.
        const night = minutes(expanded.start_time) >= 18 * 60 || minutes(expanded.start_time) < 5 * 60;
        let worked = 0;
        for (const c of coded.sort((a: Loose, b: Loose) => (a.start_at < b.start_at ? -1 : 1))) {
          const span = (Date.parse(c.end_at) - Date.parse(c.start_at)) / 60_000;
          const band = worked < 480 ? (night ? 'NIGHT' : 'ORD') : worked < 600 ? 'OT15' : 'OT20';
          expect(c.default_pay_code.pay_code.code).toBe(band);
          expect(c.timesheet_date).toBe(expanded.submitted_date);
          worked += span;
        }
        expect(worked).toBe(activityMinutes(expanded));
        for (const tt of s.timesheet_times) {
          const spans = tt.coded_times.reduce((sum: number, c: Loose) => sum + (Date.parse(c.end_at) - Date.parse(c.start_at)) / 60_000, 0);
          expect(spans).toBe(tt.minutes);
        }
        if (coded.some((c: Loose) => c.override_pay_code?.code === UNUSUAL_PAY_CODE)) overridden++;
      }
    }
    expect(overridden).toBe(r.withUnusualPayCode);
    expect(overridden).toBeGreaterThan(0);
    expect((await call('GET', '/timesheets/coded-worker-times')).status).toBe(400);
    expect((await call('GET', `/timesheets/coded-worker-times?user_id=${t.linked[0]}&end_date=07/03/2025`)).status).toBe(400);
    expect((await call('GET', '/timesheets/coded-worker-times?user_id=987654')).status).toBe(404);
    // A timesheet entered in the app with an override on one entry (control API).
    const made = await control('POST', 'records/timesheets', [
      {
        user_id: t.unlinked[0],
        client_id: rows[0].client_id,
        project_id: rows[0].project_id,
        task_id: rows[0].task_id,
        status: 'APPROVED',
        activity_entries: [
          { activity_id: rows[0].activity_entries[0].activity.id, start_at: '2025-03-10T13:00:00Z', end_at: '2025-03-10T17:00:00Z', start_at_tz: 'America/Chicago' },
          { activity_id: rows[0].activity_entries[0].activity.id, start_at: '2025-03-10T17:30:00Z', end_at: '2025-03-10T23:30:00Z', start_at_tz: 'America/Chicago', pay_code: 'WET' },
        ],
      },
    ]);
    expect(made.status).toBe(200);
    const mine = (await call('GET', `/timesheets/coded-worker-times?user_id=${t.unlinked[0]}&start_date=2025-03-10`)).body.data.timesheets;
    expect(mine.map((x: Loose) => x.id)).toEqual([made.body[0].id]);
    const codes = mine[0].timesheet_times.map((tt: Loose) => tt.coded_times.map((c: Loose) => [c.default_pay_code.pay_code.code, c.override_pay_code?.code ?? null, (Date.parse(c.end_at) - Date.parse(c.start_at)) / 60_000]));
    expect(codes).toEqual([[['ORD', null, 240]], [['ORD', 'WET', 240], ['OT15', 'WET', 120]]]);
  });
});

describe('generator options', () => {
  test('deterministic for a seed over HTTP (summary and every record); another seed differs', async () => {
    const run = async (seed: number) => {
      await tenant();
      const res = await control('POST', 'simulate/timesheets', { ...RICH, seed, perWorkerPerDay: 2 });
      const edits = await control('POST', 'simulate/timesheet-edits', { count: 6, seed, at: '2025-03-20T15:00:00Z' });
      return { summary: res.body, edits: edits.body, records: (await control('GET', 'records/timesheets')).body };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(a.records.length).toBe(15 * 5 * 2);
    expect(b).toEqual(a);
    expect(JSON.stringify(c.records)).not.toEqual(JSON.stringify(a.records));
    expect(c.summary.approvedMinutes).not.toEqual(a.summary.approvedMinutes);
  });

  test('overnight in Sydney: crosses local midnight while start and end share one UTC date; day shifts start on the previous UTC date', async () => {
    const t = await tenant();
    const r = (await control('POST', 'simulate/timesheets', { startDate: '2025-03-03', days: 5, seed: 12, overnightRatio: 0.5, projectIds: [t.projectIds[1]] })).body;
    expect(r.timeZones).toEqual(['Australia/Sydney']);
    const rows = await readAll();
    const crossing = rows.filter((ts) => local(ts.end_datetime, 'Australia/Sydney').date > ts.submitted_date);
    expect(crossing.length).toBe(r.overnight);
    expect(r.overnight).toBeGreaterThan(0);
    for (const ts of crossing) {
      expect(ts.submitted_date).toBe(local(ts.start_datetime, 'Australia/Sydney').date);
      expect(ts.start_datetime.slice(0, 10)).toBe(ts.submitted_date);
      expect(ts.end_datetime.slice(0, 10)).toBe(ts.submitted_date);
      expect(lastEnd(ts).end_at_naive.slice(0, 10) > ts.submitted_date).toBe(true);
    }
    const day = rows.filter((ts) => !crossing.includes(ts));
    expect(day.length).toBeGreaterThan(0);
    for (const ts of day) expect(ts.start_datetime.slice(0, 10) < ts.submitted_date).toBe(true);
    expect(perWorkerDate(rows.filter(approved), activityMinutes)).toEqual(r.approvedMinutes);
  });

  test('split shifts: several timesheets per worker per day, one after the other', async () => {
    await tenant();
    const r = (await control('POST', 'simulate/timesheets', { startDate: '2025-03-05', days: 10, perWorkerPerDay: 3, seed: 4, approveRatio: 1 })).body;
    expect(r.days).toEqual(['2025-03-05', '2025-03-06', '2025-03-07', '2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14', '2025-03-17', '2025-03-18']);
    expect(r.created).toBe(15 * 10 * 3);
    expect(r.approved).toBe(r.created);
    expect(r.overnight).toBeGreaterThan(0);
    const rows = await readAll('', 500);
    const byDay = new Map<string, Loose[]>();
    for (const ts of rows) byDay.set(`${ts.user_id}/${ts.submitted_date}`, [...(byDay.get(`${ts.user_id}/${ts.submitted_date}`) ?? []), ts]);
    expect(byDay.size).toBe(15 * 10);
    for (const [key, sheets] of byDay) {
      expect(r.days).toContain(key.split('/')[1]);
      expect(sheets.length).toBe(3);
      expect(new Set(sheets.map((x) => x.activity_entries[0].start_at_tz)).size).toBe(1);
      const sorted = [...sheets].sort((x, y) => (x.start_datetime < y.start_datetime ? -1 : 1));
      for (let i = 1; i < sorted.length; i++) expect(Date.parse(sorted[i].start_datetime)).toBeGreaterThan(Date.parse(sorted[i - 1].end_datetime));
    }
    expect(perWorkerDate(rows, activityMinutes)).toEqual(r.approvedMinutes);
  });

  test('timeZones are given to the projects in turn; workerIds (an archived worker too) and projectIds narrow the run', async () => {
    const t = await tenant();
    const r = (
      await control('POST', 'simulate/timesheets', {
        startDate: '2025-03-03',
        days: 5,
        seed: 8,
        timeZones: ['Australia/Perth', 'America/New_York', 'Europe/London'],
        workerIds: [t.inactive, t.unlinked[2], t.linked[0], t.linked[1]],
        projectIds: [t.projectIds[1], t.projectIds[2]],
      })
    ).body;
    expect(r.workers).toBe(4);
    expect(r.unlinkedWorkers).toBe(1);
    expect(r.created).toBe(20);
    const rows = await readAll();
    expect(new Set(rows.map((x) => x.user_id))).toEqual(new Set([t.inactive, t.unlinked[2], t.linked[0], t.linked[1]]));
    // Projects in id order: Sydney's project → Perth, Los Angeles's → New York.
    const zone: Record<string, string> = { 'P-0200': 'Australia/Perth', 'P-0300': 'America/New_York' };
    for (const ts of rows) {
      expect(['P-0200', 'P-0300']).toContain(ts.project.external_id);
      expect(ts.activity_entries[0].start_at_tz).toBe(zone[ts.project.external_id]);
      expect(ts.start_time).toBe(local(ts.start_datetime, zone[ts.project.external_id]).time);
    }
    expect(r.timeZones).toEqual([...new Set(rows.map((x) => x.activity_entries[0].start_at_tz))].sort());
  });

  test('options are validated', async () => {
    await tenant();
    const bad = [
      { startDate: '2025-03-07', endDate: '2025-03-03' },
      { startDate: '2025-03-08', endDate: '2025-03-09' },
      { endDate: '2025-03-09' },
      { startDate: '2025-03-03', endDate: '2025-03-09', days: 5 },
      { startDate: '2025-02-30' },
      { days: 0 },
      { approveRatio: 0.8, draftRatio: 0.3 },
      { hostileRatio: 2 },
      { timeZones: ['Mars/Olympus_Mons'] },
      { timeZones: [] },
      { workerIds: [1001] },
      { workerIds: ['x'] },
      { projectIds: [424242] },
      { dayz: 5 },
    ];
    for (const body of bad) {
      const res = await control('POST', 'simulate/timesheets', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(typeof res.body.error).toBe('string');
    }
    expect((await control('GET', 'records/timesheets')).body).toEqual([]);
  });
});

describe('POST /_sandbox/simulate/timesheet-edits: corrections after approval', () => {
  let rows: Loose[];
  let processed: number[];
  beforeAll(async () => {
    await tenant();
    await control('POST', 'simulate/timesheets', { ...RICH, overnightRatio: 0.1, hostileRatio: 0 });
    rows = await readAll();
    // The export processed a few.
    processed = rows.filter(approved).slice(0, 6).map((x) => x.id);
    for (const id of processed) expect((await call('PUT', `/timesheets/${id}/process`)).status).toBe(200);
  });

  test('minutes change, the timesheet stays approved, modified_time moves; processed ones stay processed', async () => {
    const before = new Map((await readAll()).map((x) => [x.id, x]));
    const res = await control('POST', 'simulate/timesheet-edits', { ids: [processed[0], processed[1], rows.filter(approved)[10].id], kinds: ['extend'], seed: 2, at: '2025-03-20T15:00:00Z' });
    expect(res.status).toBe(200);
    expect(res.body.edited).toBe(3);
    for (const e of res.body.edits) {
      const was = before.get(e.id);
      const now = await call('GET', `/timesheets-expanded/${e.id}`);
      expect(itemSchema()(now.body)).toBe(true);
      const ts = now.body.data;
      expect(e.kind).toBe('extend');
      expect(e.minutesBefore).toBe(activityMinutes(was));
      expect(e.minutesAfter).toBeGreaterThan(e.minutesBefore);
      expect(activityMinutes(ts)).toBe(e.minutesAfter);
      expect(minutes(ts.total_time)).toBe(e.minutesAfter);
      expect(ts.status).toBe(was.status);
      // At the edit time, or a minute after the last change (processing happened on the wall clock).
      const floor = Math.max(Date.parse(was.modified_time), was.processed_at ? Date.parse(was.processed_at) : 0) + 60_000;
      expect(ts.modified_time).toBe(new Date(Math.max(Date.parse('2025-03-20T15:00:00Z'), floor)).toISOString());
      if (!e.wasProcessed) expect(ts.modified_time).toBe('2025-03-20T15:00:00.000Z');
      expect(e.modified_time).toBe(ts.modified_time);
      expect(Date.parse(ts.modified_time)).toBeGreaterThan(Date.parse(was.modified_time));
      expect(ts.end_datetime).toBe(lastEnd(ts).end_at);
      expect(ts.end_time).toBe(local(ts.end_datetime, lastEnd(ts).end_at_tz).time);
      // Only the changed entry carries the new modified_at.
      const changed = ts.activity_entries.filter((x: Loose) => x.modified_at === ts.modified_time);
      expect(changed.length).toBe(1);
      expect(changed[0].duration).toBe(was.activity_entries.find((x: Loose) => x.id === changed[0].id).duration + (e.minutesAfter - e.minutesBefore));
      expect(ts.is_processed).toBe(e.wasProcessed);
      expect(ts.processed_at).toBe(was.processed_at);
    }
    // An export finds corrections of processed timesheets by comparing columns.
    const corrected = await readAll('&is_processed=true&modified_time__gt_col=processed_at');
    expect(corrected.map((x) => x.id)).toEqual([processed[0], processed[1]]);
    // Coded time follows the new minutes.
    const e0 = res.body.edits[0];
    const coded = (await call('GET', `/timesheets/coded-worker-times?user_id=${e0.user_id}&start_date=${e0.date}&end_date=${e0.date}`)).body.data.timesheets.find((x: Loose) => x.id === e0.id);
    const codedMinutes = coded.timesheet_times.flatMap((x: Loose) => x.coded_times).reduce((s: number, c: Loose) => s + (Date.parse(c.end_at) - Date.parse(c.start_at)) / 60_000, 0);
    expect(codedMinutes).toBe(e0.minutesAfter);
  });

  test('every kind of correction keeps the timesheet consistent; summary deltas match the API', async () => {
    const before = new Map((await readAll()).map((x) => [x.id, x]));
    const res = await control('POST', 'simulate/timesheet-edits', { count: 30, seed: 9, at: '2025-03-21T09:30:00Z' });
    expect(res.body.edited).toBe(30);
    expect(new Set(res.body.edits.map((e: Loose) => e.kind))).toEqual(new Set(['extend', 'shorten', 'add-entry', 'recode', 'equipment']));
    const after = new Map((await readAll()).map((x) => [x.id, x]));
    for (const e of res.body.edits) {
      const was = before.get(e.id);
      const ts = after.get(e.id);
      expect(ts.status).toBe(was.status);
      expect(activityMinutes(was)).toBe(e.minutesBefore);
      expect(activityMinutes(ts)).toBe(e.minutesAfter);
      expect(assetMinutes(was)).toBe(e.assetMinutesBefore);
      expect(assetMinutes(ts)).toBe(e.assetMinutesAfter);
      expect(minutes(ts.total_time)).toBe(e.minutesAfter);
      expect(ts.submitted_date).toBe(was.submitted_date);
      expect(Date.parse(ts.modified_time)).toBeGreaterThan(Date.parse(was.modified_time));
      if (e.kind === 'shorten') expect(e.minutesAfter).toBeLessThan(e.minutesBefore);
      if (e.kind === 'add-entry') expect(ts.activity_entries.length).toBe(was.activity_entries.length + 1);
      if (e.kind === 'recode') {
        expect(e.minutesAfter).toBe(e.minutesBefore);
        expect(ts.activity_entries.map((x: Loose) => x.activity.id)).not.toEqual(was.activity_entries.map((x: Loose) => x.activity.id));
      }
      if (e.kind === 'equipment') expect(e.assetMinutesAfter).not.toBe(e.assetMinutesBefore);
      for (const a of ts.asset_entries) {
        expect(a.duration).toBeLessThanOrEqual(e.minutesAfter);
        const related = ts.activity_entries.flatMap((x: Loose) => x.related_asset_entries).filter((x: Loose) => x.asset_entry_id === a.id);
        expect(related.reduce((s: number, x: Loose) => s + x.activity_asset_usage_minutes, 0)).toBe(a.duration);
      }
      for (const x of ts.activity_entries) expect(x.related_asset_entries.reduce((s: number, y: Loose) => s + y.activity_asset_usage_minutes, 0)).toBeLessThanOrEqual(x.duration);
    }
    // Untouched timesheets are untouched.
    const edited = new Set(res.body.edits.map((e: Loose) => e.id));
    for (const [id, ts] of after) if (!edited.has(id)) expect(ts).toEqual(before.get(id));
  });

  test('an edit time before the last change still moves modified_time forward; unprocess reopens a processed timesheet', async () => {
    const id = processed[2];
    const was = (await call('GET', `/timesheets-expanded/${id}`)).body.data;
    const res = await control('POST', 'simulate/timesheet-edits', { ids: [id], at: '2024-01-01T00:00:00Z', unprocess: true, kinds: ['shorten'] });
    expect(res.status).toBe(200);
    const ts = (await call('GET', `/timesheets-expanded/${id}`)).body.data;
    expect(Date.parse(ts.modified_time)).toBe(Math.max(Date.parse(was.modified_time), Date.parse(was.processed_at)) + 60_000);
    expect(ts).toMatchObject({ is_processed: false, processed_at: null, processed_by_id: null });
    expect(res.body.edits[0]).toMatchObject({ wasProcessed: true, is_processed: false, kind: 'shorten' });
    expect((await readAll('&status__starts_with=APPROVED&is_processed=false')).map((x) => x.id)).toContain(id);
    expect((await call('PUT', `/timesheets/${id}/process`)).status).toBe(200);
  });

  test('only approved timesheets are corrected; bad requests are refused', async () => {
    const submitted = rows.find((x) => x.status === 'SUBMITTED');
    expect((await control('POST', 'simulate/timesheet-edits', { ids: [submitted.id] })).status).toBe(400);
    expect((await control('POST', 'simulate/timesheet-edits', { ids: [987654] })).status).toBe(404);
    expect((await control('POST', 'simulate/timesheet-edits', { kinds: ['teleport'] })).status).toBe(400);
    expect((await control('POST', 'simulate/timesheet-edits', { at: 'yesterday' })).status).toBe(400);
    expect((await control('POST', 'simulate/timesheet-edits', { ids: [1], count: 2 })).status).toBe(400);
    expect((await control('POST', 'simulate/timesheet-edits', { idz: [1] })).status).toBe(400);
    const onlyProcessed = await control('POST', 'simulate/timesheet-edits', { processed: true, count: 100, seed: 3, at: '2025-04-01T00:00:00Z' });
    expect(onlyProcessed.body.edits.every((e: Loose) => e.wasProcessed)).toBe(true);
    expect(onlyProcessed.body.edited).toBe((await readAll('&is_processed=true')).length);
  });
});

describe('scale', () => {
  test('2,000 workers × 10 working days: 20,000 approved timesheets generate and page through the export selection', async () => {
    await sb.reset('demo');
    const seeded = await control('POST', 'seed', {
      records: {
        clients: [{ id: 2101, name: 'Big Builder', company_name: 'Big Builder Inc', external_id: 'C-9000' }],
        projects: [
          { id: 3101, name: 'Metro Line', client_id: 2101, external_id: 'P-9000', state: 'IL' },
          { id: 3102, name: 'Harbour Tunnel', client_id: 2101, external_id: 'P-9001', state: 'NSW' },
          { id: 3103, name: 'Freeway', client_id: 2101, external_id: 'P-9002', state: 'CA' },
        ],
        activities: [
          { name: 'Labor', external_id: 'LAB' },
          { name: 'Equipment', external_id: 'EQP' },
        ],
        tasks: [
          { id: 4101, name: 'Equipment Operator', external_id: 'LAB-OPER', req_machines: true },
          { id: 4102, name: 'Laborer', external_id: 'LAB-GEN' },
        ],
        assets: [{ name: 'Loader', external_id: 'EQ-LOAD', active: true, asset_class_id: 1 }],
        users: Array.from({ length: 2000 }, (_, i) => ({
          user_type_id: 2,
          first_name: `W${i}`,
          last_name: 'Scale',
          email: `w${i}@scale.example.com`,
          ...(i % 50 === 0 ? {} : { employee_id: `E${10000 + i}`, integration_id: String(10000 + i) }),
          active: true,
          tasks: [{ task_id: i % 4 === 0 ? 4101 : 4102 }],
        })),
      },
    });
    expect(seeded.status).toBe(200);
    const sim = await control('POST', 'simulate/timesheets', { startDate: '2025-03-03', days: 10, approveRatio: 1, seed: 99 });
    expect(sim.status).toBe(200);
    const r = sim.body;
    expect(r).toMatchObject({ created: 20_000, approved: 20_000, workers: 2000, unlinkedWorkers: 40, unlinkedWorkerTimesheets: 400 });
    expect(r.timeZones).toEqual(['America/Chicago', 'America/Los_Angeles', 'Australia/Sydney']);

    const v = listSchema();
    const ids: number[] = [];
    const perWorker = new Map<number, number>();
    for (let page = 1; ; page++) {
      const res = await call('GET', `/timesheets-expanded?status__starts_with=APPROVED&is_processed=false&sort=id&page=${page}&page_size=500`);
      expect(res.status).toBe(200);
      expect(res.body.data.count).toBe(20_000);
      if (page === 1 || page === 40) expect(v(res.body) ? [] : v.errors).toEqual([]);
      for (const ts of res.body.data.rows) {
        ids.push(ts.id);
        perWorker.set(ts.user_id, (perWorker.get(ts.user_id) ?? 0) + activityMinutes(ts));
      }
      if (res.body.data.rows.length < 500) break;
    }
    expect(ids.length).toBe(20_000);
    expect(new Set(ids).size).toBe(20_000);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const summary = new Map(Object.entries(r.approvedMinutes as Record<string, Record<string, number>>).map(([u, d]) => [Number(u), Object.values(d).reduce((s, m) => s + m, 0)]));
    expect(perWorker).toEqual(summary);
  });
});
