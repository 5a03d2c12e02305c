import { cancellation, throwIfCancelled } from './abort';

/**
 * The per-company concurrency limit (reference §5: most tenants allow 2 concurrent requests). One
 * semaphore per gateway host + company id, shared by every client instance in the process, so two
 * activities of the same worker never exceed the tenant's cap between them.
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

  /** Lowers (never raises) the limit: the strictest client for a company wins. */
  lowerLimit(max: number): void {
    if (Number.isInteger(max) && max >= 1 && max < this.max) this.max = max;
  }

  /**
   * Takes a slot, waiting for one when all are in use. An aborted `signal` gives up the wait (the caller
   * leaves the queue and gets the signal's reason); a slot already handed over is kept and must be released.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    throwIfCancelled(signal);
    if (this.active < this.max) {
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
          reject(cancellation(signal as AbortSignal));
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

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }
}

const registry = new Map<string, Semaphore>();

/** The key of a company's limit: the configured gateway host plus the company id. */
export function companyLimitKey(endpoint: string, companyId: string): string {
  let host = endpoint;
  try {
    host = new URL(endpoint).host.toLowerCase();
  } catch {
    // Keep the raw endpoint: config validation has already required a URL.
  }
  return `${host}|${companyId}`;
}

/** The process-wide semaphore for a company, created on first use. */
export function companyLimiter(endpoint: string, companyId: string, limit: number): Semaphore {
  const key = companyLimitKey(endpoint, companyId);
  let sem = registry.get(key);
  if (!sem) {
    sem = new Semaphore(limit);
    registry.set(key, sem);
  } else {
    sem.lowerLimit(limit);
  }
  return sem;
}

/** Tests only: forget every company's semaphore. */
export function resetCompanyLimiters(): void {
  registry.clear();
}
