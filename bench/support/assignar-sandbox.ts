/**
 * Runs the Assignar sandbox in its own process for a benchmark, so the simulator's CPU does not share the
 * event loop of the client being measured. Options come as one JSON argument
 * (`{"seed","latencyMs","requestsPerSecond","concurrencyCap"}`); once listening it prints its URLs and
 * credentials as ONE JSON line on stdout. It stops on SIGTERM/SIGINT, or when stdin closes (the parent
 * went away).
 *
 *   tsx bench/support/assignar-sandbox.ts '{"seed":"demo","latencyMs":50,"requestsPerSecond":100}'
 */
import { startAssignarSandbox, type AssignarSandboxOptions } from '../../src/sandbox/assignar';

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as Pick<AssignarSandboxOptions, 'seed' | 'latencyMs' | 'requestsPerSecond' | 'concurrencyCap'>;
  const sb = await startAssignarSandbox({ port: 0, ...opts });
  let closing = false;
  const stop = (code: number) => {
    if (closing) return;
    closing = true;
    sb.close().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  process.stdin.on('end', () => stop(0));
  process.stdin.on('error', () => stop(0));
  process.stdin.resume();
  process.stdout.write(
    `${JSON.stringify({
      pid: process.pid,
      baseUrl: sb.baseUrl,
      apiBase: sb.apiBase,
      tokenUrl: sb.tokenUrl,
      controlUrl: sb.controlUrl,
      clientId: sb.credentials.clientId,
      clientSecret: sb.credentials.clientSecret,
      faults: sb.faults(),
    })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`assignar sandbox failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
