import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { ApproveInput, RejectInput } from '../contracts/trueup';
import type { Ledger } from '../ledger';
import type { ConnectionClients } from '../runtime/connection-clients';
import type { OperatorToken } from './auth';

/**
 * The true-up's messages (query, update, signals) as the CLI sends them: src/cli/trueup-operator.ts builds
 * this from a Temporal client (the console, as a library module, never imports workflow code itself).
 */
export interface TrueupMessages {
  workflowId(connection: string): string;
  status(connection: string): Promise<unknown>;
  approve(connection: string, input: ApproveInput): Promise<unknown>;
  reject(connection: string, input: RejectInput): Promise<void>;
  signal(connection: string, what: 'pause' | 'resume' | 'cancel'): Promise<void>;
}

/** What the console reads from and acts through: the same ledger, Temporal client and API clients as the CLI. */
export interface ConsoleDeps {
  config: AppConfig;
  ledger: Ledger;
  temporal: Client;
  trueup: TrueupMessages;
  /** Assignar clients (releasing a held link with `accept` reads the Assignar record). */
  clients: ConnectionClients;
  /** Temporal namespace, for links to the Web UI. */
  namespace: string;
  /** The Temporal Web UI's base URL. */
  uiBase: string;
  tokens: readonly OperatorToken[];
}

/** A link to one workflow (or one run of it) in the Temporal Web UI. */
export function webUiUrl(deps: Pick<ConsoleDeps, 'uiBase' | 'namespace'>, workflowId: string, runId?: string | null): string {
  const base = `${deps.uiBase.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}
