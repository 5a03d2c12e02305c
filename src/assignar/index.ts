/** Assignar public API v2 client: the public surface of src/assignar. */
export { AssignarClient } from './client';
export type { AssignarClientOptions, AssignarSecrets, ProcessTimesheetResult } from './client';
export { ReadableResource, WritableResource } from './resource';
export type { CallOptions, Id, Page, PageCursor, UpdateItem, WriteOptions } from './resource';
export type { BulkOptions, BulkResult } from './bulk';
export { FILTER_OPERATORS, buildListQuery } from './query';
export type { Filter, FilterCondition, FilterOperator, FilterScalar, ListQuery } from './query';
export type { AssignarClientStats } from './transport';
export {
  AssignarError,
  AssignarAuthError,
  AssignarBadRequestError,
  AssignarForeignKeyError,
  AssignarMalformedResponseError,
  AssignarNotFoundError,
  AssignarRateLimitError,
  AssignarTransientError,
  AssignarUnexpectedError,
  AssignarUniqueConstraintError,
} from './errors';
export type { AssignarErrorKind } from './errors';
export {
  ActivitySchema,
  AssetSchema,
  ClientSchema,
  OrderSchema,
  ProjectSchema,
  TaskSchema,
  TimesheetExpandedSchema,
  UserSchema,
} from './schemas';
export type {
  AssignarActivity,
  AssignarAsset,
  AssignarClientRecord,
  AssignarOrder,
  AssignarProject,
  AssignarTask,
  AssignarTimesheetExpanded,
  AssignarUser,
} from './schemas';
export { RESOURCES } from './resources';
export type { ActivityWrite, AssetWrite, ClientWrite, OrderWrite, ProjectWrite, ResourceName, TaskWrite, UserWrite } from './resources';
export type { components as AssignarOpenApi } from './openapi-types';
