import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Ledger, Run, RunStatus } from '../ledger';

/** Enough of a Temporal client to describe workflows (the worker's, or the CLI's). */
export type WorkflowLookup = Pick<Client, 'workflow'>;

export type ChainState = { running: true } | { running: false; status: Exclude<RunStatus, 'running'>; error: string };

const ENDED: Partial<Record<string, { status: Exclude<RunStatus, 'running'>; error: string }>> = {
  TERMINATED: { status: 'terminated', error: 'terminated in Temporal' },
  TIMED_OUT: { status: 'terminated', error: 'timed out in Temporal (workflow execution timeout)' },
  FAILED: { status: 'failed', error: 'failed in Temporal without recording why; see the workflow history' },
  CANCELLED: { status: 'cancelled', error: 'cancelled in Temporal without recording it' },
  COMPLETED: { status: 'completed', error: 'completed in Temporal without recording it' },
};

/**
 * Whether the run chain that started as `firstRunId` of `workflowId` is still running, asked of Temporal.
 * "Not running" is only answered on evidence: Temporal says the chain ended, or the workflow id now runs
 * another chain, or Temporal does not know the workflow. Failing to ask is an error, never "gone".
 */
export async function chainState(temporal: WorkflowLookup, workflowId: string, firstRunId: string): Promise<ChainState> {
  let described;
  try {
    described = await temporal.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { running: false, status: 'terminated', error: `Temporal does not know workflow ${workflowId} (its history expired, or it ran on another server)` };
    throw err;
  }
  const chain = described.raw.workflowExecutionInfo?.firstRunId;
  if (chain && chain !== firstRunId) {
    return { running: false, status: 'terminated', error: `ended without recording it; workflow ${workflowId} has since been started again (run ${described.runId})` };
  }
  if (described.status.name === 'RUNNING') return { running: true };
  return { running: false, ...(ENDED[described.status.name] ?? { status: 'terminated', error: `ended in Temporal with status ${described.status.name}` }) };
}

/**
 * Marks runs the ledger still shows as `running` whose workflow has ended without saying so (terminated,
 * timed out): they cannot run code, so whoever sees them next records it. Returns the runs it ended.
 */
export async function endStaleRuns(ledger: Ledger, temporal: WorkflowLookup, connection: string, options: { except?: string; seenBy: string }): Promise<Run[]> {
  const ended: Run[] = [];
  for (const run of await ledger.listRuns({ connection, status: 'running', limit: 100 })) {
    if (run.runId === options.except || !run.workflowId) continue;
    const state = await chainState(temporal, run.workflowId, run.runId);
    if (state.running) continue;
    const changed = await ledger.endStaleRun(run.runId, { status: state.status, error: `${state.error} (found by ${options.seenBy})` });
    if (changed) ended.push(changed);
  }
  return ended;
}
