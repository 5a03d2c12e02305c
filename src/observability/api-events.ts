/**
 * What the API clients tell the rest of the service about their calls, for logs and metrics. The clients
 * emit; src/observability/ turns events into log lines and Prometheus counters. Events carry no secret and
 * no request or response body: only what an operator needs to see that a tenant's limits are being met.
 */
export type ApiSystem = 'sage' | 'assignar';

export type ApiEvent =
  /** One HTTP request finished (any outcome). `transactions`: Sage Intacct functions in it (metered). */
  | { type: 'request'; system: ApiSystem; connection: string; operation: string; outcome: 'ok' | 'error'; status?: number; errorCode?: string; durationMs: number; transactions?: number }
  /** A retry is about to wait `delayMs` (backoff or Retry-After). */
  | { type: 'retry'; system: ApiSystem; connection: string; operation: string; attempt: number; delayMs: number; reason: string }
  /** The tenant said "slow down" (Assignar 429, Sage GW-0010): every request of the connection pauses. */
  | { type: 'rate-limited'; system: ApiSystem; connection: string; pauseMs: number }
  /** A request waited this long for a concurrency slot or a rate token before it was sent. */
  | { type: 'limit-wait'; system: ApiSystem; connection: string; waitMs: number }
  /** A Sage Intacct session or an Assignar token was obtained again. */
  | { type: 'session-renewed'; system: ApiSystem; connection: string };

export interface ApiEventSink {
  emit(event: ApiEvent): void;
}

/** The sink used when nobody listens (tests, tools). */
export const NO_API_EVENTS: ApiEventSink = { emit() {} };
