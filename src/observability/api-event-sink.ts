import type { Logger as PinoLogger } from 'pino';
import type { ApiEvent, ApiEventSink } from './api-events';
import type { ServiceMetrics } from './metrics';
import type { UsageRecorder } from './usage-recorder';

/** Sage Intacct batches (`read ×50`) count as one operation whatever their size: labels stay few. */
function operationLabel(operation: string): string {
  return operation.replace(/ ×\d+$/, ' ×n');
}

/**
 * What the worker does with the API clients' events: Prometheus counters for every request, the metered Sage
 * Intacct transactions into the ledger's usage (batched), and a warn line for each retry, rate-limit pause and
 * session renewal (with the activity's connection, run, entity and page keys when one is running).
 */
export class ObservedApiEvents implements ApiEventSink {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly logger: PinoLogger,
    private readonly usage?: Pick<UsageRecorder, 'add'>,
  ) {}

  emit(event: ApiEvent): void {
    try {
      this.handle(event);
    } catch {
      // Observing a call never fails it.
    }
  }

  private handle(e: ApiEvent): void {
    const m = this.metrics;
    const base = { system: e.system, connection: e.connection };
    switch (e.type) {
      case 'request': {
        m.apiRequests.inc({ ...base, operation: operationLabel(e.operation), outcome: e.outcome });
        m.apiDuration.observe(base, e.durationMs / 1000);
        if (e.outcome === 'error') m.apiErrors.inc({ ...base, code: e.errorCode ?? (e.status !== undefined ? String(e.status) : 'network') });
        if (e.system === 'sage' && e.transactions) {
          m.sageTransactions.inc({ connection: e.connection }, e.transactions);
          this.usage?.add(e.connection, e.transactions);
        }
        if (e.outcome === 'error') this.logger.debug({ ...base, operation: e.operation, status: e.status, errorCode: e.errorCode, durationMs: e.durationMs }, `${e.system} request failed`);
        return;
      }
      case 'retry':
        m.retries.inc({ ...base, reason: e.reason.slice(0, 60) });
        this.logger.warn({ ...base, operation: e.operation, attempt: e.attempt, delayMs: e.delayMs, reason: e.reason }, `${e.system} ${e.operation}: retrying in ${e.delayMs} ms (attempt ${e.attempt})`);
        return;
      case 'rate-limited':
        m.rateLimited.inc(base);
        m.rateLimitedSeconds.inc(base, e.pauseMs / 1000);
        this.logger.warn({ ...base, pauseMs: e.pauseMs }, `${e.system} rate limit reached: every request of ${e.connection} pauses ${e.pauseMs} ms`);
        return;
      case 'limit-wait':
        m.limitWaits.inc(base);
        m.limitWaitSeconds.inc(base, e.waitMs / 1000);
        return;
      case 'session-renewed':
        m.sessionRenewals.inc(base);
        this.logger.warn(base, e.system === 'sage' ? `sage session renewed for ${e.connection}` : `assignar token renewed for ${e.connection}`);
        return;
    }
  }
}
