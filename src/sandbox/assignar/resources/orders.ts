import { foreignKey } from '../errors';
import { idsFrom, numberList, renderColumns, requireRow, requireRows, tagWithTag } from './common';
import type { ResourceDef } from './types';

/**
 * Work orders (`/orders`; Sage project tasks). client_id, project_id and order_owner (a user) are
 * foreign keys; the tenant has no suppliers, so any supplier_id is refused. DELETE deactivates (the
 * schema has no deleted_at).
 */
export const ordersResource: ResourceDef = {
  name: 'orders',
  label: 'Order',
  collectionPath: '/orders',
  itemPath: '/orders/{orderId}',
  idParam: 'orderId',
  itemSchema: 'Order',
  createStatus: 201,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'inactive',
  modifiedField: 'modified_time',
  createdField: 'date_created',
  defaults: () => ({ active: true, status_id: 1, type_id: 1 }),
  relationFields: ['tags', 'activities'],
  auditKeys: ['date_created', 'modified_by', 'modified_time'],
  writeRelations(body, ctx) {
    const out: Record<string, unknown> = {};
    if (Array.isArray(body.tags)) {
      out._tag_ids = idsFrom(body.tags, 'tag_id');
      if (!ctx.ui) requireRows(ctx.store, 'tags', out._tag_ids as number[], 'tag_id');
    }
    if (Array.isArray(body.activities)) {
      const items = (body.activities as Record<string, unknown>[]).filter((a) => a && typeof a === 'object');
      if (!ctx.ui) requireRows(ctx.store, 'activities', idsFrom(items, 'activity_id'), 'activity_id');
      out._activities = items.map((a) => ({ ...a }));
    }
    return out;
  },
  check(next, ctx) {
    requireRow(ctx.store, 'clients', next.client_id, 'client_id');
    requireRow(ctx.store, 'projects', next.project_id, 'project_id');
    requireRow(ctx.store, 'users', next.order_owner, 'order_owner');
    if (next.supplier_id !== undefined && next.supplier_id !== null) throw foreignKey('supplier_id');
  },
  echo: {
    tags: (_row, body) => idsFrom(body.tags, 'tag_id').map((tag_id) => ({ tag_id })),
  },
  render(row, ctx) {
    const out = renderColumns(row, 'Order', ['tags', 'activities']);
    out.tags = numberList(row, '_tag_ids')
      .map((id) => tagWithTag(ctx.store, id))
      .filter((t) => !!t);
    const acts = Array.isArray(row._activities) ? (row._activities as Record<string, unknown>[]) : [];
    out.activities = acts.map((a, i) => {
      const act = typeof a.activity_id === 'number' ? ctx.store.table('activities').get(a.activity_id) : undefined;
      return {
        id: typeof a.id === 'number' ? a.id : row.id * 100 + i + 1,
        activity_id: a.activity_id,
        name: (act?.name as string | undefined) ?? (a.name as string | undefined) ?? '',
        external_id: (act?.external_id as string | undefined) ?? (a.external_id as string | undefined) ?? '',
        uom_code: (act?.uom_code as string | undefined) ?? (a.uom_code as string | undefined) ?? '',
        quantity: typeof a.quantity === 'number' ? a.quantity : null,
      };
    });
    return out;
  },
};
