/**
 * The one retry-wait policy of both API clients: exponential backoff with full jitter (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"), the n-th retry (0-based) waiting a uniformly random time in
 * [0, min(cap, base · 2^n)), which spreads the retries of many concurrent requests so they do not come back
 * in lock step; a server's `Retry-After` is a floor (it knows when its window reopens).
 */
export interface BackoffPolicy {
  /** The cap of the first retry's wait. */
  baseMs: number;
  /** No jittered wait exceeds this. */
  capMs: number;
  /** A `Retry-After` is honoured up to this (the client decides what happens to a longer one); default capMs. */
  maxRetryAfterMs?: number;
  /** Uniform [0, 1); Math.random by default. */
  random?: () => number;
}

export function fullJitterDelay(retry: number, policy: BackoffPolicy): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(retry, 30));
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

/** The wait before retry number `retry` (0 = first retry). */
export function retryDelayMs(retry: number, policy: BackoffPolicy, retryAfterMs?: number): number {
  const jitter = fullJitterDelay(retry, policy);
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return jitter;
  return Math.max(jitter, Math.min(Math.max(0, retryAfterMs), policy.maxRetryAfterMs ?? policy.capMs));
}

/**
 * `Retry-After` (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date. Returns milliseconds to wait
 * from `nowMs` (never negative), or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only accept something that looks like a date, so "soon" or "-1" is ignored rather than parsed oddly.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
