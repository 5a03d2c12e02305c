import { z } from 'zod';

/**
 * The Sage Intacct objects this service reads and writes, with the fields it selects. Field names are
 * exactly what `query` returns (upper case; related fields dotted, e.g. CONTACT.EMAIL1). Every value is
 * text on the wire and stays a string here (IDs like `04` must not become numbers); an empty element is
 * the empty string. WHENCREATED/WHENMODIFIED arrive as `MM/DD/YYYY HH:MM:SS` in the API user's offset and
 * the client hands them over converted to ISO-8601 UTC (`2025-06-01T16:00:00.000Z`), or null when empty.
 */
const text = z.string();
const optionalText = z.string().optional();
const recordNo = z.string().regex(/^\d+$/, 'RECORDNO must be digits');
const status = z.enum(['active', 'inactive']);
const timestamp = z.string().nullable().optional();

const audited = { RECORDNO: recordNo, WHENCREATED: timestamp, WHENMODIFIED: timestamp };

export const CustomerSchema = z.looseObject({
  ...audited,
  CUSTOMERID: text,
  NAME: optionalText,
  STATUS: status.optional(),
  'DISPLAYCONTACT.EMAIL1': optionalText,
  'DISPLAYCONTACT.PHONE1': optionalText,
  'DISPLAYCONTACT.CELLPHONE': optionalText,
  'DISPLAYCONTACT.MAILADDRESS.ADDRESS1': optionalText,
  'DISPLAYCONTACT.MAILADDRESS.ADDRESS2': optionalText,
  'DISPLAYCONTACT.MAILADDRESS.CITY': optionalText,
  'DISPLAYCONTACT.MAILADDRESS.STATE': optionalText,
  'DISPLAYCONTACT.MAILADDRESS.ZIP': optionalText,
});
export type SageCustomer = z.infer<typeof CustomerSchema>;

export const ProjectSchema = z.looseObject({
  ...audited,
  PROJECTID: text,
  NAME: optionalText,
  STATUS: status.optional(),
  CUSTOMERID: optionalText,
  CUSTOMERNAME: optionalText,
  PARENTID: optionalText,
  PROJECTSTATUS: optionalText,
  BEGINDATE: optionalText,
  ENDDATE: optionalText,
});
export type SageProject = z.infer<typeof ProjectSchema>;

export const ItemSchema = z.looseObject({
  ...audited,
  ITEMID: text,
  NAME: optionalText,
  STATUS: status.optional(),
  ITEMTYPE: optionalText,
  /** The item GL group NAME (e.g. Labor, Equipment); empty when the item is in no group. */
  GLGROUP: optionalText,
  EXTENDED_DESCRIPTION: optionalText,
});
export type SageItem = z.infer<typeof ItemSchema>;

export const ItemGlGroupSchema = z.looseObject({
  RECORDNO: recordNo,
  NAME: text,
});
export type SageItemGlGroup = z.infer<typeof ItemGlGroupSchema>;

export const EmployeeSchema = z.looseObject({
  ...audited,
  EMPLOYEEID: text,
  STATUS: status.optional(),
  EMPLOYEETYPE: optionalText,
  DEPARTMENTID: optionalText,
  LOCATIONID: optionalText,
  TITLE: optionalText,
  'CONTACT.FIRSTNAME': optionalText,
  'CONTACT.LASTNAME': optionalText,
  'CONTACT.EMAIL1': optionalText,
  'CONTACT.PHONE1': optionalText,
  'CONTACT.CELLPHONE': optionalText,
});
export type SageEmployee = z.infer<typeof EmployeeSchema>;

/** A person's names, email and phones; an EMPLOYEE names its contact (PERSONALINFO/CONTACTNAME) and shows it as CONTACT.*. */
export const ContactSchema = z.looseObject({
  ...audited,
  /** The contact's unique name (may contain commas, so it cannot be a comma-separated key: read it with `query`). */
  CONTACTNAME: text,
  PRINTAS: optionalText,
  FIRSTNAME: optionalText,
  LASTNAME: optionalText,
  EMAIL1: optionalText,
  PHONE1: optionalText,
  CELLPHONE: optionalText,
  STATUS: status.optional(),
});
export type SageContact = z.infer<typeof ContactSchema>;

export const TaskSchema = z.looseObject({
  ...audited,
  /** Unique per project only. */
  TASKID: text,
  NAME: optionalText,
  STATUS: status.optional(),
  PROJECTID: text,
  PROJECTKEY: optionalText,
  TASKSTATUS: optionalText,
  PBEGINDATE: optionalText,
  PENDDATE: optionalText,
  DESCRIPTION: optionalText,
});
export type SageTask = z.infer<typeof TaskSchema>;

export const StandardCostTypeSchema = z.looseObject({
  ...audited,
  STANDARDCOSTTYPEID: text,
  NAME: optionalText,
  STATUS: status.optional(),
  ACCUMULATIONTYPE: optionalText,
});
export type SageStandardCostType = z.infer<typeof StandardCostTypeSchema>;

export const TimesheetEntrySchema = z.looseObject({
  RECORDNO: recordNo.optional(),
  LINENO: optionalText,
  /** MM/DD/YYYY */
  ENTRYDATE: text,
  /** Hours, as decimal text. */
  QTY: text,
  PROJECTID: optionalText,
  TASKID: optionalText,
  COSTTYPEID: optionalText,
  CUSTOMERID: optionalText,
  ITEMID: optionalText,
  TIMETYPE: optionalText,
  BILLABLE: optionalText,
  LOCATIONID: optionalText,
  DEPARTMENTID: optionalText,
  DESCRIPTION: optionalText,
  NOTES: optionalText,
});
export type SageTimesheetEntry = z.infer<typeof TimesheetEntrySchema>;

export const TimesheetSchema = z.looseObject({
  RECORDNO: recordNo.optional(),
  EMPLOYEEID: text,
  /** MM/DD/YYYY */
  BEGINDATE: text,
  STATE: optionalText,
  DESCRIPTION: optionalText,
  WHENCREATED: timestamp,
  WHENMODIFIED: timestamp,
});
export type SageTimesheet = z.infer<typeof TimesheetSchema>;

export const AuditHistorySchema = z.looseObject({
  RECORDNO: recordNo.optional(),
  /** Lower-case object name, e.g. `employee`. */
  OBJECTTYPE: text,
  /** e.g. `123--REC` (the deleted record's RECORDNO). */
  OBJECTKEY: text,
  /** C created, M modified, D deleted. */
  ACCESSMODE: text,
  ACCESSTIME: timestamp,
});
export type SageAuditHistory = z.infer<typeof AuditHistorySchema>;

/** Per object: its ID field, the schema, and the fields the service selects. */
export const SAGE_OBJECTS = {
  CUSTOMER: { idField: 'CUSTOMERID', schema: CustomerSchema },
  PROJECT: { idField: 'PROJECTID', schema: ProjectSchema },
  ITEM: { idField: 'ITEMID', schema: ItemSchema },
  ITEMGLGROUP: { idField: 'NAME', schema: ItemGlGroupSchema },
  EMPLOYEE: { idField: 'EMPLOYEEID', schema: EmployeeSchema },
  CONTACT: { idField: 'CONTACTNAME', schema: ContactSchema },
  TASK: { idField: 'TASKID', schema: TaskSchema },
  STANDARDCOSTTYPE: { idField: 'STANDARDCOSTTYPEID', schema: StandardCostTypeSchema },
  TIMESHEET: { idField: 'RECORDNO', schema: TimesheetSchema },
  TIMESHEETENTRY: { idField: 'RECORDNO', schema: TimesheetEntrySchema },
  AUDITHISTORY: { idField: 'RECORDNO', schema: AuditHistorySchema },
} as const;
export type SageObjectName = keyof typeof SAGE_OBJECTS;

/** The select list for an object: every field its schema declares. */
export function selectFields(object: SageObjectName): string[] {
  return Object.keys(SAGE_OBJECTS[object].schema.shape);
}
