import type { SageTask } from '../sage/objects';
import { buildPayload, isActive, lazy, linkedId, val, type Resolved } from './fields';
import { jobNumber, matchValueOf, sageRefOf } from './keys';
import type { MapContext, MapResult, WorkOrderPayload } from './types';
import { localDate, parseSageDate, text } from './values';

/**
 * TASK (project task) → Assignar work order (`/orders`).
 * - `job_number` = `PROJECTID-TASKID` (readable in Assignar; TASKID alone is unique per project only);
 *   `integration_id` = RECORDNO.
 * - `project_id` through the project link; `client_id` through the project's client (both required).
 * - `job_description` = NAME, plus DESCRIPTION on the next line when it says something more.
 * - `start_date`/`end_date` (required, YYYY-MM-DD) from PBEGINDATE/PENDDATE (MM/DD/YYYY). An empty
 *   PBEGINDATE defaults to the day the task was created (WHENCREATED, in the connection's time zone; never
 *   after the end date); an empty PENDDATE defaults to the start date. The end may not precede the start.
 * - `order_owner` (required; an Assignar user id): `fieldOverrides.order_owner`, else the run's default
 *   (`defaults.orderOwnerId`), else the record fails with a configuration reason.
 */
export function mapWorkOrder(record: SageTask, ctx: MapContext): MapResult<WorkOrderPayload> {
  const projectId = text(record.PROJECTID);
  const taskId = text(record.TASKID);
  const name = text(record.NAME);
  const description = text(record.DESCRIPTION);

  const dates = (): { start?: Resolved; end?: Resolved } => {
    const rawBegin = text(record.PBEGINDATE);
    const rawEnd = text(record.PENDDATE);
    const begin = rawBegin === '' ? '' : parseSageDate(rawBegin);
    const end = rawEnd === '' ? '' : parseSageDate(rawEnd);
    const bad = (field: string, raw: string): Resolved => ({
      fail: `${field} ${JSON.stringify(raw)} is not a valid date (MM/DD/YYYY). Fix in Sage Intacct: correct the task's planned ${field === 'PBEGINDATE' ? 'begin' : 'end'} date`,
      field,
    });
    const out: { start?: Resolved; end?: Resolved } = {};
    if (begin === null) out.start = bad('PBEGINDATE', rawBegin);
    if (end === null) out.end = bad('PENDDATE', rawEnd);
    if (begin === null || end === null) return out;
    let start = begin;
    if (start === '') {
      const created = record.WHENCREATED ? localDate(record.WHENCREATED, ctx.config.timeZone) : null;
      if (!created) {
        out.start = { fail: "PBEGINDATE is empty, and Assignar needs a start date. Fix in Sage Intacct: enter the task's planned begin date", field: 'PBEGINDATE' };
        out.end = out.start;
        return out;
      }
      start = end !== '' && end < created ? end : created;
    }
    out.start = { value: start };
    out.end = { value: end === '' ? start : end };
    return out;
  };
  let cached: ReturnType<typeof dates> | undefined;
  const dateOf = (which: 'start' | 'end') => (cached ??= dates())[which] ?? { value: undefined };

  return buildPayload<WorkOrderPayload>(
    sageRefOf('workOrder', record),
    record,
    ctx,
    [
      val('job_number', jobNumber(projectId, taskId)),
      val('integration_id', record.RECORDNO),
      lazy('project_id', 'PROJECTID', () => {
        const id = linkedId(ctx.assignarIdFor('project', projectId));
        if (id !== null) return { value: id };
        return {
          fail:
            `its project PROJECTID ${JSON.stringify(projectId)} has no project in Assignar (the project is inactive, outside the ` +
            `project filter, or failed to sync). Fix in Sage Intacct: make project ${JSON.stringify(projectId)} active and in scope ` +
            `(or fix its own error); the work order follows on the next sync`,
          field: 'PROJECTID',
        };
      }),
      lazy('client_id', 'PROJECTID', () => {
        const id = linkedId(ctx.projectClientId?.(projectId));
        if (id !== null) return { value: id };
        return {
          fail:
            `its project ${JSON.stringify(projectId)} has no client in Assignar, and an Assignar work order needs one. Fix in Sage ` +
            `Intacct: set a customer on project ${JSON.stringify(projectId)} and make sure that customer is active and in scope`,
          field: 'PROJECTID',
        };
      }),
      lazy(
        'job_description',
        'NAME',
        () => ({ value: description !== '' && description !== name && name !== '' ? `${name}\n${description}` : name }),
        "enter the task's name",
      ),
      lazy('start_date', 'PBEGINDATE', () => dateOf('start')),
      lazy('end_date', 'PENDDATE', () => dateOf('end')),
      lazy('order_owner', undefined, () => {
        const owner = ctx.defaults?.orderOwnerId;
        if (owner !== undefined && owner !== null) return { value: owner };
        return {
          fail:
            'configuration error, not a Sage Intacct problem: Assignar work orders need an order_owner (an Assignar user id) and none ' +
            'is configured. Set entities.workOrder.fieldOverrides.order_owner to { value: <Assignar user id> }',
          field: 'entities.workOrder.fieldOverrides.order_owner',
        };
      }),
      val('active', isActive(record)),
    ],
    matchValueOf('workOrder', record),
    {
      check: (p) => {
        if (typeof p.start_date === 'string' && typeof p.end_date === 'string' && p.end_date < p.start_date) {
          return {
            fail: `the end date ${p.end_date} (PENDDATE) is before the start date ${p.start_date} (PBEGINDATE). Fix in Sage Intacct: correct the task's planned dates`,
            field: 'PENDDATE',
          };
        }
        return null;
      },
    },
  );
}
