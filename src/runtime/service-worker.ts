import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { AppConfig } from '../config';
import { ledgerOptionsFromEnv, openLedger, type Ledger } from '../ledger';
import { connectWorker, type TemporalTarget } from '../temporal/connection';
import { createWorker } from '../temporal/worker';
import { ConnectionClients } from './connection-clients';

export interface ServiceWorker {
  worker: Worker;
  ledger: Ledger;
  clients: ConnectionClients;
  /** Runs until shutdown (SIGINT/SIGTERM or `worker.shutdown()`), then releases the ledger and connection. */
  run(): Promise<void>;
}

/** The production worker: real clients from configuration, the ledger from DATABASE_URL or SQLite. */
export async function startServiceWorker(config: AppConfig, target: TemporalTarget, env: NodeJS.ProcessEnv = process.env): Promise<ServiceWorker> {
  const ledger = await openLedger(ledgerOptionsFromEnv(config, env));
  const clients = new ConnectionClients(config, env);
  const connection = await connectWorker(target);
  const worker = await createWorker({ connection, namespace: target.namespace, activities: createActivities({ config, clients, ledger }) });
  return {
    worker,
    ledger,
    clients,
    async run() {
      try {
        await worker.run();
      } finally {
        await connection.close();
        await ledger.close();
      }
    },
  };
}
