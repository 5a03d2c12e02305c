import { ActivityFailure, ApplicationFailure, CancellationScope, ContinueAsNew, TemporalFailure, isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { createRunActivities, StartRunArgs } from '../activities/runs';
import { RunSummarySchema, type Progress, type RunSummary } from '../src/contracts/sync';
import { LEDGER_ACTIVITY } from './activity-options';

const { startRun, finishRun } = proxyActivities<ReturnType<typeof createRunActivities>>(LEDGER_ACTIVITY);

export interface AccountedRunOptions {
  start: StartRunArgs;
  /** False on a run continued from another: the chain's run is already in the ledger. */
  first: boolean;
  progress(): Progress;
}

/**
 * Every run accounted for: the run is recorded in the ledger when its chain starts, and however it ends
 * (completed, failed, cancelled) that is recorded with the error and the counts of its ledger rows. The
 * summary returned is the ledger's (one outcome per record). A continue-as-new is not an end.
 */
export async function accountedRun(opts: AccountedRunOptions, work: () => Promise<void>): Promise<RunSummary> {
  if (opts.first) await startRun(opts.start);
  try {
    await work();
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    const status = isCancellation(err) ? 'cancelled' : 'failed';
    log.warn(`run ${status}: ${describeFailure(err)}`, { connection: opts.start.connection, run: opts.start.runId, workflow: opts.start.workflow });
    await CancellationScope.nonCancellable(() => finishRun({ runId: opts.start.runId, status, progress: opts.progress(), error: describeFailure(err) }));
    throw err;
  }
  return RunSummarySchema.parse(await finishRun({ runId: opts.start.runId, status: 'completed', progress: opts.progress() }));
}

/** One line for the ledger and `report`: what failed, down to the root cause. */
export function describeFailure(err: unknown): string {
  if (isCancellation(err)) return 'cancelled';
  let root: unknown = err;
  while (root instanceof TemporalFailure && root.cause) root = root.cause;
  const message = root instanceof ApplicationFailure && root.type && root.type !== 'Error' ? `${root.type}: ${root.message}` : root instanceof Error ? root.message : String(root);
  return err instanceof ActivityFailure && err.activityType ? `activity ${err.activityType} failed: ${message}` : message;
}
