import { abortReason, type Now, type Sleep } from '../http/abort';

/**
 * A token bucket: `capacity` tokens, refilled continuously at `ratePerSecond`; each request takes one.
 * Waiters are served strictly first-in first-out by a single pump, so a burst of callers is paced
 * evenly instead of racing for each new token. `pauseUntil` stops issuing (a 429 with `Retry-After`).
 *
 * Counting argument: in any window of T seconds at most (capacity − 1) + ⌈ratePerSecond · T⌉ tokens are
 * issued. `window` adds a hard cap on top (a sliding log of the last `limit` grants): never more than
 * `limit` tokens in any `ms`-long window, whatever the burst, so the bucket can refill at the full limit and
 * make up for a stalled caller without ever exceeding a per-window limit.
 */
export interface TokenBucketOptions {
  ratePerSecond: number;
  capacity: number;
  window?: { limit: number; ms: number };
  now: Now;
  sleep: Sleep;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class TokenBucket {
  readonly ratePerSecond: number;
  readonly capacity: number;
  private tokens: number;
  private last: number;
  private pausedUntil = -Infinity;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  private issued = 0;
  /** Grant times of the last `window.limit` tokens, a ring; `issued % limit` is the oldest once full. */
  private readonly log: Float64Array | undefined;

  constructor(private readonly opts: TokenBucketOptions) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
    if (!(opts.capacity >= 1)) throw new RangeError('capacity must be >= 1');
    if (opts.window && !(Number.isInteger(opts.window.limit) && opts.window.limit >= 1 && opts.window.ms > 0)) throw new RangeError('window needs an integer limit >= 1 and ms > 0');
    this.log = opts.window ? new Float64Array(opts.window.limit) : undefined;
    this.ratePerSecond = opts.ratePerSecond;
    this.capacity = opts.capacity;
    this.tokens = opts.capacity;
    this.last = opts.now();
  }

  /** Tokens issued so far. */
  get granted(): number {
    return this.issued;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves when the caller may send one request. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.queue.length === 0 && this.tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      void this.pump();
    });
  }

  /** Issue no token before `at` (same clock as `now`). Later pauses extend, earlier ones are ignored. */
  pauseUntil(at: number): void {
    if (at > this.pausedUntil) this.pausedUntil = at;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerSecond);
    this.last = now;
  }

  /** When the window lets the next token out (−Infinity without a window or before it is full). */
  private windowOpensAt(): number {
    if (!this.log || !this.opts.window || this.issued < this.log.length) return -Infinity;
    return this.log[this.issued % this.log.length] + this.opts.window.ms;
  }

  private tryTake(): boolean {
    const now = this.opts.now();
    this.refill(now);
    if (now < this.pausedUntil || this.tokens < 1 || now < this.windowOpensAt()) return false;
    this.tokens -= 1;
    if (this.log) this.log[this.issued % this.log.length] = now;
    this.issued++;
    return true;
  }

  /** Milliseconds until a token can be issued. */
  private waitMs(): number {
    const now = this.opts.now();
    this.refill(now);
    const untilToken = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.ratePerSecond) * 1000;
    const untilResume = Math.max(0, this.pausedUntil - now);
    const untilWindow = Math.max(0, this.windowOpensAt() - now);
    return Math.max(1, Math.ceil(Math.max(untilToken, untilResume, untilWindow)));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        if (this.tryTake()) {
          const w = this.queue.shift()!;
          if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
          w.resolve();
          continue;
        }
        await this.opts.sleep(this.waitMs());
      }
    } finally {
      this.pumping = false;
    }
  }
}
