/**
 * Employees and their contacts. Sage Intacct keeps a person's names, email and phones on a CONTACT; an
 * EMPLOYEE is written with PERSONALINFO/CONTACTNAME naming an existing contact (stored here as
 * CONTACT.CONTACTNAME, with CONTACTKEY its RECORDNO) and reads that contact's values as CONTACT.FIRSTNAME,
 * CONTACT.EMAIL1, … — a join. An employee without a contact (the seeds' employees) keeps flat values.
 */
import type { Rec } from './store';
import type { WriteContext } from './writes';

/** The contact fields an employee shows as `CONTACT.<field>`. */
export const EMPLOYEE_CONTACT_FIELDS = ['FIRSTNAME', 'LASTNAME', 'EMAIL1', 'PHONE1', 'CELLPHONE'] as const;

const employeeView = (contact: Rec): Record<string, string> => ({
  'CONTACT.CONTACTNAME': contact.CONTACTNAME ?? '',
  CONTACTKEY: contact.RECORDNO,
  ...Object.fromEntries(EMPLOYEE_CONTACT_FIELDS.map((f) => [`CONTACT.${f}`, contact[f] ?? ''])),
});

/**
 * Resolves the contact an employee being saved names and fills its contact fields from it; mutates `values`
 * (the complete record). Contact fields written to an employee that has a contact are the contact's: they
 * are saved on the contact (as an edit of the contact through the employee), and every employee showing it
 * follows. Returns a refusal detail (e.g. an unknown contact) instead of throwing, so the caller words it.
 */
export function joinEmployeeContact(ctx: WriteContext, values: Record<string, string>, given: Readonly<Record<string, string>>): string | undefined {
  const name = values['CONTACT.CONTACTNAME'] ?? '';
  if (name === '') {
    delete values.CONTACTKEY;
    return undefined;
  }
  let contact = ctx.store.findByKey('CONTACT', { CONTACTNAME: name });
  if (!contact) return `Invalid contact '${name}': PERSONALINFO/CONTACTNAME must name an existing contact`;
  const edits = EMPLOYEE_CONTACT_FIELDS.filter((f) => `CONTACT.${f}` in given && given[`CONTACT.${f}`] !== (contact![f] ?? ''));
  if (edits.length > 0) {
    contact = ctx.store.replace('CONTACT', Number(contact.RECORDNO), { ...contact, ...Object.fromEntries(edits.map((f) => [f, given[`CONTACT.${f}`]])) });
    refreshEmployeesOf(ctx, contact);
  }
  Object.assign(values, employeeView(contact));
  return undefined;
}

/**
 * After a contact changed: the employees showing it see the new values at once, without that counting as
 * an edit of them (their WHENMODIFIED stays, as for PROJECT.CUSTOMERNAME when a customer is renamed).
 */
export function refreshEmployeesOf(ctx: WriteContext, contact: Rec): void {
  for (const e of ctx.store.all('EMPLOYEE').filter((x) => x.CONTACTKEY === contact.RECORDNO)) {
    ctx.store.patchQuietly('EMPLOYEE', Number(e.RECORDNO), employeeView(contact));
  }
}

/** Employee IDs of the employees whose contact this is (a contact in use cannot be deleted). */
export function employeesOf(ctx: Pick<WriteContext, 'store'>, contact: Rec): string[] {
  return ctx.store.all('EMPLOYEE').filter((x) => x.CONTACTKEY === contact.RECORDNO).map((x) => x.EMPLOYEEID ?? x.RECORDNO);
}

/** The contact fields of a seeded employee that names a contact: what it shows unless the seed says otherwise. */
export function seededEmployeeView(ctx: Pick<WriteContext, 'store'>, contactName: string): Record<string, string> | undefined {
  const contact = ctx.store.findByKey('CONTACT', { CONTACTNAME: contactName });
  return contact ? employeeView(contact) : undefined;
}
