import { setMaxListeners } from 'node:events';
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { EntityKind } from '../src/config/schema';
import type { PageResult, SyncObject } from '../src/contracts/sync';
import { applyScope } from '../src/sync/scope';
import { applyDeactivations } from '../src/sync/apply-deactivations';
import { revisitFailuresPage } from '../src/sync/revisit-failures';
import { detectDrift } from '../src/sync/drift';
import { importPage } from '../src/sync/import-page';
import { mappingDefaults } from '../src/sync/run-defaults';
import { syncChangesPage } from '../src/sync/changes-page';
import { syncDeletions } from '../src/sync/deletions';
import type { SyncContext } from '../src/sync/sync-context';
import type { ActivityDeps } from './deps';
import { createRunActivities } from './runs';

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
    // Run-level activities (the run's ledger record, plan, watermarks, writer lease): activities/runs.ts.
    ...createRunActivities(deps),
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
    async revisitFailuresPage(args: PageArgs & { object: SyncObject; kinds: EntityKind[]; cursor: string | null }): Promise<PageResult> {
      return revisitFailuresPage(await context(args, args.kinds), args.object, args.kinds, args.cursor);
    },
    async applyDeactivations(args: PageArgs & { kind: EntityKind; confirmDeactivations?: boolean }): Promise<PageResult> {
      return applyDeactivations(await context(args, [args.kind]), args.kind, args.confirmDeactivations ?? false);
    },
  };
}
