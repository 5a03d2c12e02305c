/** The Sage Intacct XML gateway client: public surface. */
export { SageClient } from './client';
export type {
  SageCallOptions,
  SageClientOptions,
  SageExecuteOptions,
  SageFunctionResult,
  SagePage,
  SageQueryInput,
  SageQueryResult,
  SageSecrets,
  SageWriteOptions,
} from './client';

export {
  SageError,
  SageAlreadyDoneError,
  SageAuthenticationError,
  SageBusinessError,
  SageMalformedResponseError,
  SagePermissionError,
  SageRateLimitError,
  SageRequestError,
  SageSessionError,
  SageTransactionAbortedError,
  SageTransientError,
} from './errors';
export type { SageCredential, SageErrorDetail, SageErrorLevel, SageTransientKind } from './errors';
export { ALREADY_DONE, classifyErrors, classifyHttpStatus, formatErrors, resultError } from './classify';

export {
  and,
  between,
  equalTo,
  filterToXml,
  greaterThan,
  greaterThanOrEqualTo,
  inList,
  isNotNull,
  isNull,
  lessThan,
  lessThanOrEqualTo,
  like,
  notEqualTo,
  notIn,
  notLike,
  or,
} from './filter';
export type { ComparisonOperator, FilterValue, SageFilter } from './filter';

export {
  buildCreate,
  buildDelete,
  buildGetAPISession,
  buildLookup,
  buildQuery,
  buildRead,
  buildUpdate,
  recordXml,
  MAX_KEYS_PER_FUNCTION,
  QUERY_MAX_PAGE_SIZE,
} from './functions';
export type { SageOrder, SageQuery, SageWritePrimitive, SageWriteRecord, SageWriteValue } from './functions';
export { buildRequest } from './envelope';
export type { SageAuthentication, SageFunction, SageLogin, SageRequest } from './envelope';

export { parseResponse } from './response';
export type { ParsedAuthentication, ParsedControl, ParsedData, ParsedResponse, ParsedResult, SageRawRecord } from './response';
export { normaliseRecord, validateRecords, TIMESTAMP_FIELDS } from './records';
export type { SageRecordFor, SageRejectedRecord, SageValidated } from './records';

export { offsetOfTimestamp, parseUtcOffset, sageTimestampToIso, toSageTimestamp } from './dates';
export { escapeXml, escapeXmlAttribute } from './xml';
export type { KeysetOptions, SageCursor } from './paging';
export { companyLimiter, resetCompanyLimiters } from './limiter';

export * from './objects';
export { ContactCreateSchema, EmployeeCreateSchema, EmployeeWithContactSchema, createEmployeeWithContact, employeeCreateControlIds } from './employee-create';
export type { SageContactCreate, SageCreatedEmployee, SageEmployeeCreate, SageEmployeeWithContact } from './employee-create';
