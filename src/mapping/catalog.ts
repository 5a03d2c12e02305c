import type { EntityKind } from '../config/schema';

/**
 * Static facts per entity kind: the Sage object, the Assignar resource (paths spelled exactly as in the
 * OpenAPI file: `/clients/` and `/projects/` carry a trailing slash, the others do not), the key that
 * adopts existing unlinked Assignar records, the fields the mapping writes, and what the spec requires.
 */

export type SageObjectForKind = 'CUSTOMER' | 'PROJECT' | 'ITEM' | 'STANDARDCOSTTYPE' | 'EMPLOYEE' | 'TASK';
export type MatchKey = 'external_id' | 'employee_id' | 'job_number';

export interface KindCatalog {
  kind: EntityKind;
  sageObject: SageObjectForKind;
  /** The Sage field holding the readable ID (work orders: PROJECTID + TASKID). */
  sageIdField: string;
  /** The collection path in the Assignar API (append `{id}` for one record). */
  assignarResource: string;
  /** The resource name as the Assignar sandbox's `/_sandbox/records/<type>` calls it. */
  assignarType: string;
  /** The Assignar field that identifies the Sage record readably: used to ADOPT unlinked records. */
  matchKey: MatchKey;
  /** Fields the default mapping writes (and drift detection compares). */
  baseFields: readonly string[];
  /** Assignar fields a `fieldOverrides` entry may set (scalar, writable fields of the resource). */
  writableFields: readonly string[];
  /** Fields the spec requires in every POST/PUT body of the resource (deactivation must carry them). */
  requiredOnWrite: readonly string[];
  /** Fields that must not be empty in a mapped payload (mapping fails otherwise). */
  requiredNonEmpty: readonly string[];
  /** Fields no override may change: the link and adoption keys, `active`, the worker user type. */
  protectedFields: readonly string[];
}

const LINK_FIELDS = ['integration_id', 'active'] as const;

export const CATALOG: Record<EntityKind, KindCatalog> = {
  client: {
    kind: 'client',
    sageObject: 'CUSTOMER',
    sageIdField: 'CUSTOMERID',
    assignarResource: '/clients/',
    assignarType: 'clients',
    matchKey: 'external_id',
    baseFields: ['name', 'company_name', 'email', 'office_phone', 'mobile', 'address_1', 'address_2', 'city', 'state', 'postcode', 'external_id', 'integration_id', 'active'],
    writableFields: ['name', 'company_name', 'abn', 'email', 'office_phone', 'mobile', 'address_1', 'address_2', 'city', 'postcode', 'state', 'comments', 'external_id', 'active', 'integration_id'],
    requiredOnWrite: ['name', 'company_name'],
    requiredNonEmpty: ['name', 'company_name'],
    protectedFields: [...LINK_FIELDS, 'external_id'],
  },
  project: {
    kind: 'project',
    sageObject: 'PROJECT',
    sageIdField: 'PROJECTID',
    assignarResource: '/projects/',
    assignarType: 'projects',
    matchKey: 'external_id',
    baseFields: ['name', 'client_id', 'external_id', 'integration_id', 'active'],
    writableFields: ['client_id', 'name', 'email', 'address', 'suburb', 'state', 'postcode', 'external_id', 'integration_id', 'active', 'parent_id', 'charge_code_id'],
    requiredOnWrite: [],
    requiredNonEmpty: ['name'],
    protectedFields: [...LINK_FIELDS, 'external_id'],
  },
  role: {
    kind: 'role',
    sageObject: 'ITEM',
    sageIdField: 'ITEMID',
    assignarResource: '/tasks',
    assignarType: 'tasks',
    matchKey: 'external_id',
    baseFields: ['name', 'external_id', 'integration_id', 'active'],
    writableFields: ['name', 'external_id', 'active', 'req_machines', 'pay_level', 'payroll_acc', 'charge_code_id', 'supervisor', 'integration_id'],
    requiredOnWrite: ['name'],
    requiredNonEmpty: ['name'],
    protectedFields: [...LINK_FIELDS, 'external_id'],
  },
  asset: {
    kind: 'asset',
    sageObject: 'ITEM',
    sageIdField: 'ITEMID',
    assignarResource: '/assets',
    assignarType: 'assets',
    matchKey: 'external_id',
    baseFields: ['name', 'description', 'external_id', 'integration_id', 'active'],
    writableFields: [
      'name', 'description', 'rego_number', 'active', 'year', 'make', 'model', 'serial_number', 'charge_rate', 'number_reading',
      'external_id', 'integration_id', 'asset_class_id',
    ],
    requiredOnWrite: ['name'],
    requiredNonEmpty: ['name'],
    protectedFields: [...LINK_FIELDS, 'external_id'],
  },
  costCode: {
    kind: 'costCode',
    sageObject: 'STANDARDCOSTTYPE',
    sageIdField: 'STANDARDCOSTTYPEID',
    assignarResource: '/activities',
    assignarType: 'activities',
    matchKey: 'external_id',
    baseFields: ['name', 'external_id', 'integration_id', 'active'],
    writableFields: ['name', 'rule', 'billable', 'active', 'sortorder', 'type_id', 'is_payable', 'external_id', 'uom_code', 'integration_id'],
    requiredOnWrite: ['name'],
    requiredNonEmpty: ['name'],
    protectedFields: [...LINK_FIELDS, 'external_id'],
  },
  worker: {
    kind: 'worker',
    sageObject: 'EMPLOYEE',
    sageIdField: 'EMPLOYEEID',
    assignarResource: '/users',
    assignarType: 'users',
    matchKey: 'employee_id',
    baseFields: ['user_type_id', 'first_name', 'last_name', 'email', 'username', 'contact', 'employee_id', 'integration_id', 'active', 'employment_type'],
    writableFields: [
      'user_type_id', 'employee_id', 'integration_id', 'first_name', 'last_name', 'dob', 'address', 'suburb', 'state', 'postcode', 'email',
      'contact', 'employment_type', 'emergency_contact', 'emergency_contact_name', 'active', 'comments', 'usi', 'username',
    ],
    requiredOnWrite: [],
    requiredNonEmpty: ['first_name', 'last_name', 'username'],
    protectedFields: [...LINK_FIELDS, 'employee_id', 'user_type_id'],
  },
  workOrder: {
    kind: 'workOrder',
    sageObject: 'TASK',
    sageIdField: 'TASKID',
    assignarResource: '/orders',
    assignarType: 'orders',
    matchKey: 'job_number',
    baseFields: ['job_number', 'integration_id', 'project_id', 'client_id', 'job_description', 'start_date', 'end_date', 'order_owner', 'active'],
    writableFields: [
      'active', 'job_number', 'po_number', 'client_id', 'order_owner', 'project_id', 'location', 'location2', 'job_description', 'start_time',
      'shift_duration', 'start_date', 'end_date', 'comments', 'status_id', 'type_id', 'supplier_id', 'integration_id',
    ],
    requiredOnWrite: ['client_id', 'order_owner', 'start_date', 'end_date'],
    requiredNonEmpty: ['job_number', 'job_description', 'client_id', 'order_owner', 'start_date', 'end_date'],
    protectedFields: [...LINK_FIELDS, 'job_number'],
  },
};

/** The value type of an Assignar field, for overrides and comparisons. Unlisted fields are text. */
export type AssignarFieldType = 'text' | 'email' | 'date' | 'int' | 'bool';

const FIELD_TYPES: Record<string, AssignarFieldType> = {
  email: 'email',
  start_date: 'date',
  end_date: 'date',
  dob: 'date',
  client_id: 'int',
  project_id: 'int',
  order_owner: 'int',
  employment_type: 'int',
  user_type_id: 'int',
  status_id: 'int',
  type_id: 'int',
  supplier_id: 'int',
  asset_class_id: 'int',
  charge_code_id: 'int',
  parent_id: 'int',
  charge_rate: 'int',
  number_reading: 'int',
  rule: 'int',
  billable: 'int',
  sortorder: 'int',
  active: 'bool',
  req_machines: 'bool',
  supervisor: 'bool',
  is_payable: 'bool',
};

export function fieldType(field: string): AssignarFieldType {
  return FIELD_TYPES[field] ?? 'text';
}
