import { Agent, request, type Dispatcher } from 'undici';
import type { AssignarConfig } from '../config/schema';
import { errorFromResponse, errorFromTransport } from './classify';
import { abortReason, realSleep, type Now, type Sleep } from '../http/abort';
import { retryDelayMs, type BackoffPolicy } from '../http/backoff';
import { NO_API_EVENTS, type ApiEventSink } from '../observability/api-events';
import { AssignarError } from './errors';
import { RequestLimiter } from './limiter';
import { ASSIGNAR_SCOPE } from './scope';
import { ClientCredentialsTokenProvider } from './token-provider';

/**
 * One HTTP exchange with the Assignar API, made safe: a bearer token (renewed once on a 401), the
 * connection's rate and concurrency limit, a per-attempt timeout, typed errors, and retries with
 * exponential backoff and full jitter for the retryable ones (honouring `Retry-After`).
 *
 * Creates (POST) are not idempotent: after a 5xx, a timeout or a connection lost mid-request the record
 * may exist, so they are NOT retried automatically (the error says `outcomeUnknown`); the caller looks the
 * record up by `integration_id` first. A 429, or a connection that was never established, is retried.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT';

export interface SendSpec {
  method: HttpMethod;
  /** Path under the API base, starting with `/`. */
  path: string;
  /** Query string without `?`. */
  query?: string;
  /** JSON body. */
  body?: unknown;
  signal?: AbortSignal;
  /** Default: every method but POST. */
  idempotent?: boolean;
  /** Retry even when a failed attempt may have been applied (only for writes the server dedupes). */
  retryAmbiguous?: boolean;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; undefined when the body was empty or not JSON. */
  json: unknown;
  text: string;
}

export interface AssignarClientStats {
  /** HTTP requests sent to the API (every attempt, retries included; token requests not included). */
  requests: number;
  /** Attempts repeated after a retryable failure (the one-off retry after a token renewal not included). */
  retries: number;
  /** 429 responses received. */
  http429: number;
  /** 5xx responses received. */
  http5xx: number;
  /** Timeouts and connection failures. */
  networkErrors: number;
  /** Requests sent to the token endpoint. */
  tokenRequests: number;
  /** Tokens dropped because the API answered 401. */
  tokenRenewals: number;
  /** Calls that ended in an error after all retries. */
  failures: number;
  inFlight: number;
  peakInFlight: number;
  queued: number;
}

export interface TransportOptions {
  dispatcher?: Dispatcher;
  /** Epoch milliseconds (token expiry, Retry-After dates) and the limiter's clock. Default Date.now. */
  now?: Now;
  /** Default: real timers. Tests pass a virtual-time sleep. */
  sleep?: Sleep;
  /** Uniform [0, 1) for backoff jitter. Default Math.random. */
  random?: () => number;
  /** Token-bucket capacity; default clamp(⌊requestsPerSecond / 20⌋, 1, 10). */
  burst?: number;
  /** Backoff base and cap; default 250 ms doubling up to 20 s. */
  backoff?: { baseMs?: number; capMs?: number };
  /** A `Retry-After` longer than this is not waited out in-process: the error goes to the caller. */
  maxRetryAfterMs?: number;
  /** Where requests, retries, 429 pauses, limiter waits and token renewals are reported (default: nowhere). */
  events?: ApiEventSink;
  /** The connection id events carry; default the client id. */
  connection?: string;
}

export const DEFAULT_MAX_RETRY_AFTER_MS = 120_000;
const DEFAULT_BACKOFF = { baseMs: 250, capMs: 20_000 };

export class AssignarTransport {
  readonly limiter: RequestLimiter;
  readonly #tokens: ClientCredentialsTokenProvider;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #base: string;
  readonly #now: Now;
  readonly #sleep: Sleep;
  readonly #backoff: BackoffPolicy;
  readonly #maxRetryAfterMs: number;
  readonly #events: ApiEventSink;
  readonly #connection: string;
  readonly #limiterNow: Now;
  readonly #counters = { requests: 0, retries: 0, http429: 0, http5xx: 0, networkErrors: 0, tokenRenewals: 0, failures: 0 };

  constructor(
    readonly config: AssignarConfig,
    clientSecret: string,
    options: TransportOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff, maxRetryAfterMs: this.#maxRetryAfterMs, random: options.random ?? Math.random };
    this.#events = options.events ?? NO_API_EVENTS;
    this.#connection = options.connection ?? config.clientId;
    this.#limiterNow = options.now ?? (() => performance.now());
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ?? new Agent({ connections: config.concurrency, connect: { timeout: config.requestTimeoutMs } });
    this.#base = config.apiBase.replace(/\/+$/, '');
    this.#tokens = new ClientCredentialsTokenProvider({
      tokenUrl: config.tokenUrl,
      clientId: config.clientId,
      clientSecret,
      scope: ASSIGNAR_SCOPE,
      dispatcher: this.#dispatcher,
      now: this.#now,
      timeoutMs: config.requestTimeoutMs,
      onRenewed: () => this.#events.emit({ type: 'session-renewed', system: 'assignar', connection: this.#connection }),
    });
    this.limiter = new RequestLimiter({
      requestsPerSecond: config.requestsPerSecond,
      concurrency: config.concurrency,
      burst: options.burst,
      now: this.#limiterNow,
      sleep: this.#sleep,
    });
  }

  /** Fetches a token now (cached afterwards): proves the client credentials work. */
  async authenticate(signal?: AbortSignal): Promise<void> {
    await this.#tokens.getToken(signal);
  }

  /** Sends one API call, retrying as described above; resolves with a 2xx response or throws an AssignarError. */
  async send(spec: SendSpec): Promise<ApiResponse> {
    const idempotent = spec.idempotent ?? spec.method !== 'POST';
    let retries = 0;
    let renewed = false;
    for (;;) {
      if (spec.signal?.aborted) throw abortReason(spec.signal);
      try {
        const token = await this.#tokens.getToken(spec.signal);
        const queuedAt = this.#limiterNow();
        const res = await this.limiter.run(() => {
          const waitMs = Math.round(this.#limiterNow() - queuedAt);
          if (waitMs > 0) this.#events.emit({ type: 'limit-wait', system: 'assignar', connection: this.#connection, waitMs });
          return this.#attempt(spec, token, idempotent);
        }, spec.signal);
        if (res.status === 401 && !renewed) {
          // The token expired early or was revoked: renew it once and repeat the request once.
          renewed = true;
          this.#tokens.invalidate(token);
          this.#counters.tokenRenewals++;
          continue;
        }
        const status = effectiveStatus(res);
        if (status >= 200 && status < 300) return res;
        throw errorFromResponse({
          method: spec.method,
          path: spec.path,
          status,
          headers: res.headers,
          json: res.json,
          text: res.text,
          nowMs: this.#now(),
          idempotent,
        });
      } catch (err) {
        if (!(err instanceof AssignarError)) throw err;
        const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
        // A 429 is tenant-wide: hold every request of this connection, not just this one.
        if (err.kind === 'rate_limit' && retryAfterMs !== undefined) {
          const pauseMs = Math.min(retryAfterMs, this.#maxRetryAfterMs);
          this.limiter.pause(pauseMs);
          this.#events.emit({ type: 'rate-limited', system: 'assignar', connection: this.#connection, pauseMs });
        }
        const retry =
          err.retryable &&
          retries < this.config.maxRetries &&
          (!err.outcomeUnknown || spec.retryAmbiguous === true) &&
          (retryAfterMs === undefined || retryAfterMs <= this.#maxRetryAfterMs);
        if (!retry) {
          this.#counters.failures++;
          throw err;
        }
        const delay = retryDelayMs(retries, this.#backoff, retryAfterMs);
        retries++;
        this.#counters.retries++;
        this.#events.emit({ type: 'retry', system: 'assignar', connection: this.#connection, operation: operationOf(spec), attempt: retries, delayMs: delay, reason: err.kind });
        await this.#sleep(delay, spec.signal);
      }
    }
  }

  async #attempt(spec: SendSpec, token: string, idempotent: boolean): Promise<ApiResponse> {
    const url = `${this.#base}${spec.path}${spec.query ? `?${spec.query}` : ''}`;
    const timeoutMs = this.config.requestTimeoutMs;
    // One controller per attempt for the timeout and the caller's signal, both detached in `finally`
    // (AbortSignal.any would keep a reference per request on a long-lived caller signal).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    const onCallerAbort = () => controller.abort(spec.signal?.reason);
    spec.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    this.#counters.requests++;
    const sentAt = performance.now();
    const event = { type: 'request' as const, system: 'assignar' as const, connection: this.#connection, operation: operationOf(spec) };
    let status: number;
    let resHeaders: ApiResponse['headers'];
    let text: string;
    try {
      const res = await request(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        dispatcher: this.#dispatcher,
        signal: controller.signal,
      });
      status = res.statusCode;
      resHeaders = res.headers;
      text = await res.body.text();
    } catch (err) {
      if (spec.signal?.aborted) throw abortReason(spec.signal);
      const mapped = errorFromTransport(err, { method: spec.method, path: spec.path, idempotent, timedOut, timeoutMs });
      this.#events.emit({ ...event, outcome: 'error', errorCode: mapped?.kind ?? 'transport', durationMs: Math.round(performance.now() - sentAt) });
      if (mapped) {
        this.#counters.networkErrors++;
        throw mapped;
      }
      throw err;
    } finally {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onCallerAbort);
    }
    if (status === 429) this.#counters.http429++;
    if (status >= 500) this.#counters.http5xx++;
    const ok = status >= 200 && status < 300;
    this.#events.emit({ ...event, outcome: ok ? 'ok' : 'error', status, ...(ok ? {} : { errorCode: `http_${status}` }), durationMs: Math.round(performance.now() - sentAt) });
    let json: unknown;
    if (text !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status, headers: resHeaders, json, text };
  }

  stats(): AssignarClientStats {
    const l = this.limiter.stats();
    return { ...this.#counters, tokenRequests: this.#tokens.requests, inFlight: l.inFlight, peakInFlight: l.peakInFlight, queued: l.queued };
  }

  /** Closes the connection pool when the client created it (not a dispatcher passed in). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }
}

/**
 * The HTTP status, unless a 2xx body says otherwise: Assignar answers some calls with HTTP 200 and the
 * real status in the envelope (`{status: 201}` for a create, `{status: 204}` for an update), so an error
 * status in the envelope of a 200 is taken as the outcome.
 */
function effectiveStatus(res: ApiResponse): number {
  if (res.status >= 200 && res.status < 300 && res.json && typeof res.json === 'object' && !Array.isArray(res.json)) {
    const s = (res.json as { status?: unknown }).status;
    if (typeof s === 'number' && Number.isInteger(s) && s >= 400 && s < 600) return s;
  }
  return res.status;
}

/** The operation an event names: the method and the path with its ids left out (`PUT /users/{id}`). */
function operationOf(spec: SendSpec): string {
  return `${spec.method} ${spec.path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
}
