/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the n-th retry (0-based) waits a uniformly random time in [0, min(cap, base · 2^n)). Full jitter
 * spreads the retries of many concurrent requests so they do not come back in lock step.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Uniform [0, 1); injectable for tests. */
  random: () => number;
}

export const DEFAULT_BACKOFF: Omit<BackoffOptions, 'random'> = { baseMs: 250, capMs: 20_000 };

export function fullJitterDelay(retry: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(retry, 30));
  return Math.floor(opts.random() * ceiling);
}

/**
 * The wait before the next attempt: the server's `Retry-After` when it sent one (it knows best when the
 * window reopens), else full jitter.
 */
export function retryDelay(retry: number, retryAfterMs: number | undefined, opts: BackoffOptions): number {
  return retryAfterMs !== undefined ? retryAfterMs : fullJitterDelay(retry, opts);
}
