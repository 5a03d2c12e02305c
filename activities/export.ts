import { setMaxListeners } from 'node:events';
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import type { ExportPageResult, ExportStream } from '../src/contracts/export';
import { buildBatch } from '../src/exporter/build-batch';
import { collectPage } from '../src/exporter/collect-page';
import type { ExportContext } from '../src/exporter/export-context';
import { processBatch } from '../src/exporter/process-batch';
import { sendBatch, sendGroups } from '../src/exporter/send-batch';
import type { ActivityDeps } from './deps';

interface ExportArgs {
  connection: string;
  runId: string;
  dryRun: boolean;
}

/**
 * The timesheet export's activities: thin adapters from Temporal (heartbeats, cancellation) to the
 * exporter in src/exporter/. Each works one page or batch and returns a cursor and tallies.
 */
export function createExportActivities(deps: ActivityDeps) {
  function context(args: ExportArgs): ExportContext {
    const signal = cancellationSignal();
    setMaxListeners(0, signal);
    return {
      connection: deps.clients.connection(args.connection),
      sage: deps.clients.sage(args.connection),
      assignar: deps.clients.assignar(args.connection),
      ledger: deps.ledger,
      runId: args.runId,
      dryRun: args.dryRun,
      progress: (detail?: unknown) => heartbeat(detail),
      signal,
    };
  }

  return {
    /** Drops what crashed runs staged (their rows are of no use to anyone). */
    async prepareExport(args: ExportArgs): Promise<void> {
      await deps.ledger.clearExportCandidates(args.connection, { exceptRunId: args.runId });
    },
    async collectTimesheetsPage(args: ExportArgs & { stream: ExportStream; cursor: string | null }): Promise<ExportPageResult> {
      return collectPage(context(args), args.stream, args.cursor);
    },
    async planExportBatch(args: ExportArgs & { cursor: string | null }): Promise<ExportPageResult> {
      return buildBatch(context(args), args.cursor);
    },
    async sendExportGroups(args: ExportArgs & { groupKeys: string[] }): Promise<ExportPageResult> {
      return sendGroups(context(args), args.groupKeys);
    },
    async sendExportBatch(args: ExportArgs & { cursor: string | null }): Promise<ExportPageResult> {
      return sendBatch(context(args), args.cursor);
    },
    async processExportBatch(args: ExportArgs & { cursor: string | null; beforeKey?: string | null }): Promise<ExportPageResult> {
      return processBatch(context(args), args.cursor, args.beforeKey ?? null);
    },
    async finishExport(args: ExportArgs): Promise<void> {
      await deps.ledger.clearExportCandidates(args.connection, { runId: args.runId });
    },
  };
}
