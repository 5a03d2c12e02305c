import type { FieldInfo } from '../spec';
import type { ResourceName, Row, Store } from '../store';

/** Who a write is attributed to: the API client, or a person in the UI (control API). */
export interface Actor {
  id: number;
  username: string;
}

export interface ResourceContext {
  store: Store;
  /** The current time as ISO-8601 UTC. */
  now(): string;
  actor: Actor;
  /** Writes through the control API: no request validation, read-only columns accepted. */
  ui: boolean;
}

/** A CRUD resource of the simulated API: its paths, spec schemas, status codes and behaviour. */
export interface ResourceDef {
  name: ResourceName;
  /** Model name in 404 messages (`[404] Object Not Found - User (id:7)`). */
  label: string;
  /** Collection path exactly as the spec spells it (`/users`, `/clients/`). */
  collectionPath: string;
  /** Item path as the spec spells it (`/users/{userId}`). */
  itemPath: string;
  /** Name of the item path parameter (`userId`). */
  idParam: string;
  /** Component schema of a list item / GET by id (the resource's top-level fields). */
  itemSchema: string;
  /** Only GET routes. */
  readOnly?: boolean;
  /** HTTP status of create / update / delete (the spec declares 200 for some and 201/204 for others). */
  createStatus: 200 | 201;
  updateStatus: 200 | 204;
  deleteStatus: 200 | 204;
  /** What DELETE does: stamp deleted_at/deleted_by_id and deactivate, or only deactivate. */
  softDelete: 'deleted_at' | 'inactive';
  /** The column maintained on every write (`modified_time`; activities call it `date_modified`). */
  modifiedField: 'modified_time' | 'date_modified';
  /** Column stamped with the creation time (orders `date_created`, activities `date_added`). */
  createdField?: 'date_created' | 'date_added';
  /** Writable fields the API accepts beyond the request schema's properties (users' `username`). */
  extraRequestFields?: Record<string, FieldInfo>;
  /** Fields a create must carry beyond what the request schema requires. */
  createRequired?: string[];
  /** Column defaults applied on create (echoed in the create response). */
  defaults?(ctx: ResourceContext): Record<string, unknown>;
  /** Body fields rendered by `render` from relations rather than stored as columns. */
  relationFields?: string[];
  /** Turns relation arrays of a body into `_`-prefixed id sets (and checks they exist unless ui). */
  writeRelations?(body: Record<string, unknown>, ctx: ResourceContext): Record<string, unknown>;
  /** Derived columns (full_name, root_path) computed from the would-be row. */
  derive?(next: Row, ctx: ResourceContext): Record<string, unknown>;
  /** Foreign-key and unique checks on the would-be row (API writes only). */
  check?(next: Row, ctx: ResourceContext, existing: Row | undefined): void;
  /**
   * A top-level scalar field of the rendered JSON, read straight from the stored row (must equal what
   * `render` gives for it, null or absent alike). When set, lists filter and sort on these values and
   * render only the page they answer.
   */
  listValue?(row: Row, field: string): unknown;
  /** The GET JSON of a row. */
  render(row: Row, ctx: ResourceContext): Record<string, unknown>;
  /** How a relation field sent on create is echoed (undefined = leave it out). */
  echo?: Record<string, (row: Row, body: Record<string, unknown>) => unknown>;
  /** Keys the create response always carries whatever was sent. */
  createdExtras?(row: Row): Record<string, unknown>;
  /** Audit/derived keys the create response carries besides id, defaults and sent fields. */
  auditKeys: string[];
  /** Fields that exist in responses beyond the spec schema (documented choices, e.g. is_processed). */
  extraFields?: Record<string, FieldInfo>;
}
