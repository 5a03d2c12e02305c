/**
 * The Sage Intacct sandbox over real HTTP, spoken to in raw XML: transport, the three error levels, sessions
 * and their endpoint, query / readByQuery / readMore / read / readByName, writes with AUDITHISTORY, timesheets,
 * transactions, uniqueid, the concurrency cap, injected faults, and the control API.
 */
import { XMLParser } from 'fast-xml-parser';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Doc = any;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ['operation', 'result', 'error'].includes(name),
});

let sandbox: SageSandbox;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Envelope {
  auth?: 'login' | { session: string } | string;
  fns: Array<[controlId: string, xml: string]>;
  uniqueId?: boolean | null;
  transaction?: boolean;
  sender?: [string, string];
  controlId?: string;
  whitespace?: boolean;
}

function envelope(e: Envelope): string {
  const c = sandbox.credentials;
  const [senderId, senderPassword] = e.sender ?? [c.senderId, c.senderPassword];
  const auth =
    e.auth === undefined || e.auth === 'login'
      ? `<login><userid>${c.userId}</userid><companyid>${c.companyId}</companyid><password>${c.userPassword}</password></login>`
      : typeof e.auth === 'string'
        ? e.auth
        : `<sessionid>${e.auth.session}</sessionid>`;
  const unique = e.uniqueId === null ? '' : `<uniqueid>${e.uniqueId === true ? 'true' : 'false'}</uniqueid>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${esc(senderId)}</senderid><password>${esc(senderPassword)}</password>` +
    `<controlid>${e.controlId ?? 'req-1'}</controlid>${unique}<dtdversion>3.0</dtdversion><includewhitespace>${e.whitespace ? 'true' : 'false'}</includewhitespace></control>` +
    `<operation transaction="${e.transaction ? 'true' : 'false'}"><authentication>${auth}</authentication><content>` +
    e.fns.map(([id, xml]) => `<function controlid="${id}">${xml}</function>`).join('') +
    `</content></operation></request>`
  );
}

async function post(url: string, body: string, contentType = 'application/xml'): Promise<{ status: number; text: string; doc: Doc }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  return { status: res.status, text, doc: text.trim().startsWith('<') ? parser.parse(text) : undefined };
}

async function call(e: Envelope, url = sandbox.endpointUrl): Promise<Doc> {
  const { status, doc } = await post(url, envelope(e));
  expect(status).toBe(200);
  return doc;
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined || x === '' ? [] : Array.isArray(x) ? x : [x]);
const results = (doc: Doc): any[] => asArray(doc.response.operation?.[0]?.result);
const rows = (result: any, element: string): Array<Record<string, string>> => asArray(result.data?.[element]);
const errorsOf = (node: any): any[] => asArray(node?.errormessage?.error);

async function one(fn: string, e: Partial<Envelope> = {}): Promise<any> {
  const doc = await call({ fns: [['f-1', fn]], ...e });
  const [r] = results(doc);
  return r;
}

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sandbox.controlUrl}/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function openSession(): Promise<{ session: string; endpoint: string }> {
  const r = await one('<getAPISession/>');
  expect(r.status).toBe('success');
  return { session: r.data.api.sessionid, endpoint: r.data.api.endpoint };
}

beforeAll(async () => {
  sandbox = await startSageSandbox({ port: 0, seed: 'demo' });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await control('DELETE', 'faults');
  sandbox.seed('demo');
});

describe('transport and control level', () => {
  test('only POST with an XML content type; text/xml is accepted too', async () => {
    const get = await fetch(sandbox.endpointUrl);
    expect(get.status).toBe(405);
    const json = await post(sandbox.endpointUrl, envelope({ fns: [['f', '<getAPISession/>']] }), 'application/json');
    expect(json.status).toBe(415);
    expect(json.doc.response.errormessage.error[0].errorno).toBe('GW-0011');
    const textXml = await post(sandbox.endpointUrl, envelope({ fns: [['f', '<lookup><object>EMPLOYEE</object></lookup>']] }), 'text/xml; charset=utf-8');
    expect(textXml.status).toBe(200);
    expect(results(textXml.doc)[0].status).toBe('success');
  });

  test('malformed XML is a control failure XL03000003 without an operation', async () => {
    const { status, doc } = await post(sandbox.endpointUrl, '<request><control><senderid>x</senderid></request>');
    expect(status).toBe(200);
    expect(doc.response.control.status).toBe('failure');
    expect(doc.response.operation).toBeUndefined();
    expect(doc.response.errormessage.error[0].errorno).toBe('XL03000003');
    const dtd = await post(sandbox.endpointUrl, '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><request/>');
    expect(dtd.doc.response.errormessage.error[0].errorno).toBe('XL03000003');
  });

  test('a wrong sender is XL03000006 at control level; control values are echoed', async () => {
    const doc = await call({ fns: [['f-1', '<getAPISession/>']], sender: ['demo-sender', 'wrong'], controlId: 'ctl-42', uniqueId: false });
    expect(doc.response.control).toMatchObject({ status: 'failure', senderid: 'demo-sender', controlid: 'ctl-42', uniqueid: 'false', dtdversion: '3.0' });
    expect(doc.response.operation).toBeUndefined();
    expect(doc.response.errormessage.error[0]).toMatchObject({ errorno: 'XL03000006', description: 'Incorrect Intacct XML Partner ID or password.' });
  });

  test('a function without controlid is a schema error; an unknown function a result failure', async () => {
    const { doc } = await post(sandbox.endpointUrl, envelope({ fns: [] }).replace('<content></content>', '<content><function><getAPISession/></function></content>'));
    expect(doc.response.errormessage.error[0].errorno).toBe('XL03000003');
    const r = await one('<frobnicate/>');
    expect(r).toMatchObject({ status: 'failure', function: 'frobnicate', controlid: 'f-1' });
  });

  test('default output is indented (includewhitespace defaults to true) and parses the same', async () => {
    const { text } = await post(sandbox.endpointUrl, envelope({ fns: [['f', '<getAPISession/>']] }).replace('<includewhitespace>false</includewhitespace>', ''));
    expect(text).toContain('\n\t<control>');
    const compact = await post(sandbox.endpointUrl, envelope({ fns: [['f', '<getAPISession/>']] }));
    expect(compact.text).not.toContain('\n\t');
  });
});

describe('authentication and sessions', () => {
  test('bad login: authentication failure with operation/errormessage and no results', async () => {
    const doc = await call({ auth: '<login><userid>ws_assignar</userid><companyid>DEMO-CONSTRUCTION</companyid><password>nope</password></login>', fns: [['f-1', '<getAPISession/>']] });
    expect(doc.response.control.status).toBe('success');
    const op = doc.response.operation[0];
    expect(op.authentication.status).toBe('failure');
    expect(op.result).toBeUndefined();
    expect(op.errormessage.error[0].errorno).toBe('XL03000006');
  });

  test('getAPISession returns a session bound to a different endpoint path; clients must switch', async () => {
    const doc = await call({ fns: [['s-1', '<getAPISession/>']] });
    const [r] = results(doc);
    expect(r).toMatchObject({ status: 'success', function: 'getAPISession', controlid: 's-1' });
    expect(r.data.api.endpoint).toBe(sandbox.sessionEndpointUrl);
    expect(r.data.api.endpoint).not.toBe(sandbox.endpointUrl);
    expect(r.data.api.locationid).toBe('');
    const auth = doc.response.operation[0].authentication;
    expect(auth.sessiontimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-06:00$/);
    expect(auth.sessiontimeout).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-06:00$/);
    const session = r.data.api.sessionid as string;

    const wrongPath = await call({ auth: { session }, fns: [['q', '<lookup><object>EMPLOYEE</object></lookup>']] }, sandbox.endpointUrl);
    expect(wrongPath.response.operation[0].authentication.status).toBe('failure');
    expect(wrongPath.response.operation[0].errormessage.error[0].description).toBe('Invalid session');

    const rightPath = await call({ auth: { session }, fns: [['q', '<lookup><object>EMPLOYEE</object></lookup>']] }, sandbox.sessionEndpointUrl);
    expect(results(rightPath)[0].status).toBe('success');
    // Login works on the session endpoint too.
    const loginThere = await call({ fns: [['q', '<lookup><object>EMPLOYEE</object></lookup>']] }, sandbox.sessionEndpointUrl);
    expect(results(loginThere)[0].status).toBe('success');
  });

  test('an unknown session is refused with "Invalid session"', async () => {
    const doc = await call({ auth: { session: 'not-a-session..' }, fns: [['q', '<getAPISession/>']] }, sandbox.sessionEndpointUrl);
    expect(doc.response.operation[0].authentication.status).toBe('failure');
    expect(doc.response.operation[0].errormessage.error[0]).toMatchObject({ errorno: 'XL03000006', description: 'Invalid session' });
  });

  test('getAPISession must be alone in its request', async () => {
    const doc = await call({ fns: [['s', '<getAPISession/>'], ['l', '<lookup><object>ITEM</object></lookup>']] });
    expect(results(doc).map((r) => r.status)).toEqual(['failure', 'success']);
  });

  test('the session timeout slides with each call and an idle session expires', async () => {
    let now = Date.UTC(2025, 5, 2, 15, 0, 0);
    const timed = await startSageSandbox({ port: 0, seed: 'none', sessionTimeoutSeconds: 600, now: () => now });
    try {
      const c = timed.credentials;
      const login = `<login><userid>${c.userId}</userid><companyid>${c.companyId}</companyid><password>${c.userPassword}</password></login>`;
      const send = async (auth: string, fn: string, url: string) =>
        (await post(url, envelope({ auth, fns: [['f', fn]] }).replace(/<senderid>[^<]*/, `<senderid>${c.senderId}`))).doc;
      const opened = await send(login, '<getAPISession/>', timed.endpointUrl);
      const session = results(opened)[0].data.api.sessionid as string;
      expect(opened.response.operation[0].authentication.sessiontimeout).toBe('2025-06-02T09:10:00-06:00');

      now += 500_000; // within 600 s: still alive, and the timeout slides to now + 600 s
      const touched = await send(`<sessionid>${session}</sessionid>`, '<lookup><object>ITEM</object></lookup>', timed.sessionEndpointUrl);
      expect(touched.response.operation[0].authentication).toMatchObject({ status: 'success', sessiontimestamp: '2025-06-02T09:08:20-06:00', sessiontimeout: '2025-06-02T09:18:20-06:00' });

      now += 599_000; // 599 s after the last call: alive
      expect((await send(`<sessionid>${session}</sessionid>`, '<lookup><object>ITEM</object></lookup>', timed.sessionEndpointUrl)).response.operation[0].authentication.status).toBe('success');
      now += 601_000; // idle past the timeout: gone
      const expired = await send(`<sessionid>${session}</sessionid>`, '<lookup><object>ITEM</object></lookup>', timed.sessionEndpointUrl);
      expect(expired.response.operation[0].errormessage.error[0].description).toBe('Invalid session');
    } finally {
      await timed.close();
    }
  });

  test('PUT faults expireSessions invalidates every session at once', async () => {
    const { session } = await openSession();
    const ok = await call({ auth: { session }, fns: [['q', '<lookup><object>ITEM</object></lookup>']] }, sandbox.sessionEndpointUrl);
    expect(results(ok)[0].status).toBe('success');
    const res = await control('PUT', 'faults', { expireSessions: true });
    expect(res.json.expiredSessions).toBeGreaterThanOrEqual(1);
    const gone = await call({ auth: { session }, fns: [['q', '<lookup><object>ITEM</object></lookup>']] }, sandbox.sessionEndpointUrl);
    expect(gone.response.operation[0].errormessage.error[0].description).toBe('Invalid session');
  });
});

const select = (...fields: string[]): string => `<select>${fields.map((f) => `<field>${f}</field>`).join('')}</select>`;
const q = (object: string, fields: string[], rest = ''): string => `<query><object>${object}</object>${select(...fields)}${rest}</query>`;

describe('query', () => {
  test('shape: UPPER-case records, data attributes, STATUS active/inactive, timestamps in the user offset', async () => {
    const r = await one(q('EMPLOYEE', ['RECORDNO', 'EMPLOYEEID', 'STATUS', 'CONTACT.EMAIL1', 'WHENMODIFIED'], '<pagesize>5</pagesize>'));
    expect(r).toMatchObject({ status: 'success', function: 'query', controlid: 'f-1' });
    const all = sandbox.records('EMPLOYEE');
    expect(r.data).toMatchObject({ '@listtype': 'EMPLOYEE', '@totalcount': String(all.length), '@offset': '0', '@count': '5', '@numremaining': String(all.length - 5) });
    const list = rows(r, 'EMPLOYEE');
    expect(list).toHaveLength(5);
    expect(Object.keys(list[0])).toEqual(['RECORDNO', 'EMPLOYEEID', 'STATUS', 'CONTACT.EMAIL1', 'WHENMODIFIED']);
    expect(['active', 'inactive']).toContain(list[0].STATUS);
    // The seed stores UTC; the wire shows MM/DD/YYYY HH:MM:SS at -06:00.
    const stored = sandbox.store.get('EMPLOYEE', list[0].RECORDNO)!.WHENMODIFIED!;
    const local = new Date(Date.parse(stored) - 6 * 3600_000);
    const p = (n: number) => String(n).padStart(2, '0');
    expect(list[0].WHENMODIFIED).toBe(`${p(local.getUTCMonth() + 1)}/${p(local.getUTCDate())}/${local.getUTCFullYear()} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}`);
  });

  test('select is required, * is refused, unknown fields and objects are result errors', async () => {
    expect((await one('<query><object>EMPLOYEE</object></query>')).status).toBe('failure');
    expect((await one(q('EMPLOYEE', ['*']))).status).toBe('failure');
    const bad = await one(q('EMPLOYEE', ['RECORDNO', 'NOPE', 'ALSO_NOPE']));
    expect(bad.status).toBe('failure');
    expect(errorsOf(bad)[0].description).toBe('Invalid fields list');
    expect(errorsOf(bad)[0].description2).toContain('NOPE,ALSO_NOPE');
    const obj = await one(q('WIDGET', ['RECORDNO']));
    expect(obj.status).toBe('failure');
    expect(errorsOf(obj)[0].description2).toContain('WIDGET');
    expect((await one(q('EMPLOYEE', ['RECORDNO'], '<pagesize>2001</pagesize>'))).status).toBe('failure');
  });

  test('every filter operator, nested and/or, dotted related fields', async () => {
    const emps = sandbox.records('EMPLOYEE');
    const ids = async (filter: string, object = 'EMPLOYEE', idField = 'EMPLOYEEID', options = ''): Promise<string[]> => {
      const r = await one(q(object, [idField], `<filter>${filter}</filter><orderby><order><field>RECORDNO</field></order></orderby>${options}<pagesize>2000</pagesize>`));
      expect(r.status).toBe('success');
      return rows(r, object).map((x) => x[idField]);
    };
    const expectIds = (pred: (e: Record<string, string>) => boolean) => emps.filter(pred).map((e) => e.EMPLOYEEID);
    const f = (op: string, field: string, ...values: string[]) => `<${op}><field>${field}</field>${values.map((v) => `<value>${esc(v)}</value>`).join('')}</${op}>`;
    const e5 = emps[5];
    const rn = Number(emps[10].RECORDNO);

    expect(await ids(f('equalto', 'STATUS', 'inactive'))).toEqual(expectIds((e) => e.STATUS === 'inactive'));
    expect(await ids(f('notequalto', 'DEPARTMENTID', 'FIELD'))).toEqual(expectIds((e) => e.DEPARTMENTID !== '' && e.DEPARTMENTID !== 'FIELD'));
    expect(await ids(f('lessthan', 'RECORDNO', String(rn)))).toEqual(expectIds((e) => Number(e.RECORDNO) < rn));
    expect(await ids(f('lessthanorequalto', 'RECORDNO', String(rn)))).toEqual(expectIds((e) => Number(e.RECORDNO) <= rn));
    expect(await ids(f('greaterthan', 'RECORDNO', String(rn)))).toEqual(expectIds((e) => Number(e.RECORDNO) > rn));
    expect(await ids(f('greaterthanorequalto', 'RECORDNO', String(rn)))).toEqual(expectIds((e) => Number(e.RECORDNO) >= rn));
    expect(await ids(f('between', 'RECORDNO', String(rn), String(rn + 5)))).toEqual(expectIds((e) => Number(e.RECORDNO) >= rn && Number(e.RECORDNO) <= rn + 5));
    expect(await ids(f('in', 'EMPLOYEEID', 'E1004', '00012', 'NOPE'))).toEqual(['E1004', '00012']);
    expect(await ids(f('notin', 'LOCATIONID', 'CHI', 'DAL'))).toEqual(expectIds((e) => e.LOCATIONID === 'HOU'));
    expect(await ids(f('like', 'CONTACT.LASTNAME', "O'%"))).toEqual(expectIds((e) => e['CONTACT.LASTNAME'].startsWith("O'")));
    expect(await ids(f('notlike', 'CONTACT.EMAIL1', '%@example-builders.com'))).toEqual(expectIds((e) => e['CONTACT.EMAIL1'] !== '' && !e['CONTACT.EMAIL1'].endsWith('@example-builders.com')));
    expect(await ids(f('isnull', 'CONTACT.EMAIL1'))).toEqual(expectIds((e) => e['CONTACT.EMAIL1'] === ''));
    expect(await ids(f('isnotnull', 'CONTACT.EMAIL1'))).toEqual(expectIds((e) => e['CONTACT.EMAIL1'] !== ''));
    expect(await ids(f('equalto', 'CONTACT.FIRSTNAME', e5['CONTACT.FIRSTNAME']))).toEqual(expectIds((e) => e['CONTACT.FIRSTNAME'] === e5['CONTACT.FIRSTNAME']));
    // caseinsensitive option
    expect(await ids(f('equalto', 'CONTACT.FIRSTNAME', 'zoË'), 'EMPLOYEE', 'EMPLOYEEID', '<options><caseinsensitive>true</caseinsensitive></options>')).toEqual(['E1004']);
    expect(await ids(f('equalto', 'CONTACT.FIRSTNAME', 'zoË'))).toEqual([]);
    // nested: active AND (FIELD dept OR (SHOP dept AND Full Time))
    const nested = `<and>${f('equalto', 'STATUS', 'active')}<or>${f('equalto', 'DEPARTMENTID', 'FIELD')}<and>${f('equalto', 'DEPARTMENTID', 'SHOP')}${f('equalto', 'EMPLOYEETYPE', 'Full Time')}</and></or></and>`;
    expect(await ids(nested)).toEqual(expectIds((e) => e.STATUS === 'active' && (e.DEPARTMENTID === 'FIELD' || (e.DEPARTMENTID === 'SHOP' && e.EMPLOYEETYPE === 'Full Time'))));
    // timestamps compare in the user offset; empty WHENMODIFIED is NULL
    const cutoffUtc = Date.UTC(2025, 0, 1, 6, 0, 0); // 01/01/2025 00:00:00 at -06:00
    expect(await ids(f('greaterthanorequalto', 'WHENMODIFIED', '01/01/2025 00:00:00'))).toEqual(
      emps.filter((e) => e.WHENMODIFIED !== '' && Date.parse(sandbox.store.get('EMPLOYEE', e.RECORDNO)!.WHENMODIFIED!) >= cutoffUtc).map((e) => e.EMPLOYEEID),
    );
    expect(await ids(f('isnull', 'WHENMODIFIED'))).toEqual(expectIds((e) => e.WHENMODIFIED === ''));
    // dates
    const projects = sandbox.records('PROJECT');
    expect(await ids(f('lessthan', 'BEGINDATE', '01/01/2024'), 'PROJECT', 'PROJECTID')).toEqual(
      projects.filter((p) => p.BEGINDATE.slice(6) < '2024').map((p) => p.PROJECTID),
    );
    // a malformed value is a query error
    expect((await one(q('EMPLOYEE', ['RECORDNO'], `<filter>${f('greaterthan', 'WHENMODIFIED', 'yesterday')}</filter>`))).status).toBe('failure');
    expect((await one(q('EMPLOYEE', ['RECORDNO'], `<filter>${f('equalto', 'NOPE', 'x')}</filter>`))).status).toBe('failure');
  });

  test('orderby ascending/descending and offset paging return each record exactly once', async () => {
    const all = sandbox.records('PROJECT');
    const seen: string[] = [];
    for (let offset = 0; ; offset += 7) {
      const r = await one(q('PROJECT', ['RECORDNO', 'PROJECTID', 'NAME'], `<orderby><order><field>NAME</field><descending/></order><order><field>RECORDNO</field><ascending/></order></orderby><pagesize>7</pagesize><offset>${offset}</offset>`));
      expect(r.data['@offset']).toBe(String(offset));
      expect(r.data['@totalcount']).toBe(String(all.length));
      seen.push(...rows(r, 'PROJECT').map((p) => p.PROJECTID));
      expect(r.data['@numremaining']).toBe(String(Math.max(0, all.length - offset - 7)));
      if (r.data['@numremaining'] === '0') break;
    }
    const expected = [...all].sort((a, b) => (a.NAME < b.NAME ? 1 : a.NAME > b.NAME ? -1 : Number(a.RECORDNO) - Number(b.RECORDNO))).map((p) => p.PROJECTID);
    expect(seen).toEqual(expected);
  });

  test('keyset paging on WHENMODIFIED + RECORDNO', async () => {
    const emps = sandbox.records('EMPLOYEE').filter((e) => e.WHENMODIFIED !== '');
    const seen: string[] = [];
    let last: { wm: string; no: string } | undefined;
    for (;;) {
      const filter = last
        ? `<filter><or><greaterthan><field>WHENMODIFIED</field><value>${last.wm}</value></greaterthan><and><equalto><field>WHENMODIFIED</field><value>${last.wm}</value></equalto><greaterthan><field>RECORDNO</field><value>${last.no}</value></greaterthan></and></or></filter>`
        : '<filter><isnotnull><field>WHENMODIFIED</field></isnotnull></filter>';
      const r = await one(q('EMPLOYEE', ['RECORDNO', 'WHENMODIFIED'], `${filter}<orderby><order><field>WHENMODIFIED</field></order><order><field>RECORDNO</field></order></orderby><pagesize>9</pagesize>`));
      const page = rows(r, 'EMPLOYEE');
      seen.push(...page.map((p) => p.RECORDNO));
      if (page.length < 9) break;
      last = { wm: page[page.length - 1].WHENMODIFIED, no: page[page.length - 1].RECORDNO };
    }
    expect(seen.sort()).toEqual(emps.map((e) => e.RECORDNO).sort());
  });

  test('aggregates group by the plain fields', async () => {
    const r = await one(`<query><object>ITEM</object><select><field>GLGROUP</field><count>RECORDNO</count></select><orderby><order><field>GLGROUP</field></order></orderby></query>`);
    const counts = Object.fromEntries(rows(r, 'ITEM').map((x) => [x.GLGROUP, x['COUNT.RECORDNO']]));
    const items = sandbox.records('ITEM');
    expect(counts.Labor).toBe(String(items.filter((i) => i.GLGROUP === 'Labor').length));
    expect(counts['']).toBe(String(items.filter((i) => i.GLGROUP === '').length));
  });

  test('XML metacharacters and non-Latin text come back exactly', async () => {
    const r = await one(q('CUSTOMER', ['CUSTOMERID', 'NAME'], '<filter><in><field>CUSTOMERID</field><value>C-0003</value><value>C-0006</value><value>C-0008</value><value>C-0012</value></in></filter>'));
    expect(rows(r, 'CUSTOMER').map((c) => c.NAME)).toEqual(['Smith & Sons <Civil> Pty', `O'Neil "Quoted" Holdings`, 'Bracket ]]> Builders', '山田建設 (Yamada Construction)']);
  });
});

describe('readByQuery and readMore', () => {
  const rbq = (object: string, query: string, fields = 'RECORDNO,EMPLOYEEID,STATUS', pagesize = 100): string =>
    `<readByQuery><object>${object}</object><fields>${fields}</fields><query>${esc(query)}</query><pagesize>${pagesize}</pagesize></readByQuery>`;

  test('STATUS is T/F in the filter and in the output; lower-case elements; readMore pages to the end', async () => {
    const session = await openSession();
    const active = sandbox.records('EMPLOYEE').filter((e) => e.STATUS === 'active');
    const first = results(await call({ auth: { session: session.session }, fns: [['r', rbq('EMPLOYEE', "STATUS = 'T'", 'RECORDNO,EMPLOYEEID,STATUS', 10)]] }, session.endpoint))[0];
    expect(first.data).toMatchObject({ '@listtype': 'employee', '@count': '10', '@totalcount': String(active.length), '@numremaining': String(active.length - 10) });
    const seen = rows(first, 'employee');
    expect(seen.every((e) => e.STATUS === 'T')).toBe(true);
    let resultId = first.data['@resultId'] as string;
    expect(resultId).not.toBe('');
    for (;;) {
      const more = results(await call({ auth: { session: session.session }, fns: [['m', `<readMore><resultId>${resultId}</resultId></readMore>`]] }, session.endpoint))[0];
      expect(more).toMatchObject({ status: 'success', function: 'readMore' });
      seen.push(...rows(more, 'employee'));
      resultId = more.data['@resultId'];
      if (more.data['@numremaining'] === '0') {
        expect(resultId).toBe('');
        break;
      }
    }
    expect(seen.map((e) => e.EMPLOYEEID)).toEqual(active.map((e) => e.EMPLOYEEID));
    // A used-up cursor is gone.
    const stale = results(await call({ auth: { session: session.session }, fns: [['m', `<readMore><resultId>${first.data['@resultId']}</resultId></readMore>`]] }, session.endpoint))[0];
    expect(stale.status).toBe('failure');
    // 'active' is not a code: readByQuery matches nothing with it.
    const wrong = await one(rbq('EMPLOYEE', "STATUS = 'active'"));
    expect(wrong.data['@totalcount']).toBe('0');
  });

  test('readMore by object continues the latest cursor', async () => {
    const first = await one(rbq('CUSTOMER', '', 'CUSTOMERID', 10));
    const more = await one('<readMore><object>CUSTOMER</object></readMore>');
    expect(rows(more, 'customer')[0].CUSTOMERID).toBe(sandbox.records('CUSTOMER')[10].CUSTOMERID);
    expect(first.data['@resultId']).not.toBe('');
  });

  test('legacy operators, IS NULL, IN, LIKE, AND/OR with parentheses, backslash-escaped quotes', async () => {
    const emps = sandbox.records('EMPLOYEE');
    const ids = async (query: string) => rows(await one(rbq('EMPLOYEE', query, 'EMPLOYEEID', 1000)), 'employee').map((e) => e.EMPLOYEEID);
    const rn = Number(emps[20].RECORDNO);
    expect(await ids(`RECORDNO >= ${rn} AND RECORDNO < ${rn + 3}`)).toEqual(emps.filter((e) => Number(e.RECORDNO) >= rn && Number(e.RECORDNO) < rn + 3).map((e) => e.EMPLOYEEID));
    expect(await ids(`RECORDNO <= ${Number(emps[2].RECORDNO)} OR RECORDNO > ${Number(emps[emps.length - 2].RECORDNO)}`)).toEqual([emps[0], emps[1], emps[2], emps[emps.length - 1]].map((e) => e.EMPLOYEEID));
    expect(await ids("EMPLOYEEID <> 'E1001' AND EMPLOYEEID IN ('E1001', 'E1002', '00012')")).toEqual(['E1002', '00012']);
    expect(await ids("TITLE = 'Foreman ]]> Lead'")).toEqual(['E1008']);
    expect(await ids('DEPARTMENTID IS NULL')).toEqual(emps.filter((e) => e.DEPARTMENTID === '').map((e) => e.EMPLOYEEID));
    expect(await ids("(STATUS = 'F' OR EMPLOYEEID = 'E1004') AND NOT LOCATIONID = 'ZZZ'")).toEqual(emps.filter((e) => e.STATUS === 'inactive' || e.EMPLOYEEID === 'E1004').map((e) => e.EMPLOYEEID));
    const customers = rows(await one(rbq('CUSTOMER', "NAME = 'O\\'Neil \"Quoted\" Holdings' OR NAME LIKE 'Smith & Sons%'", 'CUSTOMERID,NAME')), 'customer');
    expect(customers.map((c) => c.NAME)).toEqual(['Smith & Sons <Civil> Pty', `O'Neil "Quoted" Holdings`]);
    expect((await one(rbq('EMPLOYEE', "CONTACT.EMAIL1 = 'x'"))).status).toBe('failure');
    expect((await one(rbq('EMPLOYEE', "STATUS = 'T' AND"))).status).toBe('failure');
    expect((await one(rbq('EMPLOYEE', '', 'RECORDNO', 1001))).status).toBe('failure');
  });

  test('fields * returns every field; dotted fields are accepted in the fields list', async () => {
    const r = await one(rbq('EMPLOYEE', "EMPLOYEEID = 'E1004'", '*'));
    expect(Object.keys(rows(r, 'employee')[0])).toEqual(expect.arrayContaining(['RECORDNO', 'EMPLOYEEID', 'CONTACT.FIRSTNAME', 'WHENMODIFIED']));
  });
});

describe('read, readByName, lookup', () => {
  test('read by RECORDNO and readByName by ID field, UPPER-case records', async () => {
    const e = sandbox.records('EMPLOYEE');
    const read = await one(`<read><object>EMPLOYEE</object><keys>${e[3].RECORDNO},${e[4].RECORDNO},999999</keys><fields>EMPLOYEEID,CONTACT.FIRSTNAME</fields></read>`);
    expect(read.data).toMatchObject({ '@listtype': 'EMPLOYEE', '@count': '2' });
    expect(rows(read, 'EMPLOYEE').map((x) => x['CONTACT.FIRSTNAME'])).toEqual(['Zoë', 'Łukasz']);
    const byName = await one('<readByName><object>ITEMGLGROUP</object><keys>Labor,Equipment</keys><fields>*</fields></readByName>');
    expect(rows(byName, 'ITEMGLGROUP').map((x) => x.NAME)).toEqual(['Labor', 'Equipment']);
    const tasks = await one('<readByName><object>TASK</object><keys>01-SITE</keys><fields>PROJECTID,TASKID</fields></readByName>');
    expect(rows(tasks, 'TASK').length).toBe(sandbox.records('TASK').filter((t) => t.TASKID === '01-SITE').length);
  });

  test('lookup describes fields with data types and valid values', async () => {
    const r = await one('<lookup><object>EMPLOYEE</object></lookup>');
    const fields = asArray(r.data.Type.Fields.Field) as any[];
    const status = fields.find((f) => f.ID === 'STATUS');
    expect(status.DATATYPE).toBe('ENUM');
    expect(asArray(status.VALIDVALUES.VALIDVALUE)).toEqual(['active', 'inactive']);
    expect(fields.map((f) => f.ID)).toContain('CONTACT.EMAIL1');
  });
});

describe('create, update, delete', () => {
  test('create answers listtype objects with RECORDNO and ID; query returns the hostile values intact', async () => {
    const name = `Zoë & Ωmega <Holdings> "Q" ]]> 山田`;
    const r = await one(`<create><CUSTOMER><CUSTOMERID>NEW-1</CUSTOMERID><NAME>${esc(name)}</NAME><DISPLAYCONTACT><EMAIL1>ap@new.example.com</EMAIL1><MAILADDRESS><CITY>Łódź</CITY></MAILADDRESS></DISPLAYCONTACT></CUSTOMER></create>`);
    expect(r).toMatchObject({ status: 'success', function: 'create' });
    expect(r.data).toMatchObject({ '@listtype': 'objects', '@count': '1' });
    expect(r.data.customer.CUSTOMERID).toBe('NEW-1');
    expect(r.data.customer.RECORDNO).toMatch(/^\d+$/);
    const back = rows(await one(q('CUSTOMER', ['RECORDNO', 'NAME', 'STATUS', 'DISPLAYCONTACT.EMAIL1', 'DISPLAYCONTACT.MAILADDRESS.CITY', 'WHENCREATED', 'WHENMODIFIED'], '<filter><equalto><field>CUSTOMERID</field><value>NEW-1</value></equalto></filter>')), 'CUSTOMER')[0];
    expect(back).toMatchObject({ RECORDNO: r.data.customer.RECORDNO, NAME: name, STATUS: 'active', 'DISPLAYCONTACT.EMAIL1': 'ap@new.example.com', 'DISPLAYCONTACT.MAILADDRESS.CITY': 'Łódź' });
    expect(back.WHENMODIFIED).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);

    const dup = await one('<create><CUSTOMER><CUSTOMERID>NEW-1</CUSTOMERID><NAME>again</NAME></CUSTOMER></create>');
    expect(dup.status).toBe('failure');
    expect(errorsOf(dup)[0].errorno).toBe('BL34000061');
    expect(dup.data).toMatchObject({ '@listtype': 'objects', '@count': '0' });
  });

  test('update by RECORDNO or ID changes only given fields and bumps WHENMODIFIED; unknown record fails', async () => {
    const before = sandbox.store.findByKey('EMPLOYEE', { EMPLOYEEID: 'E1002' })!;
    const sentAt = Math.floor(Date.now() / 1000) * 1000; // stored timestamps have whole seconds
    const byId = await one('<update><EMPLOYEE><EMPLOYEEID>E1002</EMPLOYEEID><TITLE>Site Boss</TITLE><STATUS>inactive</STATUS></EMPLOYEE></update>');
    expect(byId.data.employee).toMatchObject({ RECORDNO: before.RECORDNO, EMPLOYEEID: 'E1002' });
    const after = sandbox.store.get('EMPLOYEE', before.RECORDNO)!;
    expect(after).toMatchObject({ TITLE: 'Site Boss', STATUS: 'inactive', 'CONTACT.LASTNAME': before['CONTACT.LASTNAME'] });
    // Moved to the time of the update: not before it was sent.
    expect(Date.parse(after.WHENMODIFIED!)).toBeGreaterThanOrEqual(sentAt);
    const byNo = await one(`<update><EMPLOYEE><RECORDNO>${before.RECORDNO}</RECORDNO><PERSONALINFO><EMAIL1>new@x.example.com</EMAIL1></PERSONALINFO></EMPLOYEE></update>`);
    expect(byNo.status).toBe('success');
    expect(sandbox.store.get('EMPLOYEE', before.RECORDNO)!['CONTACT.EMAIL1']).toBe('new@x.example.com');
    const missing = await one('<update><CUSTOMER><CUSTOMERID>NOPE</CUSTOMERID><NAME>x</NAME></CUSTOMER></update>');
    expect(errorsOf(missing)[0].description2).toBe('Cannot update non-existing CUSTOMER with CUSTOMERID=NOPE.');
    const badStatus = await one('<update><EMPLOYEE><EMPLOYEEID>E1002</EMPLOYEEID><STATUS>T</STATUS></EMPLOYEE></update>');
    expect(badStatus.status).toBe('failure');
  });

  test('delete by RECORDNO leaves an AUDITHISTORY row (lower-case object, <RECORDNO>--REC, D)', async () => {
    const item = sandbox.records('ITEM')[0];
    const r = await one(`<delete><object>ITEM</object><keys>${item.RECORDNO}</keys></delete>`);
    expect(r).toMatchObject({ status: 'success', function: 'delete' });
    expect(r.data).toBeUndefined();
    expect(sandbox.store.get('ITEM', item.RECORDNO)).toBeUndefined();
    const audit = rows(
      await one(q('AUDITHISTORY', ['OBJECTTYPE', 'OBJECTKEY', 'OBJECTDESC', 'ACCESSMODE', 'ACCESSTIME', 'USERID'], `<filter><and><equalto><field>OBJECTTYPE</field><value>item</value></equalto><equalto><field>ACCESSMODE</field><value>D</value></equalto></and></filter>`)),
      'AUDITHISTORY',
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ OBJECTTYPE: 'item', OBJECTKEY: `${item.RECORDNO}--REC`, OBJECTDESC: item.ITEMID, ACCESSMODE: 'D', USERID: 'ws_assignar' });
    expect(audit[0].ACCESSTIME).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    const again = await one(`<delete><object>ITEM</object><keys>${item.RECORDNO}</keys></delete>`);
    expect(again.status).toBe('failure');
  });

  test('a renamed customer shows under its projects (CUSTOMERNAME is a join) without touching them', async () => {
    const project = sandbox.records('PROJECT').find((p) => p.CUSTOMERID !== '')!;
    const r = await one(`<update><CUSTOMER><CUSTOMERID>${project.CUSTOMERID}</CUSTOMERID><NAME>Renamed &amp; Co</NAME></CUSTOMER></update>`);
    expect(r.status).toBe('success');
    const after = sandbox.records('PROJECT').find((p) => p.PROJECTID === project.PROJECTID)!;
    expect(after.CUSTOMERNAME).toBe('Renamed & Co');
    expect(after.WHENMODIFIED).toBe(project.WHENMODIFIED);
  });

  test('business rules: a task needs an existing project, an item an existing GL group', async () => {
    const task = await one('<create><TASK><TASKID>T-X</TASKID><NAME>x</NAME><PROJECTID>NOPE</PROJECTID></TASK></create>');
    expect(errorsOf(task)[0].description2).toContain('Invalid Project NOPE');
    const item = await one('<create><ITEM><ITEMID>I-X</ITEMID><NAME>x</NAME><GLGROUP>Nope</GLGROUP></ITEM></create>');
    expect(item.status).toBe('failure');
    const ok = await one('<create><TASK><TASKID>01-SITE</TASKID><NAME>Same task ID, other project</NAME><PROJECTID>P-0040</PROJECTID></TASK></create>');
    expect(ok.status === 'success' || errorsOf(ok)[0].errorno === 'BL34000061').toBe(true);
  });
});

const timesheet = (employee: string, entries: string, begin = '06/02/2025'): string =>
  `<create><TIMESHEET><EMPLOYEEID>${employee}</EMPLOYEEID><BEGINDATE>${begin}</BEGINDATE><STATE>Submitted</STATE><TIMESHEETENTRIES>${entries}</TIMESHEETENTRIES></TIMESHEET></create>`;
const entry = (fields: Record<string, string>): string => `<TIMESHEETENTRY>${Object.entries(fields).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('')}</TIMESHEETENTRY>`;

describe('timesheets', () => {
  test('a valid timesheet with entries is stored with its lines', async () => {
    const task = sandbox.records('TASK').find((t) => t.STATUS === 'active')!;
    const r = await one(timesheet('E1001', entry({ ENTRYDATE: '06/02/2025', QTY: '8', PROJECTID: task.PROJECTID, TASKID: task.TASKID, COSTTYPEID: 'LAB', TIMETYPE: 'Regular' }) + entry({ ENTRYDATE: '06/03/2025', QTY: '1.25', ITEMID: 'EQ-0001', DESCRIPTION: 'Excavator & <operator>' })));
    expect(r.status).toBe('success');
    const no = r.data.timesheet.RECORDNO;
    const lines = sandbox.records('TIMESHEETENTRY').filter((l) => l.TIMESHEETKEY === no);
    expect(lines.map((l) => [l.LINENO, l.QTY, l.TASKKEY])).toEqual([['1', '8', task.RECORDNO], ['2', '1.25', '']]);
    const header = rows(await one(q('TIMESHEET', ['RECORDNO', 'EMPLOYEEID', 'BEGINDATE', 'ENDDATE', 'STATE'], `<filter><equalto><field>RECORDNO</field><value>${no}</value></equalto></filter>`)), 'TIMESHEET')[0];
    expect(header).toMatchObject({ EMPLOYEEID: 'E1001', BEGINDATE: '06/02/2025', ENDDATE: '06/08/2025', STATE: 'Submitted' });
    const rbq = rows(await one(`<readByQuery><object>TIMESHEET</object><fields>RECORDNO,STATE</fields><query>RECORDNO = ${no} AND STATE = 'S'</query></readByQuery>`), 'timesheet');
    expect(rbq).toEqual([{ RECORDNO: no, STATE: 'S' }]);
  });

  test('business-rule errors: unknown employee, bad dates, non-numeric QTY, unknown project/task/cost type', async () => {
    const cases: Array<[string, string, string]> = [
      ['NOPE', entry({ ENTRYDATE: '06/02/2025', QTY: '1' }), 'Invalid Employee NOPE'],
      ['E1009', entry({ ENTRYDATE: '06/02/2025', QTY: '1' }), 'is inactive'],
      ['E1001', entry({ ENTRYDATE: '2025-06-02', QTY: '1' }), "ENTRYDATE '2025-06-02' is not a valid date"],
      ['E1001', entry({ ENTRYDATE: '06/20/2025', QTY: '1' }), 'outside the timesheet period'],
      ['E1001', entry({ ENTRYDATE: '06/02/2025', QTY: 'eight' }), "QTY 'eight' is not a number"],
      ['E1001', entry({ ENTRYDATE: '06/02/2025', QTY: '1', PROJECTID: 'NOPE' }), 'Invalid Project NOPE'],
      ['E1001', entry({ ENTRYDATE: '06/02/2025', QTY: '1', PROJECTID: 'P-0001', TASKID: 'NOPE' }), 'Invalid Task NOPE for project P-0001'],
      ['E1001', entry({ ENTRYDATE: '06/02/2025', QTY: '1', PROJECTID: 'P-0001', TASKID: '01-SITE', COSTTYPEID: 'NOPE' }), 'Invalid Cost type NOPE'],
      ['E1001', '', 'at least one entry'],
    ];
    for (const [employee, entries, message] of cases) {
      const r = await one(timesheet(employee, entries));
      expect(r.status).toBe('failure');
      const errs = errorsOf(r);
      expect(errs.map((e) => e.description2).join('\n')).toContain(message);
      expect(errs[errs.length - 1].description2).toBe('Could not create Timesheet record!');
    }
    expect((await one(timesheet('E1001', entry({ ENTRYDATE: '06/02/2025', QTY: '1' }), '13/45/2025'))).status).toBe('failure');
    expect(sandbox.records('TIMESHEET')).toHaveLength(0);
  });
});

describe('transactions and uniqueid', () => {
  test('transaction="true": one failure rolls back the whole operation; the others are aborted', async () => {
    const before = sandbox.store.counts();
    const statsBefore = sandbox.stats().transactions.total;
    const doc = await call({
      transaction: true,
      fns: [
        ['a', '<create><CUSTOMER><CUSTOMERID>TX-1</CUSTOMERID><NAME>one</NAME></CUSTOMER></create>'],
        ['b', `<update><EMPLOYEE><EMPLOYEEID>E1001</EMPLOYEEID><TITLE>changed</TITLE></EMPLOYEE></update>`],
        ['c', '<create><CUSTOMER><CUSTOMERID>TX-1</CUSTOMERID><NAME>duplicate</NAME></CUSTOMER></create>'],
        ['d', '<create><CUSTOMER><CUSTOMERID>TX-2</CUSTOMERID><NAME>never</NAME></CUSTOMER></create>'],
      ],
    });
    const rs = results(doc);
    expect(rs.map((r) => r.status)).toEqual(['aborted', 'aborted', 'failure', 'aborted']);
    expect(errorsOf(rs[0])[0].errorno).toBe('XL03000009');
    expect(errorsOf(rs[2]).map((e) => e.errorno)).toEqual(['BL34000061', 'BL01001973', 'XL03000009']);
    expect(sandbox.store.counts()).toEqual(before);
    expect(sandbox.store.findByKey('EMPLOYEE', { EMPLOYEEID: 'E1001' })!.TITLE).not.toBe('changed');
    expect(sandbox.stats().transactions.total).toBe(statsBefore);

    const ok = await call({ transaction: true, fns: [['a2', '<create><CUSTOMER><CUSTOMERID>TX-1</CUSTOMERID><NAME>one</NAME></CUSTOMER></create>'], ['b2', '<create><CUSTOMER><CUSTOMERID>TX-2</CUSTOMERID><NAME>two</NAME></CUSTOMER></create>']] });
    expect(results(ok).map((r) => r.status)).toEqual(['success', 'success']);
    expect(sandbox.store.counts().CUSTOMER).toBe(before.CUSTOMER + 2);
  });

  test('without a transaction each function stands alone', async () => {
    const doc = await call({ fns: [['a', '<create><CUSTOMER><CUSTOMERID>S-1</CUSTOMERID><NAME>one</NAME></CUSTOMER></create>'], ['b', '<create><CUSTOMER><CUSTOMERID>S-1</CUSTOMERID><NAME>dup</NAME></CUSTOMER></create>']] });
    expect(results(doc).map((r) => r.status)).toEqual(['success', 'failure']);
  });

  test('uniqueid=true refuses a function controlid that already completed (no second record)', async () => {
    const create = (name: string) => `<create><TIMESHEET><EMPLOYEEID>E1001</EMPLOYEEID><BEGINDATE>06/02/2025</BEGINDATE><TIMESHEETENTRIES>${entry({ ENTRYDATE: '06/02/2025', QTY: '4', DESCRIPTION: name })}</TIMESHEETENTRIES></TIMESHEET></create>`;
    const first = await call({ uniqueId: true, fns: [['ts-E1001-2025-06-02', create('first')]] });
    expect(results(first)[0].status).toBe('success');
    const again = await call({ uniqueId: true, controlId: 'retry', fns: [['ts-E1001-2025-06-02', create('second')]] });
    const [r] = results(again);
    expect(r).toMatchObject({ status: 'failure', controlid: 'ts-E1001-2025-06-02' });
    expect(errorsOf(r)[0]).toMatchObject({
      errorno: 'XL03000007',
      description: "A function with control ID 'ts-E1001-2025-06-02' was already executed in a previous request (uniqueid=true)",
    });
    expect(sandbox.records('TIMESHEET')).toHaveLength(1);
    // uniqueid omitted means true (the documented default); uniqueid=false runs it again.
    expect(results(await call({ uniqueId: null, fns: [['ts-E1001-2025-06-02', create('third')]] }))[0].status).toBe('failure');
    expect(results(await call({ uniqueId: false, fns: [['ts-E1001-2025-06-02', create('fourth')]] }))[0].status).toBe('success');
    expect(sandbox.records('TIMESHEET')).toHaveLength(2);
  });

  test('a function that failed can be retried with the same controlid', async () => {
    const bad = await call({ uniqueId: true, fns: [['c-1', '<create><CUSTOMER><CUSTOMERID>U-1</CUSTOMERID></CUSTOMER></create>']] });
    expect(results(bad)[0].status).toBe('failure');
    const good = await call({ uniqueId: true, fns: [['c-1', '<create><CUSTOMER><CUSTOMERID>U-1</CUSTOMERID><NAME>ok</NAME></CUSTOMER></create>']] });
    expect(results(good)[0].status).toBe('success');
  });
});

describe('limits and faults', () => {
  test('one request above the concurrency cap is answered at once with HTTP 429 / GW-0010 and counted', async () => {
    await control('PUT', 'faults', { latencyMs: 400, concurrencyCap: 2 });
    sandbox.resetStats();
    const body = envelope({ fns: [['l', '<lookup><object>ITEM</object></lookup>']] });
    const replies = await Promise.all([0, 1, 2].map(() => post(sandbox.endpointUrl, body)));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    const rejected = replies.find((r) => r.status === 429)!;
    expect(rejected.doc.response.control.status).toBe('failure');
    expect(rejected.doc.response.errormessage.error[0].errorno).toBe('GW-0010');
    const stats = (await control('GET', 'stats')).json;
    expect(stats.rejectedForRate).toBe(1);
    expect(stats.peakConcurrency).toBe(2);
    expect(stats.requests).toBe(3);
  });

  test('latency is time to response, counted from arrival: concurrent requests wait side by side', async () => {
    await control('PUT', 'faults', { latencyMs: 2000, concurrencyCap: 2 });
    sandbox.resetStats();
    const body = envelope({ fns: [['q', '<query><object>EMPLOYEE</object><select><field>RECORDNO</field><field>EMPLOYEEID</field></select><pagesize>2000</pagesize></query>']] });
    const answered: string[] = [];
    const replies = [0, 1].map((i) =>
      post(sandbox.endpointUrl, body).then((r) => {
        answered.push(`query ${i}`);
        return r;
      }),
    );
    // Both have arrived and are held: the control API (no latency) answers while they wait.
    for (let i = 0; i < 200 && sandbox.stats().concurrency.current < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const stats = (await control('GET', 'stats')).json;
    answered.push('stats');
    expect(stats.concurrency.current).toBe(2);
    expect((await Promise.all(replies)).map((r) => r.status)).toEqual([200, 200]);
    expect(answered[0]).toBe('stats');
    // Waiting side by side, not one after the other.
    expect(sandbox.stats().peakConcurrency).toBe(2);
    expect(sandbox.stats().rejectedForRate).toBe(0);
  });

  test('injected server errors are HTTP 5xx with an empty body; counted faults are deterministic', async () => {
    await control('PUT', 'faults', { failNextRequests: 2 });
    const body = envelope({ fns: [['l', '<lookup><object>ITEM</object></lookup>']] });
    const a = await post(sandbox.endpointUrl, body);
    const b = await post(sandbox.endpointUrl, body);
    const c = await post(sandbox.endpointUrl, body);
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(a.text).toBe('');
    await control('PUT', 'faults', { errorRate: 1, errorStatus: 502 });
    expect((await post(sandbox.endpointUrl, body)).status).toBe(502);
    await control('PUT', 'faults', { errorRate: 0 });
    expect((await control('GET', 'stats')).json.faultsInjected.serverErrors).toBeGreaterThanOrEqual(3);
  });

  test('a fault after execution: the write happened, the client saw a 5xx, uniqueid makes the retry safe', async () => {
    await control('PUT', 'faults', { failNextRequests: 1, faultsAfterExecute: true });
    const body = envelope({ uniqueId: true, fns: [['cust-AE-1', '<create><CUSTOMER><CUSTOMERID>AE-1</CUSTOMERID><NAME>after</NAME></CUSTOMER></create>']] });
    expect((await post(sandbox.endpointUrl, body)).status).toBe(503);
    expect(sandbox.store.findByKey('CUSTOMER', { CUSTOMERID: 'AE-1' })).toBeDefined();
    const retry = await post(sandbox.endpointUrl, body);
    expect(errorsOf(results(retry.doc)[0])[0].errorno).toBe('XL03000007');
  });

  test('a hung request never answers; the client times out and the slot is freed', async () => {
    await control('PUT', 'faults', { hangNextRequests: 1, concurrencyCap: 1 });
    const body = envelope({ fns: [['l', '<lookup><object>ITEM</object></lookup>']] });
    const hung = await fetch(sandbox.endpointUrl, { method: 'POST', headers: { 'content-type': 'application/xml' }, body, signal: AbortSignal.timeout(300) }).then(
      () => 'answered',
      (err: Error) => err.name,
    );
    expect(hung).toBe('TimeoutError');
    // The slot comes back once the client has gone.
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await post(sandbox.endpointUrl, body)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    expect(sandbox.stats().faultsInjected.timeouts).toBe(1);
  });

  test('off-line: "The Service is Temporarily Off-line"', async () => {
    await control('PUT', 'faults', { offline: true });
    const doc = await call({ fns: [['l', '<lookup><object>ITEM</object></lookup>']] });
    expect(doc.response.control.status).toBe('failure');
    expect(doc.response.errormessage.error[0]).toMatchObject({ description: 'The Service is Temporarily Off-line', correction: 'Please Try Again Later' });
  });

  test('denied objects answer PL04000005 permission errors', async () => {
    await control('PUT', 'faults', { deniedObjects: ['TIMESHEET'] });
    const r = await one(q('TIMESHEET', ['RECORDNO']));
    expect(errorsOf(r)[0].errorno).toBe('PL04000005');
    expect((await one(q('EMPLOYEE', ['RECORDNO']))).status).toBe('success');
  });

  test('bad fault values are refused with the field named', async () => {
    const res = await control('PUT', 'faults', { errorRate: 2 });
    expect(res.status).toBe(400);
    expect(res.json.error).toContain('errorRate');
  });
});

describe('control API', () => {
  test('stats meter transactions: each query 1, each record written 1, a timesheet with entries 1', async () => {
    await control('POST', 'reset');
    await control('POST', 'seed', { scale: 'demo' });
    const { session, endpoint } = await openSession();
    await call({
      auth: { session },
      fns: [
        ['q1', q('EMPLOYEE', ['RECORDNO'], '<pagesize>2000</pagesize>')],
        ['q2', '<readByQuery><object>CUSTOMER</object><fields>RECORDNO</fields><query></query><pagesize>10</pagesize></readByQuery>'],
        ['q3', '<readMore><object>CUSTOMER</object></readMore>'],
        ['c1', '<create><CUSTOMER><CUSTOMERID>M-1</CUSTOMERID><NAME>a</NAME></CUSTOMER><CUSTOMER><CUSTOMERID>M-2</CUSTOMERID><NAME>b</NAME></CUSTOMER></create>'],
        ['t1', timesheet('E1001', entry({ ENTRYDATE: '06/02/2025', QTY: '1' }) + entry({ ENTRYDATE: '06/03/2025', QTY: '2' }) + entry({ ENTRYDATE: '06/04/2025', QTY: '3' }))],
        ['l1', '<lookup><object>EMPLOYEE</object></lookup>'],
        ['bad', q('EMPLOYEE', ['NOPE'])],
      ],
    }, endpoint);
    const stats = (await control('GET', 'stats')).json;
    expect(stats.transactions.total).toBe(1 + 1 + 1 + 2 + 1);
    expect(stats.transactions.byFunction).toEqual({ query: 1, readByQuery: 1, readMore: 1, create: 3 });
    expect(stats.transactions.byObject).toEqual({ EMPLOYEE: 1, CUSTOMER: 4, TIMESHEET: 1 });
    expect(stats.transactions.byFunctionAndObject['create TIMESHEET']).toBe(1);
    expect(stats.functions).toMatchObject({ getAPISession: 1, query: 2, lookup: 1 });
    expect(stats.functionFailures).toBe(1);
    expect(stats.sessionsOpened).toBe(1);
    expect(stats.requests).toBe(2);
  });

  test('reset clears data and counters; seed loads a scale or explicit records', async () => {
    const bare = await fetch(`${sandbox.controlUrl}/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(bare.status).toBe(200);
    const reset = await control('POST', 'reset');
    expect(reset.json.records.EMPLOYEE).toBe(0);
    expect((await control('GET', 'stats')).json.requests).toBe(0);
    const seeded = await control('POST', 'seed', {
      records: {
        CUSTOMER: [{ CUSTOMERID: 'X-1', NAME: 'Explicit & Co', STATUS: 'inactive', WHENMODIFIED: '' }],
        PROJECT: [{ PROJECTID: 'XP-1', NAME: 'Explicit project', CUSTOMERID: 'X-1', WHENMODIFIED: '2025-06-01T16:00:00Z' }],
      },
    });
    expect(seeded.status).toBe(200);
    expect(seeded.json.seeded).toEqual({ CUSTOMER: 1, PROJECT: 1 });
    const projects = (await control('GET', 'records/PROJECT')).json;
    expect(projects).toEqual([expect.objectContaining({ PROJECTID: 'XP-1', CUSTOMERNAME: 'Explicit & Co', STATUS: 'active', WHENMODIFIED: '06/01/2025 10:00:00' })]);
    expect((await control('GET', 'records/CUSTOMER')).json[0]).toMatchObject({ STATUS: 'inactive', WHENMODIFIED: '' });
    expect((await control('POST', 'seed', { records: { CUSTOMER: [{ NOPE: 1, CUSTOMERID: 'Y' }] } })).status).toBe(400);
    expect((await control('POST', 'seed', { scale: 'huge' })).status).toBe(400);
  });

  test('GET records returns every field as query does; POST upserts by ID like a UI edit; DELETE leaves AUDITHISTORY', async () => {
    const emps = (await control('GET', 'records/EMPLOYEE')).json as Array<Record<string, string>>;
    expect(emps).toHaveLength(sandbox.store.count('EMPLOYEE'));
    expect(Object.keys(emps[0])).toEqual(expect.arrayContaining(['RECORDNO', 'EMPLOYEEID', 'STATUS', 'CONTACT.EMAIL1', 'WHENMODIFIED']));
    expect(emps.every((e) => e.STATUS === 'active' || e.STATUS === 'inactive')).toBe(true);

    const target = emps[0];
    const saved = await control('POST', 'records/EMPLOYEE', [{ EMPLOYEEID: target.EMPLOYEEID, TITLE: 'Edited in the UI' }, { EMPLOYEEID: 'E9999', 'CONTACT.FIRSTNAME': 'New', 'CONTACT.LASTNAME': 'Hire' }]);
    expect(saved.status).toBe(200);
    expect(saved.json[0]).toMatchObject({ RECORDNO: target.RECORDNO, TITLE: 'Edited in the UI', 'CONTACT.LASTNAME': target['CONTACT.LASTNAME'] });
    expect(saved.json[0].WHENMODIFIED).not.toBe(target.WHENMODIFIED);
    expect(saved.json[1]).toMatchObject({ EMPLOYEEID: 'E9999', STATUS: 'active' });

    const bad = await control('POST', 'records/PROJECT', [{ PROJECTID: 'BAD-1', NAME: 'x', CUSTOMERID: 'NOPE' }]);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('Invalid Customer NOPE');

    const del = await control('DELETE', `records/EMPLOYEE/${target.EMPLOYEEID}`);
    expect(del.status).toBe(200);
    expect(del.json.deleted.EMPLOYEEID).toBe(target.EMPLOYEEID);
    const audit = (await control('GET', 'records/AUDITHISTORY')).json;
    expect(audit).toEqual([expect.objectContaining({ OBJECTTYPE: 'employee', OBJECTKEY: `${target.RECORDNO}--REC`, ACCESSMODE: 'D', USERID: 'Admin' })]);
    expect((await control('DELETE', `records/EMPLOYEE/${target.EMPLOYEEID}`)).status).toBe(404);
    // TASKID is unique per project only
    expect((await control('DELETE', 'records/TASK/01-SITE')).status).toBe(409);
    expect((await control('DELETE', 'records/TASK/01-SITE?PROJECTID=P-0001')).status).toBe(200);
    expect((await control('DELETE', 'records/ITEMGLGROUP/Equipment')).status).toBe(200);
    expect((await control('GET', 'records/WIDGET')).status).toBe(404);
  });
});
