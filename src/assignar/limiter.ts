import type { Now, Sleep } from '../http/abort';
import { Semaphore } from '../http/semaphore';
import { TokenBucket } from './token-bucket';

/**
 * The per-connection gate every Assignar request of one client instance passes: first a concurrency slot
 * (at most `concurrency` requests in flight), then a rate token. Slot first, token second: a request is
 * sent the moment it gets its token, so tokens are never spent by requests still waiting for a slot
 * (which would let them out later in a burst above the rate).
 *
 * The rate never exceeds `requestsPerSecond` in any one-second window, and sustains it: the bucket refills
 * at the full rate with a small burst b = clamp(⌊rps / 20⌋, 1, 10) (a caller stalled for up to b / rps
 * seconds makes the lost starts up), and a sliding log of the last rps grants caps every one-second window
 * at rps whatever the burst. At 100 rps: 100 requests/s sustained, at most 5 at once (the burst stays small
 * because the log repeats it once a second, and arrivals bunch by about that much on the way in).
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
    this.slots = new Semaphore(opts.concurrency);
    // The window, not the burst, keeps every second at or under the limit: ⌊rps⌋ per second (a fractional
    // limit rounds down), or below 1/s one request per 1 / rps seconds.
    const window = opts.requestsPerSecond >= 1 ? { limit: Math.floor(opts.requestsPerSecond), ms: 1000 } : { limit: 1, ms: 1000 / opts.requestsPerSecond };
    this.bucket = new TokenBucket({ ratePerSecond: opts.requestsPerSecond, capacity: burst, window, now: opts.now, sleep: opts.sleep });
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
