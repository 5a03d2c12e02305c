import { MockAgent } from 'undici';
import { AssignarClient, type AssignarClientOptions } from '../../../src/assignar';
import type { AssignarConfig } from '../../../src/config/schema';

export const API_ORIGIN = 'https://api.assignar.test';
export const TOKEN_ORIGIN = 'https://login.assignar.test';
export const CLIENT_ID = 'test-client-id';
export const CLIENT_SECRET = 'S3CRET-never-print-me';

export function testConfig(over: Partial<AssignarConfig> = {}): AssignarConfig {
  return {
    apiBase: `${API_ORIGIN}/v2`,
    tokenUrl: `${TOKEN_ORIGIN}/oauth2/token`,
    clientId: CLIENT_ID,
    clientSecret: { env: 'ASSIGNAR_CLIENT_SECRET' },
    requestsPerSecond: 1000,
    concurrency: 8,
    pageSize: 3,
    requestTimeoutMs: 5000,
    maxRetries: 3,
    ...over,
  };
}

export function makeJwt(payload: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(payload)}.c2lnbmF0dXJl`;
}

/**
 * Virtual time: `sleep` registers a timer, `run` advances the clock to the next timer whenever every
 * pending promise has settled. Tests assert on virtual timestamps, never on wall-clock durations.
 */
export class VirtualClock {
  t = 0;
  private seq = 0;
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  readonly sleeps: number[] = [];

  now = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  };

  /** Drives virtual time until `promise` settles; returns its result. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let done = false;
    const tracked = promise.finally(() => {
      done = true;
    });
    tracked.catch(() => undefined);
    for (let guard = 0; guard < 1_000_000; guard++) {
      await new Promise((r) => setImmediate(r));
      if (done) break;
      if (this.timers.length === 0) continue;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    return tracked;
  }
}

/** A clock whose sleep returns at once while moving time forward: for retry tests that only read delays. */
export function instantClock(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[]; advance: (ms: number) => void } {
  let t = 1_700_000_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  pathname: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body?: string;
  /** Value of the harness clock when the request arrived. */
  at: number;
}

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
export type Handler = (req: RecordedRequest) => Reply;

function headerRecord(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (typeof (h as Headers).forEach === 'function' && !Array.isArray(h)) {
    (h as Headers).forEach((v, k) => (out[k.toLowerCase()] = v));
    return out;
  }
  if (Array.isArray(h)) {
    for (let i = 0; i < h.length; i += 2) out[String(h[i]).toLowerCase()] = String(h[i + 1]);
    return out;
  }
  for (const [k, v] of Object.entries(h as Record<string, unknown>)) out[k.toLowerCase()] = String(v);
  return out;
}

function bodyText(b: unknown): string | undefined {
  if (b === undefined || b === null) return undefined;
  if (typeof b === 'string') return b;
  if (Buffer.isBuffer(b)) return b.toString('utf8');
  if (b instanceof Uint8Array) return Buffer.from(b).toString('utf8');
  return String(b);
}

/**
 * A scripted Assignar on an undici MockAgent: every API and token request is recorded and answered by
 * the current handler (replace `api` / `token` per test). Network failures are scripted with `failApi`,
 * which must be called before the first request (MockAgent matches interceptors in registration order).
 */
export class FakeAssignar {
  readonly agent = new MockAgent();
  readonly apiCalls: RecordedRequest[] = [];
  readonly tokenCalls: RecordedRequest[] = [];
  tokenCounter = 0;
  api: Handler = () => ({ status: 404, body: { message: 'no handler' } });
  token: Handler = () => ({ status: 200, body: { access_token: `tok-${++this.tokenCounter}`, token_type: 'Bearer', expires_in: 3600 } });
  private installed = false;

  constructor(private readonly clock: () => number = () => 0) {
    this.agent.disableNetConnect();
  }

  /** The next `times` API requests fail with a transport error instead of a response. */
  failApi(error: Error, times = 1): this {
    this.agent.get(API_ORIGIN).intercept({ path: () => true, method: () => true }).replyWithError(error).times(times);
    return this;
  }

  /** The next API request is answered after `ms` real milliseconds. */
  delayApi(ms: number, reply: Reply): this {
    this.agent
      .get(API_ORIGIN)
      .intercept({ path: () => true, method: () => true })
      .reply(reply.status, JSON.stringify(reply.body ?? {}), { headers: { 'content-type': 'application/json' } })
      .delay(ms);
    return this;
  }

  install(): this {
    if (this.installed) return this;
    this.installed = true;
    const record = (opts: { path: string; method: string; headers?: unknown; body?: unknown }): RecordedRequest => {
      const u = new URL(opts.path, 'http://x');
      return {
        method: opts.method,
        url: opts.path,
        pathname: u.pathname,
        query: u.searchParams,
        headers: headerRecord(opts.headers),
        body: bodyText(opts.body),
        at: this.clock(),
      };
    };
    const respond = (r: Reply) => ({
      statusCode: r.status,
      data: r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
      responseOptions: { headers: { 'content-type': 'application/json', ...r.headers } },
    });
    this.agent
      .get(API_ORIGIN)
      .intercept({ path: () => true, method: () => true })
      .reply((opts) => {
        const req = record(opts);
        this.apiCalls.push(req);
        return respond(this.api(req));
      })
      .persist();
    this.agent
      .get(TOKEN_ORIGIN)
      .intercept({ path: () => true, method: () => true })
      .reply((opts) => {
        const req = record(opts);
        this.tokenCalls.push(req);
        return respond(this.token(req));
      })
      .persist();
    return this;
  }

  client(config: Partial<AssignarConfig> = {}, options: AssignarClientOptions = {}): AssignarClient {
    this.install();
    return new AssignarClient(testConfig(config), { clientSecret: CLIENT_SECRET }, { burst: 1000, ...options, dispatcher: this.agent });
  }
}

/** `n` fake records with ids from `from`. */
export function rows(from: number, n: number, extra: (id: number) => Record<string, unknown> = () => ({})): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({ id: from + i, name: `R${from + i}`, ...extra(from + i) }));
}
