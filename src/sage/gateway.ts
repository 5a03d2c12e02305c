import { randomUUID } from 'node:crypto';
import type { SageConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { raceAbort, realSleep, throwIfAborted, type Now, type Sleep } from '../http/abort';
import { retryDelayMs, type BackoffPolicy } from '../http/backoff';
import type { Semaphore } from '../http/semaphore';
import { NO_API_EVENTS, type ApiEventSink } from '../observability/api-events';
import { classifyErrors, classifyHttpStatus, isRetryableTransportError, resultError } from './classify';
import type { SageCallOptions, SageClientOptions, SageExecuteOptions, SageFunctionResult, SageSecrets } from './client-types';
import { withCredential } from './credentials';
import { offsetOfTimestamp } from './dates';
import { buildRequest, type SageAuthentication, type SageFunction } from './envelope';
import { SageAuthenticationError, SageError, SageRateLimitError, SageRequestError, SageSessionError } from './errors';
import { buildGetAPISession } from './functions';
import { companyLimiter } from './limiter';
import { SAGE_OBJECTS, selectFields } from './objects';
import { isSageObjectName } from './records';
import { parseResponse, textOf, type ParsedAuthentication, type ParsedResponse } from './response';
import { malformed } from './result-values';
import { expiryFrom, needsRenewal, type SageSession } from './session';
import { postXml } from './transport';

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
export interface RoundTripHooks {
  /** The caller's cancellation (SageCallOptions.signal). */
  signal?: AbortSignal;
  /** Asked once the request holds a concurrency slot: true = the answer is no longer wanted, do not send. */
  cancelled?: () => boolean;
  /** Told the body of a 2xx reply as soon as it has arrived (its slot already free), before it is parsed. */
  onBody?: (body: string) => void;
}

/** What a request's outcome says for the `request` event. */
function errorFacts(err: unknown): { status?: number; errorCode?: string } {
  if (!(err instanceof SageError)) return { errorCode: 'cancelled' };
  const code = err.errors?.[0]?.errorno;
  return { ...(err.httpStatus !== undefined ? { status: err.httpStatus } : {}), errorCode: code || err.name };
}

/**
 * The core of the Sage Intacct client: sessions (sign-in, sliding expiry, one re-login on an invalid
 * session), the user's time zone as the gateway reports it, one concurrency limit per company across the
 * process, and requests sent with backoff on 429/5xx/timeouts/malformed replies. Passwords and session ids
 * never appear in error messages (they are redacted from Sage's texts too). The reads and writes
 * (queries.ts, reads.ts, writes.ts, timesheets.ts) are built on `execute`.
 */
export class SageGateway {
  readonly limiter: Semaphore;
  readonly events: ApiEventSink;
  readonly connectionId: string;
  private readonly now: Now;
  private readonly sleep: Sleep;
  private readonly backoff: BackoffPolicy;
  private session?: SageSession;
  /** The offset of the latest authentication block's sessiontimestamp (the user's, DST included). */
  private reportedOffset?: string;
  private loginInFlight?: Promise<SageSession>;
  private readonly sessionIds: string[] = [];

  constructor(
    readonly config: SageConfig,
    private readonly secrets: SageSecrets,
    private readonly options: SageClientOptions = {},
  ) {
    this.limiter = companyLimiter(config.endpoint, config.companyId, config.concurrency);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.backoff = { baseMs: options.backoff?.baseMs ?? 500, capMs: options.backoff?.maxMs ?? 30_000, random: options.random };
    this.events = options.events ?? NO_API_EVENTS;
    this.connectionId = options.connection ?? config.companyId;
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

  async connect(opts: SageCallOptions = {}): Promise<{ endpoint: string; locationId?: string; expiresAt?: string }> {
    const s = await this.currentSession(opts.signal);
    return {
      endpoint: s.endpoint,
      ...(s.locationId ? { locationId: s.locationId } : {}),
      ...(s.expiresAt !== undefined ? { expiresAt: new Date(s.expiresAt).toISOString() } : {}),
    };
  }

  /** A caller that gives up waits no longer, but the sign-in it shares with others carries on. */
  private async currentSession(signal?: AbortSignal): Promise<SageSession> {
    if (this.session && !needsRenewal(this.session, this.now())) return this.session;
    this.loginInFlight ??= this.login().finally(() => {
      this.loginInFlight = undefined;
    });
    return raceAbort(this.loginInFlight, signal);
  }

  private invalidate(session: SageSession): void {
    if (this.session === session) this.session = undefined;
  }

  /** `getAPISession`, alone in its own request, with login authentication against the configured endpoint. */
  private async login(): Promise<SageSession> {
    const renewal = this.sessionIds.length > 0;
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
    if (renewal) this.events.emit({ type: 'session-renewed', system: 'sage', connection: this.connectionId });
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

  // ---------------------------------------------------------------- the user's time zone

  userTimeZoneOffset(): string | undefined {
    return this.config.userTimeZoneOffset ?? this.reportedOffset;
  }

  gatewayTimeZoneOffset(): string | undefined {
    return this.reportedOffset;
  }

  async effectiveTimeZoneOffset(opts: SageCallOptions = {}): Promise<string> {
    const known = this.userTimeZoneOffset();
    if (known !== undefined) return known;
    await this.connect(opts);
    return this.requireOffset();
  }

  requireOffset(): string {
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

  // ---------------------------------------------------------------- transport

  /** One HTTP round trip under the company's concurrency limit, with HTTP-level classification. */
  private async roundTrip(url: string, xml: string, functions: readonly SageFunction[], hooks?: RoundTripHooks): Promise<ParsedResponse> {
    const queued = this.limiter.inUse >= this.limiter.limit || this.limiter.waiting > 0;
    const waitStart = performance.now();
    const release = await this.limiter.acquire(hooks?.signal);
    const sentAt = performance.now();
    const waitMs = Math.round(sentAt - waitStart);
    if (queued && waitMs > 0) this.events.emit({ type: 'limit-wait', system: 'sage', connection: this.connectionId, waitMs });
    const request = { type: 'request' as const, system: 'sage' as const, connection: this.connectionId, operation: operationOf(functions) };
    let reply;
    let handedOver = false;
    try {
      throwIfAborted(hooks?.signal);
      if (hooks?.cancelled?.()) throw new SageRequestError('Sage Intacct request cancelled before it was sent: its answer is no longer wanted', { level: 'client' });
      reply = await postXml(url, xml, { dispatcher: this.options.dispatcher, timeoutMs: this.config.requestTimeoutMs, signal: hooks?.signal });
    } catch (err) {
      if (!(err instanceof SageRequestError && err.level === 'client')) {
        this.events.emit({ ...request, outcome: 'error', durationMs: Math.round(performance.now() - sentAt), ...errorFacts(err) });
      }
      throw err;
    } finally {
      handedOver = this.limiter.waiting > 0;
      release();
    }
    const durationMs = Math.round(performance.now() - sentAt);
    if (reply.status < 200 || reply.status >= 300) {
      const err = classifyHttpStatus(reply.status, reply.headers, reply.body, this.redact);
      this.events.emit({ ...request, outcome: 'error', durationMs, status: reply.status, errorCode: errorFacts(err).errorCode });
      throw err;
    }
    hooks?.onBody?.(reply.body);
    // Parsing a large page takes tens of milliseconds of this thread: let the request that took over the
    // freed slot (or that onBody started) reach its socket first.
    if (handedOver || hooks?.onBody) await letRequestsOut();
    let parsed: ParsedResponse;
    try {
      parsed = parseResponse(reply.body);
    } catch (err) {
      this.events.emit({ ...request, outcome: 'error', durationMs, status: reply.status, ...errorFacts(err) });
      throw err;
    }
    this.events.emit({ ...request, outcome: 'ok', durationMs, status: reply.status, transactions: meteredIn(functions, parsed) });
    return parsed;
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
      throwIfAborted(hooks?.signal);
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
        const parsed = await this.roundTrip(url, xml, functions, hooks);
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
          this.events.emit({ type: 'retry', system: 'sage', connection: this.connectionId, operation: operationOf(functions), attempt: attempt + 1, delayMs: 0, reason: 'session' });
          continue;
        }
        if (isRetryableTransportError(err) && attempt < this.config.maxRetries) {
          const retryAfter = (err as { retryAfterSeconds?: number }).retryAfterSeconds;
          const delayMs = retryDelayMs(attempt, this.backoff, retryAfter === undefined ? undefined : retryAfter * 1000);
          attempt++;
          this.options.onRetry?.({ attempt, delayMs, reason: 'backoff', error: err as SageError });
          if (err instanceof SageRateLimitError) this.events.emit({ type: 'rate-limited', system: 'sage', connection: this.connectionId, pauseMs: delayMs });
          this.events.emit({ type: 'retry', system: 'sage', connection: this.connectionId, operation: operationOf(functions), attempt, delayMs, reason: retryReason(err as SageError) });
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
  async execute(functions: readonly SageFunction[], opts: SageExecuteOptions = {}, hooks: RoundTripHooks = { signal: opts.signal }): Promise<SageFunctionResult[]> {
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

  /** One function in its own request; its error, if any, is thrown. */
  async executeOne(fn: SageFunction, opts: SageExecuteOptions, hooks?: RoundTripHooks): Promise<SageFunctionResult> {
    const [result] = await this.execute([fn], opts, hooks);
    if (result.error) throw result.error;
    return result;
  }

  // ---------------------------------------------------------------- fields

  defaultFields(object: string, given: readonly string[] | undefined): readonly string[] {
    if (given) return given;
    if (isSageObjectName(object)) return selectFields(object);
    throw new SageRequestError(`A field list is required for ${object} (the client never sends '*')`, { level: 'client' });
  }

  /**
   * The fields a read asks for: the caller's list (default every schema field) plus RECORDNO for objects
   * with a schema — their schemas declare it and the paging, links and outcomes key on it, so a list
   * without it would have every record rejected.
   */
  readFields(object: string, given: readonly string[] | undefined): readonly string[] {
    const fields = this.defaultFields(object, given);
    if (!isSageObjectName(object) || !('RECORDNO' in SAGE_OBJECTS[object].schema.shape)) return fields;
    return fields.some((f) => f.trim().toUpperCase() === 'RECORDNO') ? fields : [...fields, 'RECORDNO'];
  }
}

/** The operation an event names: the request's function names, e.g. `query` or `read ×3`. */
function operationOf(functions: readonly SageFunction[]): string {
  const names = [...new Set(functions.map((f) => f.name))];
  if (names.length === 0) return 'none';
  return names.length === 1 && functions.length > 1 ? `${names[0]} ×${functions.length}` : names.join('+');
}

/** The API transactions a response's successful functions are billed (SageFunction.metered). */
function meteredIn(functions: readonly SageFunction[], parsed: ParsedResponse): number {
  let n = 0;
  for (const f of functions) {
    if (parsed.results.some((r) => r.controlId === f.controlId && r.status === 'success')) n += f.metered ?? 1;
  }
  return n;
}

function retryReason(err: SageError): string {
  const kind = (err as { kind?: string }).kind;
  return kind ? `${err.name}:${kind}` : err.name;
}
