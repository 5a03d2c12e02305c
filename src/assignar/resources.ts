import type { z } from 'zod';
import { ValidationError } from '../errors';
import type { components } from './openapi-types';
import {
  ActivitySchema,
  AssetSchema,
  ClientSchema,
  OrderSchema,
  ProjectSchema,
  TaskSchema,
  TimesheetExpandedSchema,
  UserSchema,
} from './schemas';

/**
 * The Assignar resources the product uses, with the exact paths of spec/assignar-openapi.yaml (the spec
 * lists clients and projects at `/clients/` and `/projects/` with a trailing slash, their items at
 * `/clients/{clientId}` without one). test/unit/assignar/resources-vs-openapi.test.ts checks every path
 * and method here against the spec.
 */
export type RecordSchema = z.ZodType<{ id: number }>;

export interface ResourceDefinition<S extends RecordSchema = RecordSchema> {
  /** Short name used in errors and stats. */
  name: string;
  /** Collection path: list (GET) and create (POST). */
  collectionPath: string;
  /** Item path template with `{id}`: get (GET) and update (PUT). */
  itemPath: string;
  /** `array`: `data: T[]`; `rows`: `data: { count, rows: T[] }`. */
  listShape: 'array' | 'rows';
  writable: boolean;
  schema: S;
}

function define<S extends RecordSchema>(d: ResourceDefinition<S>): ResourceDefinition<S> {
  return d;
}

export const RESOURCES = {
  users: define({ name: 'users', collectionPath: '/users', itemPath: '/users/{id}', listShape: 'array', writable: true, schema: UserSchema }),
  tasks: define({ name: 'tasks', collectionPath: '/tasks', itemPath: '/tasks/{id}', listShape: 'array', writable: true, schema: TaskSchema }),
  assets: define({ name: 'assets', collectionPath: '/assets', itemPath: '/assets/{id}', listShape: 'array', writable: true, schema: AssetSchema }),
  clients: define({ name: 'clients', collectionPath: '/clients/', itemPath: '/clients/{id}', listShape: 'array', writable: true, schema: ClientSchema }),
  projects: define({ name: 'projects', collectionPath: '/projects/', itemPath: '/projects/{id}', listShape: 'array', writable: true, schema: ProjectSchema }),
  orders: define({ name: 'orders', collectionPath: '/orders', itemPath: '/orders/{id}', listShape: 'array', writable: true, schema: OrderSchema }),
  activities: define({ name: 'activities', collectionPath: '/activities', itemPath: '/activities/{id}', listShape: 'array', writable: true, schema: ActivitySchema }),
  timesheetsExpanded: define({
    name: 'timesheets-expanded',
    collectionPath: '/timesheets-expanded',
    itemPath: '/timesheets-expanded/{id}',
    listShape: 'rows',
    writable: false,
    schema: TimesheetExpandedSchema,
  }),
} as const;

/** `PUT /timesheets/{id}/process`: mark a timesheet processed (exported). */
export const PROCESS_TIMESHEET_PATH = '/timesheets/{id}/process';

/** `GET /timesheets/coded-worker-times?user_id=…&start_date=…&end_date=…`: a worker's pay codes. */
export const CODED_WORKER_TIMES_PATH = '/timesheets/coded-worker-times';

export type ResourceName = keyof typeof RESOURCES;

export function itemPath(template: string, id: number | string): string {
  const s = String(id);
  if (s === '' || s.includes('/') || s === '.' || s === '..') throw new ValidationError(`invalid Assignar id "${s.slice(0, 40)}"`);
  return template.replace('{id}', encodeURIComponent(s));
}

// ── Write bodies: from the OpenAPI file, minus read-only/audit fields ─────────────────────────────────────

type Schemas = components['schemas'];
type JsonBody<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type RequestBodies = components['requestBodies'];

/**
 * The spec's user request body has no `username` although the User schema requires one (its examples set
 * it to the email); it is allowed here so the mapping can send it.
 */
export type UserWrite = Omit<JsonBody<RequestBodies['CreateUpdateUserRequest']>, 'id' | 'password'> & { username?: string };
export type TaskWrite = Omit<Schemas['Task'], 'id' | 'modified_by' | 'modified_time'>;
/** Always send `active`: the request body defaults it to false (reference §3.6). */
export type AssetWrite = JsonBody<RequestBodies['CreateUpdateAssetRequest']>;
export type ClientWrite = Omit<Schemas['Client'], 'id' | 'modified_by' | 'modified_time'>;
export type ProjectWrite = Schemas['ProjectRequest'];
export type OrderWrite = Omit<Schemas['Order'], 'id' | 'date_created' | 'modified_time' | 'modified_by'>;
export type ActivityWrite = Omit<Schemas['Activity'], 'id' | 'date_added' | 'date_modified' | 'modified_by' | 'deleted_at' | 'deleted_by_id' | 'activity_type'>;
