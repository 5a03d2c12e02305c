/**
 * TIMESHEET in the Sage Intacct sandbox over real HTTP, spoken to in raw XML (reference §4.1, §1.5, §6): the
 * business rules of a create and an update (employee, project, task, item and cost type exist and are active;
 * required fields; entry dates inside the period; QTY), answered as business errors naming the line and field;
 * independent functions in one request; `uniqueid` per function controlid across requests (and restarts);
 * an update replaces every line; approved time refuses update and delete; reading back by EMPLOYEEID +
 * BEGINDATE + a description marker, through `query`, `read` and the control API; hostile text round-trips.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';
import { classifyErrors } from '../../src/sage/classify';
import { SageAlreadyDoneError, SageBusinessError } from '../../src/sage/errors';

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
  fns: Array<[controlId: string, xml: string]>;
  uniqueId?: boolean;
  transaction?: boolean;
  controlId?: string;
}

function envelope(sb: SageSandbox, e: Envelope): string {
  const c = sb.credentials;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${esc(c.senderId)}</senderid><password>${esc(c.senderPassword)}</password>` +
    `<controlid>${e.controlId ?? 'req-1'}</controlid><uniqueid>${e.uniqueId === false ? 'false' : 'true'}</uniqueid><dtdversion>3.0</dtdversion>` +
    `<includewhitespace>false</includewhitespace></control>` +
    `<operation transaction="${e.transaction ? 'true' : 'false'}"><authentication><login><userid>${c.userId}</userid><companyid>${c.companyId}</companyid>` +
    `<password>${esc(c.userPassword)}</password></login></authentication><content>` +
    e.fns.map(([id, xml]) => `<function controlid="${esc(id)}">${xml}</function>`).join('') +
    `</content></operation></request>`
  );
}

async function call(e: Envelope, sb: SageSandbox = sandbox): Promise<any[]> {
  const res = await fetch(sb.endpointUrl, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: envelope(sb, e) });
  expect(res.status).toBe(200);
  const doc: Doc = parser.parse(await res.text());
  expect(doc.response.control.status).toBe('success');
  return asArray(doc.response.operation?.[0]?.result);
}

const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined || x === '' ? [] : Array.isArray(x) ? x : [x]);
const rows = (result: any, element: string): Array<Record<string, string>> => asArray(result.data?.[element]);
interface GatewayErrorXml {
  errorno: string;
  description: string;
  description2: string;
  correction: string;
}
const errorsOf = (result: any): GatewayErrorXml[] => asArray(result?.errormessage?.error);

/** Function controlids are unique per call unless a test names one (every request here has uniqueid=true). */
let sequence = 0;
const nextId = (): string => `f-${++sequence}`;

async function one(xml: string, controlId = nextId()): Promise<any> {
  const [r] = await call({ fns: [[controlId, xml]] });
  return r;
}

async function control(method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sandbox.controlUrl}/${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

type Fields = Record<string, string | undefined>;

const fieldsXml = (fields: Fields): string =>
  Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${esc(v!)}</${k}>`)
    .join('');
const entriesXml = (entries: Fields[] | undefined): string =>
  entries === undefined ? '' : `<TIMESHEETENTRIES>${entries.map((e) => `<TIMESHEETENTRY>${fieldsXml(e)}</TIMESHEETENTRY>`).join('')}</TIMESHEETENTRIES>`;
const createXml = (header: Fields, entries: Fields[] | undefined): string => `<create><TIMESHEET>${fieldsXml(header)}${entriesXml(entries)}</TIMESHEET></create>`;
const updateXml = (header: Fields, entries: Fields[] | undefined): string => `<update><TIMESHEET>${fieldsXml(header)}${entriesXml(entries)}</TIMESHEET></update>`;
const deleteXml = (recordNo: string): string => `<delete><object>TIMESHEET</object><keys>${recordNo}</keys></delete>`;
const select = (...fields: string[]): string => `<select>${fields.map((f) => `<field>${f}</field>`).join('')}</select>`;
const queryXml = (object: string, fields: string[], filter: string, rest = ''): string =>
  `<query><object>${object}</object>${select(...fields)}<filter>${filter}</filter>${rest}</query>`;
const eq = (field: string, value: string): string => `<equalto><field>${field}</field><value>${esc(value)}</value></equalto>`;

const HEADER: Fields = { EMPLOYEEID: 'E-1', BEGINDATE: '06/02/2025', DESCRIPTION: 'Week 23', STATE: 'Submitted' };
const GOOD: Fields = { ENTRYDATE: '06/02/2025', QTY: '8', PROJECTID: 'P-ACT', TASKID: 'T-ACT', ITEMID: 'L-CARP', COSTTYPEID: 'LAB', TIMETYPE: 'Regular', DESCRIPTION: 'Formwork' };
const ENTRY_FIELDS = ['RECORDNO', 'TIMESHEETKEY', 'LINENO', 'EMPLOYEEID', 'ENTRYDATE', 'QTY', 'PROJECTID', 'TASKID', 'ITEMID', 'COSTTYPEID', 'TIMETYPE', 'DESCRIPTION', 'NOTES', 'STATE'];

function seedTenant(sb: SageSandbox): void {
  sb.seed(
    {
      CUSTOMER: [{ CUSTOMERID: 'C-1', NAME: 'Acme Builders' }, { CUSTOMERID: 'C-OFF', NAME: 'Gone Ltd', STATUS: 'inactive' }],
      PROJECT: [
        { PROJECTID: 'P-ACT', NAME: 'Tower', CUSTOMERID: 'C-1' },
        { PROJECTID: 'P-OFF', NAME: 'Closed job', STATUS: 'inactive' },
        { PROJECTID: 'P-B', NAME: 'Bridge' },
      ],
      TASK: [
        { TASKID: 'T-ACT', NAME: 'Formwork', PROJECTID: 'P-ACT' },
        { TASKID: 'T-OFF', NAME: 'Old phase', PROJECTID: 'P-ACT', STATUS: 'inactive' },
        { TASKID: 'T-B', NAME: 'Deck', PROJECTID: 'P-B' },
      ],
      ITEM: [{ ITEMID: 'L-CARP', NAME: 'Carpenter' }, { ITEMID: 'L-OFF', NAME: 'Retired role', STATUS: 'inactive' }],
      STANDARDCOSTTYPE: [{ STANDARDCOSTTYPEID: 'LAB', NAME: 'Labor' }, { STANDARDCOSTTYPEID: 'OLD', NAME: 'Old labor', STATUS: 'inactive' }],
      EMPLOYEE: [{ EMPLOYEEID: 'E-1' }, { EMPLOYEEID: 'E-2' }, { EMPLOYEEID: 'E-3' }, { EMPLOYEEID: 'E-OFF', STATUS: 'inactive' }],
    },
    true,
  );
}

const timesheetCount = (): number => sandbox.store.count('TIMESHEET');
const entryCount = (): number => sandbox.store.count('TIMESHEETENTRY');
const linesOf = (recordNo: string) => sandbox.records('TIMESHEETENTRY').filter((l) => l.TIMESHEETKEY === recordNo);

async function createOk(header: Fields = HEADER, entries: Fields[] = [GOOD], controlId = nextId()): Promise<string> {
  const r = await one(createXml(header, entries), controlId);
  expect(errorsOf(r)).toEqual([]);
  expect(r.status).toBe('success');
  return r.data.timesheet.RECORDNO as string;
}

beforeAll(async () => {
  sandbox = await startSageSandbox({ port: 0, seed: 'none' });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await control('DELETE', 'faults');
  seedTenant(sandbox); // replaces data and forgets executed controlids
});

/** The refusal of one function: business errors naming where, then the generic one; nothing written. */
function expectRefused(r: any, expected: Array<[description2: string, description: string]>, action: 'create' | 'update' | 'delete' = 'create'): void {
  expect(r.status).toBe('failure');
  const errs = errorsOf(r);
  expect(errs.map((e) => [e.description2, e.description])).toEqual([...expected, [`Could not ${action} Timesheet record!`, `Could not ${action} Timesheet record!`]]);
  for (const e of errs) expect(e.errorno).toBe('BL01001973');
  for (const e of errs.slice(0, -1)) expect(e.correction).not.toBe('');
  // The product's client sees a business error, not "already done" and not a transient failure.
  expect(classifyErrors('result', errs, { functionName: r.function, controlId: r.controlid, status: r.status })).toBeInstanceOf(SageBusinessError);
  if (action !== 'delete') expect(r.data).toMatchObject({ '@listtype': 'objects', '@count': '0' });
}

describe('create: references must exist and be active', () => {
  const taskKey = (taskId: string, projectId: string) => sandbox.store.findByKey('TASK', { PROJECTID: projectId, TASKID: taskId })!.RECORDNO;
  const cases: Array<[name: string, header: Fields, bad: () => Fields, description2: string]> = [
    ['unknown employee', { EMPLOYEEID: 'E-NOPE' }, () => ({}), 'EMPLOYEEID: Invalid Employee E-NOPE'],
    ['inactive employee', { EMPLOYEEID: 'E-OFF' }, () => ({}), 'EMPLOYEEID: Employee E-OFF is inactive'],
    ['unknown project', {}, () => ({ PROJECTID: 'P-NOPE', TASKID: undefined, COSTTYPEID: undefined }), 'Line 2, PROJECTID: Invalid Project P-NOPE'],
    ['inactive project', {}, () => ({ PROJECTID: 'P-OFF', TASKID: undefined, COSTTYPEID: undefined }), 'Line 2, PROJECTID: Project P-OFF is inactive'],
    ['unknown task', {}, () => ({ TASKID: 'T-NOPE' }), 'Line 2, TASKID: Invalid Task T-NOPE for project P-ACT'],
    ['a task of another project', {}, () => ({ TASKID: 'T-B' }), 'Line 2, TASKID: Invalid Task T-B for project P-ACT'],
    ['inactive task', {}, () => ({ TASKID: 'T-OFF' }), 'Line 2, TASKID: Task T-OFF is inactive for project P-ACT'],
    ['inactive task by TASKKEY', {}, () => ({ TASKID: undefined, TASKKEY: taskKey('T-OFF', 'P-ACT') }), 'Line 2, TASKKEY: Task T-OFF of project P-ACT is inactive'],
    ['unknown TASKKEY', {}, () => ({ TASKID: undefined, TASKKEY: '999999' }), 'Line 2, TASKKEY: Invalid Task key 999999'],
    ['a task without its project', {}, () => ({ PROJECTID: undefined, COSTTYPEID: undefined }), 'Line 2, TASKID: TASKID T-ACT needs a PROJECTID'],
    ['unknown item', {}, () => ({ ITEMID: 'I-NOPE' }), 'Line 2, ITEMID: Invalid Item I-NOPE'],
    ['inactive item', {}, () => ({ ITEMID: 'L-OFF' }), 'Line 2, ITEMID: Item L-OFF is inactive'],
    ['unknown cost type', {}, () => ({ COSTTYPEID: 'CT-NOPE' }), 'Line 2, COSTTYPEID: Invalid Cost type CT-NOPE'],
    ['inactive cost type', {}, () => ({ COSTTYPEID: 'OLD' }), 'Line 2, COSTTYPEID: Cost type OLD is inactive'],
    ['a cost type without a task', {}, () => ({ TASKID: undefined }), 'Line 2, COSTTYPEID: COSTTYPEID LAB needs a PROJECTID and a TASKID'],
    ['inactive customer', {}, () => ({ CUSTOMERID: 'C-OFF' }), 'Line 2, CUSTOMERID: Customer C-OFF is inactive'],
  ];

  test.each(cases)('%s: a business error naming it, and nothing is created', async (_name, header, bad, description2) => {
    const before = sandbox.store.counts();
    const r = await one(createXml({ ...HEADER, ...header }, [GOOD, { ...GOOD, ENTRYDATE: '06/03/2025', ...bad() }]));
    expectRefused(r, [[description2, description2.startsWith('Line') ? 'Invalid timesheet entry' : 'Invalid timesheet']]);
    expect(sandbox.store.counts()).toEqual(before);
  });
});

describe('create: required fields, dates and hours', () => {
  const cases: Array<[name: string, header: Fields, line2: Fields | null, description2: string]> = [
    ['missing EMPLOYEEID', { EMPLOYEEID: undefined }, {}, 'EMPLOYEEID: Required field EMPLOYEEID is missing'],
    ['missing BEGINDATE', { BEGINDATE: undefined }, {}, 'BEGINDATE: Required field BEGINDATE is missing'],
    ['ISO BEGINDATE', { BEGINDATE: '2025-06-02' }, {}, "BEGINDATE: BEGINDATE '2025-06-02' is not a valid date (expected MM/DD/YYYY)"],
    ['impossible BEGINDATE', { BEGINDATE: '02/30/2025' }, {}, "BEGINDATE: BEGINDATE '02/30/2025' is not a valid date (expected MM/DD/YYYY)"],
    ['STATE other than Draft/Submitted', { STATE: 'Approved' }, {}, "STATE: STATE must be Draft or Submitted (got 'Approved')"],
    ['no entries', {}, null, 'TIMESHEETENTRIES: A timesheet needs at least one entry (TIMESHEETENTRIES/TIMESHEETENTRY)'],
    ['missing ENTRYDATE', {}, { ENTRYDATE: undefined }, 'Line 2, ENTRYDATE: Required field ENTRYDATE is missing'],
    ['impossible ENTRYDATE', {}, { ENTRYDATE: '06/31/2025' }, "Line 2, ENTRYDATE: ENTRYDATE '06/31/2025' is not a valid date (expected MM/DD/YYYY)"],
    ['ENTRYDATE the day before BEGINDATE', {}, { ENTRYDATE: '06/01/2025' }, 'Line 2, ENTRYDATE: ENTRYDATE 06/01/2025 is outside the timesheet period 06/02/2025 to 06/08/2025'],
    ['ENTRYDATE seven days after BEGINDATE', {}, { ENTRYDATE: '06/09/2025' }, 'Line 2, ENTRYDATE: ENTRYDATE 06/09/2025 is outside the timesheet period 06/02/2025 to 06/08/2025'],
    ['missing QTY', {}, { QTY: undefined }, 'Line 2, QTY: Required field QTY is missing'],
    ['zero QTY', {}, { QTY: '0' }, "Line 2, QTY: QTY must be greater than 0 (got '0')"],
    ['negative QTY', {}, { QTY: '-1.5' }, "Line 2, QTY: QTY must be greater than 0 (got '-1.5')"],
    ['non-numeric QTY', {}, { QTY: 'eight' }, "Line 2, QTY: QTY 'eight' is not a number"],
    ['QTY with three decimals', {}, { QTY: '1.255' }, 'Line 2, QTY: QTY 1.255 has more than 2 decimal places'],
    ['an unknown entry field', {}, { OVERTIME: 'yes' }, 'Line 2, OVERTIME: Invalid fields list OVERTIME for object TIMESHEETENTRY'],
  ];

  test.each(cases)('%s is refused and nothing is created', async (_name, header, line2, description2) => {
    const entries = line2 === null ? [] : [GOOD, { ...GOOD, ENTRYDATE: '06/03/2025', ...line2 }];
    const r = await one(createXml({ ...HEADER, ...header }, entries));
    expectRefused(r, [[description2, description2.startsWith('Line') ? 'Invalid timesheet entry' : 'Invalid timesheet']]);
    expect([timesheetCount(), entryCount()]).toEqual([0, 0]);
  });

  test('every problem is reported, each naming its line and field', async () => {
    const r = await one(
      createXml({ ...HEADER, EMPLOYEEID: 'E-OFF' }, [
        { ...GOOD, QTY: '0' },
        GOOD,
        { ...GOOD, ENTRYDATE: '06/10/2025', PROJECTID: 'P-OFF', TASKID: undefined, COSTTYPEID: undefined, ITEMID: 'L-OFF' },
      ]),
    );
    expectRefused(r, [
      ['EMPLOYEEID: Employee E-OFF is inactive', 'Invalid timesheet'],
      ["Line 1, QTY: QTY must be greater than 0 (got '0')", 'Invalid timesheet entry'],
      ['Line 3, ENTRYDATE: ENTRYDATE 06/10/2025 is outside the timesheet period 06/02/2025 to 06/08/2025', 'Invalid timesheet entry'],
      ['Line 3, PROJECTID: Project P-OFF is inactive', 'Invalid timesheet entry'],
      ['Line 3, ITEMID: Item L-OFF is inactive', 'Invalid timesheet entry'],
    ]);
    expect([timesheetCount(), entryCount()]).toEqual([0, 0]);
  });

  test('the edges of the rules are accepted: first and last day of the week, 0.25 h, any time type, Draft by default', async () => {
    const r = await one(
      createXml({ ...HEADER, STATE: undefined }, [
        { ...GOOD, ENTRYDATE: '06/02/2025', QTY: '0.25', TIMETYPE: 'Double time (public holiday)' },
        { ...GOOD, ENTRYDATE: '06/08/2025', QTY: '7.50' },
        { ENTRYDATE: '06/05/2025', QTY: '10', PROJECTID: 'P-B' },
        { ...GOOD, ENTRYDATE: '06/06/2025', QTY: '2', TASKID: undefined, TASKKEY: sandbox.store.findByKey('TASK', { PROJECTID: 'P-ACT', TASKID: 'T-ACT' })!.RECORDNO },
      ]),
    );
    expect(errorsOf(r)).toEqual([]);
    const no = r.data.timesheet.RECORDNO as string;
    expect(sandbox.records('TIMESHEET').find((t) => t.RECORDNO === no)).toMatchObject({ STATE: 'Draft', BEGINDATE: '06/02/2025', ENDDATE: '06/08/2025' });
    expect(linesOf(no).map((l) => [l.LINENO, l.ENTRYDATE, l.QTY, l.TIMETYPE, l.TASKID, l.STATE])).toEqual([
      ['1', '06/02/2025', '0.25', 'Double time (public holiday)', 'T-ACT', 'Draft'],
      ['2', '06/08/2025', '7.50', 'Regular', 'T-ACT', 'Draft'],
      ['3', '06/05/2025', '10', '', '', 'Draft'],
      ['4', '06/06/2025', '2', 'Regular', 'T-ACT', 'Draft'],
    ]);
  });

  test('the QTY decimal places and the period length are knobs', async () => {
    expect((await one(createXml(HEADER, [{ ...GOOD, QTY: '1.2345' }]))).status).toBe('failure');
    expect((await control('PUT', 'faults', { timesheetQtyDecimals: 4, timesheetPeriodDays: 14 })).status).toBe(200);
    await createOk(HEADER, [{ ...GOOD, QTY: '1.2345' }, { ...GOOD, ENTRYDATE: '06/15/2025' }]);
    const bad = await control('PUT', 'faults', { timesheetQtyDecimals: 2.5 });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('timesheetQtyDecimals');
  });
});

describe('several functions in one request (reference §1.5)', () => {
  test('one bad timesheet among three: the other two are created, the bad one writes nothing', async () => {
    const metered = sandbox.stats().transactions.byFunctionAndObject['create TIMESHEET'] ?? 0;
    const rs = await call({
      fns: [
        ['ts-E-1', createXml({ ...HEADER, EMPLOYEEID: 'E-1' }, [GOOD])],
        ['ts-E-2', createXml({ ...HEADER, EMPLOYEEID: 'E-2' }, [GOOD, { ...GOOD, PROJECTID: 'P-OFF', TASKID: undefined, COSTTYPEID: undefined }])],
        ['ts-E-3', createXml({ ...HEADER, EMPLOYEEID: 'E-3' }, [GOOD, { ...GOOD, QTY: '2.5' }])],
      ],
    });
    expect(rs.map((r) => [r.controlid, r.status])).toEqual([['ts-E-1', 'success'], ['ts-E-2', 'failure'], ['ts-E-3', 'success']]);
    expect(errorsOf(rs[1])[0].description2).toBe('Line 2, PROJECTID: Project P-OFF is inactive');
    expect(sandbox.records('TIMESHEET').map((t) => t.EMPLOYEEID).sort()).toEqual(['E-1', 'E-3']);
    expect(sandbox.records('TIMESHEETENTRY').map((l) => l.EMPLOYEEID).sort()).toEqual(['E-1', 'E-3', 'E-3']);
    expect((sandbox.stats().transactions.byFunctionAndObject['create TIMESHEET'] ?? 0) - metered).toBe(2);
  });

  test('as a transaction, the same request creates nothing', async () => {
    const rs = await call({
      transaction: true,
      fns: [
        ['tx-E-1', createXml({ ...HEADER, EMPLOYEEID: 'E-1' }, [GOOD])],
        ['tx-E-2', createXml({ ...HEADER, EMPLOYEEID: 'E-2' }, [{ ...GOOD, ITEMID: 'L-OFF' }])],
        ['tx-E-3', createXml({ ...HEADER, EMPLOYEEID: 'E-3' }, [GOOD])],
      ],
    });
    expect(rs.map((r) => r.status)).toEqual(['aborted', 'failure', 'aborted']);
    expect([timesheetCount(), entryCount()]).toEqual([0, 0]);
    // Nothing completed, so nothing is refused as a duplicate when the request is fixed and resent.
    const again = await call({ transaction: true, fns: [['tx-E-1', createXml({ ...HEADER, EMPLOYEEID: 'E-1' }, [GOOD])], ['tx-E-2', createXml({ ...HEADER, EMPLOYEEID: 'E-2' }, [GOOD])]] });
    expect(again.map((r) => r.status)).toEqual(['success', 'success']);
  });
});

describe('uniqueid: per function controlid, across requests (reference §6)', () => {
  test('a function controlid that created a timesheet is refused in a later request; the client reads it as already done', async () => {
    const controlId = 'ts-E-1-2025-06-02';
    const first = await createOk({ ...HEADER, DESCRIPTION: 'first' }, [GOOD], controlId);
    const [again] = await call({ controlId: 'req-2', fns: [[controlId, createXml({ ...HEADER, DESCRIPTION: 'second' }, [GOOD, GOOD])]] });
    expect(again).toMatchObject({ status: 'failure', function: 'create', controlid: controlId });
    const errs = errorsOf(again);
    expect(errs.map((e) => e.errorno)).toEqual(['XL03000007']);
    expect(classifyErrors('result', errs, { functionName: 'create', controlId, status: 'failure' })).toBeInstanceOf(SageAlreadyDoneError);
    expect(sandbox.records('TIMESHEET').map((t) => [t.RECORDNO, t.DESCRIPTION])).toEqual([[first, 'first']]);
    expect(linesOf(first)).toHaveLength(1);

    // The request controlid plays no part: the same request controlid with new function controlids runs.
    const rs = await call({ controlId: 'req-2', fns: [['ts-E-2-2025-06-02', createXml({ ...HEADER, EMPLOYEEID: 'E-2' }, [GOOD])]] });
    expect(rs[0].status).toBe('success');
    // A repeat within one request is refused too.
    const twice = await call({ fns: [['ts-E-3', createXml({ ...HEADER, EMPLOYEEID: 'E-3' }, [GOOD])], ['ts-E-3', createXml({ ...HEADER, EMPLOYEEID: 'E-3' }, [GOOD])]] });
    expect(twice.map((r) => r.status)).toEqual(['success', 'failure']);
    expect(errorsOf(twice[1])[0].errorno).toBe('XL03000007');
    expect(sandbox.records('TIMESHEET').map((t) => t.EMPLOYEEID)).toEqual(['E-1', 'E-2', 'E-3']);
    // uniqueid=false runs it again (a second timesheet for the same week: what the controlid prevents).
    const [unguarded] = await call({ uniqueId: false, fns: [[controlId, createXml(HEADER, [GOOD])]] });
    expect(unguarded.status).toBe('success');
  });

  test('a refused (business-error) function does not use up its controlid', async () => {
    const controlId = 'ts-E-1-fix';
    expect((await one(createXml(HEADER, [{ ...GOOD, ITEMID: 'L-OFF' }]), controlId)).status).toBe('failure');
    await createOk(HEADER, [GOOD], controlId);
    expect(timesheetCount()).toBe(1);
  });

  test('executed controlids survive a restart with the data file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sage-ts-'));
    const dataFile = path.join(dir, 'sage.json');
    const sb1 = await startSageSandbox({ port: 0, seed: 'none', dataFile });
    let sb2: SageSandbox | undefined;
    try {
      seedTenant(sb1);
      const [created] = await call({ fns: [['ts-persisted', createXml(HEADER, [GOOD])]] }, sb1);
      expect(created.status).toBe('success');
      await sb1.close();
      sb2 = await startSageSandbox({ port: 0, seed: 'none', dataFile });
      const [again] = await call({ fns: [['ts-persisted', createXml(HEADER, [GOOD])]] }, sb2);
      expect(errorsOf(again).map((e) => e.errorno)).toEqual(['XL03000007']);
      expect(sb2.records('TIMESHEET').map((t) => t.RECORDNO)).toEqual([created.data.timesheet.RECORDNO]);
      expect(sb2.records('TIMESHEETENTRY')).toHaveLength(1);
    } finally {
      await sb2?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading timesheets back', () => {
  test('query finds the timesheet by EMPLOYEEID + BEGINDATE + description marker; its lines by TIMESHEETKEY; read nests them', async () => {
    // Decoys: another employee the same week, the same employee another week, the same week another marker.
    await createOk({ ...HEADER, EMPLOYEEID: 'E-2', DESCRIPTION: 'Assignar export [x-1]' });
    await createOk({ ...HEADER, BEGINDATE: '06/09/2025', DESCRIPTION: 'Assignar export [x-1]' }, [{ ...GOOD, ENTRYDATE: '06/09/2025' }]);
    await createOk({ ...HEADER, DESCRIPTION: 'Assignar export [x-0]' });
    const wanted = await createOk({ ...HEADER, DESCRIPTION: 'Assignar export [x-1]' }, [GOOD, { ...GOOD, ENTRYDATE: '06/04/2025', QTY: '2.75', ITEMID: undefined, NOTES: 'late' }]);

    const filter = `<and>${eq('EMPLOYEEID', 'E-1')}${eq('BEGINDATE', '06/02/2025')}<like><field>DESCRIPTION</field><value>%[x-1]%</value></like></and>`;
    const found = rows(await one(queryXml('TIMESHEET', ['RECORDNO', 'EMPLOYEEID', 'BEGINDATE', 'ENDDATE', 'STATE', 'DESCRIPTION', 'WHENCREATED'], filter)), 'TIMESHEET');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ RECORDNO: wanted, EMPLOYEEID: 'E-1', BEGINDATE: '06/02/2025', ENDDATE: '06/08/2025', STATE: 'Submitted', DESCRIPTION: 'Assignar export [x-1]' });
    expect(found[0].WHENCREATED).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);

    const byLine = '<orderby><order><field>LINENO</field><ascending/></order></orderby>';
    const lines = rows(await one(queryXml('TIMESHEETENTRY', ENTRY_FIELDS, eq('TIMESHEETKEY', wanted), byLine)), 'TIMESHEETENTRY');
    expect(lines.map(({ RECORDNO: _r, ...rest }) => rest)).toEqual([
      { TIMESHEETKEY: wanted, LINENO: '1', EMPLOYEEID: 'E-1', ENTRYDATE: '06/02/2025', QTY: '8', PROJECTID: 'P-ACT', TASKID: 'T-ACT', ITEMID: 'L-CARP', COSTTYPEID: 'LAB', TIMETYPE: 'Regular', DESCRIPTION: 'Formwork', NOTES: '', STATE: 'Submitted' },
      { TIMESHEETKEY: wanted, LINENO: '2', EMPLOYEEID: 'E-1', ENTRYDATE: '06/04/2025', QTY: '2.75', PROJECTID: 'P-ACT', TASKID: 'T-ACT', ITEMID: '', COSTTYPEID: 'LAB', TIMETYPE: 'Regular', DESCRIPTION: 'Formwork', NOTES: 'late', STATE: 'Submitted' },
    ]);

    const [read] = rows(await one(`<read><object>TIMESHEET</object><keys>${wanted}</keys><fields>*</fields></read>`), 'TIMESHEET') as any[];
    expect(read).toMatchObject({ RECORDNO: wanted, EMPLOYEEID: 'E-1', BEGINDATE: '06/02/2025', STATE: 'Submitted' });
    expect(asArray(read.TIMESHEETENTRIES.TIMESHEETENTRY).map((l: any) => [l.LINENO, l.QTY, l.ENTRYDATE])).toEqual([['1', '8', '06/02/2025'], ['2', '2.75', '06/04/2025']]);
    const [plain] = rows(await one(`<read><object>TIMESHEET</object><keys>${wanted}</keys><fields>RECORDNO,STATE</fields></read>`), 'TIMESHEET');
    expect(plain).toEqual({ RECORDNO: wanted, STATE: 'Submitted' });
  });

  test('the control API lists TIMESHEET and TIMESHEETENTRY records, so tests can sum hours per employee per day', async () => {
    await createOk({ ...HEADER, EMPLOYEEID: 'E-1' }, [GOOD, { ...GOOD, QTY: '1.5' }, { ...GOOD, ENTRYDATE: '06/03/2025', QTY: '7.25' }]);
    await createOk({ ...HEADER, EMPLOYEEID: 'E-2' }, [{ ...GOOD, QTY: '4' }]);
    const headers = await control('GET', 'records/TIMESHEET');
    expect(headers.status).toBe(200);
    expect(headers.json.map((t: Record<string, string>) => [t.EMPLOYEEID, t.BEGINDATE, t.STATE])).toEqual([['E-1', '06/02/2025', 'Submitted'], ['E-2', '06/02/2025', 'Submitted']]);
    const lines = await control('GET', 'records/TIMESHEETENTRY');
    const perDay: Record<string, number> = {};
    for (const l of lines.json as Array<Record<string, string>>) perDay[`${l.EMPLOYEEID} ${l.ENTRYDATE}`] = (perDay[`${l.EMPLOYEEID} ${l.ENTRYDATE}`] ?? 0) + Number(l.QTY);
    expect(perDay).toEqual({ 'E-1 06/02/2025': 9.5, 'E-1 06/03/2025': 7.25, 'E-2 06/02/2025': 4 });
  });

  test('hostile text in DESCRIPTION and NOTES round-trips through create, query, read and the control API', async () => {
    const hostile = `Smith & Sons <Civil> 'O'Neil' "Q" ]]> &amp; 🏗️👷🏽‍♀️ 山田建設 Łódź – C:\\dir\\ [ts-7]`;
    const lineText = `<![CDATA[x]]> & "curly" “quotes” ñ 한국어 العربية 🧱`;
    const no = await createOk({ ...HEADER, DESCRIPTION: hostile }, [{ ...GOOD, DESCRIPTION: lineText, NOTES: hostile }]);
    const [viaQuery] = rows(await one(queryXml('TIMESHEET', ['RECORDNO', 'DESCRIPTION'], eq('DESCRIPTION', hostile))), 'TIMESHEET');
    expect(viaQuery).toEqual({ RECORDNO: no, DESCRIPTION: hostile });
    const [line] = rows(await one(queryXml('TIMESHEETENTRY', ['DESCRIPTION', 'NOTES'], eq('TIMESHEETKEY', no))), 'TIMESHEETENTRY');
    expect(line).toEqual({ DESCRIPTION: lineText, NOTES: hostile });
    const [read] = rows(await one(`<read><object>TIMESHEET</object><keys>${no}</keys><fields>*</fields></read>`), 'TIMESHEET') as any[];
    expect(read.DESCRIPTION).toBe(hostile);
    expect(read.TIMESHEETENTRIES.TIMESHEETENTRY.NOTES).toBe(hostile);
    expect((await control('GET', 'records/TIMESHEET')).json[0].DESCRIPTION).toBe(hostile);
    expect((await control('GET', 'records/TIMESHEETENTRY')).json[0].DESCRIPTION).toBe(lineText);
  });
});

describe('update: a complete replace of the lines', () => {
  test('the lines sent replace every line; header fields not sent keep their values', async () => {
    const no = await createOk(HEADER, [GOOD, { ...GOOD, ENTRYDATE: '06/03/2025', QTY: '6' }]);
    const oldLines = linesOf(no).map((l) => l.RECORDNO);
    const r = await one(updateXml({ RECORDNO: no, DESCRIPTION: 'Week 23 (corrected)' }, [{ ...GOOD, ENTRYDATE: '06/05/2025', QTY: '3.5', TASKID: undefined, COSTTYPEID: undefined, PROJECTID: 'P-B' }]));
    expect(errorsOf(r)).toEqual([]);
    expect(r).toMatchObject({ status: 'success', function: 'update' });
    expect(r.data.timesheet.RECORDNO).toBe(no);
    const lines = rows(await one(queryXml('TIMESHEETENTRY', ENTRY_FIELDS, eq('TIMESHEETKEY', no))), 'TIMESHEETENTRY');
    expect(lines.map((l) => [l.LINENO, l.ENTRYDATE, l.QTY, l.PROJECTID, l.TASKID, l.EMPLOYEEID, l.STATE])).toEqual([['1', '06/05/2025', '3.5', 'P-B', '', 'E-1', 'Submitted']]);
    expect(oldLines.filter((o) => sandbox.store.get('TIMESHEETENTRY', o))).toEqual([]);
    expect(sandbox.records('TIMESHEET')).toEqual([expect.objectContaining({ RECORDNO: no, EMPLOYEEID: 'E-1', BEGINDATE: '06/02/2025', STATE: 'Submitted', DESCRIPTION: 'Week 23 (corrected)' })]);
    expect(sandbox.stats().transactions.byFunctionAndObject['update TIMESHEET']).toBe(1);
  });

  test('an update is validated like a create, and a refused update leaves the timesheet as it was', async () => {
    const no = await createOk(HEADER, [GOOD, { ...GOOD, ENTRYDATE: '06/03/2025' }]);
    const before = [sandbox.records('TIMESHEET'), sandbox.records('TIMESHEETENTRY')];
    expectRefused(await one(updateXml({ RECORDNO: no }, [GOOD, { ...GOOD, TASKID: 'T-OFF' }])), [['Line 2, TASKID: Task T-OFF is inactive for project P-ACT', 'Invalid timesheet entry']], 'update');
    expectRefused(await one(updateXml({ RECORDNO: no, BEGINDATE: '06/09/2025' }, [GOOD])), [['Line 1, ENTRYDATE: ENTRYDATE 06/02/2025 is outside the timesheet period 06/09/2025 to 06/15/2025', 'Invalid timesheet entry']], 'update');
    expectRefused(await one(updateXml({ RECORDNO: no, EMPLOYEEID: 'E-OFF' }, [GOOD])), [['EMPLOYEEID: Employee E-OFF is inactive', 'Invalid timesheet']], 'update');
    expectRefused(await one(updateXml({ RECORDNO: no, STATE: 'Approved' }, [GOOD])), [["STATE: STATE must be Draft or Submitted (got 'Approved')", 'Invalid timesheet']], 'update');
    expectRefused(await one(updateXml({ RECORDNO: no }, [])), [['TIMESHEETENTRIES: A timesheet needs at least one entry (TIMESHEETENTRIES/TIMESHEETENTRY)', 'Invalid timesheet']], 'update');
    expectRefused(
      await one(updateXml({ RECORDNO: no, DESCRIPTION: 'header only' }, undefined)),
      [['TIMESHEETENTRIES: An update replaces the timesheet and all its entries: TIMESHEETENTRIES is missing', 'Invalid timesheet']],
      'update',
    );
    const missing = await one(updateXml({ RECORDNO: '99999' }, [GOOD]));
    expect(missing.status).toBe('failure');
    expect(errorsOf(missing)[0].description2).toBe('Cannot update non-existing TIMESHEET with RECORDNO=99999.');
    expect([sandbox.records('TIMESHEET'), sandbox.records('TIMESHEETENTRY')]).toEqual(before);
  });
});

describe('approved timesheets refuse update and delete', () => {
  test('approved in the UI (control API): the API cannot update or delete it; taken back to Draft, it can', async () => {
    const no = await createOk(HEADER, [GOOD, { ...GOOD, ENTRYDATE: '06/03/2025' }]);
    const approved = await control('PUT', `timesheets/${no}/state`, { STATE: 'Approved' });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ RECORDNO: no, STATE: 'Approved' });
    expect(linesOf(no).map((l) => l.STATE)).toEqual(['Approved', 'Approved']);
    const rbq = rows(await one(`<readByQuery><object>TIMESHEET</object><fields>RECORDNO,STATE</fields><query>STATE = 'A'</query></readByQuery>`), 'timesheet');
    expect(rbq).toEqual([{ RECORDNO: no, STATE: 'A' }]);

    const before = [sandbox.records('TIMESHEET'), sandbox.records('TIMESHEETENTRY')];
    const locked = `STATE: Timesheet ${no} for employee E-1 beginning 06/02/2025 is Approved: approved time cannot be changed or deleted`;
    expectRefused(await one(updateXml({ RECORDNO: no }, [{ ...GOOD, QTY: '1' }])), [[locked, 'Invalid timesheet']], 'update');
    expectRefused(await one(deleteXml(no)), [[locked, 'Invalid timesheet']], 'delete');
    expect([sandbox.records('TIMESHEET'), sandbox.records('TIMESHEETENTRY')]).toEqual(before);
    // A person cannot delete it in the UI either.
    const uiDelete = await control('DELETE', `records/TIMESHEET/${no}`);
    expect(uiDelete.status).toBe(400);
    expect(uiDelete.json.errors[0].description2).toBe(locked);

    sandbox.setTimesheetState(no, 'Draft');
    const del = await one(deleteXml(no));
    expect(del.status).toBe('success');
    expect([timesheetCount(), entryCount()]).toEqual([0, 0]);
    expect(sandbox.records('AUDITHISTORY')).toEqual([expect.objectContaining({ OBJECTTYPE: 'timesheet', OBJECTKEY: `${no}--REC`, ACCESSMODE: 'D' })]);
  });

  test('partially approved is locked too; declined is not', async () => {
    const partly = await createOk(HEADER, [GOOD]);
    sandbox.setTimesheetState(partly, 'Partially Approved');
    expect((await one(updateXml({ RECORDNO: partly }, [GOOD]))).status).toBe('failure');
    expect((await one(deleteXml(partly))).status).toBe('failure');

    const declined = await createOk({ ...HEADER, EMPLOYEEID: 'E-2' }, [GOOD]);
    sandbox.setTimesheetState(declined, 'Declined');
    const resubmitted = await one(updateXml({ RECORDNO: declined, STATE: 'Submitted' }, [{ ...GOOD, QTY: '7' }]));
    expect(errorsOf(resubmitted)).toEqual([]);
    expect(linesOf(declined).map((l) => [l.QTY, l.STATE])).toEqual([['7', 'Submitted']]);
  });

  test('only submitted time can be approved; a UI edit of STATE alone is the same decision', async () => {
    const draft = await createOk({ ...HEADER, STATE: 'Draft' }, [GOOD]);
    const refused = await control('PUT', `timesheets/${draft}/state`, { STATE: 'Approved' });
    expect(refused.status).toBe(400);
    expect(refused.json.errors[0].description2).toBe(`STATE: Timesheet ${draft} is Draft: only submitted time can be approved`);
    expect((await control('POST', 'records/TIMESHEET', [{ RECORDNO: draft, STATE: 'Submitted' }])).status).toBe(200);
    const viaRecords = await control('POST', 'records/TIMESHEET', [{ RECORDNO: draft, STATE: 'Approved' }]);
    expect(viaRecords.status).toBe(200);
    expect(viaRecords.json[0]).toMatchObject({ RECORDNO: draft, STATE: 'Approved' });
    expect((await control('PUT', `timesheets/${draft}/state`, { STATE: 'Finished' })).status).toBe(400);
    expect((await control('PUT', 'timesheets/99999/state', { STATE: 'Approved' })).status).toBe(404);
    // Through the API, STATE alone is not an update (it replaces the lines, so they must be sent).
    expect((await one(updateXml({ RECORDNO: draft, STATE: 'Submitted' }, undefined))).status).toBe('failure');
  });
});

describe('a person entering time in the UI (control API)', () => {
  test('POST records/TIMESHEET creates under the same rules; a header edit keeps the lines', async () => {
    const refused = await control('POST', 'records/TIMESHEET', [{ ...HEADER, TIMESHEETENTRIES: [GOOD, { ...GOOD, PROJECTID: 'P-OFF', TASKID: '', COSTTYPEID: '' }] }]);
    expect(refused.status).toBe(400);
    expect(refused.json.errors.map((e: Record<string, string>) => e.description2)).toEqual(['Line 2, PROJECTID: Project P-OFF is inactive', 'Could not create Timesheet record!']);
    expect([timesheetCount(), entryCount()]).toEqual([0, 0]);

    const created = await control('POST', 'records/TIMESHEET', [{ ...HEADER, TIMESHEETENTRIES: { TIMESHEETENTRY: [GOOD, { ...GOOD, ENTRYDATE: '06/04/2025', QTY: 2 }] } }]);
    expect(created.status).toBe(200);
    const no = created.json[0].RECORDNO as string;
    const lines = linesOf(no).map((l) => l.RECORDNO);
    expect(lines).toHaveLength(2);
    const edited = await control('POST', 'records/TIMESHEET', [{ RECORDNO: no, DESCRIPTION: 'Checked by the foreman' }]);
    expect(edited.status).toBe(200);
    expect(edited.json[0]).toMatchObject({ RECORDNO: no, DESCRIPTION: 'Checked by the foreman', STATE: 'Submitted' });
    expect(linesOf(no).map((l) => l.RECORDNO)).toEqual(lines);
    // Moving the period away from the lines is refused.
    expect((await control('POST', 'records/TIMESHEET', [{ RECORDNO: no, BEGINDATE: '06/09/2025' }])).status).toBe(400);
  });
});
