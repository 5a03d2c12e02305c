import type { SageConfig } from '../config/schema';
import type {
  SageCallOptions,
  SageClientOptions,
  SageExecuteOptions,
  SageFunctionResult,
  SagePage,
  SageQueryInput,
  SageQueryResult,
  SageSecrets,
  SageWriteOptions,
} from './client-types';
import { createEmployeeWithContact, type SageCreatedEmployee, type SageEmployeeWithContact } from './employee-create';
import type { SageFunction } from './envelope';
import type { SageOrder, SageWriteRecord } from './functions';
import { SageGateway } from './gateway';
import type { KeysetOptions, SageCursor } from './paging';
import { SageQueries } from './queries';
import { SageReads } from './reads';
import type { SageRecordFor, SageValidated } from './records';
import type { SageRawRecord } from './response';
import { SageWrites } from './writes';

export type * from './client-types';

/**
 * The Sage Intacct XML gateway client for one connection: the public face of its parts, each one concern —
 * gateway.ts (sessions, the company's concurrency limit, retries, `execute`), queries.ts (`query` and its
 * paging strategies), reads.ts (`read` by RECORDNO, `lookup`), writes.ts (create/update/delete) and
 * employee-create.ts (the composite create the true-up needs).
 */
export class SageClient {
  private readonly gateway: SageGateway;
  private readonly queries: SageQueries;
  private readonly reads: SageReads;
  private readonly writes: SageWrites;

  constructor(config: SageConfig, secrets: SageSecrets, options: SageClientOptions = {}) {
    this.gateway = new SageGateway(config, secrets, options);
    this.queries = new SageQueries(this.gateway);
    this.reads = new SageReads(this.gateway);
    this.writes = new SageWrites(this.gateway);
  }

  // ---------------------------------------------------------------- sessions and the user's time zone

  /** Signs in (getAPISession) unless a live session exists. Throws SageAuthenticationError on bad credentials. */
  connect(opts: SageCallOptions = {}): Promise<{ endpoint: string; locationId?: string; expiresAt?: string }> {
    return this.gateway.connect(opts);
  }

  /**
   * The offset Sage Intacct timestamps are read and written in: the configured `sage.userTimeZoneOffset`,
   * else the one the gateway reported in its latest response (so a user whose preference follows daylight
   * saving time is followed too). Undefined until the first response when none is configured.
   */
  userTimeZoneOffset(): string | undefined {
    return this.gateway.userTimeZoneOffset();
  }

  /** The offset of the latest response's session timestamp, whatever the configuration says. */
  gatewayTimeZoneOffset(): string | undefined {
    return this.gateway.gatewayTimeZoneOffset();
  }

  /**
   * `userTimeZoneOffset()`, signing in first when it is not known yet. Use it to write timestamps into
   * query filters (`toSageTimestamp(since, await sage.effectiveTimeZoneOffset())`).
   */
  effectiveTimeZoneOffset(opts: SageCallOptions = {}): Promise<string> {
    return this.gateway.effectiveTimeZoneOffset(opts);
  }

  // ---------------------------------------------------------------- generic

  /**
   * Sends several functions in one request (session authentication) and returns one result per function,
   * in the order given; a failed function carries its classified `error`. Throws for control-level,
   * authentication-level and transport failures.
   */
  execute(functions: readonly SageFunction[], opts: SageExecuteOptions = {}): Promise<SageFunctionResult[]> {
    return this.gateway.execute(functions, opts);
  }

  // ---------------------------------------------------------------- query (queries.ts)

  /** One `query` function in its own request (one metered transaction). */
  query<O extends string>(q: SageQueryInput<O>, opts: SageCallOptions = {}): Promise<SageQueryResult<SageRecordFor<O>>> {
    return this.queries.query(q, opts);
  }

  /** The page after `cursor` (undefined = first page), keyset on RECORDNO. */
  pageByRecordNo<O extends string>(opts: KeysetOptions<O>, cursor?: SageCursor, call: SageCallOptions = {}): Promise<SagePage<SageRecordFor<O>>> {
    return this.queries.pageByRecordNo(opts, cursor, call);
  }

  /** Every page from `cursor` to the end, keyset on RECORDNO. */
  pagesByRecordNo<O extends string>(opts: KeysetOptions<O>, cursor?: SageCursor, call: SageCallOptions = {}): AsyncGenerator<SagePage<SageRecordFor<O>>> {
    return this.queries.pagesByRecordNo(opts, cursor, call);
  }

  /** Every page of a full read by `offset`, concurrently under the company's cap, in order (see queries.ts). */
  pagesByOffset<O extends string>(opts: KeysetOptions<O> & { orderBy?: readonly SageOrder[] }, call: SageCallOptions = {}): AsyncGenerator<SageQueryResult<SageRecordFor<O>>> {
    return this.queries.pagesByOffset(opts, call);
  }

  // ---------------------------------------------------------------- reads by key (reads.ts)

  /** `read` by RECORDNO. Keys that do not exist simply return no record. */
  read<O extends string>(object: O, recordNos: readonly string[], fields?: readonly string[], opts: SageCallOptions = {}): Promise<SageValidated<SageRecordFor<O>>> {
    return this.reads.read(object, recordNos, fields, opts);
  }

  /** `lookup`: the object's definition (`<Type>` with Fields and Relationships) as parsed. */
  lookup(object: string, opts: SageCallOptions = {}): Promise<SageRawRecord> {
    return this.reads.lookup(object, opts);
  }

  // ---------------------------------------------------------------- writes (writes.ts, employee-create.ts)

  /** Generic `create`; returns what Sage Intacct sends back per record (RECORDNO and the ID field). */
  create(object: string, records: readonly SageWriteRecord[], opts: SageWriteOptions = {}): Promise<SageRawRecord[]> {
    return this.writes.create(object, records, opts);
  }

  /** Generic `update` (records carry RECORDNO or the ID field). */
  update(object: string, records: readonly SageWriteRecord[], opts: SageWriteOptions = {}): Promise<SageRawRecord[]> {
    return this.writes.update(object, records, opts);
  }

  /** Generic `delete` by RECORDNO (more than 100 keys go as several functions, controlids suffixed `-N`). */
  delete(object: string, recordNos: readonly string[], opts: SageWriteOptions = {}): Promise<void> {
    return this.writes.delete(object, recordNos, opts);
  }

  /**
   * Creates an EMPLOYEE with its CONTACT in one request, one transaction, under `uniqueid=true` with function
   * controlids derived from the caller's deterministic `controlId` (see employee-create.ts). Returns the new
   * RECORDNO; throws SageAlreadyDoneError when those controlids already ran (look the employee up by its
   * EMPLOYEEID), SageBusinessError when Sage Intacct refuses the contact or the employee.
   */
  createEmployeeWithContact(input: SageEmployeeWithContact, opts: { controlId: string; signal?: AbortSignal }): Promise<SageCreatedEmployee> {
    return createEmployeeWithContact(this, input, opts);
  }
}
