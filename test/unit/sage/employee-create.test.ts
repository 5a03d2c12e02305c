/**
 * SageClient.createEmployeeWithContact against the Sage Intacct sandbox (in this process, over HTTP): one
 * request, one transaction, deterministic function controlids under uniqueid=true; a lost response resent is
 * "already done"; refusals are record errors (SageBusinessError), not connection failures.
 */
import { SageConfigSchema } from '../../../src/config/schema';
import { isConnectionFailure, ValidationError } from '../../../src/errors';
import { resetCompanyLimiters, SageAlreadyDoneError, SageBusinessError, SageClient, type SageEmployeeWithContact } from '../../../src/sage';
import { startSageSandbox, type SageSandbox } from '../../../src/sandbox/sage';

let sb: SageSandbox;

beforeAll(async () => {
  sb = await startSageSandbox({ port: 0, seed: 'demo' });
});
afterAll(async () => {
  await sb?.close();
});
beforeEach(() => {
  resetCompanyLimiters();
  sb.faults({ failNextRequests: 0, faultsAfterExecute: false });
  sb.seed('demo');
});

function client(): SageClient {
  const config = SageConfigSchema.parse({
    endpoint: sb.endpointUrl,
    senderId: sb.credentials.senderId,
    senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
    userId: sb.credentials.userId,
    companyId: sb.credentials.companyId,
    userPassword: { env: 'SAGE_USER_PASSWORD' },
    userTimeZoneOffset: sb.userTimeZoneOffset,
    requestTimeoutMs: 5_000,
  });
  return new SageClient(config, { senderPassword: sb.credentials.senderPassword, userPassword: sb.credentials.userPassword }, { backoff: { baseMs: 5, maxMs: 20 } });
}

const input = (id: string, name = `Tempest, Sam (${id})`): SageEmployeeWithContact => ({
  contact: { CONTACTNAME: name, PRINTAS: 'Sam Tempest', FIRSTNAME: 'Sam', LASTNAME: 'Tempest', EMAIL1: 'sam.tempest@example.com', PHONE1: '(312) 555-0199', STATUS: 'active' },
  employee: { EMPLOYEEID: id, STATUS: 'active' },
});

test('contact and employee in one request, one transaction, with <controlId>-contact and -employee under uniqueid=true', async () => {
  const c = client();
  const execute = jest.spyOn(c, 'execute');
  const created = await c.createEmployeeWithContact(input('A901'), { controlId: 'tu-1' });
  expect(created).toEqual({ recordNo: expect.stringMatching(/^\d+$/), employeeId: 'A901', contactCreated: true });
  expect(execute).toHaveBeenCalledTimes(1);
  const [functions, opts] = execute.mock.calls[0];
  expect(functions.map((f) => [f.name, f.controlId])).toEqual([['create', 'tu-1-contact'], ['create', 'tu-1-employee']]);
  expect(opts).toMatchObject({ uniqueId: true, transaction: true });
  expect(functions[1].xml).toContain('<PERSONALINFO><CONTACTNAME>Tempest, Sam (A901)</CONTACTNAME></PERSONALINFO>');

  const [e] = (await c.read('EMPLOYEE', [created.recordNo])).records;
  expect(e).toMatchObject({ EMPLOYEEID: 'A901', STATUS: 'active', 'CONTACT.FIRSTNAME': 'Sam', 'CONTACT.LASTNAME': 'Tempest', 'CONTACT.EMAIL1': 'sam.tempest@example.com', 'CONTACT.PHONE1': '(312) 555-0199' });
  expect(sb.records('CONTACT').map((x) => x.CONTACTNAME)).toEqual(['Tempest, Sam (A901)']);
});

test('sent again with the same controlId: SageAlreadyDoneError, nothing created twice', async () => {
  const c = client();
  await c.createEmployeeWithContact(input('A902'), { controlId: 'tu-2' });
  const err = await c.createEmployeeWithContact(input('A902'), { controlId: 'tu-2' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SageAlreadyDoneError);
  expect(sb.records('EMPLOYEE').filter((x) => x.EMPLOYEEID === 'A902')).toHaveLength(1);
  expect(sb.records('CONTACT')).toHaveLength(1);
});

test('a response lost after Sage Intacct executed the request: the client resends the same controlids and hears "already done"', async () => {
  const c = client();
  await c.connect();
  sb.faults({ failNextRequests: 1, faultsAfterExecute: true });
  await expect(c.createEmployeeWithContact(input('A903'), { controlId: 'tu-3' })).rejects.toBeInstanceOf(SageAlreadyDoneError);
  expect(sb.records('EMPLOYEE').filter((x) => x.EMPLOYEEID === 'A903')).toHaveLength(1);
  expect(sb.records('CONTACT')).toHaveLength(1);
});

test('an EMPLOYEEID in use is a record error; the contact is rolled back with it', async () => {
  const err = await client().createEmployeeWithContact(input('E1001'), { controlId: 'tu-4' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SageBusinessError);
  expect((err as SageBusinessError).isDuplicateKey).toBe(true);
  expect((err as SageBusinessError).controlId).toBe('tu-4-employee');
  expect(isConnectionFailure(err)).toBe(false);
  expect(sb.records('CONTACT')).toEqual([]);
});

test('with contactExists only the employee is sent; an unknown contact is a record error', async () => {
  const c = client();
  const missing = await c.createEmployeeWithContact({ ...input('A905'), contactExists: true }, { controlId: 'tu-5' }).catch((e: unknown) => e);
  expect(missing).toBeInstanceOf(SageBusinessError);
  expect((missing as SageBusinessError).message).toContain('Invalid contact');

  sb.seed({ CONTACT: [{ CONTACTNAME: 'Tempest, Sam (A906)', PRINTAS: 'Sam Tempest', FIRSTNAME: 'Sam', LASTNAME: 'Tempest' }] });
  const execute = jest.spyOn(c, 'execute');
  const created = await c.createEmployeeWithContact({ ...input('A906'), contactExists: true }, { controlId: 'tu-6' });
  expect(created.contactCreated).toBe(false);
  expect(execute.mock.calls[0][0].map((f) => f.controlId)).toEqual(['tu-6-employee']);
  expect(execute.mock.calls[0][1]).toMatchObject({ uniqueId: true, transaction: false });
});

test('input is checked before anything is sent', async () => {
  const c = client();
  const execute = jest.spyOn(c, 'execute');
  const bad = { ...input('A907'), contact: { ...input('A907').contact, PRINTAS: ' ' } };
  await expect(c.createEmployeeWithContact(bad, { controlId: 'tu-7' })).rejects.toBeInstanceOf(ValidationError);
  await expect(c.createEmployeeWithContact({ ...input('A907'), employee: { EMPLOYEEID: '' } }, { controlId: 'tu-7' })).rejects.toBeInstanceOf(ValidationError);
  expect(execute).not.toHaveBeenCalled();
});
