import { abortReason, type Now, type Sleep } from '../http/abort';

/**
 * A token bucket: `capacity` tokens, refilled continuously at `ratePerSecond`; each request takes one.
 * Waiters are served strictly first-in first-out by a single pump, so a burst of callers is paced
 * evenly instead of racing for each new token. `pauseUntil` stops issuing (a 429 with `Retry-After`).
 *
 * Counting argument: in any window of T seconds at most (capacity − 1) + ⌈ratePerSecond · T⌉ tokens are
 * issued, so the caller picks capacity and rate to stay under a limit for every window, not on average.
 */
export interface TokenBucketOptions {
  ratePerSecond: number;
  capacity: number;
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

  constructor(private readonly opts: TokenBucketOptions) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
    if (!(opts.capacity >= 1)) throw new RangeError('capacity must be >= 1');
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

  private tryTake(): boolean {
    const now = this.opts.now();
    this.refill(now);
    if (now < this.pausedUntil || this.tokens < 1) return false;
    this.tokens -= 1;
    this.issued++;
    return true;
  }

  /** Milliseconds until a token can be issued. */
  private waitMs(): number {
    const now = this.opts.now();
    this.refill(now);
    const untilToken = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.ratePerSecond) * 1000;
    const untilResume = Math.max(0, this.pausedUntil - now);
    return Math.max(1, Math.ceil(Math.max(untilToken, untilResume)));
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
