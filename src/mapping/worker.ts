import type { SageEmployee } from '../sage/objects';
import { buildPayload, isActive, lazy, src, val } from './fields';
import { matchValueOf, sageRefOf } from './keys';
import type { MapContext, MapResult, WorkerPayload } from './types';
import { placeholderUsername, text } from './values';

/** Assignar `user_type_id` of a mobile user / field worker (the spec: "a mobile user (`user_type_id` 2)"). */
export const FIELD_WORKER_USER_TYPE_ID = 2;

/**
 * EMPLOYEE → Assignar field worker (`/users`, user type 2).
 * - first/last name from the employee's contact (both required by Assignar);
 * - email from CONTACT.EMAIL1, validated, and also the username. Without an email the worker is sent
 *   without `email` (Assignar then creates a resource with no mobile access, and no made-up address
 *   can collide with the per-user-type unique email rule) and with the placeholder username
 *   `<employee id>@no-email.invalid` (see `placeholderUsername`);
 * - `contact` (phone) from CONTACT.PHONE1 ("Primary Phone"), else CONTACT.CELLPHONE; '' clears it;
 * - `employment_type` only when the run supplies a default ("Full Time" id) or an override sets it.
 */
export function mapWorker(record: SageEmployee, ctx: MapContext): MapResult<WorkerPayload> {
  const employeeId = text(record.EMPLOYEEID);
  const employmentType = ctx.defaults?.employmentTypeId;
  return buildPayload<WorkerPayload>(
    sageRefOf('worker', record),
    record,
    ctx,
    [
      val('user_type_id', FIELD_WORKER_USER_TYPE_ID),
      src('first_name', 'CONTACT.FIRSTNAME', { hint: "enter the first name on the employee's contact" }),
      src('last_name', 'CONTACT.LASTNAME', { hint: "enter the last name on the employee's contact" }),
      src('email', 'CONTACT.EMAIL1', { omitEmpty: true }),
      lazy('username', 'CONTACT.EMAIL1', (p) => ({ value: typeof p.email === 'string' && p.email !== '' ? p.email : placeholderUsername(employeeId) })),
      lazy('contact', 'CONTACT.PHONE1', () => ({ value: text(record['CONTACT.PHONE1']) || text(record['CONTACT.CELLPHONE']) })),
      src('employee_id', 'EMPLOYEEID'),
      val('integration_id', record.RECORDNO),
      val('active', isActive(record)),
      val('employment_type', employmentType ?? undefined),
    ],
    matchValueOf('worker', record),
  );
}
