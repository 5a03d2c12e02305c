import { abortReason, throwIfAborted } from './abort';

/**
 * A counting semaphore with a FIFO queue: at most `limit` holders at once. The Sage Intacct per-company
 * concurrency cap (one per company across the process, see src/sage/limiter.ts) and the Assignar
 * connection's concurrency limit (src/assignar/limiter.ts) are both one of these.
 */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('A semaphore needs a limit of at least 1');
  }

  get limit(): number {
    return this.max;
  }
  get inUse(): number {
    return this.active;
  }
  get waiting(): number {
    return this.waiters.length;
  }

  /** Lowers (never raises) the limit; holders above it finish, and no waiter is let in until below it. */
  lowerLimit(max: number): void {
    if (Number.isInteger(max) && max >= 1 && max < this.max) this.max = max;
  }

  /**
   * Takes a slot, waiting in line for one when all are in use; resolves with its release function (calling
   * it twice is harmless). An aborted `signal` gives up the wait (the caller leaves the line and gets the
   * signal's reason); a slot already handed over is kept and must be released.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    throwIfAborted(signal);
    if (this.active < this.max && this.waiters.length === 0) {
      this.active++;
    } else {
      // The releaser hands its slot straight to the next waiter (active stays the same).
      await new Promise<void>((resolve, reject) => {
        const waiter = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortReason(signal as AbortSignal));
        };
        this.waiters.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next && this.active <= this.max) next();
      else {
        this.active--;
        if (next) this.waiters.unshift(next);
      }
    };
  }
}
