import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import { SyncError } from '../errors';

/**
 * The one place an activity failure's retryability is decided: from the error itself (`retryable` on the
 * project's errors), not from lists of class names in retry policies, which drift from the classes.
 *
 * A SyncError with `retryable === false` leaves the activity as a non-retryable ApplicationFailure whose
 * type is the class name and whose message carries the hint (what to fix). Everything else passes
 * through unchanged: retryable SyncErrors and unknown errors are retried by the activity's policy, and
 * cancellation (CancelledFailure, AbortError) keeps its meaning.
 */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof SyncError) || err.retryable) return err;
  return ApplicationFailure.create({
    type: err.name,
    message: err.hint ? `${err.message} — ${err.hint}` : err.message,
    nonRetryable: true,
    cause: err,
  });
}

class RetryabilityInterceptor implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      return await next(input);
    } catch (err) {
      throw toActivityFailure(err);
    }
  }
}

const shared = new RetryabilityInterceptor();

/** For `Worker.create({ interceptors: { activity: [retryabilityInterceptor] } })`. */
export const retryabilityInterceptor: ActivityInterceptorsFactory = () => ({ inbound: shared });
