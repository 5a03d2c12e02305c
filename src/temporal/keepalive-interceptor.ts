import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors, ActivityInterceptorsFactory } from '@temporalio/worker';
import { heartbeatWhile } from './heartbeat-while';

/** The longest gap between keep-alive heartbeats (the SDK throttles what reaches the server anyway). */
export const KEEPALIVE_EVERY_MS = 5_000;

/**
 * Heartbeats every activity that has a heartbeat timeout for as long as it runs, so a page activity that
 * waits (a Sage Intacct request of up to 120 s, backoff sleeps, a 429 pause, the company's concurrency
 * limit) is not timed out and retried while its worker is healthy. A dead worker still stops heartbeating
 * and is noticed within the timeout; a hung activity is bounded by its start-to-close timeout.
 *
 * Heartbeats are also how cancellation reaches an activity, so these keep `cancellationSignal()` live
 * during long waits too.
 *
 * The activity's own heartbeats carry details (its cursor). A keep-alive sends the latest of those again,
 * not nothing: details are replaced by each heartbeat, and an empty one would erase them. To see them,
 * the context's `heartbeat` is wrapped once per execution, before the activity runs.
 */
export const keepAliveInterceptor: ActivityInterceptorsFactory = (ctx: Context): ActivityInterceptors => {
  const timeoutMs = ctx.info.heartbeatTimeoutMs;
  if (!timeoutMs || ctx.info.isLocal) return {};
  const send = ctx.heartbeat;
  let latest: unknown = ctx.info.heartbeatDetails;
  Object.defineProperty(ctx, 'heartbeat', {
    configurable: true,
    writable: true,
    value: (details?: unknown) => {
      latest = details;
      send(details);
    },
  });
  const everyMs = Math.max(50, Math.min(KEEPALIVE_EVERY_MS, Math.floor(timeoutMs / 3)));
  return {
    inbound: {
      execute: (input, next) => heartbeatWhile(() => next(input), () => send(latest), everyMs),
    },
  };
};
