import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { AppConfig } from '../../config';
import { createConsoleServer, DEFAULT_CONSOLE_HOST, DEFAULT_CONSOLE_PORT, listenConsole, parseOperatorTokens, TOKENS_ENV } from '../../console';
import { ledgerOptionsFromEnv, openLedger } from '../../ledger';
import { ConnectionClients } from '../../runtime/connection-clients';
import { temporalTarget } from '../../temporal/connection';
import { cliContext } from '../context';
import { trueupOperator } from '../trueup-operator';
import { intOption } from '../options';

/** Where the Temporal Web UI is: $TEMPORAL_UI_URL, else the dev server's. */
const UI_BASE = () => process.env.TEMPORAL_UI_URL || 'http://localhost:8233';

export function registerConsoleCommand(program: Command): void {
  program
    .command('console')
    .description(
      `the operator console: connections, failing and held records, the true-up and timesheets in a browser (default http://${DEFAULT_CONSOLE_HOST}:${DEFAULT_CONSOLE_PORT}/). ` +
        `On an address other than loopback every request needs an operator token from $${TOKENS_ENV} (name:token,…)`,
    )
    .option('--port <n>', 'port', intOption, DEFAULT_CONSOLE_PORT)
    .option('--host <address>', `address to listen on (any but loopback needs $${TOKENS_ENV})`, DEFAULT_CONSOLE_HOST)
    .action(async (opts, command: Command) => {
      const ctx = cliContext(command);
      const config = ctx.config();
      const tokens = parseOperatorTokens(process.env[TOKENS_ENV]);
      const ledger = await openLedger(ledgerOptionsFromEnv(config));
      try {
        const temporal = await ctx.temporal();
        const deps = { config, ledger, temporal, trueup: trueupOperator(temporal), clients: new ConnectionClients(config), namespace: temporalTarget().namespace, uiBase: UI_BASE(), tokens };
        const server = await createConsoleServer(deps, { host: opts.host, port: opts.port });
        const url = await listenConsole(server, { host: opts.host, port: opts.port });
        process.stderr.write(`operator console at ${url}${tokens.length ? ` (operator tokens: ${tokens.map((t) => t.name).join(', ')})` : ''}; Ctrl-C to stop\n`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
      } finally {
        await ledger.close();
        await ctx.close();
      }
    });
}

/**
 * `npm start`'s console, beside the Temporal Web UI on the default address. A port already in use is said
 * and skipped: the first run goes on without it. The process's exit closes it.
 */
export async function startDevConsole(opts: { config: AppConfig; client: Client; namespace: string; uiBase: string; say: (message: string) => void }): Promise<string | undefined> {
  const ledger = await openLedger(ledgerOptionsFromEnv(opts.config));
  const listen = { host: DEFAULT_CONSOLE_HOST, port: DEFAULT_CONSOLE_PORT };
  try {
    const tokens = parseOperatorTokens(process.env[TOKENS_ENV]);
    const deps = { config: opts.config, ledger, temporal: opts.client, trueup: trueupOperator(opts.client), clients: new ConnectionClients(opts.config), namespace: opts.namespace, uiBase: opts.uiBase, tokens };
    const url = await listenConsole(await createConsoleServer(deps, listen), listen);
    opts.say(`operator console: ${url}`);
    return url;
  } catch (err) {
    await ledger.close();
    opts.say(`operator console not started (${(err as Error).message}); run \`npx intacct-assignar console --port N\` for it`);
    return undefined;
  }
}
