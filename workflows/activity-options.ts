import { patched, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import { connectionTaskQueue } from '../src/contracts/task-queues';

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

/**
 * Options for activities that call a connection's APIs: they run on the connection's own task queue, which
 * one worker process at a time polls, so the tenant's limits hold across the fleet. Histories from before
 * this change scheduled them on the workflow's queue and replay that way.
 */
export function apiActivityOptions(connection: string, options: ActivityOptions = PAGE_ACTIVITY): ActivityOptions {
  if (!patched('connection-task-queue')) return options;
  return { ...options, taskQueue: connectionTaskQueue(workflowInfo().taskQueue, connection) };
}
