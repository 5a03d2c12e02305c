/**
 * Exponential backoff with full jitter (a uniformly random wait between 0 and the exponential cap), the
 * scheme that spreads competing clients best after a 429 or a 5xx burst.
 */
export interface BackoffOptions {
  /** The cap of the first retry's wait. */
  baseMs: number;
  /** No wait exceeds this. */
  maxMs: number;
  /** [0, 1); Math.random by default. */
  random?: () => number;
}

/** The wait before retry number `attempt` (0 = first retry). A server's Retry-After, when given, is a floor. */
export function backoffDelayMs(attempt: number, opts: BackoffOptions, retryAfterSeconds?: number): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const jitter = Math.floor((opts.random ?? Math.random)() * cap);
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds)) {
    return Math.max(jitter, Math.min(retryAfterSeconds * 1000, opts.maxMs));
  }
  return jitter;
}
