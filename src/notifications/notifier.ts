import type { NotificationsConfig } from '../config/schema';
import type { RecordKind } from '../contracts/outcomes';
import type { Ledger } from '../ledger';
import { serviceMetrics } from '../observability/metrics';
import { recordsMessage, runFailedMessage, trueupAwaitingMessage, type NotificationEvent } from './messages';
import { postWebhook, type WebhookMessage } from './webhook';

type NotifierLedger = Pick<Ledger, 'claimNotifications' | 'releaseNotifications' | 'listOutcomes'>;

export interface NotifierLog {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface FinishedRun {
  connection: string;
  workflow: string;
  runId: string;
  status: 'completed' | 'failed' | 'cancelled';
  dryRun: boolean;
  error?: string;
}

/** Outcomes read per page when finding the run's newly failing and held records. */
const PAGE = 5000;

/**
 * Sends the configured webhook once per event: a run failed; records newly failing or held; a true-up waiting
 * for approval. "Once" is the ledger's: each event (and each record's failing or held state) is claimed in
 * `notifications_sent` before it is sent, so workers, retries and later runs do not repeat it; a claim is
 * given back when the webhook cannot be reached. A notification never fails the run it is about.
 */
export class Notifier {
  constructor(
    private readonly config: NotificationsConfig | undefined,
    private readonly ledger: NotifierLedger,
    private readonly log: NotifierLog,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private url(): string | undefined {
    const ref = this.config?.webhookUrl;
    if (!ref) return undefined;
    return typeof ref === 'string' ? ref : this.env[ref.env] || undefined;
  }

  private wants(event: NotificationEvent): boolean {
    return this.url() !== undefined && (this.config?.events ?? [event]).includes(event);
  }

  /** Sends `message` when `keys` were not claimed yet; `keys[0]` names the event in logs. */
  private async send(connection: string, event: NotificationEvent, message: WebhookMessage, claimed: string[]): Promise<void> {
    try {
      await postWebhook(this.url()!, message);
      serviceMetrics().notifications.inc({ connection, event, result: 'sent' });
      this.log.info(`notification sent: ${event}`, { connection, event });
    } catch (err) {
      serviceMetrics().notifications.inc({ connection, event, result: 'failed' });
      await this.ledger.releaseNotifications(claimed).catch(() => undefined);
      this.log.warn(`notification not sent: ${event}: ${err instanceof Error ? err.message : String(err)}`, { connection, event });
    }
  }

  /** After a run recorded how it ended. */
  async runFinished(run: FinishedRun): Promise<void> {
    if (run.dryRun || !this.url()) return;
    try {
      if (run.status === 'failed' && this.wants('run-failed')) {
        const claimed = await this.ledger.claimNotifications([{ eventKey: `run-failed:${run.runId}`, connection: run.connection, event: 'run-failed' }]);
        if (claimed.length > 0) await this.send(run.connection, 'run-failed', runFailedMessage(run), claimed);
      }
      for (const outcome of ['failed', 'held'] as const) {
        const event = outcome === 'failed' ? 'records-failed' : 'records-held';
        if (this.wants(event)) await this.newRecords(run, outcome, event);
      }
    } catch (err) {
      this.log.warn(`notifications for run ${run.runId} skipped: ${err instanceof Error ? err.message : String(err)}`, { connection: run.connection });
    }
  }

  /**
   * Records of the run with this outcome that were never notified in it: each record's state is claimed as
   * `<outcome>:<connection>:<kind>:<key>`, so a record failing run after run is announced once.
   */
  private async newRecords(run: FinishedRun, outcome: 'failed' | 'held', event: NotificationEvent): Promise<void> {
    const claimed: string[] = [];
    const byKind: Partial<Record<RecordKind, number>> = {};
    let inRun = 0;
    for (let offset = 0; ; offset += PAGE) {
      const rows = await this.ledger.listOutcomes(run.runId, { outcome, limit: PAGE, offset });
      inRun += rows.length;
      // The true-up's reminders are its own event (a true-up waiting for approval).
      const records = rows.filter((r) => !(r.kind === 'trueup' && r.recordKey.startsWith('reminder-')));
      const keys = await this.ledger.claimNotifications(records.map((r) => ({ eventKey: `${outcome}:${run.connection}:${r.kind}:${r.recordKey}`, connection: run.connection, event })));
      const mine = new Set(keys);
      for (const r of records) if (mine.has(`${outcome}:${run.connection}:${r.kind}:${r.recordKey}`)) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
      claimed.push(...keys);
      if (rows.length < PAGE) break;
    }
    if (claimed.length === 0) return;
    await this.send(run.connection, event, recordsMessage({ ...run, outcome, newly: claimed.length, inRun, byKind }), claimed);
  }

  /** After a true-up's plan left items waiting for a decision: once per true-up. */
  async trueupAwaiting(t: { connection: string; trueupId: string; waiting: number; byAction: Record<string, number> }): Promise<void> {
    if (t.waiting === 0 || !this.wants('trueup-awaiting-approval')) return;
    try {
      const claimed = await this.ledger.claimNotifications([{ eventKey: `trueup-awaiting-approval:${t.trueupId}`, connection: t.connection, event: 'trueup-awaiting-approval' }]);
      if (claimed.length > 0) await this.send(t.connection, 'trueup-awaiting-approval', trueupAwaitingMessage(t), claimed);
    } catch (err) {
      this.log.warn(`true-up notification skipped: ${err instanceof Error ? err.message : String(err)}`, { connection: t.connection });
    }
  }
}
