import type { EntityKind } from '../config/schema';
import { CATALOG } from './catalog';
import type { SageRef } from './types';
import { text } from './values';

/** Separator in a work order's readable ID `PROJECTID:TASKID` (TASKID is unique per project only). */
export const WORK_ORDER_ID_SEPARATOR = ':';
/** Separator in a work order's Assignar `job_number` `PROJECTID-TASKID`. */
export const JOB_NUMBER_SEPARATOR = '-';

type AnyRecord = Readonly<Record<string, unknown>>;

/** The Sage RECORDNO: the link key, stored in Assignar as `integration_id`. */
export function sageKey(record: AnyRecord): string {
  return text(record.RECORDNO);
}

/** The readable ID of a Sage record: CUSTOMERID, PROJECTID, ITEMID, …; work orders `PROJECTID:TASKID`. */
export function readableId(kind: EntityKind, record: AnyRecord): string {
  if (kind === 'workOrder') return `${text(record.PROJECTID)}${WORK_ORDER_ID_SEPARATOR}${text(record.TASKID)}`;
  return text(record[CATALOG[kind].sageIdField]);
}

/** A work order's `job_number`: `PROJECTID-TASKID`, readable in the Assignar UI. */
export function jobNumber(projectId: string, taskId: string): string {
  return `${projectId.trim()}${JOB_NUMBER_SEPARATOR}${taskId.trim()}`;
}

/**
 * The value of the Assignar match key for a Sage record: what an existing, unlinked Assignar record must
 * carry in `external_id` (clients, projects, roles, assets, cost codes), `employee_id` (workers) or
 * `job_number` (work orders) to be adopted instead of duplicated.
 */
export function matchValueOf(kind: EntityKind, record: AnyRecord): string {
  if (kind === 'workOrder') return jobNumber(text(record.PROJECTID), text(record.TASKID));
  return text(record[CATALOG[kind].sageIdField]);
}

/** The same key read from an Assignar record (trimmed text; '' when absent). */
export function assignarMatchValue(kind: EntityKind, assignarRecord: AnyRecord): string {
  return text(assignarRecord[CATALOG[kind].matchKey]);
}

export function sageRefOf(kind: EntityKind, record: AnyRecord): SageRef {
  return { kind, object: CATALOG[kind].sageObject, sageKey: sageKey(record), readableId: readableId(kind, record) };
}
