import { getClient } from '@temporalio/activity';
import { TASK_QUEUE, workflowId } from '../src/temporal/constants';
import type { ActivityDeps } from './deps';

/**
 * How a sync hands what it held to the true-up: signal-with-start of `trueUp/<connection>` with `rediff`,
 * so a running true-up re-diffs now and, when none runs, one starts (it only plans and waits for an
 * operator: nothing is written until items are approved).
 */
export function createTrueupFeedActivities(deps: ActivityDeps) {
  return {
    async feedTrueup(args: { connection: string; held: number; runId: string }): Promise<void> {
      deps.clients.connection(args.connection); // an unknown connection fails here, not in the true-up
      await getClient().workflow.signalWithStart('trueUp', {
        taskQueue: TASK_QUEUE,
        workflowId: workflowId('trueUp', args.connection),
        args: [{ connection: args.connection }],
        signal: 'rediff',
        signalArgs: [{ reason: `sync run ${args.runId} held ${args.held} record(s) for the true-up` }],
      });
    },
  };
}
