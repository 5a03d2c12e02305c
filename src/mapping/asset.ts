import type { SageItem } from '../sage/objects';
import { buildPayload, isActive, src, val } from './fields';
import { matchValueOf, sageRefOf } from './keys';
import type { AssetPayload, MapContext, MapResult } from './types';

/**
 * ITEM in the equipment GL group → Assignar asset (`/assets`). `active` is always sent: the spec's
 * request body defaults it to false. The description is the item's extended description ('' clears it).
 */
export function mapAsset(record: SageItem, ctx: MapContext): MapResult<AssetPayload> {
  return buildPayload<AssetPayload>(
    sageRefOf('asset', record),
    record,
    ctx,
    [
      src('name', 'NAME', { hint: "enter the item's name" }),
      src('description', 'EXTENDED_DESCRIPTION'),
      src('external_id', 'ITEMID'),
      val('integration_id', record.RECORDNO),
      val('active', isActive(record)),
    ],
    matchValueOf('asset', record),
  );
}
