import type { Command } from 'commander';
import { describeSandboxes, startSandboxes } from '../../sandbox/start-both';
import { SANDBOX_DEFAULT_PORTS } from '../../sandbox/demo-credentials';
import { intOption } from '../options';

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('run the Sage Intacct and Assignar simulators over HTTP; prints one JSON line with URLs and credentials when ready')
    .option('--sage-port <n>', 'Sage Intacct sandbox port', intOption, SANDBOX_DEFAULT_PORTS.sage)
    .option('--assignar-port <n>', 'Assignar sandbox port', intOption, SANDBOX_DEFAULT_PORTS.assignar)
    .option('--seed <scale>', 'none | demo | large (Sage Intacct); Assignar gets an empty tenant, or existing-tenant with --assignar-seed', 'demo')
    .option('--assignar-seed <seed>', 'none (an empty tenant) | demo (a new tenant with its lookups: user types, the office admin) | existing-tenant', 'demo')
    .option('--latency-ms <n>', 'latency added to every request (both sandboxes)', intOption, 0)
    .option('--sage-latency-ms <n>', 'Sage Intacct latency (overrides --latency-ms)', intOption)
    .option('--assignar-latency-ms <n>', 'Assignar latency (overrides --latency-ms)', intOption)
    .option('--sage-concurrency <n>', 'Sage Intacct per-company concurrency cap (429 above it)', intOption, 2)
    .option('--assignar-rate <n>', 'Assignar requests per second before 429 (0 = unlimited)', intOption, 0)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .action(async (opts) => {
      const seed = String(opts.seed);
      if (!['none', 'demo', 'large'].includes(seed)) throw new Error(`--seed must be none, demo or large (got "${seed}")`);
      const assignarSeed = String(opts.assignarSeed);
      if (!['none', 'demo', 'existing-tenant'].includes(assignarSeed)) throw new Error(`--assignar-seed must be none, demo or existing-tenant (got "${assignarSeed}")`);
      const sandboxes = await startSandboxes({
        sage: { port: opts.sagePort, host: opts.host, seed: seed as 'none' | 'demo' | 'large', latencyMs: opts.sageLatencyMs ?? opts.latencyMs, concurrencyCap: opts.sageConcurrency },
        assignar: {
          port: opts.assignarPort,
          host: opts.host,
          seed: assignarSeed as 'none' | 'demo' | 'existing-tenant',
          latencyMs: opts.assignarLatencyMs ?? opts.latencyMs,
          requestsPerSecond: opts.assignarRate || undefined,
        },
      });
      process.stdout.write(`${JSON.stringify(describeSandboxes(sandboxes))}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sandboxes.close();
    });
}
