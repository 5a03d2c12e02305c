import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Page activities: a page of Sage Intacct reads plus a batch of Assignar writes at the rate limit takes
 * tens of seconds; they heartbeat (every write, and every few seconds while they wait, see
 * src/temporal/keepalive-interceptor.ts), so a dead worker is noticed within 30 s and the page is redone
 * idempotently elsewhere. Errors that retrying cannot fix fail fast: the worker's retryability interceptor
 * makes them non-retryable from the error itself, so no list of class names is kept here.
 */
export const PAGE_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 20,
  },
};

export const LEDGER_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
};
