import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'intacct_assignar_';

/**
 * The service's own Prometheus metrics (the Temporal SDK's are `temporal_*`, served alongside them by
 * src/observability/metrics-server.ts). Labels stay low-cardinality: connection, system, operation,
 * workflow, kind, outcome — never a record key or a run id.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly records = new Counter({
    name: `${PREFIX}records_total`,
    help: 'Records by outcome, counted when a run records how it ended (one outcome per record per run)',
    labelNames: ['connection', 'workflow', 'kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly runs = new Counter({
    name: `${PREFIX}runs_total`,
    help: 'Runs finished, by workflow and status (completed, failed, cancelled)',
    labelNames: ['connection', 'workflow', 'status'] as const,
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: `${PREFIX}api_requests_total`,
    help: 'HTTP requests to Sage Intacct and Assignar, by outcome',
    labelNames: ['system', 'connection', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly apiErrors = new Counter({
    name: `${PREFIX}api_errors_total`,
    help: 'Failed HTTP requests, by HTTP status or API error code',
    labelNames: ['system', 'connection', 'code'] as const,
    registers: [this.registry],
  });
  readonly apiDuration = new Histogram({
    name: `${PREFIX}api_request_duration_seconds`,
    help: 'HTTP request duration',
    labelNames: ['system', 'connection'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly sageTransactions = new Counter({
    name: `${PREFIX}sage_transactions_total`,
    help: 'Sage Intacct API transactions (functions) sent, which Sage Intacct meters and bills by the month',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: `${PREFIX}api_retries_total`,
    help: 'Requests retried after a backoff or Retry-After',
    labelNames: ['system', 'connection', 'reason'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: `${PREFIX}rate_limited_total`,
    help: 'Times the tenant said slow down (Assignar 429, Sage Intacct GW-0010); every request of the connection pauses',
    labelNames: ['system', 'connection'] as const,
    registers: [this.registry],
  });
  readonly rateLimitedSeconds = new Counter({
    name: `${PREFIX}rate_limited_pause_seconds_total`,
    help: 'Time paused after a rate-limit answer',
    labelNames: ['system', 'connection'] as const,
    registers: [this.registry],
  });
  readonly limitWaits = new Counter({
    name: `${PREFIX}rate_limit_waits_total`,
    help: 'Requests that waited for a concurrency slot or a rate token before they were sent',
    labelNames: ['system', 'connection'] as const,
    registers: [this.registry],
  });
  readonly limitWaitSeconds = new Counter({
    name: `${PREFIX}rate_limit_wait_seconds_total`,
    help: 'Time requests waited for a concurrency slot or a rate token',
    labelNames: ['system', 'connection'] as const,
    registers: [this.registry],
  });
  readonly sessionRenewals = new Counter({
    name: `${PREFIX}session_renewals_total`,
    help: 'Sage Intacct sessions and Assignar tokens obtained again',
    labelNames: ['system', 'connection'] as const,
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: `${PREFIX}notifications_total`,
    help: 'Webhook notifications, by event and result (sent, failed)',
    labelNames: ['connection', 'event', 'result'] as const,
    registers: [this.registry],
  });

  /** Node.js process metrics (memory, event loop lag, GC), prefixed like the rest. */
  collectProcessMetrics(): void {
    if (this.collecting) return;
    this.collecting = true;
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }
  private collecting = false;
}

let processMetrics: ServiceMetrics | undefined;

/** The process's metrics: one registry per worker process, whatever builds the activities. */
export function serviceMetrics(): ServiceMetrics {
  processMetrics ??= new ServiceMetrics();
  return processMetrics;
}
