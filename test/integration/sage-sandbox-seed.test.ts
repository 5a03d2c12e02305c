/**
 * The Sage Intacct sandbox's seeds (deterministic, realistic mess, referentially sound, fast) and the field
 * contract with src/sage/objects.ts; the `large` seed read over HTTP at the minimum cost; persistence.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectFields, SAGE_OBJECTS, type SageObjectName } from '../../src/sage/objects';
import { sageSeed, startSageSandbox } from '../../src/sandbox/sage';

const demo = sageSeed('demo');

test('sageSeed is pure and deterministic', () => {
  expect(JSON.stringify(sageSeed('demo'))).toBe(JSON.stringify(demo));
  expect(Object.keys(demo).sort()).toEqual(['CUSTOMER', 'EMPLOYEE', 'ITEM', 'ITEMGLGROUP', 'PROJECT', 'STANDARDCOSTTYPE', 'TASK']);
});

test('demo has tens of each object; GL groups Labor, Equipment, Materials', () => {
  expect(demo.CUSTOMER).toHaveLength(25);
  expect(demo.PROJECT).toHaveLength(40);
  expect(demo.EMPLOYEE).toHaveLength(60);
  expect(demo.TASK).toHaveLength(80);
  expect(demo.STANDARDCOSTTYPE).toHaveLength(12);
  expect(demo.ITEMGLGROUP.map((g) => g.NAME)).toEqual(['Labor', 'Equipment', 'Materials']);
  const byGroup = (g: string) => demo.ITEM.filter((i) => i.GLGROUP === g).length;
  expect([byGroup('Labor'), byGroup('Equipment'), byGroup('Materials'), byGroup('')]).toEqual([20, 20, 4, 2]);
});

test('large is generated in under a second with the sizes of the brief', () => {
  sageSeed('demo'); // warm the code paths; then measure CPU time, which a busy shared machine does not inflate
  const cpu = process.cpuUsage();
  const large = sageSeed('large');
  const { user, system } = process.cpuUsage(cpu);
  expect((user + system) / 1000).toBeLessThan(1000);
  expect(large.EMPLOYEE).toHaveLength(10_000);
  expect(large.CUSTOMER).toHaveLength(1_000);
  expect(large.PROJECT).toHaveLength(2_000);
  expect(large.TASK).toHaveLength(6_000);
  expect(large.STANDARDCOSTTYPE).toHaveLength(100);
  expect(large.ITEM.filter((i) => i.GLGROUP === 'Labor')).toHaveLength(500);
  expect(large.ITEM.filter((i) => i.GLGROUP === 'Equipment')).toHaveLength(1_500);
  expect(large.ITEM.filter((i) => i.GLGROUP !== 'Labor' && i.GLGROUP !== 'Equipment').length).toBeGreaterThan(0);
});

test('every record uses exactly the contract field names, with string values and STATUS active/inactive', () => {
  for (const [object, list] of Object.entries(demo)) {
    const contract = selectFields(object as SageObjectName);
    for (const rec of list) {
      for (const field of contract) expect(typeof rec[field]).toBe('string');
      if ('STATUS' in SAGE_OBJECTS[object as SageObjectName].schema.shape) expect(['active', 'inactive']).toContain(rec.STATUS);
      expect(rec.RECORDNO).toMatch(/^\d+$/);
      expect(rec.WHENMODIFIED).toMatch(/^$|^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    }
    const ids = list.map((r) => (object === 'TASK' ? `${r.PROJECTID}/${r.TASKID}` : r[SAGE_OBJECTS[object as SageObjectName].idField]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(list.map((r) => r.RECORDNO)).size).toBe(list.length);
  }
});

test('references hold: tasks → projects (with PROJECTKEY), projects → customers (some inactive), items → GL groups', () => {
  for (const scale of ['demo', 'large'] as const) {
    const seed = scale === 'demo' ? demo : sageSeed('large');
    const projects = new Map(seed.PROJECT.map((p) => [p.PROJECTID, p]));
    const customers = new Map(seed.CUSTOMER.map((c) => [c.CUSTOMERID, c]));
    for (const t of seed.TASK) expect(projects.get(t.PROJECTID)?.RECORDNO).toBe(t.PROJECTKEY);
    for (const p of seed.PROJECT) {
      if (p.CUSTOMERID) expect(customers.get(p.CUSTOMERID)?.NAME).toBe(p.CUSTOMERNAME);
      if (p.PARENTID) expect(projects.has(p.PARENTID)).toBe(true);
    }
    expect(seed.PROJECT.some((p) => customers.get(p.CUSTOMERID)?.STATUS === 'inactive')).toBe(true);
    const groups = new Set(seed.ITEMGLGROUP.map((g) => g.NAME));
    for (const i of seed.ITEM) if (i.GLGROUP) expect(groups.has(i.GLGROUP)).toBe(true);
    // TASKID is unique per project only: the same task ID appears under several projects.
    expect(new Set(seed.TASK.map((t) => t.TASKID)).size).toBeLessThan(seed.TASK.length);
  }
});

test('real-world mess: inactive records, empty WHENMODIFIED, duplicate and missing emails, hostile and non-Latin names', () => {
  const all = Object.values(demo).flat();
  expect(all.filter((r) => r.STATUS === 'inactive').length).toBeGreaterThan(5);
  expect(all.filter((r) => r.WHENMODIFIED === '').length).toBeGreaterThan(0);
  const emails = demo.EMPLOYEE.map((e) => e['CONTACT.EMAIL1']).filter((e) => e !== '');
  expect(new Set(emails).size).toBeLessThan(emails.length);
  expect(demo.EMPLOYEE.some((e) => e['CONTACT.EMAIL1'] === '')).toBe(true);
  const text = JSON.stringify(demo);
  for (const s of ['&', '<', '>', "'", '\\"', ']]>', 'Zoë', 'Łukasz', '山田', 'Ωmega']) expect(text).toContain(s);
  expect(demo.EMPLOYEE.some((e) => /^0\d+$/.test(e.EMPLOYEEID))).toBe(true);
  // Some active records have not been touched for years (clean-up hints).
  expect(demo.EMPLOYEE.some((e) => e.STATUS === 'active' && e.WHENMODIFIED !== '' && e.WHENMODIFIED < '2022-01-01')).toBe(true);
});

test('the large seed reads over HTTP at the minimum cost: 10,000 employees in ceil(N / 2000) queries', async () => {
  const sandbox = await startSageSandbox({ port: 0, seed: 'large' });
  try {
    const c = sandbox.credentials;
    const seen = new Set<string>();
    for (let offset = 0; ; offset += 2000) {
      const body =
        `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${c.senderId}</senderid><password>${c.senderPassword}</password><controlid>r</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>` +
        `<operation><authentication><login><userid>${c.userId}</userid><companyid>${c.companyId}</companyid><password>${c.userPassword}</password></login></authentication><content>` +
        `<function controlid="q"><query><object>EMPLOYEE</object><select><field>RECORDNO</field><field>EMPLOYEEID</field><field>CONTACT.EMAIL1</field><field>WHENMODIFIED</field></select>` +
        `<orderby><order><field>RECORDNO</field></order></orderby><pagesize>2000</pagesize><offset>${offset}</offset></query></function></content></operation></request>`;
      const res = await fetch(sandbox.endpointUrl, { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
      const text = await res.text();
      for (const m of text.matchAll(/<RECORDNO>(\d+)<\/RECORDNO>/g)) seen.add(m[1]);
      if (/numremaining="0"/.test(text)) break;
    }
    expect(seen.size).toBe(10_000);
    expect(sandbox.stats().transactions.byFunctionAndObject['query EMPLOYEE']).toBe(5);
  } finally {
    await sandbox.close();
  }
});

test('dataFile: data written through the gateway survives a restart', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sage-sandbox-'));
  const dataFile = path.join(dir, 'sage.json');
  try {
    const first = await startSageSandbox({ port: 0, seed: 'demo', dataFile });
    first.upsertRecords('CUSTOMER', [{ CUSTOMERID: 'PERSIST-1', NAME: 'Kept & <safe>' }]);
    first.deleteRecord('EMPLOYEE', 'E1001');
    await first.close();
    const second = await startSageSandbox({ port: 0, seed: 'demo', dataFile });
    try {
      expect(second.records('CUSTOMER').find((r) => r.CUSTOMERID === 'PERSIST-1')?.NAME).toBe('Kept & <safe>');
      expect(second.records('EMPLOYEE').find((r) => r.EMPLOYEEID === 'E1001')).toBeUndefined();
      expect(second.records('AUDITHISTORY')).toHaveLength(1);
    } finally {
      await second.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
