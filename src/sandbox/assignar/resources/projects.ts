import type { Row } from '../store';
import { compact, idsFrom, numberList, renderColumns, requireRow, requireRows, tagWithTag } from './common';
import type { ResourceDef } from './types';

function ref(row: Row | undefined): Record<string, unknown> | undefined {
  return row ? compact({ id: row.id, name: row.name, external_id: row.external_id }) : undefined;
}

/**
 * Projects (`/projects/`; Sage projects). Create answers HTTP 200 with `{status: 201, data}` as the spec
 * declares; GET adds client, parent, sub_projects, tags, activities and supervisors. DELETE stamps
 * deleted_at/deleted_by_id and deactivates.
 */
export const projectsResource: ResourceDef = {
  name: 'projects',
  label: 'Project',
  collectionPath: '/projects/',
  itemPath: '/projects/{projectId}',
  idParam: 'projectId',
  itemSchema: 'ProjectResponse',
  createStatus: 200,
  updateStatus: 204,
  deleteStatus: 204,
  softDelete: 'deleted_at',
  modifiedField: 'modified_time',
  // The request schema requires nothing; a project without a name cannot exist in the product.
  createRequired: ['name'],
  defaults: () => ({ active: true }),
  relationFields: ['tags', 'activities', 'client', 'parent', 'sub_projects', 'charge_code', 'supervisors'],
  auditKeys: ['modified_by', 'modified_time'],
  writeRelations(body, ctx) {
    const out: Record<string, unknown> = {};
    if (Array.isArray(body.tags)) out._tag_ids = idsFrom(body.tags, 'tag_id');
    if (Array.isArray(body.activities)) out._activity_ids = idsFrom(body.activities, 'activity_id', ctx.ui ? 'id' : undefined);
    if (Array.isArray(body.supervisors) && ctx.ui) out._supervisor_ids = idsFrom(body.supervisors, 'id');
    if (!ctx.ui) {
      requireRows(ctx.store, 'tags', (out._tag_ids as number[]) ?? [], 'tag_id');
      requireRows(ctx.store, 'activities', (out._activity_ids as number[]) ?? [], 'activity_id');
    }
    return out;
  },
  derive(next, ctx) {
    const chain: number[] = [next.id];
    let parentId = next.parent_id;
    for (let i = 0; i < 20 && typeof parentId === 'number'; i++) {
      if (chain.includes(parentId)) break;
      chain.unshift(parentId);
      parentId = ctx.store.table('projects').get(parentId)?.parent_id;
    }
    return { root_path: chain.join('.') };
  },
  check(next, ctx) {
    requireRow(ctx.store, 'clients', next.client_id, 'client_id');
    requireRow(ctx.store, 'projects', next.parent_id, 'parent_id');
  },
  echo: {
    tags: (_row, body) => idsFrom(body.tags, 'tag_id').map((tag_id) => ({ tag_id })),
    activities: (_row, body) => idsFrom(body.activities, 'activity_id').map((activity_id) => ({ activity_id })),
  },
  render(row, ctx) {
    const store = ctx.store;
    const out = renderColumns(row, 'ProjectResponse', projectsResource.relationFields);
    const client = ref(typeof row.client_id === 'number' ? store.table('clients').get(row.client_id) : undefined);
    if (client) out.client = client;
    const parent = ref(typeof row.parent_id === 'number' ? store.table('projects').get(row.parent_id) : undefined);
    if (parent) out.parent = parent;
    out.sub_projects = store
      .table('projects')
      .all()
      .filter((p) => p.parent_id === row.id)
      .map((p) => ref(p));
    out.tags = numberList(row, '_tag_ids')
      .map((id) => tagWithTag(store, id))
      .filter((t) => !!t);
    out.activities = numberList(row, '_activity_ids')
      .map((id) => ref(store.table('activities').get(id)))
      .filter((a) => !!a);
    out.supervisors = numberList(row, '_supervisor_ids')
      .map((id) => store.table('users').get(id))
      .filter((u): u is Row => !!u)
      .map((u) => compact({ id: u.id, first_name: u.first_name, last_name: u.last_name, employee_id: u.employee_id }));
    return out;
  },
};
