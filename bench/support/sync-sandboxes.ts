/**
 * Runs the sandboxes (Sage Intacct and Assignar) in a process of their own for the benchmarks, so their CPU —
 * building 2,000-record pages, validating bodies — is on neither the worker's nor the bench's event loop. The
 * rig (sync-rig.ts) starts two of these, one per sandbox (`"only"`), as the real services are separate hosts.
 * The bench drives them only over HTTP, through their `/_sandbox/` control APIs; this process exposes nothing else.
 *
 * Knobs come as one JSON argument (or $SYNC_SANDBOXES_OPTIONS):
 *   {"sage":     {"seed":"large","latencyMs":200,"concurrencyCap":2},
 *    "assignar": {"seed":"demo","latencyMs":50,"requestsPerSecond":100}}
 * Ports are always random free ones (never the default 7431/7432). Once both listen it prints ONE JSON line
 * on stdout with their URLs and credentials, then stays up until SIGTERM/SIGINT or until stdin closes
 * (the parent went away).
 *
 *   tsx bench/support/sync-sandboxes.ts '{"sage":{"seed":"demo"},"assignar":{"seed":"demo"}}'
 */
import { startAssignarSandbox, type AssignarSandbox, type AssignarSandboxOptions } from '../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox, type SageSandboxOptions } from '../../src/sandbox/sage';

export interface SyncSandboxesOptions {
  sage?: Pick<SageSandboxOptions, 'seed' | 'latencyMs' | 'concurrencyCap'>;
  assignar?: Pick<AssignarSandboxOptions, 'seed' | 'latencyMs' | 'requestsPerSecond' | 'concurrencyCap'>;
  /** Start only this one (the rig runs each sandbox in a process of its own, as the real services are). */
  only?: 'sage' | 'assignar';
}

/** The one line printed when ready (with `only`, just that sandbox's half). */
export interface SyncSandboxesInfo {
  pid: number;
  sage: {
    baseUrl: string;
    endpoint: string;
    control: string;
    userTimeZoneOffset: string;
    senderId: string;
    senderPassword: string;
    userId: string;
    companyId: string;
    userPassword: string;
    faults: Record<string, unknown>;
  };
  assignar: {
    baseUrl: string;
    apiBase: string;
    tokenUrl: string;
    control: string;
    clientId: string;
    clientSecret: string;
    faults: Record<string, unknown>;
  };
}

function parseOptions(): SyncSandboxesOptions {
  const raw = process.argv[2] ?? process.env.SYNC_SANDBOXES_OPTIONS ?? '{}';
  const opts = JSON.parse(raw) as SyncSandboxesOptions;
  if (!opts || typeof opts !== 'object') throw new Error('options must be a JSON object');
  return opts;
}

async function main(): Promise<void> {
  const opts = parseOptions();
  let sage: SageSandbox | undefined;
  let assignar: AssignarSandbox | undefined;
  let closing = false;
  const stop = (code: number) => {
    if (closing) return;
    closing = true;
    Promise.allSettled([sage?.close(), assignar?.close()]).then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  process.stdin.on('end', () => stop(0));
  process.stdin.on('error', () => stop(0));
  process.stdin.resume();

  try {
    if (opts.only !== 'assignar') sage = await startSageSandbox({ ...opts.sage, port: 0 });
    if (opts.only !== 'sage') assignar = await startAssignarSandbox({ ...opts.assignar, port: 0 });
  } catch (err) {
    await Promise.allSettled([sage?.close(), assignar?.close()]);
    throw err;
  }
  const info: Partial<SyncSandboxesInfo> = {
    pid: process.pid,
    sage: sage && {
      baseUrl: sage.baseUrl,
      endpoint: sage.endpointUrl,
      control: `${sage.baseUrl}/_sandbox/`,
      userTimeZoneOffset: sage.userTimeZoneOffset,
      ...sage.credentials,
      faults: { ...sage.faults() },
    },
    assignar: assignar && {
      baseUrl: assignar.baseUrl,
      apiBase: assignar.apiBase,
      tokenUrl: assignar.tokenUrl,
      control: assignar.controlUrl,
      ...assignar.credentials,
      faults: { ...assignar.faults() },
    },
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`sync sandboxes failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
