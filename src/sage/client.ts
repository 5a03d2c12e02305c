import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { SageConfig } from '../config/schema';
import { ConfigError, ValidationError } from '../errors';
import { cancellableSleep, throwIfCancelled, unlessCancelled } from './abort';
import { backoffDelayMs } from './backoff';
import { classifyErrors, classifyHttpStatus, isRetryableTransportError, resultError } from './classify';
import { withCredential } from './credentials';
import { offsetOfTimestamp } from './dates';
import { buildRequest, type SageAuthentication, type SageFunction } from './envelope';
import { SageAuthenticationError, SageMalformedResponseError, SageRequestError, SageSessionError, type SageError } from './errors';
import type { SageFilter } from './filter';
import {
  buildCreate,
  buildDelete,
  buildGetAPISession,
  buildLookup,
  buildQuery,
  buildRead,
  buildReadByName,
  buildReadByQuery,
  buildReadMore,
  buildUpdate,
  MAX_KEYS_PER_FUNCTION,
  READ_BY_QUERY_MAX_PAGE_SIZE,
  type SageOrder,
  type SageQuery,
  type SageWriteRecord,
} from './functions';
import { createEmployeeWithContact, type SageCreatedEmployee, type SageEmployeeWithContact } from './employee-create';
import { companyLimiter, type Semaphore } from './limiter';
import { SAGE_OBJECTS, TimesheetCreateSchema, selectFields, type SageTimesheetCreate } from './objects';
import { advance, decodeCursor, encodeCursor, keysetQuery, peekTotalCount, type KeysetOptions, type ModifiedKeysetOptions, type SageCursor } from './paging';
import { isSageObjectName, validateRecords, type SageRecordFor, type SageRejectedRecord, type SageValidated } from './records';
import { parseResponse, textOf, type ParsedAuthentication, type ParsedData, type ParsedResponse, type SageRawRecord } from './response';
import { expiryFrom, needsRenewal, type SageSession } from './session';
import { postXml } from './transport';

export interface SageSecrets {
  senderPassword: string;
  userPassword: string;
}

export interface SageClientOptions {
  /** undici dispatcher (a MockAgent in tests); default a shared keep-alive Agent. */
  dispatcher?: Dispatcher;
  /** Clock for session expiry, epoch ms. */
  now?: () => number;
  /** Wait used between retries (tests pass a no-op); should reject when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** [0, 1) for backoff jitter. */
  random?: () => number;
  /** Backoff caps; default first retry ≤ 500 ms, none over 30 s. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Told before each backoff wait and each re-login (for logs/metrics; the error text is redacted). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: 'backoff' | 'session'; error: SageError }) => void;
}

/**
 * Per call: `signal` cancels the call — the in-flight request, a backoff wait, the wait for the company's
 * concurrency slot — rejecting with the signal's reason. Pass a Temporal activity's `cancellationSignal()`.
 */
export interface SageCallOptions {
  signal?: AbortSignal;
}

/** One function's outcome from `execute`. */
export interface SageFunctionResult {
  functionName: string;
  controlId: string;
  status: string;
  key?: string;
  data?: ParsedData;
  /** Set when status is not `success`; already classified (SageBusinessError, SageAlreadyDoneError, …). */
  error?: SageError;
}

export interface SageExecuteOptions extends SageCallOptions {
  /** Default: true when any function writes (create/update/delete), else false. */
  uniqueId?: boolean;
  transaction?: boolean;
}

export type SageQueryInput<O extends string> = Omit<SageQuery, 'object' | 'select'> & {
  object: O;
  /** Default: every field of the object's schema (objects.ts). Required for other objects. */
  select?: readonly string[];
};

export interface SageQueryResult<R> {
  records: R[];
  rejected: SageRejectedRecord[];
  count: number;
  totalCount: number;
  numRemaining: number;
  offset: number;
}

export interface SagePage<R> {
  records: R[];
  rejected: SageRejectedRecord[];
  /** Resume position after this page: heartbeat it, hand it back to continue. */
  cursor: SageCursor;
  /** No record remains after this page. */
  done: boolean;
  /** Records matching the page's query (this page and after), when Sage Intacct said. */
  totalCount?: number;
}

export interface SageReadByQueryInput<O extends string> {
  object: O;
  /** Default: every field of the object's schema. */
  fields?: readonly string[];
  /** Legacy condition (build values with quoteQueryValue); default '' = all records. */
  query?: string;
  /** 1–1000, default 1000. */
  pageSize?: number;
}

export interface SageReadByQueryResult<R> {
  records: R[];
  rejected: SageRejectedRecord[];
  /** Pass to readMore while numRemaining > 0; undefined when done. */
  resultId?: string;
  count: number;
  totalCount?: number;
  numRemaining: number;
}

export interface SageWriteOptions extends SageCallOptions {
  /** Function controlid; deterministic ones make a retried write idempotent. Default a random UUID. */
  controlId?: string;
  /** Default true for writes. */
  uniqueId?: boolean;
}

function int(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function malformed(message: string): SageMalformedResponseError {
  return new SageMalformedResponseError(`Malformed Sage Intacct response: ${message}`, { level: 'result' });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const SESSION_ID_MEMORY = 8;

/**
 * A few turns of the event loop, so that a request just handed a slot reaches its socket before this
 * thread is busy for tens of milliseconds: undici writes a request on a reused keep-alive socket only
 * after a setImmediate (it first checks the idle socket), and after one more when that socket has just
 * finished a response. Each turn costs microseconds when nothing else is pending.
 */
async function letRequestsOut(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Hooks on one request's round trips (internal to the client). */
interface RoundTripHooks {
  /** The caller's cancellation (SageCallOptions.signal). */
  signal?: AbortSignal;
  /** Asked once the request holds a concurrency slot: true = the answer is no longer wanted, do not send. */
  cancelled?: () => boolean;
  /** Told the body of a 2xx reply as soon as it has arrived (its slot already free), before it is parsed. */
  onBody?: (body: string) => void;
}

/**
 * The Sage Intacct XML gateway client: sessions, one concurrency limit per company across the process,
 * backoff on 429/5xx/timeouts/malformed replies, typed errors that say whether a retry can help.
 * Passwords and session ids never appear in error messages (they are redacted from Sage's texts too).
 */
export class SageClient {
  private readonly limiter: Semaphore;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private session?: SageSession;
  /** The offset of the latest authentication block's sessiontimestamp (the user's, DST included). */
  private reportedOffset?: string;
  private loginInFlight?: Promise<SageSession>;
  private readonly sessionIds: string[] = [];

  constructor(
    private readonly config: SageConfig,
    private readonly secrets: SageSecrets,
    private readonly options: SageClientOptions = {},
  ) {
    this.limiter = companyLimiter(config.endpoint, config.companyId, config.concurrency);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? cancellableSleep;
  }

  /** Replaces secrets (passwords, session ids) in any text that may reach a log or an error. */
  readonly redact = (text: string): string => {
    let out = text;
    for (const secret of [this.secrets.senderPassword, this.secrets.userPassword, ...this.sessionIds]) {
      if (secret) out = out.split(secret).join('***');
    }
    return out;
  };

  // ---------------------------------------------------------------- sessions

  /** Signs in (getAPISession) unless a live session exists. Throws SageAuthenticationError on bad credentials. */
  async connect(opts: SageCallOptions = {}): Promise<{ endpoint: string; locationId?: string; expiresAt?: string }> {
    const s = await this.currentSession(opts.signal);
    return {
      endpoint: s.endpoint,
      ...(s.locationId ? { locationId: s.locationId } : {}),
      ...(s.expiresAt !== undefined ? { expiresAt: new Date(s.expiresAt).toISOString() } : {}),
    };
  }

  /** Forgets the session; the next call signs in again. */
  resetSession(): void {
    this.session = undefined;
  }

  // ---------------------------------------------------------------- the user's time zone

  /**
   * The offset Sage Intacct timestamps are read and written in: the configured `sage.userTimeZoneOffset`,
   * else the one the gateway reported in its latest response (so a user whose preference follows daylight
   * saving time is followed too). Undefined until the first response when none is configured.
   */
  userTimeZoneOffset(): string | undefined {
    return this.config.userTimeZoneOffset ?? this.reportedOffset;
  }

  /** The offset of the latest response's session timestamp, whatever the configuration says. */
  gatewayTimeZoneOffset(): string | undefined {
    return this.reportedOffset;
  }

  /**
   * `userTimeZoneOffset()`, signing in first when it is not known yet. Use it to write timestamps into
   * query filters (`toSageTimestamp(since, await sage.effectiveTimeZoneOffset())`).
   */
  async effectiveTimeZoneOffset(opts: SageCallOptions = {}): Promise<string> {
    const known = this.userTimeZoneOffset();
    if (known !== undefined) return known;
    await this.connect(opts);
    return this.requireOffset();
  }

  private requireOffset(): string {
    const offset = this.userTimeZoneOffset();
    if (offset === undefined) {
      throw new ConfigError('Sage Intacct did not report the web-services user\'s time-zone offset (no sessiontimestamp in its responses)', {
        hint: 'Set sage.userTimeZoneOffset in the configuration to the user\'s time-zone preference, e.g. -06:00.',
      });
    }
    return offset;
  }

  private learnOffset(auth: ParsedAuthentication | undefined): void {
    const offset = offsetOfTimestamp(auth?.sessionTimestamp);
    if (offset !== undefined) this.reportedOffset = offset;
  }

  /** A caller that gives up waits no longer, but the sign-in it shares with others carries on. */
  private async currentSession(signal?: AbortSignal): Promise<SageSession> {
    if (this.session && !needsRenewal(this.session, this.now())) return this.session;
    this.loginInFlight ??= this.login().finally(() => {
      this.loginInFlight = undefined;
    });
    return unlessCancelled(this.loginInFlight, signal);
  }

  private invalidate(session: SageSession): void {
    if (this.session === session) this.session = undefined;
  }

  /** `getAPISession`, alone in its own request, with login authentication against the configured endpoint. */
  private async login(): Promise<SageSession> {
    const fn = buildGetAPISession(this.config.entityId);
    const parsed = await this.exchange([fn], { uniqueId: false, transaction: false, login: true });
    const arrivedAt = this.now();
    const result = parsed.results.find((r) => r.controlId === fn.controlId);
    if (!result) throw malformed('no getAPISession result');
    const error = resultError(result, this.redact);
    if (error) {
      if (error.retryable) throw error;
      throw withCredential(new SageAuthenticationError(error.message, { level: 'result', errors: error.errors, functionName: 'getAPISession', cause: error }), this.config);
    }
    const api = result.data?.records[0];
    const sessionId = textOf(api?.sessionid);
    if (!sessionId) throw malformed('getAPISession returned no session id');
    this.remember(sessionId);
    const endpoint = this.sessionEndpoint(textOf(api?.endpoint));
    const locationId = textOf(api?.locationid);
    const expiry = expiryFrom(parsed.authentication, arrivedAt);
    this.session = { sessionId, endpoint, ...(locationId ? { locationId } : {}), ...expiry };
    return this.session;
  }

  private remember(sessionId: string): void {
    if (this.sessionIds.includes(sessionId)) return;
    this.sessionIds.push(sessionId);
    if (this.sessionIds.length > SESSION_ID_MEMORY) this.sessionIds.shift();
  }

  /** The session's own endpoint (reference §1.1), or the configured one when none came back. */
  private sessionEndpoint(returned: string | undefined): string {
    if (!returned || returned.trim() === '') return this.config.endpoint;
    let url: URL;
    try {
      url = new URL(returned.trim());
    } catch {
      throw malformed('getAPISession returned an endpoint that is not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw malformed('getAPISession returned a non-HTTP endpoint');
    if (url.protocol === 'http:' && new URL(this.config.endpoint).protocol === 'https:') {
      throw new SageRequestError('Sage Intacct returned a session endpoint that downgrades https to http; refusing to send the session id there', {
        level: 'result',
        functionName: 'getAPISession',
      });
    }
    return url.toString();
  }

  private observe(session: SageSession, parsed: ParsedResponse, arrivedAt: number): void {
    if (this.session !== session) return;
    const expiry = expiryFrom(parsed.authentication, arrivedAt);
    if (expiry) {
      session.expiresAt = expiry.expiresAt;
      if (expiry.windowMs !== undefined) session.windowMs = expiry.windowMs;
    }
  }

  // ---------------------------------------------------------------- transport

  /** One HTTP round trip under the company's concurrency limit, with HTTP-level classification. */
  private async roundTrip(url: string, xml: string, hooks?: RoundTripHooks): Promise<ParsedResponse> {
    const release = await this.limiter.acquire(hooks?.signal);
    let reply;
    let handedOver = false;
    try {
      throwIfCancelled(hooks?.signal);
      if (hooks?.cancelled?.()) throw new SageRequestError('Sage Intacct request cancelled before it was sent: its answer is no longer wanted', { level: 'client' });
      reply = await postXml(url, xml, { dispatcher: this.options.dispatcher, timeoutMs: this.config.requestTimeoutMs, signal: hooks?.signal });
    } finally {
      handedOver = this.limiter.waiting > 0;
      release();
    }
    if (reply.status < 200 || reply.status >= 300) throw classifyHttpStatus(reply.status, reply.headers, reply.body, this.redact);
    hooks?.onBody?.(reply.body);
    // Parsing a large page takes tens of milliseconds of this thread: let the request that took over the
    // freed slot (or that onBody started) reach its socket first.
    if (handedOver || hooks?.onBody) await letRequestsOut();
    return parseResponse(reply.body);
  }

  /**
   * Sends functions until an answer that retrying cannot improve: backoff with full jitter on rate limits,
   * transient faults and malformed replies (up to config.maxRetries), and exactly one new sign-in + resend
   * on an invalid session. Function controlids stay the same across resends, so under uniqueid=true a
   * write that did land before a fault is reported as already done instead of running twice.
   */
  private async exchange(
    functions: readonly SageFunction[],
    opts: { uniqueId: boolean; transaction: boolean; login: boolean },
    hooks?: RoundTripHooks,
  ): Promise<ParsedResponse> {
    const controlId = randomUUID();
    let attempt = 0;
    let signedInAgain = false;
    for (;;) {
      throwIfCancelled(hooks?.signal);
      let url: string;
      let authentication: SageAuthentication;
      let session: SageSession | undefined;
      if (opts.login) {
        url = this.config.endpoint;
        authentication = {
          login: {
            userId: this.config.userId,
            companyId: this.config.companyId,
            password: this.secrets.userPassword,
            ...(this.config.entityId !== undefined ? { locationId: this.config.entityId } : {}),
          },
        };
      } else {
        session = await this.currentSession(hooks?.signal);
        url = session.endpoint;
        authentication = { sessionId: session.sessionId };
      }
      const xml = buildRequest({
        senderId: this.config.senderId,
        senderPassword: this.secrets.senderPassword,
        controlId,
        uniqueId: opts.uniqueId,
        authentication,
        functions,
        transaction: opts.transaction,
      });
      try {
        const parsed = await this.roundTrip(url, xml, hooks);
        if (session) this.observe(session, parsed, this.now());
        this.learnOffset(parsed.authentication);
        if (parsed.controlErrors.length > 0) throw classifyErrors('control', parsed.controlErrors, { redact: this.redact });
        if (parsed.authenticationErrors.length > 0) throw classifyErrors('authentication', parsed.authenticationErrors, { redact: this.redact });
        if (functions.length === 1) {
          // A lone function refused for a passing reason (off-line, rate limit, session) is resent like a
          // refused request. With several functions the caller decides, since others may have run.
          const r = parsed.results.find((x) => x.controlId === functions[0].controlId);
          const e = r && resultError(r, this.redact);
          if (e?.retryable) throw e;
        }
        return parsed;
      } catch (err) {
        if (err instanceof SageSessionError && session && !signedInAgain) {
          signedInAgain = true;
          this.invalidate(session);
          this.options.onRetry?.({ attempt, delayMs: 0, reason: 'session', error: err });
          continue;
        }
        if (isRetryableTransportError(err) && attempt < this.config.maxRetries) {
          const retryAfter = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
          const base = this.options.backoff?.baseMs ?? 500;
          const max = this.options.backoff?.maxMs ?? 30_000;
          const delayMs = backoffDelayMs(attempt, { baseMs: base, maxMs: max, random: this.options.random }, retryAfter);
          attempt++;
          this.options.onRetry?.({ attempt, delayMs, reason: 'backoff', error: err as SageError });
          await this.sleep(delayMs, hooks?.signal);
          continue;
        }
        if (err instanceof SageAuthenticationError) throw withCredential(err, this.config);
        throw err;
      }
    }
  }

  // ---------------------------------------------------------------- generic

  /**
   * Sends several functions in one request (session authentication) and returns one result per function,
   * in the order given; a failed function carries its classified `error`. Throws for control-level,
   * authentication-level and transport failures.
   */
  execute(functions: readonly SageFunction[], opts: SageExecuteOptions = {}): Promise<SageFunctionResult[]> {
    return this.executeWith(functions, opts, { signal: opts.signal });
  }

  private async executeWith(functions: readonly SageFunction[], opts: SageExecuteOptions, hooks?: RoundTripHooks): Promise<SageFunctionResult[]> {
    const parsed = await this.exchange(
      functions,
      { uniqueId: opts.uniqueId ?? functions.some((f) => f.write), transaction: opts.transaction ?? false, login: false },
      hooks,
    );
    return functions.map((f) => {
      const r = parsed.results.find((x) => x.controlId === f.controlId);
      if (!r) throw malformed(`no result for ${f.name} (controlid ${f.controlId})`);
      const error = resultError(r, this.redact);
      return {
        functionName: r.functionName,
        controlId: r.controlId,
        status: r.status,
        ...(r.key !== undefined ? { key: r.key } : {}),
        ...(r.data ? { data: r.data } : {}),
        ...(error ? { error } : {}),
      };
    });
  }

  private async executeOne(fn: SageFunction, opts: SageExecuteOptions = {}, hooks?: RoundTripHooks): Promise<SageFunctionResult> {
    const [result] = await this.executeWith([fn], opts, hooks);
    if (result.error) throw result.error;
    return result;
  }

  private defaultFields(object: string, given: readonly string[] | undefined): readonly string[] {
    if (given) return given;
    if (isSageObjectName(object)) return selectFields(object);
    throw new SageRequestError(`A field list is required for ${object} (the client never sends '*')`, { level: 'client' });
  }

  /**
   * The fields a read asks for: the caller's list (default every schema field) plus RECORDNO for objects
   * with a schema — their schemas declare it and the paging, links and outcomes key on it, so a list
   * without it would have every record rejected.
   */
  private readFields(object: string, given: readonly string[] | undefined): readonly string[] {
    const fields = this.defaultFields(object, given);
    if (!isSageObjectName(object) || !('RECORDNO' in SAGE_OBJECTS[object].schema.shape)) return fields;
    return fields.some((f) => f.trim().toUpperCase() === 'RECORDNO') ? fields : [...fields, 'RECORDNO'];
  }

  // ---------------------------------------------------------------- query

  private async runQuery<O extends string>(q: SageQueryInput<O>, hooks?: RoundTripHooks): Promise<{ data: ParsedData; result: SageQueryResult<SageRecordFor<O>> }> {
    const fn = buildQuery({ ...q, select: this.readFields(q.object, q.select), pageSize: q.pageSize ?? this.config.pageSize });
    const r = await this.executeOne(fn, { uniqueId: false }, hooks);
    const data = r.data ?? { attributes: {}, records: [] };
    const { records, rejected } = validateRecords(q.object, data.records, this.requireOffset());
    const a = data.attributes;
    return {
      data,
      result: {
        records,
        rejected,
        count: int(a.count) ?? data.records.length,
        totalCount: int(a.totalcount) ?? data.records.length,
        numRemaining: int(a.numremaining) ?? 0,
        offset: int(a.offset) ?? q.offset ?? 0,
      },
    };
  }

  /** One `query` function in its own request (one metered transaction). */
  async query<O extends string>(q: SageQueryInput<O>, opts: SageCallOptions = {}): Promise<SageQueryResult<SageRecordFor<O>>> {
    return (await this.runQuery(q, { signal: opts.signal })).result;
  }

  /** How many records match, from `totalcount` of a one-row query. */
  async count(object: string, filter?: SageFilter, opts: SageCallOptions = {}): Promise<number> {
    const { data } = await this.runQuery({ object, select: ['RECORDNO'], filter, pageSize: 1 }, { signal: opts.signal });
    const total = int(data.attributes.totalcount);
    if (total === undefined) throw malformed('query returned no totalcount');
    return total;
  }

  private async keysetPage<O extends string>(
    mode: 'recordno' | 'modified',
    opts: ModifiedKeysetOptions<O>,
    cursor: SageCursor | undefined,
    call: SageCallOptions,
  ): Promise<SagePage<SageRecordFor<O>>> {
    const state = decodeCursor(cursor, mode, opts.object);
    const pageSize = opts.pageSize ?? this.config.pageSize;
    const offset = await this.effectiveTimeZoneOffset(call);
    const q = keysetQuery(state, opts, this.defaultFields(opts.object, opts.select), pageSize, offset);
    const { data, result } = await this.runQuery({ ...q, object: opts.object }, { signal: call.signal });
    const next = advance(state, data.records, this.requireOffset());
    const numRemaining = int(data.attributes.numremaining);
    const done = data.records.length === 0 || (numRemaining !== undefined ? numRemaining === 0 : data.records.length < pageSize);
    return {
      records: result.records,
      rejected: result.rejected,
      cursor: encodeCursor(next),
      done,
      ...(int(data.attributes.totalcount) !== undefined ? { totalCount: result.totalCount } : {}),
    };
  }

  /** The page after `cursor` (undefined = first page), keyset on RECORDNO. */
  pageByRecordNo<O extends string>(opts: KeysetOptions<O>, cursor?: SageCursor, call: SageCallOptions = {}): Promise<SagePage<SageRecordFor<O>>> {
    return this.keysetPage('recordno', opts, cursor, call);
  }

  /** The page after `cursor`, keyset on WHENMODIFIED then RECORDNO, starting at `since`. */
  pageByModified<O extends string>(opts: ModifiedKeysetOptions<O>, cursor?: SageCursor, call: SageCallOptions = {}): Promise<SagePage<SageRecordFor<O>>> {
    return this.keysetPage('modified', opts, cursor, call);
  }

  /** Every page from `cursor` to the end, keyset on RECORDNO. */
  async *pagesByRecordNo<O extends string>(opts: KeysetOptions<O>, cursor?: SageCursor, call: SageCallOptions = {}): AsyncGenerator<SagePage<SageRecordFor<O>>> {
    let c = cursor;
    for (;;) {
      const page = await this.pageByRecordNo(opts, c, call);
      yield page;
      if (page.done) return;
      c = page.cursor;
    }
  }

  /** Every page from `cursor` to the end, keyset on WHENMODIFIED then RECORDNO. */
  async *pagesByModified<O extends string>(opts: ModifiedKeysetOptions<O>, cursor?: SageCursor, call: SageCallOptions = {}): AsyncGenerator<SagePage<SageRecordFor<O>>> {
    let c = cursor;
    for (;;) {
      const page = await this.pageByModified(opts, c, call);
      yield page;
      if (page.done) return;
      c = page.cursor;
    }
  }

  /**
   * Every page of a full read by `offset`, ordered by RECORDNO (or `orderBy`), in order. Exactly
   * ceil(N / pageSize) queries, and the fastest way to read everything under a concurrency cap — but each
   * offset page is an independent query, so records changing between pages can be skipped or repeated
   * (reference §3.2). Use the keyset helpers when that matters (incremental sync, resumable imports).
   *
   * The first page goes alone: its totalcount says which offsets follow (guessing would cost a metered
   * query whenever N ≤ pageSize). That totalcount is read from the head of its body as soon as the body
   * has arrived (peekTotalCount; the full parse can only extend the plan), so the next offsets are sent
   * while the first page is still being parsed. After that, up to config.concurrency pages are in flight
   * and as many more wait on the company's limiter, so a slot freed by an arriving body is taken at once,
   * not after that page is parsed and validated; pages are still yielded in offset order. Stopping early
   * (break, or an error) cancels the queries that have not been sent yet.
   */
  async *pagesByOffset<O extends string>(
    opts: KeysetOptions<O> & { orderBy?: readonly SageOrder[] },
    call: SageCallOptions = {},
  ): AsyncGenerator<SageQueryResult<SageRecordFor<O>>> {
    const pageSize = opts.pageSize ?? this.config.pageSize;
    const base: SageQueryInput<O> = {
      object: opts.object,
      select: opts.select,
      filter: opts.filter,
      orderBy: opts.orderBy ?? [{ field: 'RECORDNO' }],
      pageSize,
      showPrivate: opts.showPrivate,
    };
    const window = 2 * this.config.concurrency;
    const offsets: number[] = [];
    let planned = pageSize; // every offset below this one is in `offsets`
    let next = 0;
    let stopped = false;
    const queued: RoundTripHooks = { signal: call.signal, cancelled: () => stopped };
    const pending: Promise<SageQueryResult<SageRecordFor<O>>>[] = [];
    const fill = (): void => {
      while (next < offsets.length && pending.length < window) {
        const p = this.runQuery({ ...base, offset: offsets[next++] }, queued).then((r) => r.result);
        p.catch(() => undefined); // awaited below in order; this only keeps an early failure from being "unhandled"
        pending.push(p);
      }
    };
    const planUpTo = (total: number): void => {
      for (; planned < total; planned += pageSize) offsets.push(planned);
      fill();
    };
    try {
      const first = await this.runQuery(
        { ...base, offset: 0 },
        {
          signal: call.signal,
          onBody: (body) => {
            const total = peekTotalCount(body);
            if (total !== undefined) planUpTo(total);
          },
        },
      );
      planUpTo(first.result.totalCount);
      yield first.result;
      while (pending.length > 0) {
        const page = await (pending.shift() as Promise<SageQueryResult<SageRecordFor<O>>>);
        fill();
        yield page;
      }
    } finally {
      stopped = true;
    }
  }

  // ---------------------------------------------------------------- legacy reads

  private readByQueryResult<O extends string>(object: O, data: ParsedData | undefined): SageReadByQueryResult<SageRecordFor<O>> {
    const d = data ?? { attributes: {}, records: [] };
    const { records, rejected } = validateRecords(object, d.records, this.requireOffset());
    const numRemaining = int(d.attributes.numremaining) ?? 0;
    const resultId = d.attributes.resultId ?? d.attributes.resultid;
    const total = int(d.attributes.totalcount);
    return {
      records,
      rejected,
      ...(resultId && numRemaining > 0 ? { resultId } : {}),
      count: int(d.attributes.count) ?? d.records.length,
      ...(total !== undefined ? { totalCount: total } : {}),
      numRemaining,
    };
  }

  /** Legacy `readByQuery`: the first page and a resultId for `readMore`. */
  async readByQuery<O extends string>(q: SageReadByQueryInput<O>, opts: SageCallOptions = {}): Promise<SageReadByQueryResult<SageRecordFor<O>>> {
    const fn = buildReadByQuery({
      object: q.object,
      fields: this.readFields(q.object, q.fields),
      query: q.query ?? '',
      pageSize: q.pageSize ?? READ_BY_QUERY_MAX_PAGE_SIZE,
    });
    const r = await this.executeOne(fn, { uniqueId: false }, { signal: opts.signal });
    return this.readByQueryResult(q.object, r.data);
  }

  /** The next page of a readByQuery (`object` only selects the schema used to validate records). */
  async readMore<O extends string>(object: O, resultId: string, opts: SageCallOptions = {}): Promise<SageReadByQueryResult<SageRecordFor<O>>> {
    const r = await this.executeOne(buildReadMore(resultId), { uniqueId: false }, { signal: opts.signal });
    return this.readByQueryResult(object, r.data);
  }

  /** readByQuery then readMore until nothing remains. */
  async *readByQueryPages<O extends string>(q: SageReadByQueryInput<O>, opts: SageCallOptions = {}): AsyncGenerator<SageReadByQueryResult<SageRecordFor<O>>> {
    let page = await this.readByQuery(q, opts);
    yield page;
    while (page.resultId) {
      page = await this.readMore(q.object, page.resultId, opts);
      yield page;
    }
  }

  private async readKeys<O extends string>(
    build: (object: string, keys: readonly string[], fields: readonly string[]) => SageFunction,
    object: O,
    keys: readonly string[],
    fields: readonly string[] | undefined,
    opts: SageCallOptions,
  ): Promise<SageValidated<SageRecordFor<O>>> {
    if (keys.length === 0) return { records: [], rejected: [] };
    const f = this.readFields(object, fields);
    // Up to 100 keys per function, all functions in one request.
    const results = await this.execute(chunk(keys, MAX_KEYS_PER_FUNCTION).map((c) => build(object, c, f)), { uniqueId: false, signal: opts.signal });
    const raws: SageRawRecord[] = [];
    for (const r of results) {
      if (r.error) throw r.error;
      raws.push(...(r.data?.records ?? []));
    }
    return validateRecords(object, raws, this.requireOffset());
  }

  /** `read` by RECORDNO. Keys that do not exist simply return no record. */
  read<O extends string>(object: O, recordNos: readonly string[], fields?: readonly string[], opts: SageCallOptions = {}): Promise<SageValidated<SageRecordFor<O>>> {
    return this.readKeys(buildRead, object, recordNos, fields, opts);
  }

  /** `readByName` by the object's ID field (EMPLOYEEID, PROJECTID, …). */
  readByName<O extends string>(object: O, ids: readonly string[], fields?: readonly string[], opts: SageCallOptions = {}): Promise<SageValidated<SageRecordFor<O>>> {
    return this.readKeys(buildReadByName, object, ids, fields, opts);
  }

  /** `lookup`: the object's definition (`<Type>` with Fields and Relationships) as parsed. */
  async lookup(object: string, opts: SageCallOptions = {}): Promise<SageRawRecord> {
    const r = await this.executeOne(buildLookup(object), { uniqueId: false }, { signal: opts.signal });
    const type = r.data?.records[0];
    if (!type) throw malformed(`lookup of ${object} returned no definition`);
    return type;
  }

  // ---------------------------------------------------------------- writes

  private async write(fn: SageFunction, opts: SageWriteOptions): Promise<SageRawRecord[]> {
    const r = await this.executeOne(fn, { uniqueId: opts.uniqueId ?? true }, { signal: opts.signal });
    return r.data?.records ?? [];
  }

  /** Generic `create`; returns what Sage Intacct sends back per record (RECORDNO and the ID field). */
  create(object: string, records: readonly SageWriteRecord[], opts: SageWriteOptions = {}): Promise<SageRawRecord[]> {
    return this.write(buildCreate(object, records, opts.controlId), opts);
  }

  /** Generic `update` (records carry RECORDNO or the ID field). */
  update(object: string, records: readonly SageWriteRecord[], opts: SageWriteOptions = {}): Promise<SageRawRecord[]> {
    return this.write(buildUpdate(object, records, opts.controlId), opts);
  }

  /** Generic `delete` by RECORDNO (more than 100 keys go as several functions, controlids suffixed `-N`). */
  async delete(object: string, recordNos: readonly string[], opts: SageWriteOptions = {}): Promise<void> {
    if (recordNos.length === 0) return;
    const chunks = chunk(recordNos, MAX_KEYS_PER_FUNCTION);
    const fns = chunks.map((c, i) => buildDelete(object, c, opts.controlId === undefined ? undefined : chunks.length === 1 ? opts.controlId : `${opts.controlId}-${i + 1}`));
    const results = await this.execute(fns, { uniqueId: opts.uniqueId ?? true, signal: opts.signal });
    for (const r of results) if (r.error) throw r.error;
  }

  /**
   * Creates a TIMESHEET with its TIMESHEETENTRIES in one `create` under `uniqueid=true`, with the caller's
   * deterministic function controlid, and returns the new RECORDNO. When that controlid already ran, throws
   * SageAlreadyDoneError: the timesheet exists — look it up (e.g. by EMPLOYEEID + BEGINDATE) rather than
   * create it again. A business rule refusal throws SageBusinessError with Sage Intacct's errors.
   */
  async createTimesheet(timesheet: SageTimesheetCreate, opts: { controlId: string; signal?: AbortSignal }): Promise<{ recordNo: string }> {
    const checked = TimesheetCreateSchema.safeParse(timesheet);
    if (!checked.success) {
      throw new ValidationError(`Timesheet for ${String(timesheet?.EMPLOYEEID)} is invalid: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const { EMPLOYEEID, BEGINDATE, DESCRIPTION, STATE, TIMESHEETENTRIES, ...rest } = timesheet;
    const record: SageWriteRecord = {
      EMPLOYEEID,
      BEGINDATE,
      DESCRIPTION,
      STATE,
      ...(rest as SageWriteRecord),
      TIMESHEETENTRIES: { TIMESHEETENTRY: TIMESHEETENTRIES.map((e) => e as SageWriteRecord) },
    };
    const r = await this.executeOne(buildCreate('TIMESHEET', [record], opts.controlId), { uniqueId: true }, { signal: opts.signal });
    const created = r.data?.records[0];
    const recordNo = textOf(created?.RECORDNO) ?? r.key;
    if (!recordNo || !/^\d+$/.test(recordNo)) {
      // Retrying the same controlid answers "already done", which the caller resolves by lookup.
      throw malformed('the TIMESHEET create succeeded but returned no RECORDNO');
    }
    return { recordNo };
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
