import type { Now, Sleep } from '../http/abort';
import { Semaphore } from '../http/semaphore';
import { TokenBucket } from './token-bucket';

/**
 * The per-connection gate every Assignar request of one client instance passes: first a concurrency slot
 * (at most `concurrency` requests in flight), then a rate token. Slot first, token second: a request is
 * sent the moment it gets its token, so tokens are never spent by requests still waiting for a slot
 * (which would let them out later in a burst above the rate).
 *
 * The rate stays UNDER `requestsPerSecond` in every one-second window: the bucket holds a small burst
 * b = clamp(⌊rps / 20⌋, 1, 10) and refills at rps − (b − 1), so at most (b − 1) + (rps − b + 1) = rps
 * requests start in any second (see TokenBucket). At 20 rps that is plain pacing (b = 1, one request every
 * 50 ms); at 100 rps b = 5 and the sustained rate is 96/s.
 */
export interface RequestLimiterOptions {
  requestsPerSecond: number;
  concurrency: number;
  /** Bucket capacity; default clamp(⌊rps / 20⌋, 1, 10). */
  burst?: number;
  now: Now;
  sleep: Sleep;
}

export interface LimiterStats {
  inFlight: number;
  peakInFlight: number;
  /** Requests waiting for a slot or a token. */
  queued: number;
  /** Requests let through so far. */
  started: number;
}

export function defaultBurst(requestsPerSecond: number): number {
  return Math.min(10, Math.max(1, Math.floor(requestsPerSecond / 20)));
}

export class RequestLimiter {
  private readonly slots: Semaphore;
  private readonly bucket: TokenBucket;
  private tokenWaiters = 0;
  private running = 0;
  private peakRunning = 0;

  constructor(private readonly opts: RequestLimiterOptions) {
    const burst = opts.burst ?? defaultBurst(opts.requestsPerSecond);
    if (!(burst >= 1)) throw new RangeError('burst must be >= 1');
    // With burst b and refill r, a one-second window sees at most (b − 1) + r starts; keep that ≤ rps.
    const refill = Math.max(opts.requestsPerSecond - (burst - 1), opts.requestsPerSecond / 2);
    this.slots = new Semaphore(opts.concurrency);
    this.bucket = new TokenBucket({ ratePerSecond: refill, capacity: burst, now: opts.now, sleep: opts.sleep });
  }

  get burst(): number {
    return this.bucket.capacity;
  }

  get refillPerSecond(): number {
    return this.bucket.ratePerSecond;
  }

  /** Runs `fn` once it holds a slot and a token; the slot is released when `fn` settles. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.slots.acquire(signal);
    try {
      this.tokenWaiters++;
      try {
        await this.bucket.take(signal);
      } finally {
        this.tokenWaiters--;
      }
      this.running++;
      if (this.running > this.peakRunning) this.peakRunning = this.running;
      try {
        return await fn();
      } finally {
        this.running--;
      }
    } finally {
      release();
    }
  }

  /** Stop starting requests for `ms` (a 429 with `Retry-After` is tenant-wide, not per request). */
  pause(ms: number): void {
    if (ms > 0) this.bucket.pauseUntil(this.opts.now() + ms);
  }

  stats(): LimiterStats {
    return {
      inFlight: this.running,
      peakInFlight: this.peakRunning,
      queued: this.slots.waiting + this.tokenWaiters,
      started: this.bucket.granted,
    };
  }
}
