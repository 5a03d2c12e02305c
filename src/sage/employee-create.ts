import { z } from 'zod';
import { ValidationError } from '../errors';
import type { SageClient, SageFunctionResult } from './client';
import { SageAlreadyDoneError, SageMalformedResponseError, SageTransactionAbortedError } from './errors';
import { buildCreate, type SageWriteRecord } from './functions';
import { textOf } from './response';

/**
 * Creating an employee the way Sage Intacct wants it: a CONTACT (the person: names, email, phones) and an
 * EMPLOYEE whose PERSONALINFO/CONTACTNAME names it (reference §4; the official SDK's ContactCreate and
 * EmployeeCreate write the same shapes).
 */

const optional = z.string().optional();
const status = z.enum(['active', 'inactive']).optional();

/** What a CONTACT create sends. CONTACTNAME is the contact's unique key; Sage Intacct requires PRINTAS too. */
export const ContactCreateSchema = z.strictObject({
  CONTACTNAME: z.string().trim().min(1),
  PRINTAS: z.string().trim().min(1),
  FIRSTNAME: optional,
  LASTNAME: optional,
  EMAIL1: optional,
  PHONE1: optional,
  CELLPHONE: optional,
  STATUS: status,
});
export type SageContactCreate = z.infer<typeof ContactCreateSchema>;

/** What an EMPLOYEE create sends besides its contact's name. */
export const EmployeeCreateSchema = z.strictObject({
  EMPLOYEEID: z.string().trim().min(1),
  STATUS: status,
  TITLE: optional,
  EMPLOYEETYPE: optional,
  DEPARTMENTID: optional,
  LOCATIONID: optional,
});
export type SageEmployeeCreate = z.infer<typeof EmployeeCreateSchema>;

export const EmployeeWithContactSchema = z.strictObject({
  contact: ContactCreateSchema,
  employee: EmployeeCreateSchema,
  /** The contact exists already (found by its CONTACTNAME): only the employee is created, naming it. */
  contactExists: z.boolean().optional(),
});
export type SageEmployeeWithContact = z.input<typeof EmployeeWithContactSchema>;

export interface SageCreatedEmployee {
  /** The new EMPLOYEE's RECORDNO. */
  recordNo: string;
  employeeId: string;
  contactCreated: boolean;
}

/** Function controlids used for one `controlId`: the caller can tell which ran from an error's controlId. */
export const employeeCreateControlIds = (controlId: string) => ({ contact: `${controlId}-contact`, employee: `${controlId}-employee` });

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
}

/** The error that explains a failed request: already done first, then the refusal that rolled the rest back. */
function explaining(results: readonly SageFunctionResult[]): Error | undefined {
  const failed = results.filter((r) => r.error);
  if (failed.length === 0) return undefined;
  return (failed.find((r) => r.error instanceof SageAlreadyDoneError) ?? failed.find((r) => !(r.error instanceof SageTransactionAbortedError)) ?? failed[0]).error;
}

/**
 * Creates the contact and the employee in **one request**, as one transaction (`transaction="true"`) under
 * `uniqueid=true` with deterministic function controlids (`<controlId>-contact`, `<controlId>-employee`):
 * - atomic: an employee refused (EMPLOYEEID taken, an invalid value) rolls its contact back, so no orphan
 *   contact is left behind that a later attempt would trip over;
 * - exactly once: the client's own resend after a lost response carries the same controlids, and Sage
 *   Intacct refuses functions that already ran. That surfaces as SageAlreadyDoneError (the controlids
 *   were used by a committed transaction: the employee exists) — look it up by its EMPLOYEEID.
 * With `contactExists` only the employee function is sent. A business refusal throws SageBusinessError
 * (a record's problem, not the connection's); invalid input throws ValidationError before anything is sent.
 */
export async function createEmployeeWithContact(
  client: Pick<SageClient, 'execute'>,
  input: SageEmployeeWithContact,
  opts: { controlId: string; signal?: AbortSignal },
): Promise<SageCreatedEmployee> {
  const checked = EmployeeWithContactSchema.safeParse(input);
  if (!checked.success) throw new ValidationError(`Employee ${String(input?.employee?.EMPLOYEEID)} with its contact is invalid: ${issues(checked.error)}`);
  const { contact, employee, contactExists = false } = checked.data;
  const ids = employeeCreateControlIds(opts.controlId);
  // Element order as the official SDK writes them.
  const contactRecord: SageWriteRecord = {
    CONTACTNAME: contact.CONTACTNAME, PRINTAS: contact.PRINTAS, FIRSTNAME: contact.FIRSTNAME, LASTNAME: contact.LASTNAME,
    PHONE1: contact.PHONE1, CELLPHONE: contact.CELLPHONE, EMAIL1: contact.EMAIL1, STATUS: contact.STATUS,
  };
  const employeeRecord: SageWriteRecord = {
    EMPLOYEEID: employee.EMPLOYEEID, PERSONALINFO: { CONTACTNAME: contact.CONTACTNAME }, TITLE: employee.TITLE, EMPLOYEETYPE: employee.EMPLOYEETYPE,
    STATUS: employee.STATUS, DEPARTMENTID: employee.DEPARTMENTID, LOCATIONID: employee.LOCATIONID,
  };
  const functions = [
    ...(contactExists ? [] : [buildCreate('CONTACT', [contactRecord], ids.contact)]),
    buildCreate('EMPLOYEE', [employeeRecord], ids.employee),
  ];
  const results = await client.execute(functions, { uniqueId: true, transaction: functions.length > 1, signal: opts.signal });
  const error = explaining(results);
  if (error) throw error;
  const created = results[results.length - 1];
  const recordNo = textOf(created.data?.records[0]?.RECORDNO) ?? created.key;
  if (!recordNo || !/^\d+$/.test(recordNo)) {
    // A resend with the same controlids answers "already done", which the caller resolves by lookup.
    throw new SageMalformedResponseError('Malformed Sage Intacct response: the EMPLOYEE create succeeded but returned no RECORDNO', { level: 'result', functionName: 'create', controlId: ids.employee });
  }
  return { recordNo, employeeId: employee.EMPLOYEEID, contactCreated: !contactExists };
}
