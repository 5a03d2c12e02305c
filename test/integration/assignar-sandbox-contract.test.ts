/**
 * Contract test: every response the Assignar sandbox gives on every route it serves is checked against
 * spec/assignar-openapi.yaml (the archived copy of Assignar's published OpenAPI 3.0 file).
 *
 * How a response is checked: the status code must be one the spec declares for that operation, and the
 * body must validate (ajv) against the schema the spec gives for that status. Success codes the spec
 * does not declare fail the test. Error codes (400, 401, 404, 429, 5xx) are not declared on most of
 * these operations; those bodies are checked against the error shapes the spec documents elsewhere
 * (see SPEC INCONSISTENCIES, 1).
 *
 * SPEC INCONSISTENCIES (where the spec disagrees with itself, and what the sandbox and this test do):
 *  1. Error responses are declared on few operations. 400 `{message}` is taken from
 *     `paths./asset-attachments/{attachmentId}.put.responses.400`, 404 `{errorType, errorMessage, trace}`
 *     from `paths./asset-attachments/{attachmentId}.put.responses.404` (while
 *     `paths./skills/{skillId}.put.responses.404` documents `{message}` for the same case). 401 is
 *     declared without content (`paths./leave-requests.post.responses.401`); 429 is declared nowhere.
 *     401/429/5xx bodies are checked against the `{message}` shape.
 *  2. Create/update status codes differ per operation: `paths./assets.post.responses.200`,
 *     `paths./users.post.responses.200` and `paths./projects/.post.responses.200` declare HTTP 200 with
 *     `status: 201` in the body, where the other creates declare 201; `paths./assets/{assetId}.put`,
 *     `paths./users/{userId}.put` and `paths./assets/{assetId}.delete` declare 200 with `{status: 204}`,
 *     where the others declare a bare 204. The sandbox answers what each operation declares.
 *  3. `components.requestBodies.CreateUpdateUserRequest` has no `username`, yet
 *     `components.schemas.User.required` and `UserWithTagId.required` require it. The sandbox accepts
 *     `username` and otherwise takes the email (or first.last).
 *  4. `nullable: true` beside `$ref` (`components.schemas.TimesheetExpanded.properties.signature_url`,
 *     `.client_signature_url`, `.document_url`, `.site_diary.properties.*_signature_url`): OpenAPI 3.0
 *     ignores siblings of `$ref`, so strictly null is invalid; the spec plainly means nullable and the
 *     validator treats them so.
 *  5. `components.schemas.TimesheetExpanded` has no `is_processed` (the base
 *     `components.schemas.Timesheet.properties.is_processed` does), although `PUT
 *     /timesheets/{id}/process` turns on it. The sandbox adds `is_processed` (extra properties are allowed).
 *  6. `paths./timesheets/{timesheetId}/process.put.responses.200` has no content; the sandbox answers
 *     `{status, data: {id, is_processed, processed_at, processed_by_id}}`.
 *  7. `fields` selection (info.description, "Selecting Fields") may leave out fields the schemas list as
 *     `required` (e.g. `components.schemas.User.required`); asserted below as the only kind of error.
 *  8. `components.schemas.ProjectRequest.properties.integration_id` is nullable but
 *     `components.schemas.ProjectCreateResponse.properties.integration_id` is not, so a create that sends
 *     null echoes a value its own response schema rejects; asserted below.
 *  9. Many response columns have a plain type without `nullable` (e.g. `components.schemas.User.properties
 *     .employee_id`, `components.schemas.Client.properties.email`) though a record need not have them;
 *     the sandbox leaves such a field out rather than sending null.
 * 10. The asset request body gives `active` a default of false
 *     (`components.requestBodies.CreateUpdateAssetRequest...properties.active.default`) while
 *     `components.schemas.AssetWithTagPart.properties.active.default` is true; the sandbox applies false.
 * 11. `tag_id` is a string in `AssetWithTagId.tags` and `UserWithTagId.tags` but an integer in `TagPart`,
 *     and `User.tasks[].task_id` is a string while `UserWithTagId.tasks[].task_id` is an integer; the
 *     sandbox follows each schema.
 * 12. The token endpoint lives on another host (`components.securitySchemes.OAuth2.flows.clientCredentials
 *     .tokenUrl`) and has no response schema; it is checked against the shape info.description gives.
 * 13. `paths./timesheets/coded-worker-times.get` declares no parameters and answers `data:
 *     CodedWorkerTimes`, one worker's object (not a list), though its summary says "for workers". The
 *     sandbox takes `user_id` (required), `start_date`, `end_date` and answers that one worker; without
 *     `user_id` it answers 400. `components.schemas.Timesheet.properties.created_by_id` is a string while
 *     every other user id is an integer; the sandbox sends the id as a string there.
 */
import type { ValidateFunction } from 'ajv';
import { startAssignarSandbox, type AssignarSandbox } from '../../src/sandbox/assignar';
import { pointer, responseSchemaPointer, specAjv, specOperation, validatorAt } from '../../src/sandbox/assignar/spec';
import { apiCaller, http, importLikeTenant, requestToken, type Call, type HttpAnswer, type Loose } from './assignar-sandbox-http';

interface Seen {
  method: string;
  route: string; // `/v2/users/{userId}` or `/oauth2/token`
  status: number;
  body: unknown;
  text: string;
  note?: string;
}

let sb: AssignarSandbox;
let call: Call;
const seen: Seen[] = [];

const ERROR_400 = pointer('paths', '/asset-attachments/{attachmentId}', 'put', 'responses', '400', 'content', 'application/json', 'schema');
const ERROR_404 = pointer('paths', '/asset-attachments/{attachmentId}', 'put', 'responses', '404', 'content', 'application/json', 'schema');
const TOKEN_SCHEMA = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in'],
  properties: { access_token: { type: 'string', pattern: '^[\\w-]+\\.[\\w-]+\\.[\\w-]+$' }, token_type: { const: 'Bearer' }, expires_in: { type: 'integer' } },
};

/** Calls the API and records the answer against its route template. */
async function hit(method: string, route: string, path: string, body?: unknown, opts: { auth?: boolean; note?: string } = {}): Promise<HttpAnswer> {
  const res =
    opts.auth === false
      ? await http(`${sb.baseUrl}${path}`, { method, headers: body !== undefined ? { 'content-type': 'application/json' } : {}, body: body === undefined ? undefined : JSON.stringify(body) })
      : await call(method, path.replace(/^\/v2/, ''), body);
  seen.push({ method, route, status: res.status, body: res.body, text: res.text, note: opts.note });
  return res;
}

function specPathOf(route: string): string {
  return route.replace(/^\/v2/, '');
}

/** Returns the ajv errors of a recorded response, or [] when it conforms. */
function check(s: Seen): string[] {
  if (s.route === '/oauth2/token') {
    const v = specAjv().compile(s.status === 200 ? TOKEN_SCHEMA : { type: 'object', required: ['error'], properties: { error: { type: 'string' } } });
    return v(s.body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  }
  const op = specOperation(specPathOf(s.route), s.method);
  if (!op) return [`no operation ${s.method} ${specPathOf(s.route)} in the spec`];
  const declared = Object.keys((op.responses as Record<string, unknown>) ?? {});
  let v: ValidateFunction | undefined;
  if (declared.includes(String(s.status))) {
    const ptr = responseSchemaPointer(specPathOf(s.route), s.method, s.status);
    if (!ptr) {
      // Declared without content (204, or inconsistency 6): a 204 must be empty.
      if (s.status === 204 && s.text !== '') return ['204 with a body'];
      return [];
    }
    v = validatorAt(ptr);
  } else if (s.status >= 200 && s.status < 300) {
    return [`status ${s.status} not declared for ${s.method} ${specPathOf(s.route)} (declared: ${declared.join(', ')})`];
  } else if (s.status === 404 && s.body && typeof s.body === 'object' && 'errorMessage' in s.body) {
    v = validatorAt(ERROR_404);
  } else if ([400, 401, 404, 429, 500, 502, 503].includes(s.status)) {
    v = validatorAt(ERROR_400);
    if (!(s.body && typeof (s.body as Loose).message === 'string')) return [`${s.status} without a message`];
  } else {
    return [`unexpected status ${s.status}`];
  }
  return v(s.body) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

beforeAll(async () => {
  sb = await startAssignarSandbox({ seed: 'demo' });
  call = await apiCaller(sb);
});
afterAll(async () => {
  await sb?.close();
});

test('every route the sandbox serves answers what spec/assignar-openapi.yaml declares', async () => {
  // A tenant after an import, with the optional fields and relations filled in, then field activity.
  const t = await importLikeTenant(call, 9);
  const tag = { tag_id: 301 };
  await hit('POST', '/v2/users', '/v2/users', {
    user_type_id: 2,
    employee_id: 'E3001',
    integration_id: '901',
    first_name: 'Full',
    last_name: 'Record',
    dob: '1980-02-03',
    address: '1 Main St',
    address_geo: { type: 'Point', coordinates: [41.88, -87.63] },
    suburb: 'Chicago',
    state: 'IL',
    postcode: '60601',
    email: 'full.record@example-builders.com',
    contact: '(312) 555-0101',
    employment_type: 2,
    emergency_contact: '(312) 555-0102',
    emergency_contact_name: 'Kin',
    active: true,
    comments: 'c',
    eula: 1,
    usi: 'U1',
    tags: [tag],
    tasks: [{ task_id: t.taskId }],
    suppliers: [],
  });
  await hit('POST', '/v2/assets', '/v2/assets', {
    name: 'Boom Lift 60ft',
    description: 'Diesel',
    rego_number: 'BL-60',
    active: true,
    year: '2021',
    make: 'JLG',
    model: '600S',
    serial_number: 'SN1',
    charge_rate: 150,
    number_reading: 1200,
    external_id: 'EQ-BOOM60',
    integration_id: '902',
    asset_class_id: 2,
    tags: [{ tag_id: 302 }],
    attachments: [],
  });
  const sub = await hit('POST', '/v2/projects/', '/v2/projects/', {
    name: 'Tower Podium',
    client_id: t.clientId,
    parent_id: t.projectId,
    email: 'site@example.com',
    address: '2 Harbor Point',
    address_geo: { type: 'Point', coordinates: [41.89, -87.62] },
    suburb: 'Chicago',
    state: 'IL',
    postcode: '60601',
    external_id: 'P-0101',
    integration_id: '903',
    active: true,
    tags: [{ tag_id: 303 }],
    activities: [{ activity_id: t.activityIds[0] }],
  });
  sb.upsertRecords('projects', [{ id: t.projectId, supervisors: [{ id: t.userIds[0] }] }]);
  await hit('POST', '/v2/orders', '/v2/orders', {
    client_id: t.clientId,
    project_id: sub.body.data.id,
    order_owner: 1001,
    start_date: '2025-04-01',
    end_date: '2025-04-30',
    job_number: 'P-0101-01',
    po_number: 'PO-1',
    location: 'Level 1',
    job_description: 'Podium slab',
    start_time: '07:00',
    shift_duration: '08:00',
    comments: 'x',
    status_id: 1,
    type_id: 1,
    integration_id: '904',
    geolocation: { type: 'Point', coordinates: [41.89, -87.62] },
    tags: [tag],
    activities: [{ id: 1, activity_id: t.activityIds[1], name: 'Equipment', external_id: 'EQP', uom_code: 'HR', quantity: 8 }],
  });
  await hit('POST', '/v2/activities', '/v2/activities', { name: 'Travel', rule: 1, billable: 0, active: true, sortorder: 3, type_id: 1, is_payable: true, external_id: 'TRAVEL', uom_code: 'HR', integration_id: '905' });
  await hit('POST', '/v2/tasks', '/v2/tasks', { name: 'Foreman', external_id: 'LAB-FORE', active: true, req_machines: false, pay_level: '3', payroll_acc: '6000', charge_code_id: 1, supervisor: true, integration_id: '906' });
  await hit('POST', '/v2/clients/', '/v2/clients/', {
    name: 'Full Client',
    company_name: 'Full Client LLC',
    abn: '123',
    email: 'ap@full.example.com',
    office_phone: '1',
    mobile: '2',
    address_1: 'a1',
    address_2: 'a2',
    city: 'Chicago',
    postcode: '60601',
    state: 'IL',
    comments: 'c',
    external_id: 'C-0101',
    active: true,
    integration_id: '907',
  });
  const sim = sb.simulateTimesheets({
    days: 3,
    startDate: '2025-03-03',
    seed: 11,
    draftRatio: 0.1,
    overnightRatio: 0.3,
    hostileRatio: 0.3,
    unusualPayCodeRatio: 0.3,
    timeZones: ['Australia/Sydney', 'America/Chicago'],
  });
  expect(sim.created).toBeGreaterThan(0);
  expect(sim.withAssetTime).toBeGreaterThan(0);
  expect(sim.draft).toBeGreaterThan(0);
  expect(sim.withUnusualPayCode).toBeGreaterThan(0);

  // Token endpoint.
  const tok = await requestToken(sb);
  seen.push({ method: 'POST', route: '/oauth2/token', status: tok.status, body: tok.body, text: tok.text });
  const badTok = await requestToken(sb, { auth: 'Basic eDp5' });
  seen.push({ method: 'POST', route: '/oauth2/token', status: badTok.status, body: badTok.body, text: badTok.text });

  // Walk every served /v2 route: success, then errors.
  const ids: Record<string, number> = {};
  for (const r of sb.routes.filter((x) => x.specPath)) {
    const collection = r.path.replace(/\{[^}]+\}.*$/, '').replace(/\/$/, '');
    const resource = collection.replace('/v2/', '');
    const anyId = async () => {
      if (ids[resource] !== undefined) return ids[resource];
      const list = await call('GET', resource === 'timesheets-expanded' || resource === 'timesheets' ? '/timesheets-expanded' : `/${resource}`);
      const rows = Array.isArray(list.body.data) ? list.body.data : list.body.data.rows;
      return (ids[resource] = rows[rows.length - 1].id);
    };
    const concrete = async () => r.path.replace(/\{[^}]+\}/, String(await anyId()));
    const missing = r.path.replace(/\{[^}]+\}/, '987654');
    await hit(r.method, r.path, r.path.replace(/\{[^}]+\}/, '1'), r.method === 'POST' || r.method === 'PUT' ? { name: 'x' } : undefined, { auth: false, note: '401' });
    if (r.path === '/v2/timesheets/coded-worker-times') {
      // Inconsistency 13: one worker per request.
      const coded = (sb.records('timesheets') as Loose[]).find((x) => String(x.status).startsWith('APPROVED') && x.activity_entries.some((e: Loose) => e.related_asset_entries.length));
      await hit('GET', r.path, `${r.path}?user_id=${coded!.user_id}`);
      await hit('GET', r.path, `${r.path}?user_id=${coded!.user_id}&start_date=2025-03-04&end_date=2025-03-04`);
      await hit('GET', r.path, r.path, undefined, { note: 'no user_id' });
      await hit('GET', r.path, `${r.path}?user_id=${coded!.user_id}&start_date=March`, undefined, { note: 'bad date' });
      await hit('GET', r.path, `${r.path}?user_id=987654`);
    } else if (r.method === 'GET' && !r.path.includes('{')) {
      await hit('GET', r.path, r.path);
      await hit('GET', r.path, `${r.path}?page=1&page_size=2&sort=-id`);
      await hit('GET', r.path, `${r.path}?id__gte=1&sort=id`);
      await hit('GET', r.path, `${r.path}?colour=red`, undefined, { note: 'unknown filter' });
    } else if (r.method === 'GET') {
      await hit('GET', r.path, await concrete());
      await hit('GET', r.path, missing);
    } else if (r.method === 'POST') {
      await hit('POST', r.path, r.path, {}, { note: 'missing payload' });
      await hit('POST', r.path, r.path, { name: 12, first_name: 12, client_id: 'x' }, { note: 'invalid body' });
    } else if (r.method === 'PUT' && r.path.endsWith('/process')) {
      const rows = (await call('GET', '/timesheets-expanded?sort=id')).body.data.rows as Loose[];
      const approved = rows.find((x) => String(x.status).startsWith('APPROVED') && !x.is_processed);
      const submitted = rows.find((x) => x.status === 'SUBMITTED');
      await hit('PUT', r.path, `/v2/timesheets/${approved.id}/process`);
      await hit('PUT', r.path, `/v2/timesheets/${approved.id}/process`, undefined, { note: 'already processed' });
      if (submitted) await hit('PUT', r.path, `/v2/timesheets/${submitted.id}/process`, undefined, { note: 'not approved' });
      await hit('PUT', r.path, '/v2/timesheets/987654/process');
    } else if (r.method === 'PUT') {
      const id = await anyId();
      const current = (await call('GET', `/${resource}/${id}`)).body.data;
      const required: Record<string, unknown> = {};
      for (const k of ['name', 'company_name', 'client_id', 'order_owner', 'start_date', 'end_date']) if (current[k] !== undefined) required[k] = current[k];
      await hit('PUT', r.path, `/v2/${resource}/${id}`, { ...required, comments: 'edited', active: true });
      await hit('PUT', r.path, `/v2/${resource}/${id}`, { ...required, active: 'yes' }, { note: 'invalid body' });
      await hit('PUT', r.path, missing, { ...required });
    } else if (r.method === 'DELETE') {
      const id = await anyId();
      await hit('DELETE', r.path, `/v2/${resource}/${id}`);
      await hit('DELETE', r.path, missing);
    }
  }
  // Lists again after the writes (deleted and edited records included), and a timesheet list page.
  for (const r of sb.routes.filter((x) => x.method === 'GET' && x.specPath && !x.path.includes('{'))) await hit('GET', r.path, r.path);
  await hit('GET', '/v2/timesheets-expanded', '/v2/timesheets-expanded?status__starts_with=APPROVED&is_processed=false&page=1&page_size=5&sort=id');
  // Foreign-key and unique conflicts.
  await hit('POST', '/v2/projects/', '/v2/projects/', { name: 'Orphan', client_id: 2999 });
  await hit('POST', '/v2/users', '/v2/users', { user_type_id: 2, first_name: 'Dup', last_name: 'Email', email: 'worker1@example-builders.com' });
  // 429 under the rate knob.
  sb.setFaults({ requestsPerSecond: 1, burst: 1 });
  await hit('GET', '/v2/users', '/v2/users');
  const limited = await hit('GET', '/v2/users', '/v2/users');
  expect(limited.status).toBe(429);
  sb.setFaults({ requestsPerSecond: 0 });
  // 5xx.
  sb.setFaults({ errorRate: 1 });
  await hit('GET', '/v2/tasks', '/v2/tasks');
  sb.setFaults({ errorRate: 0 });

  const failures = seen.map((s) => ({ s, errors: check(s) })).filter((x) => x.errors.length);
  expect(failures.map((f) => `${f.s.method} ${f.s.route} → ${f.s.status}${f.s.note ? ` (${f.s.note})` : ''}: ${f.errors.join('; ')}`)).toEqual([]);

  // Every route was walked, with at least one success and one error.
  for (const r of sb.routes) {
    const mine = seen.filter((s) => s.method === r.method && s.route === r.path);
    expect({ route: `${r.method} ${r.path}`, ok: mine.some((s) => s.status < 300) }).toEqual({ route: `${r.method} ${r.path}`, ok: true });
    expect({ route: `${r.method} ${r.path}`, err: mine.some((s) => s.status >= 400) }).toEqual({ route: `${r.method} ${r.path}`, err: true });
  }
  const statuses = new Set(seen.map((s) => s.status));
  for (const s of [200, 201, 204, 400, 401, 404, 429]) expect(statuses).toContain(s);
  expect([...statuses].some((s) => s >= 500)).toBe(true);
  // The sandbox serves exactly the routes it lists, and each is the spec's spelling of a spec operation.
  for (const r of sb.routes.filter((x) => x.specPath)) expect(specOperation(r.specPath!, r.method)).toBeDefined();
  expect(sb.routes.length).toBe(7 * 5 + 2 * 2 + 4 + 1);
});

test('inconsistency 7: `fields` may drop required fields (the only kind of schema error it causes)', async () => {
  const res = await call('GET', '/users?fields=id,email');
  const v = validatorAt(responseSchemaPointer('/users', 'get', 200)!);
  expect(v(res.body)).toBe(false);
  expect(new Set((v.errors ?? []).map((e) => e.keyword))).toEqual(new Set(['required']));
});

test('inconsistency 8: a project created with integration_id null echoes what ProjectCreateResponse rejects', async () => {
  const res = await call('POST', '/projects/', { name: 'Null integration', integration_id: null });
  expect(res.status).toBe(200);
  expect(res.body.data.integration_id).toBeNull();
  const v = validatorAt(responseSchemaPointer('/projects/', 'post', 200)!);
  expect(v(res.body)).toBe(false);
  expect((v.errors ?? []).map((e) => e.instancePath)).toEqual(['/data/integration_id']);
});

test('the checker itself rejects what the spec rejects (negative controls)', () => {
  const bad: Seen[] = [
    { method: 'GET', route: '/v2/users/{userId}', status: 200, body: { status: 200, data: { id: 'seven', user_type_id: 2, first_name: 'a', last_name: 'b', username: 'c', suppliers: [], tags: [] } }, text: '' },
    { method: 'GET', route: '/v2/users/{userId}', status: 200, body: { status: 200, data: { id: 7, user_type_id: 2, first_name: 'a', last_name: 'b', username: 'c' } }, text: '' },
    { method: 'POST', route: '/v2/users', status: 201, body: { status: 201, data: { id: 1 } }, text: '' },
    { method: 'PUT', route: '/v2/clients/{clientId}', status: 200, body: { status: 204 }, text: '{"status":204}' },
    { method: 'GET', route: '/v2/timesheets-expanded', status: 200, body: { status: 200, data: [] }, text: '' },
    { method: 'GET', route: '/v2/clients/{clientId}', status: 200, body: { status: 200, data: { id: 1, name: 'x', company_name: 'y', email: null } }, text: '' },
    { method: 'GET', route: '/v2/tasks/{taskId}', status: 404, body: { errorType: 'x', errorMessage: 7, trace: [] }, text: '' },
    { method: 'GET', route: '/v2/tasks', status: 429, body: { error: 'slow down' }, text: '' },
  ];
  for (const s of bad) expect({ s, failed: check(s).length > 0 }).toEqual({ s, failed: true });
  expect(seen.length).toBeGreaterThan(150);
});
