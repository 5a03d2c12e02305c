import { createActivities } from '../activities';
import type { AppConfig } from '../src/config';
import type { ApiEventSink } from '../src/observability/api-events';
import { ledgerOptionsFromEnv, openLedger, type Ledger } from '../src/ledger';
import { connectWorker, type TemporalTarget } from '../src/temporal/connection';
import { healthAddress, startHealthServer } from '../src/temporal/health-server';
import { ServiceWorkers } from '../src/temporal/worker';
import { ConnectionClients } from '../src/runtime/connection-clients';
import { startWorkerObservability } from '../src/observability/worker-observability';

export interface ServiceWorker {
  worker: ServiceWorkers;
  ledger: Ledger;
  clients: ConnectionClients;
  /** Runs until shutdown (SIGINT/SIGTERM or `worker.shutdown()`), then releases the ledger and connection. */
  run(): Promise<void>;
}

/**
 * The production worker, the service's composition root: real clients from configuration, the ledger from
 * DATABASE_URL or SQLite, and the activities built on them. It sits above activities/ (which import only
 * src/); only the CLI's entry points import it.
 */
export async function startServiceWorker(
  config: AppConfig,
  target: TemporalTarget,
  env: NodeJS.ProcessEnv = process.env,
  /** Where the API clients report their calls (logs, metrics). */
  events?: ApiEventSink,
): Promise<ServiceWorker> {
  const ledger = await openLedger(ledgerOptionsFromEnv(config, env));
  // Logs, metrics and Sage usage; installs the Temporal Runtime's logger, so it comes before the connection.
  const observability = await startWorkerObservability(config, ledger, { env });
  const clients = new ConnectionClients(config, env, events ?? observability.events);
  const connection = await connectWorker(target);
  const worker = await ServiceWorkers.create({
    connection,
    namespace: target.namespace,
    activities: observability.activities(createActivities({ config, clients, ledger })),
    connections: config.connections.map((c) => c.id),
    leases: ledger,
    queues: {
      onChange: ({ connection: id, state, reason }) =>
        observability.telemetry.logger[reason && state === 'standby' ? 'warn' : 'info']({ connection: id, state, reason }, `connection ${id}: this worker ${state === 'serving' ? 'now serves' : 'no longer serves'} its API task queue`),
    },
  });
  const bind = healthAddress(env);
  const health = bind && (await startHealthServer({ workerState: () => worker.getState(), connections: () => worker.queues.status(), lease: (id) => ledger.getQueueLease(id) }, bind));
  if (health) observability.telemetry.logger.info({ health: health.url }, 'health endpoint listening');
  return {
    worker,
    ledger,
    clients,
    async run() {
      try {
        await worker.run();
      } finally {
        await health?.close();
        await connection.close();
        await observability.close();
        await ledger.close();
      }
    },
  };
}
