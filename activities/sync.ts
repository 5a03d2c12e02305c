import { setMaxListeners } from 'node:events';
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { EntityKind } from '../src/config/schema';
import type { PageResult, RunSummary, SyncObject } from '../src/contracts/sync';
import { applyScope } from '../src/sync/scope';
import { commitWatermarks } from '../src/sync/commit-watermarks';
import { detectDrift } from '../src/sync/drift';
import { importPage } from '../src/sync/import-page';
import { mappingDefaults } from '../src/sync/run-defaults';
import { syncChangesPage } from '../src/sync/changes-page';
import { syncDeletions } from '../src/sync/deletions';
import type { SyncContext } from '../src/sync/sync-context';
import type { ActivityDeps } from './deps';

interface PageArgs {
  connection: string;
  runId: string;
  dryRun: boolean;
}

/**
 * The import and sync activities: thin adapters from Temporal (heartbeats, cancellation, attempt) to the
 * sync engine in src/sync/. Each works one page and returns a small summary, never records.
 */
export function createSyncActivities(deps: ActivityDeps) {
  async function context(args: PageArgs, kinds: readonly EntityKind[]): Promise<SyncContext> {
    const connection = deps.clients.connection(args.connection);
    const assignar = deps.clients.assignar(args.connection);
    const signal = cancellationSignal();
    // Every in-flight request of a page listens for cancellation: hundreds at once is expected here.
    setMaxListeners(0, signal);
    return {
      connection,
      sage: deps.clients.sage(args.connection),
      assignar,
      ledger: deps.ledger,
      runId: args.runId,
      dryRun: args.dryRun,
      defaults: await mappingDefaults(connection, assignar, kinds),
      progress: (detail?: unknown) => heartbeat(detail),
      signal,
      attempt: activityInfo().attempt,
    };
  }

  return {
    async startRun(args: PageArgs & { workflow: string; startedAt: string }): Promise<void> {
      await deps.ledger.startRun({ runId: args.runId, connection: args.connection, workflowType: args.workflow, workflowId: activityInfo().workflowExecution?.workflowId ?? null, dryRun: args.dryRun, startedAt: args.startedAt });
    },
    async finishRun(args: { runId: string; status: 'completed' | 'failed'; summary: RunSummary }): Promise<void> {
      await deps.ledger.finishRun(args.runId, { status: args.status, summary: args.summary as never });
    },
    async prepareEntity(args: PageArgs & { kind: EntityKind }): Promise<void> {
      // Resolve and cache the tenant defaults (e.g. the work-order owner) once, before the pages.
      await context(args, [args.kind]);
    },
    async importPage(args: PageArgs & { kind: EntityKind; cursor: string | null }): Promise<PageResult> {
      return importPage(await context(args, [args.kind]), args.kind, args.cursor);
    },
    async applyScope(args: PageArgs & { kind: EntityKind }): Promise<PageResult> {
      return applyScope(await context(args, [args.kind]), args.kind);
    },
    async syncChangesPage(args: PageArgs & { object: SyncObject; kinds: EntityKind[]; cursor: string | null }): Promise<PageResult> {
      return syncChangesPage(await context(args, args.kinds), args.object, args.kinds, args.cursor);
    },
    async syncDeletions(args: PageArgs & { kinds: EntityKind[] }): Promise<PageResult> {
      return syncDeletions(await context(args, []), args.kinds);
    },
    async detectDrift(args: PageArgs & { kind: EntityKind }): Promise<PageResult> {
      return detectDrift(await context(args, [args.kind]), args.kind);
    },
    async commitWatermarks(args: { connection: string; runId: string; startedAt: string; objects: string[]; kinds: EntityKind[] }): Promise<void> {
      await commitWatermarks({ connection: deps.clients.connection(args.connection), ledger: deps.ledger }, args.startedAt, args.objects, args.kinds);
    },
  };
}
