import type { AssignarClient } from '../assignar';
import type { ConnectionConfig } from '../config/schema';
import type { Ledger } from '../ledger';
import type { SageClient } from '../sage';

/** What every export step works with: the connection's clients and ledger, and the run it belongs to. */
export interface ExportContext {
  connection: ConnectionConfig;
  sage: SageClient;
  assignar: AssignarClient;
  ledger: Ledger;
  /** The ledger run id of the export chain. */
  runId: string;
  dryRun: boolean;
  /** Heartbeat with a small detail (cursor, counts); never records. */
  progress(detail?: unknown): void;
  signal: AbortSignal;
}
