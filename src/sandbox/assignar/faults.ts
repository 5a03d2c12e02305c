import { Prng } from '../prng';

/**
 * The knobs of `PUT /_sandbox/faults`: latency, a token-bucket rate limit and a concurrency cap (both
 * answered with 429 + Retry-After), injected 5xx errors and timeouts, token lifetime, and an optional
 * page-size cap. Prng draws come from a seeded PRNG so a test that sets `faultSeed` is repeatable.
 */
export interface FaultSettings {
  /** Added to every /v2 and token request, in milliseconds. */
  latencyMs: number;
  /** Token-bucket rate limit on /v2 (requests per second); 0 = none. */
  requestsPerSecond: number;
  /** Bucket size (burst); defaults to one second's worth of requests. */
  burst?: number;
  /** Requests in flight on /v2 above which the API answers 429; 0 = none. */
  concurrencyCap: number;
  /** Share of /v2 requests answered with a 5xx before doing anything (0..1). */
  errorRate: number;
  /** Share of /v2 requests that never get an answer: the connection is dropped after `timeoutMs` (0..1). */
  timeoutRate: number;
  /** `before`: the request is dropped unprocessed; `after`: it is processed (writes happen) and the answer is lost. */
  timeoutMode: 'before' | 'after';
  /** How long a timed-out request hangs before its connection is destroyed. */
  timeoutMs: number;
  /** Lifetime of newly issued tokens. */
  tokenTtlSeconds: number;
  /** Largest page_size honoured (a larger one is silently cut to this); 0 = no cap. */
  maxPageSize: number;
}

export const DEFAULT_FAULTS: FaultSettings = {
  latencyMs: 0,
  requestsPerSecond: 0,
  concurrencyCap: 0,
  errorRate: 0,
  timeoutRate: 0,
  timeoutMode: 'after',
  timeoutMs: 10_000,
  tokenTtlSeconds: 3600,
  maxPageSize: 0,
};

/** Validates and merges a `PUT faults` body into the current settings; throws a message on bad input. */
export function mergeFaults(current: FaultSettings, body: Record<string, unknown>): FaultSettings {
  const next: FaultSettings = { ...current };
  const num = (key: keyof FaultSettings, min: number, max = Number.POSITIVE_INFINITY) => {
    if (!(key in body)) return;
    const v = body[key];
    if (v === null && key === 'burst') {
      delete next.burst;
      return;
    }
    if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max) throw new Error(`${key} must be a number between ${min} and ${max}`);
    (next as unknown as Record<string, unknown>)[key] = v;
  };
  num('latencyMs', 0);
  num('requestsPerSecond', 0);
  num('burst', 1);
  num('concurrencyCap', 0);
  num('errorRate', 0, 1);
  num('timeoutRate', 0, 1);
  num('timeoutMs', 0);
  num('tokenTtlSeconds', 0);
  num('maxPageSize', 0);
  if ('timeoutMode' in body) {
    if (body.timeoutMode !== 'before' && body.timeoutMode !== 'after') throw new Error('timeoutMode must be before or after');
    next.timeoutMode = body.timeoutMode;
  }
  return next;
}

/** A token bucket refilled continuously at `rate` per second up to `capacity`. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(
    private rate: number,
    private capacity: number,
  ) {
    this.tokens = capacity;
  }

  /** A changed rate or size starts a full bucket (as a limit switched on fresh would). */
  configure(rate: number, capacity: number): void {
    if (rate !== this.rate || capacity !== this.capacity) {
      this.rate = rate;
      this.capacity = capacity;
      this.tokens = capacity;
      this.last = Date.now();
    }
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** Takes a token, or returns the whole seconds until one is available (at least 1). */
  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    const wait = (1 - this.tokens) / this.rate;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
  }
}

export class FaultState {
  settings: FaultSettings;
  readonly bucket: TokenBucket;
  private random: Prng;

  constructor(initial: FaultSettings, seed = 1) {
    this.settings = initial;
    this.bucket = new TokenBucket(initial.requestsPerSecond || 1, this.capacity());
    this.random = new Prng(seed);
  }

  capacity(): number {
    return this.settings.burst ?? Math.max(1, this.settings.requestsPerSecond);
  }

  update(settings: FaultSettings, seed?: number): void {
    const wasOff = !this.settings.requestsPerSecond;
    this.settings = settings;
    if (wasOff && settings.requestsPerSecond) this.bucket.configure(0, 0);
    this.bucket.configure(settings.requestsPerSecond || 1, this.capacity());
    if (seed !== undefined) this.random = new Prng(seed);
  }

  draw(p: number): boolean {
    return p > 0 && this.random.next() < p;
  }

  pickErrorStatus(): number {
    return this.random.pick([500, 502, 503]);
  }
}

/** Cancellable sleeps, so close() does not wait for latency or hanging requests. */
export class Sleeper {
  private pending = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      this.pending.add(done);
    });
  }

  cancelAll(): void {
    for (const done of [...this.pending]) done();
  }
}
