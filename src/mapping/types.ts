import type { components } from '../assignar/openapi-types';
import type { ConnectionConfig, EntityKind } from '../config/schema';

type Schemas = components['schemas'];
type RequestBodies = components['requestBodies'];

/**
 * The part of a connection's configuration the mapping reads. A full `ConnectionConfig` satisfies it.
 * `sage.userTimeZoneOffset` is only used to compare Sage timestamps in extra filters in memory.
 */
export type MappingConfig = Pick<ConnectionConfig, 'entities' | 'glGroups' | 'timeZone'> & {
  sage?: { userTimeZoneOffset?: string };
};

export type AssignarId = number | string;

/** Assignar ids of records this service already linked, looked up by Sage Intacct readable ID. */
export interface LinkLookup {
  /**
   * The Assignar id linked to a Sage record of `kind`, by its readable ID (CUSTOMERID, PROJECTID, …);
   * undefined/null when there is no link (out of scope, failed, not synced yet). Decimal text (as the
   * ledger stores ids) is accepted and sent as a number.
   */
  assignarIdFor(kind: EntityKind, sageReadableId: string): AssignarId | null | undefined;
  /**
   * The Assignar `client_id` of a linked project, by PROJECTID (work orders take their client through
   * their project; the sync knows it from the project it wrote or from the Assignar project list).
   */
  projectClientId?(projectId: string): AssignarId | null | undefined;
}

/** Values resolved once per run by an activity (they live in Assignar and differ per tenant). */
export interface MappingDefaults {
  /** Assignar user id that owns created work orders (`order_owner`, required by the spec). */
  orderOwnerId?: number;
  /** Assignar employment type id for new workers ("Full Time" in Assignar's own integrations). */
  employmentTypeId?: number;
}

export interface MapContext extends LinkLookup {
  config: MappingConfig;
  defaults?: MappingDefaults;
}

/** Identifies the Sage record in reasons and outcomes. */
export interface SageRef {
  kind: EntityKind;
  /** Sage object name: CUSTOMER, PROJECT, ITEM, STANDARDCOSTTYPE, EMPLOYEE, TASK. */
  object: string;
  /** Sage RECORDNO (the link key; becomes `integration_id`). */
  sageKey: string;
  /** The readable ID: CUSTOMERID, …; work orders `PROJECTID:TASKID`. */
  readableId: string;
}

export interface MapOk<P> extends SageRef {
  ok: true;
  payload: P;
  /** contentHash(payload): equal to the last written hash → no write needed. */
  hash: string;
  /** The value of the Assignar match key (external_id / employee_id / job_number) used to adopt. */
  matchValue: string;
}

export interface MapFailure extends SageRef {
  ok: false;
  /** For the operator: names the Sage record and field and says what to fix in Sage Intacct. */
  reason: string;
  /** The Sage field (or `fieldOverrides.<field>` / config path) at fault. */
  field?: string;
}

export type MapResult<P> = MapOk<P> | MapFailure;

/** Fields added by `fieldOverrides` can be any Assignar field, so payloads stay open. */
type Open = { [extra: string]: unknown };

type Writable<T> = { -readonly [K in keyof T as K extends 'id' ? never : K]: T[K] };

export type ClientPayload = Writable<
  Pick<
    Schemas['Client'],
    'name' | 'company_name' | 'email' | 'office_phone' | 'mobile' | 'address_1' | 'address_2' | 'city' | 'state' | 'postcode' | 'external_id' | 'integration_id' | 'active'
  >
> &
  Open;

export type ProjectPayload = Pick<Schemas['ProjectRequest'], 'name' | 'client_id' | 'external_id' | 'integration_id' | 'active'> & Open;

export type RolePayload = Pick<Schemas['Task'], 'name' | 'external_id' | 'integration_id' | 'active'> & Open;

type AssetRequest = RequestBodies['CreateUpdateAssetRequest']['content']['application/json'];
export type AssetPayload = Pick<AssetRequest, 'name' | 'description' | 'external_id' | 'integration_id' | 'active'> & Open;

export type CostCodePayload = Pick<Schemas['Activity'], 'name' | 'external_id' | 'integration_id' | 'active'> & Open;

type UserRequest = RequestBodies['CreateUpdateUserRequest']['content']['application/json'];
export type WorkerPayload = Pick<
  UserRequest,
  'user_type_id' | 'first_name' | 'last_name' | 'email' | 'contact' | 'employee_id' | 'integration_id' | 'active' | 'employment_type'
> & { username?: string } & Open;

export type WorkOrderPayload = Pick<
  Schemas['Order'],
  'job_number' | 'integration_id' | 'project_id' | 'client_id' | 'job_description' | 'start_date' | 'end_date' | 'order_owner' | 'active'
> &
  Open;

export interface PayloadByKind {
  client: ClientPayload;
  project: ProjectPayload;
  role: RolePayload;
  asset: AssetPayload;
  costCode: CostCodePayload;
  worker: WorkerPayload;
  workOrder: WorkOrderPayload;
}

export type AnyPayload = PayloadByKind[EntityKind];
