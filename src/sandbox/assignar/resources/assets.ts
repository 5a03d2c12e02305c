import { badRequest } from '../errors';
import { compact, idsFrom, numberList, renderColumns, requireRow, requireRows, tagPart } from './common';
import type { ResourceDef } from './types';

/**
 * Equipment (`/assets`; Sage Equipment items). The request body documents `active` with a default of
 * false (the response schema says true): an asset created without `active` is inactive, as the spec's
 * request schema has it. DELETE stamps deleted_at/deleted_by_id and deactivates.
 */
export const assetsResource: ResourceDef = {
  name: 'assets',
  label: 'Asset',
  collectionPath: '/assets',
  itemPath: '/assets/{assetId}',
  idParam: 'assetId',
  itemSchema: 'AssetWithTagPart',
  createStatus: 200,
  updateStatus: 200,
  deleteStatus: 200,
  softDelete: 'deleted_at',
  modifiedField: 'modified_time',
  defaults: () => ({ active: false }),
  relationFields: ['tags', 'attachments', 'assetClass'],
  auditKeys: ['modified_by', 'modified_time'],
  writeRelations(body, ctx) {
    const out: Record<string, unknown> = {};
    if (Array.isArray(body.tags)) {
      out._tag_ids = idsFrom(body.tags, 'tag_id');
      if (!ctx.ui) requireRows(ctx.store, 'tags', out._tag_ids as number[], 'tag_id');
    }
    if (Array.isArray(body.attachments)) {
      const ids = idsFrom(body.attachments, 'attachment_id');
      // The sandbox tenant has no asset attachments, so every id is unknown.
      if (ids.length && !ctx.ui) {
        const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? ` and ${ids.length - 10} more` : '');
        throw badRequest(`Unknown attachment_id: ${shown}. Attachments must exist before they can be linked to an asset.`);
      }
      out._attachment_ids = ids;
    }
    return out;
  },
  check(next, ctx) {
    requireRow(ctx.store, 'asset-classes', next.asset_class_id, 'asset_class_id');
  },
  echo: {
    tags: (_row, body) => idsFrom(body.tags, 'tag_id').map((id) => ({ tag_id: String(id) })),
  },
  // "Always present, as an empty array when the request sent no attachments" (AssetWithTagId.attachments).
  createdExtras: (row) => ({ attachments: numberList(row, '_attachment_ids').map((attachment_id) => ({ attachment_id })) }),
  render(row, ctx) {
    const out = renderColumns(row, 'AssetWithTagPart', ['assetClass', 'tags', 'attachments']);
    const cls = typeof row.asset_class_id === 'number' ? ctx.store.table('asset-classes').get(row.asset_class_id) : undefined;
    out.assetClass = cls ? { ...compact({ id: cls.id, name: cls.name }), description: cls.description ?? null, code: cls.code ?? null } : null;
    out.tags = numberList(row, '_tag_ids')
      .map((id) => tagPart(ctx.store, id))
      .filter((t) => !!t);
    out.attachments = [];
    return out;
  },
};

