import { ApplicationFailure, CancellationScope, ContinueAsNew, proxyActivities } from '@temporalio/workflow';
import type { createRunActivities } from '../activities/runs';
import { AcquireWriterResultSchema, describeHolder, type WriterHolder } from '../src/contracts/writer';

const { acquireWriter, releaseWriter } = proxyActivities<ReturnType<typeof createRunActivities>>({
  // Each call waits at most a minute for the lease, heartbeating every second.
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Longest single wait inside the activity; the workflow loops until its own deadline. */
const WAIT_PER_CALL_SECONDS = 60;

export interface ConnectionWriterOptions {
  connection: string;
  /** The ledger run id of this chain: the lease's holder. */
  runId: string;
  /** How long to wait for another writer of the connection; 0 refuses at once. */
  waitSeconds: number;
  /** True when this chain already holds the lease (carried across continue-as-new). */
  held: boolean;
  /** Called with the run being waited for, and with undefined once the lease is ours. */
  onWait(holder: WriterHolder | undefined): void;
  onAcquired(): void;
}

/**
 * Runs `fn` as the connection's only writer. The lease (a row in the ledger naming this run chain) is taken
 * first: when another run holds it, this one waits up to `waitSeconds` and then fails naming that run.
 * The lease stays across continue-as-new and is released however `fn` ends otherwise, even when cancelled.
 * Any writing workflow (import, sync, export, true-up) wraps its writing part in this.
 */
export async function withConnectionWriter<T>(opts: ConnectionWriterOptions, fn: () => Promise<T>): Promise<T> {
  let continuing = false;
  try {
    if (!opts.held) {
      await acquire(opts);
      opts.onAcquired();
    }
    return await fn();
  } catch (err) {
    continuing = err instanceof ContinueAsNew;
    throw err;
  } finally {
    if (!continuing) await CancellationScope.nonCancellable(() => releaseWriter({ connection: opts.connection, runId: opts.runId }));
  }
}

async function acquire(opts: ConnectionWriterOptions): Promise<void> {
  const deadline = Date.now() + opts.waitSeconds * 1000;
  let result = AcquireWriterResultSchema.parse(await acquireWriter({ connection: opts.connection, runId: opts.runId, waitSeconds: 0 }));
  while (!result.acquired) {
    opts.onWait(result.holder);
    const left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) {
      throw ApplicationFailure.nonRetryable(
        `connection ${opts.connection} is being written by ${describeHolder(result.holder)}; ${opts.waitSeconds ? `waited ${opts.waitSeconds} s` : 'not waiting (waitForWriterSeconds 0)'}. Start again once it has finished, or raise waitForWriterSeconds.`,
        'WriterBusy',
        result.holder,
      );
    }
    result = AcquireWriterResultSchema.parse(await acquireWriter({ connection: opts.connection, runId: opts.runId, waitSeconds: Math.min(WAIT_PER_CALL_SECONDS, left) }));
  }
  opts.onWait(undefined);
}
