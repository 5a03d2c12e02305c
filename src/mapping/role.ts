import type { SageItem } from '../sage/objects';
import { buildPayload, isActive, src, val } from './fields';
import { matchValueOf, sageRefOf } from './keys';
import type { MapContext, MapResult, RolePayload } from './types';

/** ITEM in the labor GL group → Assignar role (`/tasks`). */
export function mapRole(record: SageItem, ctx: MapContext): MapResult<RolePayload> {
  return buildPayload<RolePayload>(
    sageRefOf('role', record),
    record,
    ctx,
    [
      src('name', 'NAME', { hint: "enter the item's name" }),
      src('external_id', 'ITEMID'),
      val('integration_id', record.RECORDNO),
      val('active', isActive(record)),
    ],
    matchValueOf('role', record),
  );
}
