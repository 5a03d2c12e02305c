import { startAssignarSandbox, TIMESHEET_STATUSES, type AssignarSandbox } from '../../src/sandbox/assignar';
import { apiCaller, controlCaller, importLikeTenant, type Call, type Loose } from './assignar-sandbox-http';

let sb: AssignarSandbox;
let call: Call;
beforeAll(async () => {
  sb = await startAssignarSandbox({ seed: 'demo' });
  call = await apiCaller(sb);
});
afterAll(async () => {
  await sb?.close();
});

/** A tenant after an import: 12 workers, a project in Illinois, roles, an asset, activities, a work order. */
async function tenant() {
  await sb.reset('demo');
  return importLikeTenant(call, 12);
}

function localParts(iso: string, timeZone: string) {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

describe('field-activity generator (POST /_sandbox/simulate/timesheets)', () => {
  test('creates submitted and approved timesheets for the workers, projects, orders, activities and assets that exist', async () => {
    const t = await tenant();
    const control = controlCaller(sb);
    const res = await control('POST', 'simulate/timesheets', { days: 5, perWorkerPerDay: 1, approveRatio: 0.8, startDate: '2025-03-03', seed: 42 });
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.days).toEqual(['2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07']);
    expect(r.workers).toBe(12);
    expect(r.created).toBe(60);
    expect(r.approved + r.submitted).toBe(60);
    expect(r.approved).toBeGreaterThan(36);
    expect(r.approved).toBeLessThan(60);
    expect(r.timeZones).toEqual(['America/Chicago']);
    expect(r.withAssetTime).toBeGreaterThan(0);

    const list = await call('GET', '/timesheets-expanded?page=1&page_size=100&sort=id');
    expect(list.status).toBe(200);
    expect(list.body.data.count).toBe(60);
    const rows: Loose[] = list.body.data.rows;
    for (const ts of rows) {
      expect(TIMESHEET_STATUSES).toContain(ts.status);
      expect(['SUBMITTED', 'APPROVED', 'APPROVED_WITH_PAY_RATES', 'APPROVED_WITH_CHARGE_RATES', 'APPROVED_WITH_PAY_AND_CHARGE_RATES']).toContain(ts.status);
      expect(t.userIds).toContain(ts.user_id);
      expect(ts.user).toMatchObject({ user_id: ts.user_id, employee_id: expect.stringMatching(/^E2\d{3}$/), email: expect.stringContaining('@') });
      expect(ts).toMatchObject({ project_id: t.projectId, client_id: t.clientId, order_id: t.orderId, is_processed: false, processed_at: null });
      expect(ts.project).toEqual({ name: 'Harbor Point Office Tower', external_id: 'P-0100' });
      expect(ts.client).toEqual({ name: 'Summit Builders', external_id: 'C-0100' });
      expect(ts.order).toEqual({ id: t.orderId, job_number: 'P-0100-03-FOUND', job_description: 'Foundations' });
      expect(ts.task.external_id).toMatch(/^LAB-/);
      // Activity entries: UTC instants, the zone, minutes that add up to total_time.
      expect(ts.activity_entries.length).toBeGreaterThan(0);
      let minutes = 0;
      for (const e of ts.activity_entries) {
        expect(e.start_at_tz).toBe('America/Chicago');
        expect(e.start_at).toMatch(/Z$/);
        expect(e.duration).toBe((Date.parse(e.end_at) - Date.parse(e.start_at)) / 60000);
        expect(e.start_at_naive).toBe(`${localParts(e.start_at, 'America/Chicago').date}T${localParts(e.start_at, 'America/Chicago').time}:00`);
        expect(e.activity).toMatchObject({ id: expect.any(Number), external_id: expect.stringMatching(/^(LAB|EQP|LAB-OT)$/) });
        minutes += e.duration;
      }
      const [h, m] = ts.total_time.split(':').map(Number);
      expect(minutes).toBe(h * 60 + m);
      expect(minutes).toBeGreaterThanOrEqual(420);
      expect(minutes).toBeLessThanOrEqual(600);
      // Local start/end times and the work date follow the zone.
      expect(ts.start_time).toBe(localParts(ts.start_datetime, 'America/Chicago').time);
      expect(ts.submitted_date).toBe(localParts(ts.start_datetime, 'America/Chicago').date);
      for (const a of ts.asset_entries) {
        expect(a.asset).toMatchObject({ id: t.assetId, external_id: 'EQ-EXC20', name: 'Excavator 20t' });
        expect(a.duration).toBeGreaterThan(0);
        expect(a.duration).toBeLessThanOrEqual(minutes);
        const related = ts.activity_entries.flatMap((e: Loose) => e.related_asset_entries);
        expect(related.reduce((s: number, x: Loose) => s + x.activity_asset_usage_minutes, 0)).toBe(a.duration);
      }
    }
    // Operators (role with req_machines) book machine time; labourers do not.
    const withAssets = rows.filter((x) => x.asset_entries.length > 0);
    expect(new Set(withAssets.map((x) => x.task.external_id))).toEqual(new Set(['LAB-OPER']));
    expect(rows.filter((x) => x.task.external_id === 'LAB-OPER').every((x) => x.asset_entries.length === 1)).toBe(true);
  });

  test('deterministic for a given seed; another seed differs', async () => {
    const run = async (seed: number) => {
      await tenant();
      sb.simulateTimesheets({ days: 3, startDate: '2025-06-02', seed, perWorkerPerDay: 2 });
      return sb.records('timesheets');
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a.length).toBe(12 * 3 * 2);
    expect(b).toEqual(a);
    expect(JSON.stringify(c)).not.toEqual(JSON.stringify(a));
  });

  test('weekends are skipped, night shifts cross midnight (UTC date after the local one), time zones follow the project state', async () => {
    await tenant();
    const c = await call('POST', '/clients/', { name: 'West', company_name: 'West Co' });
    const p = await call('POST', '/projects/', { name: 'Denver Yard', client_id: c.body.data.id, state: 'CO' });
    await call('PUT', `/orders/${sb.records('orders')[0].id}`, { client_id: c.body.data.id, project_id: p.body.data.id, order_owner: 1001, start_date: '2025-01-01', end_date: '2026-01-01' });
    const r = sb.simulateTimesheets({ days: 20, startDate: '2025-03-08', seed: 3 });
    expect(r.days[0]).toBe('2025-03-10'); // Saturday 8th and Sunday 9th skipped
    expect(r.days.every((d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()))).toBe(true);
    expect(r.timeZones).toEqual(['America/Denver']);
    expect(r.nightShifts).toBeGreaterThan(0);
    const night = sb.records('timesheets').find((ts) => Number(String(ts.start_time).slice(0, 2)) >= 17);
    expect(night).toBeDefined();
    expect(String(night!.end_datetime).slice(0, 10) > String(night!.submitted_date)).toBe(true);
  });

  test('nothing to simulate without workers or projects', async () => {
    await sb.reset('demo');
    const r = sb.simulateTimesheets({ seed: 1 });
    expect(r.created).toBe(0);
    expect(r.skipped).toMatch(/workers/);
    const res = await controlCaller(sb)('POST', 'simulate/timesheets', { days: 0 });
    expect(res.status).toBe(400);
  });
});

describe('PUT /timesheets/{id}/process', () => {
  let approved: Loose;
  let submitted: Loose;
  beforeAll(async () => {
    await tenant();
    sb.simulateTimesheets({ days: 2, startDate: '2025-03-03', seed: 5, approveRatio: 0.5 });
    const rows = sb.records('timesheets');
    approved = rows.find((r) => String(r.status).startsWith('APPROVED'));
    submitted = rows.find((r) => r.status === 'SUBMITTED');
  });

  test('an approved, unprocessed timesheet is processed once; the second time → 400 already processed', async () => {
    const before = (await call('GET', `/timesheets-expanded/${approved.id}`)).body.data;
    const res = await call('PUT', `/timesheets/${approved.id}/process`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: approved.id, is_processed: true, processed_at: expect.any(String) });
    const after = (await call('GET', `/timesheets-expanded/${approved.id}`)).body.data;
    expect(after).toMatchObject({ is_processed: true, processed_at: res.body.data.processed_at });
    expect(Date.parse(after.modified_time)).toBeGreaterThan(Date.parse(before.modified_time));
    const again = await call('PUT', `/timesheets/${approved.id}/process`);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ message: '[400] Timesheet already processed' });
    expect((await call('GET', `/timesheets-expanded?is_processed=true`)).body.data.rows.map((r: Loose) => r.id)).toEqual([approved.id]);
    expect(sb.stats().writes.timesheets.processed).toBe(1);
  });

  test('a timesheet that is not approved → 400; every non-approved status is refused', async () => {
    const res = await call('PUT', `/timesheets/${submitted.id}/process`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: '[400] Timesheet must be completed before processing' });
    for (const status of ['STARTED', 'PENDING_SUBMISSION', 'SUBMITTED']) {
      sb.upsertRecords('timesheets', [{ id: submitted.id, status }]);
      expect((await call('PUT', `/timesheets/${submitted.id}/process`)).status).toBe(400);
    }
    // A supervisor approves it in the app; now it can be processed.
    sb.upsertRecords('timesheets', [{ id: submitted.id, status: 'APPROVED_WITH_PAY_AND_CHARGE_RATES' }]);
    expect((await call('PUT', `/timesheets/${submitted.id}/process`)).status).toBe(200);
  });

  test('unknown or deleted timesheet → 404', async () => {
    expect((await call('PUT', '/timesheets/1/process')).status).toBe(404);
    const res = await call('GET', '/timesheets-expanded/424242');
    expect(res.status).toBe(404);
    expect(res.body.errorMessage).toBe('[404] Object Not Found - Timesheet (id:424242)');
    const victim = sb.records('timesheets').find((r) => !r.is_processed && String(r.status).startsWith('APPROVED'))!;
    expect(sb.deleteRecord('timesheets', victim.id as number)).toBe(true);
    expect((await call('GET', `/timesheets-expanded/${victim.id}`)).status).toBe(404);
    expect((await call('PUT', `/timesheets/${victim.id}/process`)).status).toBe(404);
    expect((await call('GET', '/timesheets-expanded')).body.data.rows.map((r: Loose) => r.id)).not.toContain(victim.id);
  });

  test('the export selection: approved and unprocessed, paged with a stable sort', async () => {
    const all = sb.records('timesheets').filter((r) => !r.deleted_time);
    const want = all.filter((r) => String(r.status).startsWith('APPROVED') && !r.is_processed).map((r) => r.id);
    const got: number[] = [];
    for (let page = 1; ; page++) {
      const res = await call('GET', `/timesheets-expanded?status__starts_with=APPROVED&is_processed=false&sort=id&page=${page}&page_size=7`);
      got.push(...res.body.data.rows.map((r: Loose) => r.id));
      expect(res.body.data.count).toBe(want.length);
      if (res.body.data.rows.length < 7) break;
    }
    expect(got).toEqual(want);
  });

  test('nested objects are joined at read time (an edit in the app shows up)', async () => {
    const ts = sb.records('timesheets')[0];
    sb.upsertRecords('projects', [{ id: ts.project_id as number, name: 'Renamed Project' }]);
    expect((await call('GET', `/timesheets-expanded/${ts.id}`)).body.data.project.name).toBe('Renamed Project');
  });
});
