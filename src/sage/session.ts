import type { ParsedAuthentication } from './response';

/**
 * API session state (reference §1.4): the session id, the endpoint the session is bound to, and when it
 * lapses. `sessiontimeout` slides: every response's authentication block moves it, so the expiry is
 * re-read from each one. The window is measured against the server's own `sessiontimestamp`, then laid on
 * the local clock, so clock skew between us and Sage Intacct does not matter.
 */
export interface SageSession {
  sessionId: string;
  /** Where every call with this session goes. */
  endpoint: string;
  locationId?: string;
  /** Local epoch ms when the session lapses; undefined when Sage Intacct did not say. */
  expiresAt?: number;
  /** Length of the sliding window in ms, when known. */
  windowMs?: number;
}

/** Renew this long before the timeout: 10 % of the window, at most a minute (short sandbox windows still work). */
export function renewalMarginMs(session: SageSession): number {
  return Math.min(60_000, (session.windowMs ?? 600_000) / 10);
}

export function needsRenewal(session: SageSession, now: number): boolean {
  return session.expiresAt !== undefined && now >= session.expiresAt - renewalMarginMs(session);
}

/**
 * The expiry an authentication block implies, on the local clock `now` (when the response arrived).
 * Returns undefined when the block carries no parseable `sessiontimeout`.
 */
export function expiryFrom(auth: ParsedAuthentication | undefined, now: number): { expiresAt: number; windowMs?: number } | undefined {
  const timeout = auth?.sessionTimeout ? Date.parse(auth.sessionTimeout) : NaN;
  if (Number.isNaN(timeout)) return undefined;
  const stamp = auth?.sessionTimestamp ? Date.parse(auth.sessionTimestamp) : NaN;
  if (Number.isNaN(stamp)) return { expiresAt: timeout };
  const windowMs = Math.max(0, timeout - stamp);
  return { expiresAt: now + windowMs, windowMs };
}
