import type { SageProject } from '../sage/objects';
import { buildPayload, isActive, lazy, linkedId, src, val } from './fields';
import { matchValueOf, sageRefOf } from './keys';
import type { MapContext, MapResult, ProjectPayload } from './types';
import { text } from './values';

/**
 * PROJECT → Assignar project (`/projects/`). `client_id` comes through the client link of CUSTOMERID;
 * a project whose customer has no client in Assignar (inactive, outside the client filter, or failed)
 * fails with a reason. A project without any customer (an internal project) is sent without `client_id`
 * (Assignar allows it; its work orders then fail, since an order needs a client).
 */
export function mapProject(record: SageProject, ctx: MapContext): MapResult<ProjectPayload> {
  const customerId = text(record.CUSTOMERID);
  return buildPayload<ProjectPayload>(
    sageRefOf('project', record),
    record,
    ctx,
    [
      src('name', 'NAME', { hint: "enter the project's name" }),
      lazy('client_id', 'CUSTOMERID', () => {
        if (customerId === '') return { value: undefined };
        const id = linkedId(ctx.assignarIdFor('client', customerId));
        if (id !== null) return { value: id };
        return {
          fail:
            `its customer CUSTOMERID ${JSON.stringify(customerId)} has no client in Assignar (the customer is inactive, outside the ` +
            `client filter, or failed to sync). Fix in Sage Intacct: make customer ${JSON.stringify(customerId)} active and in scope ` +
            `(or fix its own error), or set the project's customer to one that is; the project follows on the next sync`,
          field: 'CUSTOMERID',
        };
      }),
      src('external_id', 'PROJECTID'),
      val('integration_id', record.RECORDNO),
      val('active', isActive(record)),
    ],
    matchValueOf('project', record),
  );
}
