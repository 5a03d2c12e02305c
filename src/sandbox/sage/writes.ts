/**
 * Creating, updating and deleting records with the business rules a tenant enforces — shared by the
 * gateway's create/update/delete functions and the control API's records/<OBJECT> (which behaves like a
 * person editing in the Sage Intacct UI). Every write stamps WHENMODIFIED; deletes leave AUDITHISTORY rows.
 */
import type { ObjectDef } from './catalog';
import { objectDef } from './catalog';
import { employeesOf, joinEmployeeContact, refreshEmployeesOf } from './contacts';
import { errors, SageFunctionError } from './errors';
import { validateInput } from './records';
import type { Rec, SageStore } from './store';
import { createTimesheet, deleteTimesheet, updateTimesheet } from './timesheet';

export interface WriteContext {
  store: SageStore;
  userId: string;
  /** AUDITHISTORY SOURCE: W web services, U user interface (control API). */
  source: 'W' | 'U';
  /** Timesheet period in days from BEGINDATE (entries must fall inside it). */
  timesheetPeriodDays: number;
  /** The most decimal places a timesheet entry's QTY may have. */
  timesheetQtyDecimals: number;
}

const rule = (def: ObjectDef, detail: string, action = 'create'): SageFunctionError =>
  new SageFunctionError([errors.businessRule(detail, `Could not ${action} ${def.name} record`)]);

function requireWritable(def: ObjectDef, action: string): void {
  if (!def.writable) throw rule(def, `${def.name} records cannot be ${action}d through the API`, action);
}

/**
 * Derives and checks cross-object fields; mutates `values` (the complete record being saved). `given` is
 * what the write itself carried.
 */
function applyRules(ctx: WriteContext, def: ObjectDef, values: Record<string, string>, given: Readonly<Record<string, string>>, action: string): void {
  const { store } = ctx;
  for (const required of def.requiredOnCreate) {
    if ((values[required] ?? '') === '') throw rule(def, `Required field ${required} is missing`, action);
  }
  switch (def.name) {
    case 'PROJECT': {
      if (values.CUSTOMERID) {
        const customer = store.findByKey('CUSTOMER', { CUSTOMERID: values.CUSTOMERID });
        if (!customer) throw rule(def, `Invalid Customer ${values.CUSTOMERID} specified for project ${values.PROJECTID}`, action);
        values.CUSTOMERNAME = customer.NAME ?? '';
      } else {
        values.CUSTOMERNAME = '';
      }
      if (values.PARENTID) {
        if (values.PARENTID === values.PROJECTID) throw rule(def, 'A project cannot be its own parent', action);
        if (!store.findByKey('PROJECT', { PROJECTID: values.PARENTID })) throw rule(def, `Invalid parent project ${values.PARENTID}`, action);
      }
      break;
    }
    case 'TASK': {
      const project = store.findByKey('PROJECT', { PROJECTID: values.PROJECTID });
      if (!project) throw rule(def, `Invalid Project ${values.PROJECTID} specified for task ${values.TASKID}`, action);
      values.PROJECTKEY = project.RECORDNO;
      break;
    }
    case 'ITEM': {
      if (values.GLGROUP && !store.findByKey('ITEMGLGROUP', { NAME: values.GLGROUP })) {
        throw rule(def, `Invalid Item GL Group ${values.GLGROUP} specified for item ${values.ITEMID}`, action);
      }
      break;
    }
    case 'EMPLOYEE': {
      const refused = joinEmployeeContact(ctx, values, given);
      if (refused) throw rule(def, refused, action);
      break;
    }
    default:
      break;
  }
}

function describeKey(def: ObjectDef, values: Readonly<Record<string, string>>): string {
  return def.uniqueKey.map((k) => `${k}=${values[k] ?? ''}`).join(', ');
}

/** Creates one record (TIMESHEET with its TIMESHEETENTRIES goes through timesheet.ts). */
export function createRecord(ctx: WriteContext, def: ObjectDef, input: Readonly<Record<string, unknown>>, entries?: Array<Record<string, string>>): Rec {
  requireWritable(def, 'create');
  if (def.name === 'TIMESHEET') return createTimesheet(ctx, input, entries);
  const values = validateInput(def, input);
  delete values.RECORDNO; // assigned by the system
  if (def.idField !== 'RECORDNO' && (values[def.idField] ?? '') === '') throw rule(def, `Required field ${def.idField} is missing`);
  if (def.fieldMap.has('STATUS') && !values.STATUS) values.STATUS = 'active';
  applyRules(ctx, def, values, { ...values }, 'create');
  if (ctx.store.findByKey(def.name, values)) {
    throw new SageFunctionError([errors.duplicate(def.name, def.uniqueKey.map((k) => values[k]).join(', ')), errors.businessRule(`Could not create ${def.name} record`, `Could not create ${def.name} record`)]);
  }
  return ctx.store.insert(def.name, values);
}

/** Finds the record an update or upsert names: by RECORDNO, else by its unique key (ID field). */
export function locate(ctx: WriteContext, def: ObjectDef, values: Readonly<Record<string, string>>): Rec | undefined {
  if (values.RECORDNO) return ctx.store.get(def.name, Number(values.RECORDNO));
  if (def.uniqueKey.every((k) => (values[k] ?? '') !== '') && def.idField !== 'RECORDNO') return ctx.store.findByKey(def.name, values);
  return undefined;
}

/**
 * Updates one record, named by RECORDNO or its ID field; only the fields given change (a TIMESHEET goes
 * through timesheet.ts: its entries are replaced completely).
 */
export function updateRecord(ctx: WriteContext, def: ObjectDef, input: Readonly<Record<string, unknown>>, entries?: Array<Record<string, string>>): Rec {
  requireWritable(def, 'update');
  if (def.name === 'TIMESHEET') return updateTimesheet(ctx, input, entries);
  const values = validateInput(def, input);
  const hasKey = values.RECORDNO || (def.idField !== 'RECORDNO' && def.uniqueKey.every((k) => (values[k] ?? '') !== ''));
  if (!hasKey) throw rule(def, `Missing RECORDNO${def.idField !== 'RECORDNO' ? ` or ${def.uniqueKey.join(' + ')}` : ''} to identify the ${def.name} record`, 'update');
  const existing = locate(ctx, def, values);
  if (!existing) {
    const by = values.RECORDNO ? `RECORDNO=${values.RECORDNO}` : describeKey(def, values);
    throw rule(def, `Cannot update non-existing ${def.name} with ${by}.`, 'update');
  }
  for (const k of def.uniqueKey) {
    if (k !== 'RECORDNO' && k in values && values[k] !== (existing[k] ?? '')) throw rule(def, `${k} cannot be changed (is '${existing[k] ?? ''}')`, 'update');
  }
  const merged: Record<string, string> = { ...existing };
  for (const [k, v] of Object.entries(values)) if (k !== 'RECORDNO') merged[k] = v;
  applyRules(ctx, def, merged, values, 'update');
  const recordNo = Number(existing.RECORDNO);
  const saved = ctx.store.replace(def.name, recordNo, merged);
  // PROJECT.CUSTOMERNAME is a join in Sage Intacct: a renamed customer shows under its projects at once.
  if (def.name === 'CUSTOMER' && (merged.NAME ?? '') !== (existing.NAME ?? '')) {
    for (const p of ctx.store.all('PROJECT').filter((x) => x.CUSTOMERID === merged.CUSTOMERID)) {
      ctx.store.patchQuietly('PROJECT', Number(p.RECORDNO), { CUSTOMERNAME: merged.NAME ?? '' });
    }
  }
  if (def.name === 'CONTACT') refreshEmployeesOf(ctx, saved);
  return saved;
}

/**
 * Deletes one record by RECORDNO, leaving an AUDITHISTORY row (a timesheet takes its lines with it, and is
 * refused while it holds approved time).
 */
export function deleteRecord(ctx: WriteContext, def: ObjectDef, recordNo: number): Rec {
  requireWritable(def, 'delete');
  const existing = ctx.store.get(def.name, recordNo);
  if (!existing) throw rule(def, `${def.name} record with RECORDNO ${recordNo} does not exist`, 'delete');
  if (def.name === 'TIMESHEET') return deleteTimesheet(ctx, recordNo);
  if (def.name === 'CONTACT') {
    const users = employeesOf(ctx, existing);
    if (users.length > 0) throw rule(def, `Contact '${existing.CONTACTNAME ?? ''}' is the contact of employee ${users.join(', ')} and cannot be deleted`, 'delete');
  }
  ctx.store.remove(def.name, recordNo, ctx.userId, ctx.source);
  return existing;
}

/** Control API: create or update by ID field (like a UI edit). Returns the saved record. */
export function upsertRecord(ctx: WriteContext, object: string, input: Readonly<Record<string, unknown>>): Rec {
  const def = objectDef(object);
  if (!def) throw new SageFunctionError(errors.invalidObject(object));
  const { TIMESHEETENTRIES, ...rest } = input as Record<string, unknown>;
  const entries = entryList(TIMESHEETENTRIES);
  if (def.name === 'TIMESHEET') {
    // Named by RECORDNO (a timesheet has no other ID); without one it is a new timesheet.
    const hasRecordNo = Object.entries(rest).some(([k, v]) => k.toUpperCase() === 'RECORDNO' && v !== undefined && v !== null && String(v) !== '');
    return hasRecordNo ? updateRecord(ctx, def, rest, entries) : createRecord(ctx, def, rest, entries);
  }
  const values = validateInput(def, rest);
  const existing = locate(ctx, def, values);
  return existing ? updateRecord(ctx, def, { ...rest, RECORDNO: existing.RECORDNO }, entries) : createRecord(ctx, def, rest, entries);
}

/** TIMESHEETENTRIES as JSON: an array of entries, or `{"TIMESHEETENTRY": [...]}` / one entry as in XML. */
function entryList(raw: unknown): Array<Record<string, string>> | undefined {
  if (raw === undefined || raw === null) return undefined;
  let list: unknown = raw;
  if (!Array.isArray(list) && typeof list === 'object' && list !== null && 'TIMESHEETENTRY' in list) list = (list as { TIMESHEETENTRY: unknown }).TIMESHEETENTRY;
  if (list === '' || list === undefined || list === null) return [];
  const items = Array.isArray(list) ? list : [list];
  return items.map((e, i) => {
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new SageFunctionError(errors.businessRule(`TIMESHEETENTRIES[${i}] must be an object`, 'Invalid timesheet'));
    return stringify(e as Record<string, unknown>);
  });
}

function stringify(o: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}
