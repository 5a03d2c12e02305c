/**
 * The Sage Intacct sandbox's CONTACT object and the employee ↔ contact join (src/sandbox/sage/contacts.ts):
 * an EMPLOYEE written with PERSONALINFO/CONTACTNAME reads its contact's names, email and phones; unknown
 * contacts and duplicate keys fail as the gateway's other business rules do; seeded employees are unchanged.
 */
import { XMLParser } from 'fast-xml-parser';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';

/* eslint-disable @typescript-eslint/no-explicit-any */
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: false, isArray: (name) => ['result', 'error'].includes(name) });

let sandbox: SageSandbox;

beforeAll(async () => {
  sandbox = await startSageSandbox({ port: 0, seed: 'demo' });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(() => {
  sandbox.seed('demo');
});

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One request with login authentication; the results of its functions. */
async function call(fns: string[], opts: { transaction?: boolean; uniqueId?: boolean } = {}): Promise<any[]> {
  const c = sandbox.credentials;
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${c.senderId}</senderid><password>${c.senderPassword}</password>` +
    `<controlid>req</controlid><uniqueid>${opts.uniqueId ? 'true' : 'false'}</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>` +
    `<operation transaction="${opts.transaction ? 'true' : 'false'}"><authentication><login><userid>${c.userId}</userid><companyid>${c.companyId}</companyid>` +
    `<password>${c.userPassword}</password></login></authentication><content>` +
    fns.map((f, i) => `<function controlid="f-${i + 1}-${Math.random().toString(36).slice(2)}">${f}</function>`).join('') +
    `</content></operation></request>`;
  const res = await fetch(sandbox.endpointUrl, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
  expect(res.status).toBe(200);
  return parser.parse(await res.text()).response.operation.result;
}

const contact = (name: string, fields: Record<string, string> = {}): string =>
  `<create><CONTACT><CONTACTNAME>${esc(name)}</CONTACTNAME>${Object.entries(fields).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('')}</CONTACT></create>`;
const employee = (id: string, contactName: string, extra = ''): string =>
  `<create><EMPLOYEE><EMPLOYEEID>${id}</EMPLOYEEID><PERSONALINFO><CONTACTNAME>${esc(contactName)}</CONTACTNAME></PERSONALINFO>${extra}</EMPLOYEE></create>`;
const errorsOf = (r: any): any[] => r.errormessage?.error ?? [];

const TESS = { PRINTAS: 'Tess Trainee', FIRSTNAME: 'Tess', LASTNAME: "O'Trainee & <Co>", EMAIL1: 'tess@example.com', PHONE1: '(312) 555-0101', CELLPHONE: '(312) 555-0202' };

test('an employee named by PERSONALINFO/CONTACTNAME reads its contact through query, read, readByName and the control API', async () => {
  const [c, e] = await call([contact('Trainee, Tess (A17)', TESS), employee('A17', 'Trainee, Tess (A17)', '<STATUS>active</STATUS>')], { transaction: true });
  expect([c.status, e.status]).toEqual(['success', 'success']);
  const contactNo = c.data.contact.RECORDNO;
  const recordNo = e.data.employee.RECORDNO;
  const want = {
    RECORDNO: recordNo, EMPLOYEEID: 'A17', STATUS: 'active', CONTACTKEY: contactNo, 'CONTACT.CONTACTNAME': 'Trainee, Tess (A17)',
    'CONTACT.FIRSTNAME': 'Tess', 'CONTACT.LASTNAME': "O'Trainee & <Co>", 'CONTACT.EMAIL1': 'tess@example.com', 'CONTACT.PHONE1': '(312) 555-0101', 'CONTACT.CELLPHONE': '(312) 555-0202',
  };
  expect(sandbox.records('EMPLOYEE').find((x) => x.EMPLOYEEID === 'A17')).toMatchObject(want);
  expect(sandbox.records('CONTACT')).toEqual([expect.objectContaining({ RECORDNO: contactNo, CONTACTNAME: 'Trainee, Tess (A17)', ...TESS, STATUS: 'active' })]);

  const fields = Object.keys(want).join(',');
  const [byName, byNo, query] = await call([
    `<readByName><object>EMPLOYEE</object><keys>A17</keys><fields>${fields}</fields></readByName>`,
    `<read><object>EMPLOYEE</object><keys>${recordNo}</keys><fields>${fields}</fields></read>`,
    `<query><object>EMPLOYEE</object><select>${Object.keys(want).map((f) => `<field>${f}</field>`).join('')}</select><filter><equalto><field>CONTACT.CONTACTNAME</field><value>${esc('Trainee, Tess (A17)')}</value></equalto></filter></query>`,
  ]);
  expect(byName.data.EMPLOYEE).toEqual(want);
  expect(byNo.data.EMPLOYEE).toEqual(want);
  expect(query.data.EMPLOYEE).toEqual(want);
  const [contactQuery] = await call([`<query><object>CONTACT</object><select><field>RECORDNO</field><field>EMAIL1</field></select><filter><equalto><field>CONTACTNAME</field><value>${esc('Trainee, Tess (A17)')}</value></equalto></filter></query>`]);
  expect(contactQuery.data.CONTACT).toEqual({ RECORDNO: contactNo, EMAIL1: 'tess@example.com' });
});

test('an unknown contact is a business-rule failure; nothing is written', async () => {
  const before = sandbox.store.counts();
  const [r] = await call([employee('A18', 'Nobody, No (A18)')]);
  expect(r.status).toBe('failure');
  expect(errorsOf(r)[0]).toMatchObject({ errorno: 'BL01001973', description: 'Could not create EMPLOYEE record', description2: expect.stringContaining("Invalid contact 'Nobody, No (A18)'") });
  expect(sandbox.store.counts()).toEqual(before);
});

test('duplicate CONTACTNAME and EMPLOYEEID fail like other unique keys (BL34000061); in a transaction the contact is rolled back too', async () => {
  const [first] = await call([contact('Dup, Contact', { PRINTAS: 'Contact Dup' })]);
  expect(first.status).toBe('success');
  const [again] = await call([contact('Dup, Contact', { PRINTAS: 'Another' })]);
  expect(again.status).toBe('failure');
  expect(errorsOf(again).map((e) => e.errorno)).toEqual(['BL34000061', 'BL01001973']);

  const before = sandbox.store.counts();
  const [c, e] = await call([contact('Taken, Id (E1001)', { PRINTAS: 'Id Taken' }), employee('E1001', 'Taken, Id (E1001)')], { transaction: true });
  expect([c.status, e.status]).toEqual(['aborted', 'failure']);
  expect(errorsOf(e).map((x) => x.errorno)).toEqual(['BL34000061', 'BL01001973', 'XL03000009']);
  expect(errorsOf(e)[0].description).toContain('EMPLOYEE');
  expect(sandbox.store.counts()).toEqual(before);
  expect(sandbox.records('CONTACT').map((x) => x.CONTACTNAME)).toEqual(['Dup, Contact']);
});

test('a contact needs CONTACTNAME and PRINTAS', async () => {
  const [noPrintAs] = await call([contact('Only, Name')]);
  expect(noPrintAs.status).toBe('failure');
  expect(errorsOf(noPrintAs)[0].description2).toBe('Required field PRINTAS is missing');
  const [noName] = await call(['<create><CONTACT><PRINTAS>x</PRINTAS></CONTACT></create>']);
  expect(errorsOf(noName)[0].description2).toBe('Required field CONTACTNAME is missing');
});

test('the join holds both ways: a contact edit shows on its employee (whose WHENMODIFIED stays); contact fields written to the employee land on the contact', async () => {
  await call([contact('Trainee, Tess (A17)', TESS), employee('A17', 'Trainee, Tess (A17)')], { transaction: true });
  const before = sandbox.records('EMPLOYEE').find((x) => x.EMPLOYEEID === 'A17')!;
  const [edit] = await call(['<update><CONTACT><CONTACTNAME>Trainee, Tess (A17)</CONTACTNAME><EMAIL1>tess.new@example.com</EMAIL1></CONTACT></update>']);
  expect(edit.status).toBe('success');
  const after = sandbox.records('EMPLOYEE').find((x) => x.EMPLOYEEID === 'A17')!;
  expect(after['CONTACT.EMAIL1']).toBe('tess.new@example.com');
  expect(after.WHENMODIFIED).toBe(before.WHENMODIFIED);

  // As a person editing the employee's contact details on the employee page (the control API is a UI edit).
  sandbox.upsertRecords('EMPLOYEE', [{ EMPLOYEEID: 'A17', 'PERSONALINFO.LASTNAME': 'Trainee' }]);
  expect(sandbox.records('CONTACT')[0]).toMatchObject({ LASTNAME: 'Trainee', EMAIL1: 'tess.new@example.com' });
  expect(sandbox.records('EMPLOYEE').find((x) => x.EMPLOYEEID === 'A17')).toMatchObject({ 'CONTACT.LASTNAME': 'Trainee', 'CONTACT.FIRSTNAME': 'Tess' });

  // An employee may be moved to another contact; a contact in use cannot be deleted.
  await call([contact('Other, Person', { PRINTAS: 'Person Other', FIRSTNAME: 'Person', LASTNAME: 'Other' })]);
  const [moved] = await call(['<update><EMPLOYEE><EMPLOYEEID>A17</EMPLOYEEID><PERSONALINFO><CONTACTNAME>Other, Person</CONTACTNAME></PERSONALINFO></EMPLOYEE></update>']);
  expect(moved.status).toBe('success');
  expect(sandbox.records('EMPLOYEE').find((x) => x.EMPLOYEEID === 'A17')).toMatchObject({ 'CONTACT.FIRSTNAME': 'Person', 'CONTACT.EMAIL1': '' });
  const other = sandbox.records('CONTACT').find((x) => x.CONTACTNAME === 'Other, Person')!;
  const [del] = await call([`<delete><object>CONTACT</object><keys>${other.RECORDNO}</keys></delete>`]);
  expect(del.status).toBe('failure');
  expect(errorsOf(del)[0].description2).toContain('is the contact of employee A17');
  const tess = sandbox.records('CONTACT').find((x) => x.CONTACTNAME === 'Trainee, Tess (A17)')!;
  expect((await call([`<delete><object>CONTACT</object><keys>${tess.RECORDNO}</keys></delete>`]))[0].status).toBe('success');
});

test('seeded employees keep their flat contact values; a seed may name contacts', async () => {
  const seeded = sandbox.records('EMPLOYEE').find((x) => x.EMPLOYEEID === 'E1002')!;
  expect(seeded).toMatchObject({ CONTACTKEY: '', 'CONTACT.CONTACTNAME': '' });
  expect(seeded['CONTACT.FIRSTNAME']).not.toBe('');
  const [r] = await call(['<update><EMPLOYEE><EMPLOYEEID>E1002</EMPLOYEEID><PERSONALINFO><EMAIL1>flat@example.com</EMAIL1></PERSONALINFO></EMPLOYEE></update>']);
  expect(r.status).toBe('success');
  expect(sandbox.records('EMPLOYEE').find((x) => x.EMPLOYEEID === 'E1002')!['CONTACT.EMAIL1']).toBe('flat@example.com');
  expect(sandbox.records('CONTACT')).toEqual([]);

  sandbox.seed({ CONTACT: [{ CONTACTNAME: 'Seeded, Sue', PRINTAS: 'Sue Seeded', FIRSTNAME: 'Sue', LASTNAME: 'Seeded', EMAIL1: 'sue@example.com' }], EMPLOYEE: [{ EMPLOYEEID: 'S1', 'CONTACT.CONTACTNAME': 'Seeded, Sue' }] });
  const contactNo = sandbox.records('CONTACT')[0].RECORDNO;
  expect(sandbox.records('EMPLOYEE').find((x) => x.EMPLOYEEID === 'S1')).toMatchObject({ CONTACTKEY: contactNo, 'CONTACT.FIRSTNAME': 'Sue', 'CONTACT.EMAIL1': 'sue@example.com' });
});
