/**
 * Sage Intacct → Assignar mapping (DESIGN.md §2): pure functions, no I/O, safe to import from workflow
 * code (only zod and plain TypeScript).
 *
 * - Descriptors per entity kind (Sage object, Assignar resource, dependency order, keys, select list).
 * - The Sage query filter per entity from configuration, as a plain AST, and `inScope` on records.
 * - `mapX(record, ctx)` → `{ ok: true, payload, hash }` | `{ ok: false, reason }`.
 * - The canonical content hash, `comparable()` for drift detection, and deactivation bodies.
 */
export type {
  AnyPayload,
  AssignarId,
  AssetPayload,
  ClientPayload,
  CostCodePayload,
  LinkLookup,
  MapContext,
  MapFailure,
  MapOk,
  MappingConfig,
  MappingDefaults,
  MapResult,
  PayloadByKind,
  ProjectPayload,
  RolePayload,
  SageRef,
  WorkerPayload,
  WorkOrderPayload,
} from './types';

export { CATALOG, fieldType, type AssignarFieldType, type KindCatalog, type MatchKey, type SageObjectForKind } from './catalog';
export {
  descriptorFor,
  ENTITY_DESCRIPTORS,
  mapRecord,
  selectFieldsFor,
  SYNC_ORDER,
  type EntityDescriptor,
} from './descriptors';
export {
  and,
  eq,
  evaluateFilter,
  FILTER_OPS,
  FilterConditionNodeSchema,
  filterFields,
  FilterNodeSchema,
  fromConfigCondition,
  inList,
  inScope,
  isCondition,
  or,
  SAGE_FILTER_OPERATORS,
  scopeFilter,
  toSageQueryFilter,
  type SageQueryFilter,
  type EvaluateOptions,
  type Filter,
  type FilterConditionNode,
  type FilterNode,
  type FilterOp,
} from './filter';
export { canonicalize, canonicalJson, contentHash, MAPPING_VERSION, sha256Hex, type CanonicalValue } from './hash';
export { assignarHash, comparable, comparableFields, deactivationPayload } from './comparable';
export {
  assignarMatchValue,
  JOB_NUMBER_SEPARATOR,
  jobNumber,
  matchValueOf,
  readableId,
  sageKey,
  WORK_ORDER_ID_SEPARATOR,
} from './keys';
export { NO_EMAIL_DOMAIN, parseSageDate, placeholderUsername } from './values';

export { mapAsset } from './asset';
export { mapClient } from './client';
export { mapCostCode } from './cost-code';
export { mapProject } from './project';
export { mapRole } from './role';
export { FIELD_WORKER_USER_TYPE_ID, mapWorker } from './worker';
export { mapWorkOrder } from './work-order';
