/**
 * A real client the sandbox was not written with: the official @intacct/intacct-sdk, pointed at the sandbox
 * over HTTP. It opens a session (and follows the session's endpoint), pages with ReadByQuery/ReadMore, runs a
 * NewQuery Query, reads by name, and creates a timesheet with TimesheetCreate (which only emits TASKKEY).
 *
 * The one override: the SDK's Endpoint class accepts only *.intacct.com host names, so its private static
 * domain check is widened to also accept the sandbox's 127.0.0.1 — nothing else of the SDK is touched.
 */
import * as IA from '@intacct/intacct-sdk';
import Endpoint from '@intacct/intacct-sdk/dist/Credentials/Endpoint';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';

const { ReadByQuery, ReadMore, ReadByName } = IA.Functions.Common;
const { Query } = IA.Functions.Common.NewQuery;
const { Filter, AndOperator, OrOperator } = IA.Functions.Common.NewQuery.QueryFilter;
const { SelectBuilder } = IA.Functions.Common.NewQuery.QuerySelect;
const { OrderBuilder } = IA.Functions.Common.NewQuery.QueryOrderBy;
const { QueryString } = IA.Functions.Common.Query;
const { TimesheetCreate, TimesheetEntryCreate } = IA.Functions.Projects;

type DomainCheck = { isDomainValid: (hostname: string) => boolean };
const endpointClass = Endpoint as unknown as DomainCheck;
const originalDomainCheck = endpointClass.isDomainValid;

let sandbox: SageSandbox;

beforeAll(async () => {
  sandbox = await startSageSandbox({ port: 0, seed: 'demo' });
  endpointClass.isDomainValid = (hostname: string) => hostname === '127.0.0.1' || originalDomainCheck.call(Endpoint, hostname);
});

afterAll(async () => {
  endpointClass.isDomainValid = originalDomainCheck;
  await sandbox.close();
});

function loginConfig(): IA.ClientConfig {
  const config = new IA.ClientConfig();
  config.endpointUrl = sandbox.endpointUrl;
  config.senderId = sandbox.credentials.senderId;
  config.senderPassword = sandbox.credentials.senderPassword;
  config.companyId = sandbox.credentials.companyId;
  config.userId = sandbox.credentials.userId;
  config.userPassword = sandbox.credentials.userPassword;
  return config;
}

async function sessionClient(): Promise<IA.OnlineClient> {
  const config = await IA.SessionProvider.factory(loginConfig());
  return new IA.OnlineClient(config);
}

test('SessionProvider opens a session and switches to the endpoint the sandbox returns', async () => {
  const config = await IA.SessionProvider.factory(loginConfig());
  expect(config.sessionId).toMatch(/^[A-Za-z0-9]+\.\.$/);
  expect(config.endpointUrl).toBe(sandbox.sessionEndpointUrl);
  expect(config.endpointUrl).not.toBe(sandbox.endpointUrl);
  expect(config.companyId).toBe(sandbox.credentials.companyId);
  expect(config.userId).toBe(sandbox.credentials.userId);
  expect(config.sessionTimeout).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-06:00$/);
  expect(config.credentials).toBeInstanceOf(IA.Credentials.SessionCredentials);
});

test('ReadByQuery + ReadMore page through every active employee exactly once', async () => {
  const client = await sessionClient();
  const before = sandbox.stats().transactions.byFunction;
  const rbq = new ReadByQuery();
  rbq.objectName = 'EMPLOYEE';
  rbq.fields = ['RECORDNO', 'EMPLOYEEID', 'STATUS', 'CONTACT.EMAIL1'];
  rbq.query = new QueryString("STATUS = 'T'");
  rbq.pageSize = 7;

  const seen: Array<Record<string, string>> = [];
  let result = (await client.execute(rbq)).getResult();
  expect(result.listType).toBe('employee');
  seen.push(...(result.data as Array<Record<string, string>>));
  let pages = 1;
  while (result.numRemaining > 0) {
    const more = new ReadMore();
    more.resultId = result.resultId;
    result = (await client.execute(more)).getResult();
    seen.push(...(result.data as Array<Record<string, string>>));
    pages++;
  }
  const expected = sandbox.records('EMPLOYEE').filter((e) => e.STATUS === 'active').map((e) => e.EMPLOYEEID);
  expect(seen.map((e) => e.EMPLOYEEID)).toEqual(expected);
  expect(new Set(seen.map((e) => e.RECORDNO)).size).toBe(seen.length);
  expect(seen.every((e) => e.STATUS === 'T')).toBe(true);
  expect(pages).toBe(Math.ceil(expected.length / 7));
  const after = sandbox.stats().transactions.byFunction;
  expect((after.readByQuery ?? 0) - (before.readByQuery ?? 0)).toBe(1);
  expect((after.readMore ?? 0) - (before.readMore ?? 0)).toBe(pages - 1);
});

test('NewQuery Query with nested and/or, order by and page size', async () => {
  const client = await sessionClient();
  const query = new Query()
    .assignFromObject('ITEM')
    .assignSelectFields(new SelectBuilder().addFields(['RECORDNO', 'ITEMID', 'NAME', 'STATUS', 'GLGROUP', 'WHENMODIFIED']).selects)
    .assignFilter(new AndOperator([new Filter('STATUS').equalTo('active'), new OrOperator([new Filter('GLGROUP').equalTo('Labor'), new Filter('GLGROUP').equalTo('Equipment')])]))
    .assignOrderBy(new OrderBuilder().addDescending('ITEMID').orders)
    .assignPageSize(2000);
  // The SDK's typings describe Query as IQueryFunction, not IFunction, although OnlineClient executes it as one.
  const result = (await client.execute(query as unknown as IA.Functions.IFunction)).getResult();
  const rows = result.data as Array<Record<string, string>>;
  const expected = sandbox
    .records('ITEM')
    .filter((i) => i.STATUS === 'active' && (i.GLGROUP === 'Labor' || i.GLGROUP === 'Equipment'))
    .map((i) => i.ITEMID)
    .sort()
    .reverse();
  expect(result.totalCount).toBe(expected.length);
  expect(result.numRemaining).toBe(0);
  expect(rows.map((r) => r.ITEMID)).toEqual(expected);
  // XML metacharacters come back intact through the SDK's own parser.
  expect(rows.map((r) => r.NAME)).toContain('Ωmega Crane 50t "Big Lift" ]]>');
  expect(rows[0].WHENMODIFIED).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$|^$/);
});

test('ReadByName finds employees by EMPLOYEEID, leading zeros intact', async () => {
  const client = await sessionClient();
  const rbn = new ReadByName();
  rbn.objectName = 'EMPLOYEE';
  rbn.names = ['E1004', '00012', 'NOPE'];
  rbn.fields = ['RECORDNO', 'EMPLOYEEID', 'CONTACT.FIRSTNAME', 'CONTACT.LASTNAME'];
  const rows = (await client.execute(rbn)).getResult().data as Array<Record<string, string>>;
  expect(rows.map((r) => r.EMPLOYEEID).sort()).toEqual(['00012', 'E1004']);
  expect(rows.find((r) => r.EMPLOYEEID === 'E1004')?.['CONTACT.FIRSTNAME']).toBe('Zoë');
});

test('TimesheetCreate (TASKKEY only) creates a timesheet counted as one transaction', async () => {
  const client = await sessionClient();
  const task = sandbox.records('TASK').find((t) => t.STATUS === 'active')!;
  const employee = sandbox.records('EMPLOYEE').find((e) => e.STATUS === 'active')!;
  const before = sandbox.stats().transactions.byFunctionAndObject['create TIMESHEET'] ?? 0;

  const ts = new TimesheetCreate();
  ts.employeeId = employee.EMPLOYEEID;
  ts.beginDate = new Date(2025, 5, 2);
  ts.description = 'Week 23 & <site>';
  ts.action = 'Submitted';
  const entry = new TimesheetEntryCreate();
  entry.entryDate = new Date(2025, 5, 3);
  entry.quantity = 7.5;
  entry.taskRecordNo = Number(task.RECORDNO);
  entry.billable = true;
  entry.description = "Pour & cure, O'Brien's crew";
  const second = new TimesheetEntryCreate();
  second.entryDate = new Date(2025, 5, 4);
  second.quantity = 2;
  second.projectId = task.PROJECTID;
  ts.entries = [entry, second];

  const result = (await client.execute(ts)).getResult();
  expect(result.listType).toBe('objects');
  const recordNo = (result.data as Array<Record<string, string>>)[0].RECORDNO;
  expect(recordNo).toMatch(/^\d+$/);

  const header = sandbox.records('TIMESHEET').find((t) => t.RECORDNO === recordNo)!;
  expect(header).toMatchObject({ EMPLOYEEID: employee.EMPLOYEEID, BEGINDATE: '06/02/2025', STATE: 'Submitted', DESCRIPTION: 'Week 23 & <site>' });
  const lines = sandbox.records('TIMESHEETENTRY').filter((l) => l.TIMESHEETKEY === recordNo);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatchObject({ ENTRYDATE: '06/03/2025', QTY: '7.5', TASKKEY: task.RECORDNO, TASKID: task.TASKID, PROJECTID: task.PROJECTID, BILLABLE: 'true' });
  expect(lines[1]).toMatchObject({ ENTRYDATE: '06/04/2025', QTY: '2', PROJECTID: task.PROJECTID, TASKID: '' });
  expect((sandbox.stats().transactions.byFunctionAndObject['create TIMESHEET'] ?? 0) - before).toBe(1);
});

test('a business-rule failure reaches the SDK as a ResultException with the gateway errors', async () => {
  const client = await sessionClient();
  const ts = new TimesheetCreate();
  ts.employeeId = 'NO-SUCH-EMPLOYEE';
  ts.beginDate = new Date(2025, 5, 2);
  const entry = new TimesheetEntryCreate();
  entry.entryDate = new Date(2025, 5, 3);
  entry.quantity = 1;
  entry.taskRecordNo = 999999;
  ts.entries = [entry];
  const failure = await client.execute(ts).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(IA.Exceptions.ResultException);
  const messages = (failure as InstanceType<typeof IA.Exceptions.ResultException>).errors.join('\n');
  expect(messages).toContain('Invalid Employee NO-SUCH-EMPLOYEE');
  expect(messages).toContain('Invalid Task key 999999');
  expect(messages).toContain('Could not create Timesheet record!');
});
