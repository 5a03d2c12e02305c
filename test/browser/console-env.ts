import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { trueupOperator } from '../../src/cli/trueup-operator';
import { createConsoleServer, listenConsole, parseOperatorTokens, type ConsoleDeps } from '../../src/console';
import type { SyncHarness } from '../helpers/sync-harness';

export const ALICE_TOKEN = 'alice-console-token-0001';
export const TOKENS = `alice:${ALICE_TOKEN},bob:bob-console-token-0002`;

/** The console's dependencies over a harness: its ledger, configuration and clients, the real Temporal server. */
export function consoleDeps(env: TestWorkflowEnvironment, h: SyncHarness): ConsoleDeps {
  return {
    config: h.config,
    ledger: h.ledger,
    temporal: env.client,
    trueup: trueupOperator(env.client),
    clients: h.clients,
    namespace: 'default',
    uiBase: 'http://localhost:8233',
    tokens: parseOperatorTokens(TOKENS),
  };
}

/** A console server listening on `host` (port chosen by the OS); its URL. */
export async function startConsole(deps: ConsoleDeps, host = '127.0.0.1'): Promise<{ app: FastifyInstance; url: string; log: string[] }> {
  const log: string[] = [];
  const opts = { host, port: 0, log: (line: string) => log.push(line) };
  const app = await createConsoleServer(deps, opts);
  const url = await listenConsole(app, opts);
  return { app, url: url.replace(/\/$/, ''), log };
}
