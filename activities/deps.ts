import type { AppConfig } from '../src/config';
import type { Ledger } from '../src/ledger';
import type { ConnectionClients } from '../src/runtime/connection-clients';
import type { WorkflowLookup } from '../src/runtime/run-liveness';

/** Everything activities need, injected, so tests and benchmarks build the same activities on real parts. */
export interface ActivityDeps {
  config: AppConfig;
  clients: ConnectionClients;
  ledger: Ledger;
  /** Asks Temporal whether a workflow still runs (writer leases, stale runs); default: the worker's own client. */
  temporal?: WorkflowLookup;
}
