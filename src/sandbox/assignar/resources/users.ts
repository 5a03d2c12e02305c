import { badRequest, uniqueConstraint } from '../errors';
import type { Row } from '../store';
import { compact, idsFrom, numberList, renderColumns, requireRow, requireRows, tagPart } from './common';
import type { ResourceDef } from './types';

/** `user_type_id` of field workers ("mobile users") per the spec's text. */
export const WORKER_USER_TYPE_ID = 2;

function normalEmail(a: unknown): string {
  return typeof a === 'string' ? a.trim().toLowerCase() : '';
}

/** Workers and office users (`/users`). DELETE archives (active=false); the schema has no deleted_at. */
export const usersResource: ResourceDef = {
  name: 'users',
  label: 'User',
  collectionPath: '/users',
  itemPath: '/users/{userId}',
  idParam: 'userId',
  itemSchema: 'User',
  createStatus: 200,
  updateStatus: 200,
  deleteStatus: 204,
  softDelete: 'inactive',
  modifiedField: 'modified_time',
  createRequired: ['user_type_id', 'first_name', 'last_name'],
  // The request schema has no `username` although the User schema requires it: the sandbox accepts it,
  // and when it is not sent, takes the email (as the spec's examples show) or first.last for a worker
  // without email.
  extraRequestFields: { username: { type: 'string', nullable: false, readOnly: false } },
  defaults: () => ({ active: true }),
  relationFields: ['tags', 'tasks', 'suppliers', 'password'],
  auditKeys: ['full_name', 'username', 'modified_by', 'modified_time'],
  writeRelations(body, ctx) {
    const out: Record<string, unknown> = {};
    if (Array.isArray(body.tags)) out._tag_ids = idsFrom(body.tags, 'tag_id');
    if (Array.isArray(body.tasks)) out._task_ids = idsFrom(body.tasks, 'task_id');
    if (Array.isArray(body.suppliers)) {
      const ids = idsFrom(body.suppliers, 'supplier_id');
      // The sandbox tenant has no suppliers, so any supplier id is unknown (the spec: "rejected with a 400 naming the unknown ids").
      if (ids.length && !ctx.ui) throw badRequest(`Unknown supplier_id: ${ids.slice(0, 10).join(', ')}. Suppliers must exist before they can be related to a user.`);
      out._supplier_ids = ids;
    }
    if (!ctx.ui) {
      requireRows(ctx.store, 'tags', (out._tag_ids as number[]) ?? [], 'tag_id');
      requireRows(ctx.store, 'tasks', (out._task_ids as number[]) ?? [], 'task_id');
    }
    return out;
  },
  derive(next) {
    const full = [next.first_name, next.last_name].filter((s) => typeof s === 'string' && s !== '').join(' ');
    const out: Record<string, unknown> = { full_name: full };
    if (typeof next.username !== 'string' || next.username === '') {
      out.username =
        typeof next.email === 'string' && next.email !== ''
          ? next.email
          : [next.first_name, next.last_name]
              .map((s) => String(s ?? '').toLowerCase().replace(/[^a-z0-9]+/g, ''))
              .filter(Boolean)
              .join('.') || `user${next.id}`;
    }
    return out;
  },
  check(next, ctx) {
    requireRow(ctx.store, 'user-types', next.user_type_id, 'user_type_id');
    requireRow(ctx.store, 'employment-types', next.employment_type, 'employment_type');
    const email = normalEmail(next.email);
    if (next.active !== false && email !== '') {
      for (const u of ctx.store.table('users').values()) {
        if (u.id !== next.id && u.active !== false && u.user_type_id === next.user_type_id && typeof u.email === 'string' && normalEmail(u.email) === email) {
          throw uniqueConstraint('email');
        }
      }
    }
  },
  echo: {
    tags: (_row, body) => idsFrom(body.tags, 'tag_id').map((id) => ({ tag_id: String(id) })),
    // "Present only when `tasks` was sent in the request body and the user is a mobile user (`user_type_id` 2)."
    tasks: (row, body) => (row.user_type_id === WORKER_USER_TYPE_ID ? idsFrom(body.tasks, 'task_id').map((task_id) => ({ task_id })) : undefined),
    suppliers: (_row, body) => idsFrom(body.suppliers, 'supplier_id').map((supplier_id) => ({ supplier_id })),
    password: () => undefined,
  },
  render(row: Row, ctx) {
    const out = renderColumns(row, 'User', ['tasks', 'suppliers', 'tags']);
    out.tasks = numberList(row, '_task_ids')
      .map((id) => ctx.store.table('tasks').get(id))
      .filter((t): t is Row => !!t)
      .map((t) => compact({ task_id: String(t.id), name: t.name, external_id: t.external_id }));
    out.suppliers = [];
    out.tags = numberList(row, '_tag_ids')
      .map((id) => tagPart(ctx.store, id))
      .filter((t) => !!t);
    return out;
  },
};
