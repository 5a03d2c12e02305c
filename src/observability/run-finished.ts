import type { AppConfig } from '../config';
import type { Outcome, RecordKind } from '../contracts/outcomes';
import type { RunSummary } from '../contracts/sync';
import type { Ledger } from '../ledger';
import { Notifier, type NotifierLog } from '../notifications/notifier';
import { serviceMetrics } from './metrics';

/** Held records logged one per line (with their record key) at the end of a run; the rest are counted. */
const HELD_LINES = 20;

/**
 * What a finished run tells operators: its records by outcome in the metrics, its held records at warn,
 * and the webhook (a failed run, records newly failing or held). Runs after the ledger recorded the end;
 * never throws (the run's own record is what matters).
 */
export async function observeRunFinished(
  deps: { config: AppConfig; ledger: Pick<Ledger, 'claimNotifications' | 'releaseNotifications' | 'listOutcomes'> },
  log: NotifierLog,
  run: { summary: RunSummary; status: 'completed' | 'failed' | 'cancelled'; error?: string },
): Promise<void> {
  const { summary } = run;
  try {
    const metrics = serviceMetrics();
    const labels = { connection: summary.connection, workflow: summary.workflow };
    metrics.runs.inc({ ...labels, status: run.status });
    if (!summary.dryRun) {
      for (const [kind, counts] of Object.entries(summary.counts) as Array<[RecordKind, Record<string, number>]>) {
        for (const [outcome, n] of Object.entries(counts)) if (outcome !== 'seen' && n > 0) metrics.records.inc({ ...labels, kind, outcome: outcome as Outcome }, n);
      }
      const held = await deps.ledger.listOutcomes(summary.runId, { outcome: 'held', limit: HELD_LINES + 1 });
      for (const r of held.slice(0, HELD_LINES)) log.warn(`record held: ${r.reason ?? 'no reason recorded'}`, { connection: summary.connection, run: summary.runId, entity: r.kind, record: r.recordKey });
      if (held.length > HELD_LINES) {
        const total = Object.values(summary.counts).reduce((n, c) => n + (c?.held ?? 0), 0);
        log.warn(`${total} records held in this run; the first ${HELD_LINES} are logged: intacct-assignar report --connection ${summary.connection} --outcome held`, { connection: summary.connection, run: summary.runId });
      }
    }
    const finished = `${summary.workflow} of ${summary.connection} ${run.status}`;
    if (run.status === 'failed') log.warn(`${finished}: ${run.error ?? 'no error recorded'}`, { connection: summary.connection, run: summary.runId });
    else log.info(finished, { connection: summary.connection, run: summary.runId });
    await new Notifier(deps.config.notifications, deps.ledger, log).runFinished({ connection: summary.connection, workflow: summary.workflow, runId: summary.runId, status: run.status, dryRun: summary.dryRun, error: run.error });
  } catch (err) {
    log.warn(`run ${summary.runId}: observing its end failed: ${err instanceof Error ? err.message : String(err)}`, { connection: summary.connection });
  }
}
