/**
 * The objects the Sage Intacct sandbox knows, their fields (with types, enum values and the database codes
 * readByQuery speaks), their ID fields and their write rules. Field names are exactly what `query` returns
 * (see src/sage/objects.ts, the contract shared with the client); related fields are dotted and stored flat.
 */
export type FieldType = 'text' | 'integer' | 'decimal' | 'date' | 'timestamp' | 'enum' | 'boolean';

export interface FieldDef {
  name: string;
  type: FieldType;
  label: string;
  /** Set by the system; ignored (or refused) on create/update. */
  readonly?: boolean;
  /** Display value → database code (what readByQuery filters on and returns). */
  codes?: Readonly<Record<string, string>>;
}

export interface ObjectDef {
  name: string;
  /** The readByName key and the key of the control API's records/<OBJECT>/<ID>. */
  idField: string;
  /** Fields that together identify a record uniquely (TASKID is unique per project only). */
  uniqueKey: readonly string[];
  /** Whether generic create/update/delete are allowed (AUDITHISTORY and TIMESHEETENTRY are read-only here). */
  writable: boolean;
  /** Fields a create must carry (besides the ID field). */
  requiredOnCreate: readonly string[];
  fields: readonly FieldDef[];
  fieldMap: ReadonlyMap<string, FieldDef>;
}

export const STATUS_CODES = { active: 'T', inactive: 'F' } as const;
const TASK_STATUS_CODES = { 'Not Started': 'N', Planned: 'L', 'In Progress': 'P', Completed: 'C', 'On Hold': 'H' };
const TIMESHEET_STATE_CODES = {
  Draft: 'I', Submitted: 'S', Approved: 'A', 'Partially Approved': 'X', Declined: 'R', 'Partially Declined': 'E', Saved: 'V',
};
const ITEM_TYPE_CODES = {
  Inventory: 'I', 'Non-Inventory': 'NI', 'Non-Inventory (Purchase only)': 'NP', 'Non-Inventory (Sales only)': 'NS', Kit: 'K', 'Stockable Kit': 'SK',
};

const f = (name: string, type: FieldType = 'text', extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type,
  label: name.split('.').pop()!.replace(/_/g, ' ').toLowerCase().replace(/^./, (c) => c.toUpperCase()),
  ...extra,
});
const recordNo = f('RECORDNO', 'integer', { label: 'Record number', readonly: true });
const status = f('STATUS', 'enum', { label: 'Status', codes: STATUS_CODES });
const audit = [
  f('WHENCREATED', 'timestamp', { label: 'Created', readonly: true }),
  f('WHENMODIFIED', 'timestamp', { label: 'Modified', readonly: true }),
];

function def(o: Omit<ObjectDef, 'fieldMap'>): ObjectDef {
  return { ...o, fieldMap: new Map(o.fields.map((x) => [x.name, x])) };
}

export const OBJECTS: Readonly<Record<string, ObjectDef>> = {
  CUSTOMER: def({
    name: 'CUSTOMER', idField: 'CUSTOMERID', uniqueKey: ['CUSTOMERID'], writable: true, requiredOnCreate: ['NAME'],
    fields: [
      recordNo, f('CUSTOMERID', 'text', { label: 'Customer ID' }), f('NAME'), status,
      f('DISPLAYCONTACT.EMAIL1'), f('DISPLAYCONTACT.PHONE1'), f('DISPLAYCONTACT.CELLPHONE'),
      f('DISPLAYCONTACT.MAILADDRESS.ADDRESS1'), f('DISPLAYCONTACT.MAILADDRESS.ADDRESS2'), f('DISPLAYCONTACT.MAILADDRESS.CITY'),
      f('DISPLAYCONTACT.MAILADDRESS.STATE'), f('DISPLAYCONTACT.MAILADDRESS.ZIP'),
      ...audit,
    ],
  }),
  PROJECT: def({
    name: 'PROJECT', idField: 'PROJECTID', uniqueKey: ['PROJECTID'], writable: true, requiredOnCreate: ['NAME'],
    fields: [
      recordNo, f('PROJECTID', 'text', { label: 'Project ID' }), f('NAME'), status,
      f('CUSTOMERID', 'text', { label: 'Customer ID' }), f('CUSTOMERNAME', 'text', { label: 'Customer name', readonly: true }),
      f('PARENTID', 'text', { label: 'Parent project ID' }), f('PROJECTSTATUS', 'text', { label: 'Project status' }),
      f('BEGINDATE', 'date', { label: 'Begin date' }), f('ENDDATE', 'date', { label: 'End date' }),
      ...audit,
    ],
  }),
  ITEM: def({
    name: 'ITEM', idField: 'ITEMID', uniqueKey: ['ITEMID'], writable: true, requiredOnCreate: ['NAME'],
    fields: [
      recordNo, f('ITEMID', 'text', { label: 'Item ID' }), f('NAME'), status,
      f('ITEMTYPE', 'enum', { label: 'Item type', codes: ITEM_TYPE_CODES }), f('GLGROUP', 'text', { label: 'Item GL group' }),
      f('EXTENDED_DESCRIPTION', 'text', { label: 'Extended description' }),
      ...audit,
    ],
  }),
  ITEMGLGROUP: def({
    name: 'ITEMGLGROUP', idField: 'NAME', uniqueKey: ['NAME'], writable: true, requiredOnCreate: [],
    fields: [recordNo, f('NAME'), f('DESCRIPTION'), ...audit],
  }),
  EMPLOYEE: def({
    name: 'EMPLOYEE', idField: 'EMPLOYEEID', uniqueKey: ['EMPLOYEEID'], writable: true, requiredOnCreate: [],
    fields: [
      recordNo, f('EMPLOYEEID', 'text', { label: 'Employee ID' }), status,
      f('EMPLOYEETYPE', 'text', { label: 'Employee type' }), f('DEPARTMENTID', 'text', { label: 'Department ID' }),
      f('LOCATIONID', 'text', { label: 'Location ID' }), f('TITLE'),
      f('CONTACT.FIRSTNAME', 'text', { label: 'First name' }), f('CONTACT.LASTNAME', 'text', { label: 'Last name' }),
      f('CONTACT.EMAIL1', 'text', { label: 'Primary email address' }), f('CONTACT.PHONE1', 'text', { label: 'Primary phone' }),
      f('CONTACT.CELLPHONE', 'text', { label: 'Mobile phone' }),
      // Written as PERSONALINFO/CONTACTNAME; the CONTACT.* fields above are then the named contact's.
      f('CONTACT.CONTACTNAME', 'text', { label: 'Contact name' }), f('CONTACTKEY', 'integer', { label: 'Contact key', readonly: true }),
      ...audit,
    ],
  }),
  CONTACT: def({
    name: 'CONTACT', idField: 'CONTACTNAME', uniqueKey: ['CONTACTNAME'], writable: true, requiredOnCreate: ['PRINTAS'],
    fields: [
      recordNo, f('CONTACTNAME', 'text', { label: 'Contact name' }), f('PRINTAS', 'text', { label: 'Print as' }),
      f('FIRSTNAME', 'text', { label: 'First name' }), f('LASTNAME', 'text', { label: 'Last name' }),
      f('EMAIL1', 'text', { label: 'Primary email address' }), f('PHONE1', 'text', { label: 'Primary phone' }),
      f('CELLPHONE', 'text', { label: 'Mobile phone' }), status,
      ...audit,
    ],
  }),
  TASK: def({
    name: 'TASK', idField: 'TASKID', uniqueKey: ['PROJECTID', 'TASKID'], writable: true, requiredOnCreate: ['NAME', 'PROJECTID'],
    fields: [
      recordNo, f('TASKID', 'text', { label: 'Task ID' }), f('NAME'), status,
      f('PROJECTID', 'text', { label: 'Project ID' }), f('PROJECTKEY', 'integer', { label: 'Project key', readonly: true }),
      f('TASKSTATUS', 'enum', { label: 'Task status', codes: TASK_STATUS_CODES }),
      f('PBEGINDATE', 'date', { label: 'Planned begin date' }), f('PENDDATE', 'date', { label: 'Planned end date' }),
      f('DESCRIPTION'),
      ...audit,
    ],
  }),
  STANDARDCOSTTYPE: def({
    name: 'STANDARDCOSTTYPE', idField: 'STANDARDCOSTTYPEID', uniqueKey: ['STANDARDCOSTTYPEID'], writable: true, requiredOnCreate: ['NAME'],
    fields: [
      recordNo, f('STANDARDCOSTTYPEID', 'text', { label: 'Standard cost type ID' }), f('NAME'), status,
      f('ACCUMULATIONTYPE', 'text', { label: 'Accumulation type' }),
      ...audit,
    ],
  }),
  TIMESHEET: def({
    name: 'TIMESHEET', idField: 'RECORDNO', uniqueKey: ['RECORDNO'], writable: true, requiredOnCreate: ['EMPLOYEEID', 'BEGINDATE'],
    fields: [
      recordNo, f('EMPLOYEEID', 'text', { label: 'Employee ID' }), f('BEGINDATE', 'date', { label: 'Begin date' }),
      f('ENDDATE', 'date', { label: 'End date', readonly: true }),
      f('STATE', 'enum', { label: 'State', codes: TIMESHEET_STATE_CODES }), f('DESCRIPTION'), f('SUPDOCID', 'text', { label: 'Attachment' }),
      f('GLPOSTDATE', 'date', { label: 'GL post date' }),
      ...audit,
    ],
  }),
  TIMESHEETENTRY: def({
    name: 'TIMESHEETENTRY', idField: 'RECORDNO', uniqueKey: ['RECORDNO'], writable: false, requiredOnCreate: ['ENTRYDATE', 'QTY'],
    fields: [
      recordNo, f('TIMESHEETKEY', 'integer', { label: 'Timesheet key', readonly: true }), f('LINENO', 'integer', { label: 'Line number' }),
      f('EMPLOYEEID', 'text', { label: 'Employee ID', readonly: true }), f('ENTRYDATE', 'date', { label: 'Entry date' }),
      f('QTY', 'decimal', { label: 'Hours' }), f('PROJECTID', 'text', { label: 'Project ID' }),
      f('PROJECTKEY', 'integer', { label: 'Project key', readonly: true }), f('TASKID', 'text', { label: 'Task ID' }),
      f('TASKKEY', 'integer', { label: 'Task key' }), f('COSTTYPEID', 'text', { label: 'Cost type ID' }),
      f('CUSTOMERID', 'text', { label: 'Customer ID' }), f('ITEMID', 'text', { label: 'Item ID' }), f('TIMETYPE', 'text', { label: 'Time type' }),
      f('BILLABLE', 'boolean'), f('LOCATIONID', 'text', { label: 'Location ID' }), f('DEPARTMENTID', 'text', { label: 'Department ID' }),
      f('VENDORID', 'text', { label: 'Vendor ID' }), f('CLASSID', 'text', { label: 'Class ID' }), f('CONTRACTID', 'text', { label: 'Contract ID' }),
      f('WAREHOUSEID', 'text', { label: 'Warehouse ID' }), f('EXTBILLRATE', 'decimal', { label: 'Billing rate' }),
      f('EXTCOSTRATE', 'decimal', { label: 'Labor cost rate' }), f('DESCRIPTION'), f('NOTES'),
      f('STATE', 'enum', { label: 'State', readonly: true, codes: TIMESHEET_STATE_CODES }),
      ...audit,
    ],
  }),
  AUDITHISTORY: def({
    name: 'AUDITHISTORY', idField: 'RECORDNO', uniqueKey: ['RECORDNO'], writable: false, requiredOnCreate: [],
    fields: [
      recordNo, f('OBJECTTYPE', 'text', { label: 'Object type' }), f('OBJECTKEY', 'text', { label: 'Object key' }),
      f('OBJECTDESC', 'text', { label: 'Object description' }), f('ACCESSMODE', 'text', { label: 'Access mode' }),
      f('ACCESSTIME', 'timestamp', { label: 'Access time' }), f('USERID', 'text', { label: 'User ID' }),
      f('SOURCE', 'text', { label: 'Source' }),
    ],
  }),
};

/**
 * The objects seeds fill, in dependency order (the order the control API's seed loads them in). `sageSeed`'s
 * scales fill all but CONTACT: their employees carry their contact's values flat, without a CONTACT row.
 */
export const SEEDED_OBJECTS = ['ITEMGLGROUP', 'CUSTOMER', 'PROJECT', 'ITEM', 'CONTACT', 'EMPLOYEE', 'TASK', 'STANDARDCOSTTYPE'] as const;

export function objectDef(name: string): ObjectDef | undefined {
  return OBJECTS[name.toUpperCase()];
}

/** Display value for a database code of an enum field (readByQuery input), or undefined if it is not a code. */
export function displayForCode(field: FieldDef, code: string): string | undefined {
  if (!field.codes) return undefined;
  for (const [display, c] of Object.entries(field.codes)) if (c === code) return display;
  return undefined;
}
