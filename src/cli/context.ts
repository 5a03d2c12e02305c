import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { loadConfig, type AppConfig } from '../config';
import { createTemporalClient } from '../temporal/client';

/** Per-invocation context: the configuration named by --config and a lazily connected Temporal client. */
export interface CliContext {
  config(): AppConfig;
  temporal(): Promise<Client>;
  close(): Promise<void>;
}

export function cliContext(command: Command): CliContext {
  let config: AppConfig | undefined;
  let client: Promise<Client> | undefined;
  return {
    config() {
      config ??= loadConfig(command.optsWithGlobals().config);
      return config;
    },
    temporal() {
      client ??= createTemporalClient();
      return client;
    },
    async close() {
      if (client) await (await client).connection.close();
    },
  };
}

/** The connection to act on: --connection, else the only configured one. */
export function pickConnection(ctx: CliContext, requested?: string): string {
  const ids = ctx.config().connections.map((c) => c.id);
  if (requested) {
    if (!ids.includes(requested)) throw new Error(`Unknown connection "${requested}"; configured: ${ids.join(', ')}`);
    return requested;
  }
  if (ids.length === 1) return ids[0];
  throw new Error(`Several connections are configured (${ids.join(', ')}); pass --connection`);
}
