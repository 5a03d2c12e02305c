import { activityInfo, Context, getClient, heartbeat, log } from '@temporalio/activity';
import { IMPORT_ORDER, RunPlanSchema, RunSummarySchema, type RunPlan, type RunSummary } from '../src/contracts/sync';
import { countsFromOutcomeRows } from '../src/contracts/outcomes';
import { AcquireWriterResultSchema, type AcquireWriterResult, type WriterHolder } from '../src/contracts/writer';
import type { EntityKind } from '../src/config/schema';
import { ConfigError } from '../src/errors';
import type { JsonObject } from '../src/ledger';
import type { WriterLease } from '../src/ledger/writer-leases';
import { chainState, endStaleRuns, type WorkflowLookup } from '../src/runtime/run-liveness';
import { commitWatermarks } from '../src/sync/commit-watermarks';
import { observeRunFinished } from '../src/observability/run-finished';
import type { ActivityDeps } from './deps';

/** How often a waiting writer looks at the lease, and how often it asks Temporal whether the holder still runs. */
const LEASE_POLL_MS = 1000;
const LIVENESS_EVERY_POLLS = 5;

export interface StartRunArgs {
  connection: string;
  runId: string;
  workflow: string;
  dryRun: boolean;
  startedAt: string;
}

export interface FinishRunArgs {
  runId: string;
  status: 'completed' | 'failed' | 'cancelled';
  /** The run's progress as the workflow last saw it; its counts are replaced by the ledger's. */
  progress: Omit<RunSummary, 'finishedAt'>;
  error?: string;
}

export interface WriterArgs {
  connection: string;
  /** The caller's ledger run id (the first run id of its chain). */
  runId: string;
}

/** The workflow calling the activity (these activities only make sense inside one). */
function caller(): { workflowId: string; workflowType: string } {
  const info = activityInfo();
  if (!info.workflowExecution || !info.workflowType) throw new Error(`${info.activityType} must be called from a workflow`);
  return { workflowId: info.workflowExecution.workflowId, workflowType: info.workflowType };
}

function holderOf(lease: WriterLease): WriterHolder {
  return { connection: lease.connection, workflowId: lease.workflowId, workflowType: lease.workflowType, runId: lease.runId, since: lease.acquiredAt };
}

/**
 * The run-level activities of import and sync (and later export and true-up): the run's record in the
 * ledger, its plan, its watermarks, and the connection's writer lease.
 */
export function createRunActivities(deps: ActivityDeps) {
  const temporal = (): WorkflowLookup => deps.temporal ?? getClient();

  /**
   * Takes the lease, or takes it over from a holder Temporal says is gone (whose ledger run is then marked
   * ended). Returns the current holder when someone else still writes.
   */
  async function tryAcquire(args: WriterArgs, checkLiveness: boolean): Promise<AcquireWriterResult> {
    const me = { connection: args.connection, ...caller(), runId: args.runId };
    const { acquired, lease } = await deps.ledger.acquireWriterLease(me);
    if (acquired || !checkLiveness) return { acquired, holder: holderOf(lease) };
    // One workflow id runs one chain at a time: a lease held by another chain of our own id is stale.
    const state =
      lease.workflowId === me.workflowId
        ? ({ running: false, status: 'terminated', error: `ended without recording it; workflow ${me.workflowId} has since been started again (run ${me.runId})` } as const)
        : await chainState(temporal(), lease.workflowId, lease.runId);
    if (state.running) return { acquired: false, holder: holderOf(lease) };
    await deps.ledger.endStaleRun(lease.runId, { status: state.status, error: `${state.error} (found by ${me.workflowId} taking over its writer lease)` });
    if (await deps.ledger.takeOverWriterLease(args.connection, lease.runId, me)) {
      const taken = await deps.ledger.getWriterLease(args.connection);
      return { acquired: true, holder: holderOf(taken!) };
    }
    return tryAcquire(args, false);
  }

  return {
    async startRun(args: StartRunArgs): Promise<void> {
      const { workflowId } = caller();
      await deps.ledger.startRun({ runId: args.runId, connection: args.connection, workflowType: args.workflow, workflowId, dryRun: args.dryRun, startedAt: args.startedAt });
      // Housekeeping: earlier runs of this connection that were terminated cannot say so themselves.
      await endStaleRuns(deps.ledger, temporal(), args.connection, { except: args.runId, seenBy: `${workflowId} starting` }).catch(() => undefined);
    },

    /** The kinds to work, in dependency order: the requested ones (default all) that are enabled in configuration. */
    async planRun(args: { connection: string; entities?: EntityKind[] }): Promise<RunPlan> {
      const connection = deps.clients.connection(args.connection);
      const disabled = (args.entities ?? []).filter((k) => !connection.entities[k].enabled);
      if (disabled.length) {
        throw new ConfigError(`${disabled.join(', ')} ${disabled.length === 1 ? 'is' : 'are'} disabled for connection ${connection.id} (entities.<kind>.enabled: false)`, {
          hint: 'Enable the kind in the configuration, or leave it out of `entities`.',
        });
      }
      const kinds = IMPORT_ORDER.filter((k) => (!args.entities || args.entities.includes(k)) && connection.entities[k].enabled);
      return RunPlanSchema.parse({ kinds });
    },

    /**
     * Takes the connection's writer lease for the caller's run chain. With `waitSeconds` > 0 it waits up to
     * that long (heartbeating) for the holder to release it or be proven gone, then answers who holds it.
     */
    async acquireWriter(args: WriterArgs & { waitSeconds: number }): Promise<AcquireWriterResult> {
      const deadline = Date.now() + args.waitSeconds * 1000;
      for (let poll = 0; ; poll++) {
        const result = await tryAcquire(args, poll % LIVENESS_EVERY_POLLS === 0);
        if (result.acquired || Date.now() + LEASE_POLL_MS > deadline) return AcquireWriterResultSchema.parse(result);
        heartbeat({ waitingFor: result.holder });
        await Context.current().sleep(LEASE_POLL_MS);
      }
    },

    async releaseWriter(args: WriterArgs): Promise<boolean> {
      return deps.ledger.releaseWriterLease(args.connection, args.runId);
    },

    /** Records how the run ended, with counts taken from its ledger rows; returns the run's summary. */
    async finishRun(args: FinishRunArgs): Promise<RunSummary> {
      const counts = countsFromOutcomeRows(await deps.ledger.outcomeCounts(args.runId));
      const summary = RunSummarySchema.parse({ ...args.progress, counts, finishedAt: new Date().toISOString() });
      const json = JSON.parse(JSON.stringify(summary)) as JsonObject;
      await deps.ledger.finishRun(args.runId, { status: args.status, summary: json, error: args.error ?? null, finishedAt: summary.finishedAt });
      // Metrics, held records at warn, and the webhook (once per event).
      await observeRunFinished(deps, log, { summary, status: args.status, error: args.error });
      return summary;
    },

    async commitWatermarks(args: { connection: string; runId: string; startedAt: string; kinds: EntityKind[] }): Promise<void> {
      await commitWatermarks({ connection: deps.clients.connection(args.connection), ledger: deps.ledger }, args.startedAt, args.kinds);
    },
  };
}
