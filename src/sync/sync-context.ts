import type { AssignarClient } from '../assignar';
import type { ConnectionConfig, EntityKind } from '../config/schema';
import type { Ledger } from '../ledger';
import type { MappingDefaults } from '../mapping';
import type { SageClient } from '../sage';

/** Everything one page of sync work needs. Built per activity call from the worker's shared clients. */
export interface SyncContext {
  connection: ConnectionConfig;
  sage: SageClient;
  assignar: AssignarClient;
  ledger: Ledger;
  runId: string;
  dryRun: boolean;
  defaults: MappingDefaults;
  /** Called as work progresses: activities heartbeat here. */
  progress(detail?: unknown): void;
  signal?: AbortSignal;
  /** The activity attempt (1 on the first try): persistent retryable failures give up after a few. */
  attempt: number;
}

/** A retryable write failure is retried by re-running the page until this attempt, then recorded as failed. */
export const GIVE_UP_AFTER_ATTEMPT = 5;

export type { EntityKind };
