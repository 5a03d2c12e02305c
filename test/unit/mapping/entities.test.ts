import {
  contentHash,
  FIELD_WORKER_USER_TYPE_ID,
  mapAsset,
  mapClient,
  mapCostCode,
  mapProject,
  mapRecord,
  mapRole,
  mapWorker,
  mapWorkOrder,
  type MapResult,
} from '../../../src/mapping';
import { costType, customer, employee, equipmentItem, HOSTILE, item, makeConfig, makeContext, project, task } from './fixtures';

function ok<P>(r: MapResult<P>): P {
  if (!r.ok) throw new Error(`expected ok, got failure: ${r.reason}`);
  expect(r.hash).toBe(contentHash(r.payload));
  return r.payload;
}

function failed<P>(r: MapResult<P>): { reason: string; field?: string } {
  if (r.ok) throw new Error(`expected failure, got ${JSON.stringify(r.payload)}`);
  return r;
}

const ctx = makeContext();

describe('clients (CUSTOMER → /clients/)', () => {
  it('maps a realistic customer', () => {
    const r = mapClient(customer(), ctx);
    expect(r).toMatchObject({ ok: true, kind: 'client', object: 'CUSTOMER', sageKey: '12', readableId: 'C100', matchValue: 'C100' });
    expect(ok(r)).toEqual({
      name: 'Acme Construction',
      company_name: 'Acme Construction',
      email: 'ap@acme.example.com',
      office_phone: '+1 312 555 0100',
      mobile: '+1 312 555 0199',
      address_1: '100 Main St',
      address_2: 'Suite 4',
      city: 'Chicago',
      state: 'IL',
      postcode: '60601',
      external_id: 'C100',
      integration_id: '12',
      active: true,
    });
  });

  it('sends empty contact fields as empty text (so a value cleared in Sage is cleared in Assignar)', () => {
    const p = ok(mapClient(customer({ 'DISPLAYCONTACT.EMAIL1': '', 'DISPLAYCONTACT.CELLPHONE': undefined, 'DISPLAYCONTACT.MAILADDRESS.ADDRESS2': '  ' }), ctx));
    expect(p.email).toBe('');
    expect(p.mobile).toBe('');
    expect(p.address_2).toBe('');
  });

  it('maps inactive customers as active: false and a missing STATUS as active', () => {
    expect(ok(mapClient(customer({ STATUS: 'inactive' }), ctx)).active).toBe(false);
    expect(ok(mapClient(customer({ STATUS: undefined }), ctx)).active).toBe(true);
  });

  it('fails without a name, naming the record, the field and the fix', () => {
    const f = failed(mapClient(customer({ NAME: '   ' }), ctx));
    expect(f.field).toBe('NAME');
    expect(f.reason).toBe(
      'CUSTOMER "C100" (RECORDNO 12): NAME is empty, and Assignar needs name. Fix in Sage Intacct: enter the customer\'s name',
    );
    expect(failed(mapClient(customer({ NAME: undefined }), ctx)).field).toBe('NAME');
  });

  it('fails on an invalid email', () => {
    const f = failed(mapClient(customer({ 'DISPLAYCONTACT.EMAIL1': 'accounts at acme' }), ctx));
    expect(f.field).toBe('DISPLAYCONTACT.EMAIL1');
    expect(f.reason).toContain('CUSTOMER "C100" (RECORDNO 12)');
    expect(f.reason).toContain('DISPLAYCONTACT.EMAIL1 "accounts at acme" is not a valid email address');
    expect(f.reason).toContain('Fix in Sage Intacct');
  });
});

describe('projects (PROJECT → /projects/)', () => {
  it('maps a realistic project with client_id through the client link', () => {
    const r = mapProject(project(), ctx);
    expect(r).toMatchObject({ ok: true, object: 'PROJECT', readableId: 'P100', sageKey: '301', matchValue: 'P100' });
    expect(ok(r)).toEqual({ name: 'Riverside Tower', client_id: 975, external_id: 'P100', integration_id: '301', active: true });
  });

  it('fails when the customer has no client in Assignar, telling the operator what to fix', () => {
    const f = failed(mapProject(project({ CUSTOMERID: 'C999' }), ctx));
    expect(f.field).toBe('CUSTOMERID');
    expect(f.reason).toMatch(/^PROJECT "P100" \(RECORDNO 301\): its customer CUSTOMERID "C999" has no client in Assignar/);
    expect(f.reason).toContain('Fix in Sage Intacct: make customer "C999" active and in scope');
  });

  it('treats a null link like a missing one', () => {
    const c = { ...ctx, assignarIdFor: () => null };
    expect(failed(mapProject(project(), c)).field).toBe('CUSTOMERID');
  });

  it('sends an internal project (no customer) without client_id', () => {
    const p = ok(mapProject(project({ CUSTOMERID: '', CUSTOMERNAME: '' }), ctx));
    expect(p).not.toHaveProperty('client_id');
  });

  it('fails without a name', () => {
    expect(failed(mapProject(project({ NAME: '' }), ctx)).reason).toContain('NAME is empty');
  });
});

describe('roles (labor ITEM → /tasks) and assets (equipment ITEM → /assets)', () => {
  it('maps a labor item to a role', () => {
    const r = mapRole(item(), ctx);
    expect(r).toMatchObject({ ok: true, kind: 'role', object: 'ITEM', readableId: 'LAB-CARP', matchValue: 'LAB-CARP' });
    expect(ok(r)).toEqual({ name: 'Carpenter', external_id: 'LAB-CARP', integration_id: '501', active: true });
  });

  it('maps an equipment item to an asset, always sending active', () => {
    const r = mapAsset(equipmentItem(), ctx);
    expect(ok(r)).toEqual({ name: '20t Excavator', description: 'Cat 320 GC, 20 tonne', external_id: 'EQ-EXC-20', integration_id: '601', active: true });
    const inactive = ok(mapAsset(equipmentItem({ STATUS: 'inactive', EXTENDED_DESCRIPTION: undefined }), ctx));
    expect(inactive.active).toBe(false);
    expect(inactive.description).toBe('');
  });

  it('fail without a name', () => {
    expect(failed(mapRole(item({ NAME: '' }), ctx)).reason).toMatch(/^ITEM "LAB-CARP" \(RECORDNO 501\): NAME is empty.*enter the item's name$/);
    expect(failed(mapAsset(equipmentItem({ NAME: ' ' }), ctx)).field).toBe('NAME');
  });
});

describe('cost codes (STANDARDCOSTTYPE → /activities)', () => {
  it('maps a standard cost type', () => {
    const r = mapCostCode(costType(), ctx);
    expect(r).toMatchObject({ ok: true, object: 'STANDARDCOSTTYPE', readableId: '03-100' });
    expect(ok(r)).toEqual({ name: 'Concrete Forming', external_id: '03-100', integration_id: '701', active: true });
  });

  it('fails without a name', () => {
    expect(failed(mapCostCode(costType({ NAME: '' }), ctx)).reason).toContain('STANDARDCOSTTYPE "03-100" (RECORDNO 701): NAME is empty');
  });
});

describe('workers (EMPLOYEE → /users field workers)', () => {
  it('maps a realistic employee', () => {
    const r = mapWorker(employee(), ctx);
    expect(r).toMatchObject({ ok: true, object: 'EMPLOYEE', readableId: 'E1001', matchValue: 'E1001' });
    expect(ok(r)).toEqual({
      user_type_id: FIELD_WORKER_USER_TYPE_ID,
      first_name: 'Maria',
      last_name: 'Lopez',
      email: 'maria.lopez@example.com',
      username: 'maria.lopez@example.com',
      contact: '+1 312 555 0142',
      employee_id: 'E1001',
      integration_id: '801',
      active: true,
      employment_type: 1,
    });
    expect(FIELD_WORKER_USER_TYPE_ID).toBe(2);
  });

  it('falls back to the cell phone, and leaves employment_type out without a default', () => {
    const p = ok(mapWorker(employee({ 'CONTACT.PHONE1': '' }), makeContext({ defaults: {} })));
    expect(p.contact).toBe('+1 312 555 0143');
    expect(p).not.toHaveProperty('employment_type');
  });

  it('without an email: no email field, a deterministic placeholder username', () => {
    const p = ok(mapWorker(employee({ 'CONTACT.EMAIL1': '  ' }), ctx));
    expect(p).not.toHaveProperty('email');
    expect(p.username).toBe('e1001@no-email.invalid');
    const again = ok(mapWorker(employee({ 'CONTACT.EMAIL1': undefined, 'CONTACT.FIRSTNAME': 'Renamed' }), ctx));
    expect(again.username).toBe(p.username);
    expect(ok(mapWorker(employee({ EMPLOYEEID: 'Ops.7/ü', 'CONTACT.EMAIL1': '' }), ctx)).username).toBe('ops_2e7_2f_c3_bc@no-email.invalid');
  });

  it('fails on an invalid email', () => {
    const f = failed(mapWorker(employee({ 'CONTACT.EMAIL1': 'maria@' }), ctx));
    expect(f.field).toBe('CONTACT.EMAIL1');
    expect(f.reason).toMatch(/^EMPLOYEE "E1001" \(RECORDNO 801\): CONTACT.EMAIL1 "maria@" is not a valid email address\. Fix in Sage Intacct/);
  });

  it('fails without a first or last name', () => {
    expect(failed(mapWorker(employee({ 'CONTACT.FIRSTNAME': '' }), ctx)).reason).toContain(
      "CONTACT.FIRSTNAME is empty, and Assignar needs first_name. Fix in Sage Intacct: enter the first name on the employee's contact",
    );
    expect(failed(mapWorker(employee({ 'CONTACT.LASTNAME': undefined }), ctx)).field).toBe('CONTACT.LASTNAME');
  });

  it('maps inactive employees as inactive', () => {
    expect(ok(mapWorker(employee({ STATUS: 'inactive' }), ctx)).active).toBe(false);
  });
});

describe('work orders (TASK → /orders)', () => {
  it('maps a realistic project task', () => {
    const r = mapWorkOrder(task(), ctx);
    expect(r).toMatchObject({ ok: true, kind: 'workOrder', object: 'TASK', readableId: 'P100:T01', sageKey: '901', matchValue: 'P100-T01' });
    expect(ok(r)).toEqual({
      job_number: 'P100-T01',
      integration_id: '901',
      project_id: 4100,
      client_id: 975,
      job_description: 'Foundations\nFootings and slab on grade',
      start_date: '2025-02-01',
      end_date: '2025-04-30',
      order_owner: 40,
      active: true,
    });
  });

  it('uses NAME alone when DESCRIPTION is empty or the same', () => {
    expect(ok(mapWorkOrder(task({ DESCRIPTION: '' }), ctx)).job_description).toBe('Foundations');
    expect(ok(mapWorkOrder(task({ DESCRIPTION: ' Foundations ' }), ctx)).job_description).toBe('Foundations');
  });

  it('keeps IDs containing the separator readable and distinct', () => {
    const p = ok(mapWorkOrder(task({ PROJECTID: 'P-200', TASKID: '02-A' }), ctx));
    expect(p.job_number).toBe('P-200-02-A');
    expect(p.client_id).toBe(976);
  });

  it('defaults dates: empty begin → created date in the connection time zone; empty end → start', () => {
    // 2025-01-20T03:00Z is still 2025-01-19 in Chicago.
    const p = ok(mapWorkOrder(task({ PBEGINDATE: '', PENDDATE: '', WHENCREATED: '2025-01-20T03:00:00.000Z' }), ctx));
    expect(p.start_date).toBe('2025-01-19');
    expect(p.end_date).toBe('2025-01-19');
    const endOnly = ok(mapWorkOrder(task({ PBEGINDATE: '', PENDDATE: '03/15/2025' }), ctx));
    expect([endOnly.start_date, endOnly.end_date]).toEqual(['2025-01-20', '2025-03-15']);
    const endBeforeCreated = ok(mapWorkOrder(task({ PBEGINDATE: '', PENDDATE: '01/05/2025' }), ctx));
    expect([endBeforeCreated.start_date, endBeforeCreated.end_date]).toEqual(['2025-01-05', '2025-01-05']);
    const beginOnly = ok(mapWorkOrder(task({ PENDDATE: '' }), ctx));
    expect([beginOnly.start_date, beginOnly.end_date]).toEqual(['2025-02-01', '2025-02-01']);
  });

  it('fails on unparseable or impossible dates', () => {
    const bad = failed(mapWorkOrder(task({ PBEGINDATE: '2025/02/01' }), ctx));
    expect(bad.field).toBe('PBEGINDATE');
    expect(bad.reason).toBe(
      'TASK "P100:T01" (RECORDNO 901): PBEGINDATE "2025/02/01" is not a valid date (MM/DD/YYYY). Fix in Sage Intacct: correct the task\'s planned begin date',
    );
    expect(failed(mapWorkOrder(task({ PENDDATE: '02/30/2025' }), ctx)).field).toBe('PENDDATE');
    expect(failed(mapWorkOrder(task({ PENDDATE: '13/01/2025' }), ctx)).field).toBe('PENDDATE');
  });

  it('fails when the end date is before the start date', () => {
    const f = failed(mapWorkOrder(task({ PBEGINDATE: '05/01/2025', PENDDATE: '04/30/2025' }), ctx));
    expect(f.field).toBe('PENDDATE');
    expect(f.reason).toContain('the end date 2025-04-30 (PENDDATE) is before the start date 2025-05-01 (PBEGINDATE)');
  });

  it('fails without any begin date source', () => {
    const f = failed(mapWorkOrder(task({ PBEGINDATE: '', WHENCREATED: null }), ctx));
    expect(f.reason).toContain("PBEGINDATE is empty, and Assignar needs a start date. Fix in Sage Intacct: enter the task's planned begin date");
  });

  it('fails when the project is not linked, or has no client', () => {
    const unlinked = failed(mapWorkOrder(task({ PROJECTID: 'P999' }), ctx));
    expect(unlinked.field).toBe('PROJECTID');
    expect(unlinked.reason).toMatch(/^TASK "P999:T01" \(RECORDNO 901\): its project PROJECTID "P999" has no project in Assignar/);
    const noClient = failed(mapWorkOrder(task({ PROJECTID: 'P300' }), ctx));
    expect(noClient.reason).toContain('its project "P300" has no client in Assignar');
    expect(noClient.reason).toContain('set a customer on project "P300"');
    const noLookup = failed(mapWorkOrder(task(), { ...ctx, projectClientId: undefined }));
    expect(noLookup.reason).toContain('has no client in Assignar');
  });

  it('fails without a name', () => {
    const f = failed(mapWorkOrder(task({ NAME: '' }), ctx));
    expect(f.field).toBe('NAME');
    expect(f.reason).toContain("NAME is empty, and Assignar needs job_description. Fix in Sage Intacct: enter the task's name");
  });

  it('order_owner: the run default, else a configuration failure; an override wins', () => {
    const none = failed(mapWorkOrder(task(), makeContext({ defaults: {} })));
    expect(none.field).toBe('entities.workOrder.fieldOverrides.order_owner');
    expect(none.reason).toContain('configuration error, not a Sage Intacct problem');
    const config = makeConfig({ entities: { workOrder: { fieldOverrides: { order_owner: { value: 77 } } } } });
    expect(ok(mapWorkOrder(task(), makeContext({ config, defaults: {} }))).order_owner).toBe(77);
    expect(ok(mapWorkOrder(task(), makeContext({ config }))).order_owner).toBe(77);
  });
});

describe('field overrides (applied last)', () => {
  const withOverrides = (kind: string, fieldOverrides: Record<string, unknown>) =>
    makeContext({ config: makeConfig({ entities: { [kind]: { fieldOverrides } } }) });

  it('{from} takes another Sage field, {value} a constant, {value: null} leaves the field out', () => {
    const c = withOverrides('client', { name: { from: 'CUSTOMERID' }, comments: { value: 'Synced from Sage Intacct' }, mobile: { value: null } });
    const p = ok(mapClient(customer(), c));
    expect(p.name).toBe('C100');
    expect(p.company_name).toBe('Acme Construction');
    expect(p.comments).toBe('Synced from Sage Intacct');
    expect(p).not.toHaveProperty('mobile');
  });

  it('converts {from} values to the Assignar field type', () => {
    const c = withOverrides('workOrder', { order_owner: { from: 'PROJECTKEY' }, start_date: { from: 'WHENCREATED_DATE' }, po_number: { from: 'TASKSTATUS' } });
    const p = ok(mapWorkOrder(task({ WHENCREATED_DATE: '01/02/2025' } as never), c));
    expect(p.order_owner).toBe(301);
    expect(p.start_date).toBe('2025-01-02');
    expect(p.po_number).toBe('In Progress');
    const bad = failed(mapWorkOrder(task({ PROJECTKEY: 'abc' }), c));
    expect(bad.field).toBe('PROJECTKEY');
    expect(bad.reason).toContain('PROJECTKEY "abc" is not a whole number');
  });

  it('a required field emptied by an override fails naming the override source', () => {
    const c = withOverrides('role', { name: { from: 'EXTENDED_DESCRIPTION' } });
    const f = failed(mapRole(item({ EXTENDED_DESCRIPTION: '' }), c));
    expect(f.field).toBe('EXTENDED_DESCRIPTION');
    expect(f.reason).toContain('EXTENDED_DESCRIPTION is empty, and Assignar needs name');
  });

  it('the worker username follows an overridden email', () => {
    const c = withOverrides('worker', { email: { from: 'CONTACT.EMAIL2' } });
    const p = ok(mapWorker(employee({ 'CONTACT.EMAIL2': 'm.lopez@example.org' } as never), c));
    expect([p.email, p.username]).toEqual(['m.lopez@example.org', 'm.lopez@example.org']);
    const fixedUser = withOverrides('worker', { username: { from: 'EMPLOYEEID' } });
    expect(ok(mapWorker(employee(), fixedUser)).username).toBe('E1001');
  });

  it('a link field may be overridden with a constant, which skips the link lookup', () => {
    const c = withOverrides('project', { client_id: { value: 1234 } });
    expect(ok(mapProject(project({ CUSTOMERID: 'C999' }), c)).client_id).toBe(1234);
  });

  it('misconfigured overrides fail every record with a configuration reason', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['client', { external_id: { from: 'NAME' } }, 'entities.client.fieldOverrides.external_id: external_id is the link/adoption key'],
      ['worker', { user_type_id: { value: 1 } }, 'entities.worker.fieldOverrides.user_type_id'],
      ['role', { active: { value: true } }, 'entities.role.fieldOverrides.active'],
      ['asset', { colour: { value: 'red' } }, 'Assignar /assets has no writable field "colour"'],
      ['workOrder', { order_owner: { value: 'Bob' } }, '"Bob" is not a whole number'],
      ['workOrder', { start_date: { value: 'tomorrow' } }, '"tomorrow" is not a date'],
      ['workOrder', { client_id: { value: null } }, 'client_id is required by Assignar /orders and cannot be left out'],
      ['worker', { first_name: { value: null } }, 'first_name is required'],
      ['costCode', { is_payable: { value: 'yes' } }, '"yes" is not true or false'],
      ['client', { email: { value: 'not-an-email' } }, '"not-an-email" is not a valid email address'],
    ];
    const records: Record<string, () => unknown> = { client: customer, worker: employee, role: item, asset: equipmentItem, workOrder: task, costCode: costType };
    for (const [kind, overrides, message] of cases) {
      const f = failed(mapRecord(kind as never, records[kind](), withOverrides(kind, overrides)));
      expect(f.reason).toContain('configuration error, not a Sage Intacct problem');
      expect(f.reason).toContain(message);
    }
  });
});

describe('hostile values', () => {
  it('pass through unchanged apart from trimming, in every text field', () => {
    const padded = `  ${HOSTILE}\t\n`;
    expect(ok(mapClient(customer({ NAME: padded, 'DISPLAYCONTACT.MAILADDRESS.CITY': 'Zürich ]]>' }), ctx))).toMatchObject({
      name: HOSTILE,
      company_name: HOSTILE,
      city: 'Zürich ]]>',
    });
    expect(ok(mapProject(project({ NAME: padded }), ctx)).name).toBe(HOSTILE);
    expect(ok(mapRole(item({ NAME: padded }), ctx)).name).toBe(HOSTILE);
    expect(ok(mapAsset(equipmentItem({ EXTENDED_DESCRIPTION: padded }), ctx)).description).toBe(HOSTILE);
    expect(ok(mapCostCode(costType({ NAME: padded }), ctx)).name).toBe(HOSTILE);
    const w = ok(mapWorker(employee({ 'CONTACT.FIRSTNAME': '  Zoë ', 'CONTACT.LASTNAME': "O'Neill-Ōtsuka 🦺", 'CONTACT.EMAIL1': " o'neill+site@example.com " }), ctx));
    expect([w.first_name, w.last_name, w.email, w.username]).toEqual(['Zoë', "O'Neill-Ōtsuka 🦺", "o'neill+site@example.com", "o'neill+site@example.com"]);
    const o = ok(mapWorkOrder(task({ NAME: padded, DESCRIPTION: '<b>pour</b> & cure ]]>' }), ctx));
    expect(o.job_description).toBe(`${HOSTILE}\n<b>pour</b> & cure ]]>`);
  });

  it('hostile IDs become keys unchanged', () => {
    const p = ok(mapClient(customer({ CUSTOMERID: "C'1&<2>" }), ctx));
    expect(p.external_id).toBe("C'1&<2>");
  });
});

describe('mapRecord', () => {
  it('validates the record against the Sage object schema first', () => {
    const f = failed(mapRecord('client', { CUSTOMERID: 'C1', RECORDNO: 'x1' }, ctx));
    expect(f.reason).toMatch(/^CUSTOMER "C1" \(RECORDNO x1\): the record read from Sage Intacct is malformed \(RECORDNO: RECORDNO must be digits\)/);
    expect(failed(mapRecord('worker', null, ctx)).reason).toContain('malformed');
  });

  it('dispatches to the entity mapper', () => {
    expect(mapRecord('workOrder', task(), ctx)).toEqual(mapWorkOrder(task(), ctx));
    expect(mapRecord('asset', equipmentItem(), ctx)).toEqual(mapAsset(equipmentItem(), ctx));
  });
});

describe('link lookups', () => {
  it('accept ids as decimal text (as the ledger stores them)', () => {
    const c = makeContext({ links: {} });
    const ids: Record<string, string> = { 'client:C100': '975', 'project:P100': '4100' };
    const textIds = { ...c, assignarIdFor: (kind: string, id: string) => ids[`${kind}:${id}`], projectClientId: () => '975' };
    expect(ok(mapProject(project(), textIds)).client_id).toBe(975);
    expect(ok(mapWorkOrder(task(), textIds))).toMatchObject({ project_id: 4100, client_id: 975 });
    const junk = { ...c, assignarIdFor: () => 'abc' };
    expect(failed(mapProject(project(), junk)).field).toBe('CUSTOMERID');
  });
});
