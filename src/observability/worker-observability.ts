import type { AppConfig } from '../config';
import type { Ledger } from '../ledger';
import { ObservedApiEvents } from './api-event-sink';
import type { ApiEventSink } from './api-events';
import { withActivityLogKeys } from './log-context';
import { serviceMetrics } from './metrics';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { installTelemetry, type Telemetry, type TelemetryOptions } from './telemetry';
import { UsageRecorder } from './usage-recorder';

export interface WorkerObservability {
  telemetry: Telemetry;
  /** For the API clients (`new ConnectionClients(config, env, { events })`). */
  events: ApiEventSink;
  /** Wraps the worker's activities so their log lines carry connection, run, entity and page. */
  activities<A extends object>(activities: A): A;
  /** Where GET /metrics answers, when METRICS_ADDRESS is set. */
  metricsServer?: MetricsServer;
  /** Writes the last usage counts and stops the metrics endpoint. Call before the ledger closes. */
  close(): Promise<void>;
}

/**
 * Everything a worker process adds for operators, composed once where the worker is built: structured logs
 * (installs the Temporal Runtime logger unless `installTelemetry` ran already, e.g. in `dev`), the API event
 * sink (metrics, warn lines, Sage usage into the ledger) and the /metrics endpoint.
 */
export async function startWorkerObservability(config: AppConfig, ledger: Ledger, options: TelemetryOptions = {}): Promise<WorkerObservability> {
  const telemetry = await installTelemetry(config, options);
  const metrics = serviceMetrics();
  const usage = new UsageRecorder(ledger, { onError: (err) => telemetry.logger.warn({ err }, 'could not record Sage Intacct usage in the ledger (kept for the next write)') });
  let metricsServer: MetricsServer | undefined;
  if (telemetry.metricsAddress) {
    metrics.collectProcessMetrics();
    metricsServer = await startMetricsServer(metrics, telemetry.metricsAddress, telemetry.sdkMetricsAddress);
    telemetry.logger.info({ metrics: `http://${metricsServer.address}/metrics` }, 'metrics endpoint listening');
  }
  return {
    telemetry,
    events: new ObservedApiEvents(metrics, telemetry.logger, usage),
    activities: withActivityLogKeys,
    metricsServer,
    async close() {
      await usage.close();
      await metricsServer?.close();
    },
  };
}
