import type { SageStandardCostType } from '../sage/objects';
import { buildPayload, isActive, src, val } from './fields';
import { matchValueOf, sageRefOf } from './keys';
import type { CostCodePayload, MapContext, MapResult } from './types';

/** STANDARDCOSTTYPE → Assignar activity / cost code (`/activities`). */
export function mapCostCode(record: SageStandardCostType, ctx: MapContext): MapResult<CostCodePayload> {
  return buildPayload<CostCodePayload>(
    sageRefOf('costCode', record),
    record,
    ctx,
    [
      src('name', 'NAME', { hint: "enter the standard cost type's name" }),
      src('external_id', 'STANDARDCOSTTYPEID'),
      val('integration_id', record.RECORDNO),
      val('active', isActive(record)),
    ],
    matchValueOf('costCode', record),
  );
}
