import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { connectionTaskQueue } from '../contracts/task-queues';
import type { QueueLease, QueueLeaseClaim } from '../ledger/queue-leases';
import { activityInterceptors } from './worker-interceptors';

/** Where the queue leases live: the ledger, which every worker process of a deployment shares. */
export interface QueueLeaseStore {
  claimQueueLease(input: QueueLeaseClaim): Promise<{ held: boolean; lease: QueueLease }>;
  releaseQueueLease(connection: string, holder: string): Promise<boolean>;
}

export interface ConnectionQueuesOptions {
  nativeConnection: NativeConnection;
  namespace: string;
  /** The workflows' task queue; each connection's API activities run on `<taskQueue>@<connection>`. */
  taskQueue: string;
  activities: object;
  connections: readonly string[];
  leases: QueueLeaseStore;
  /** This process, as named in the lease (default host:pid:random). */
  identity?: string;
  /** How long a lease lasts without renewal (default 15 s): a dead holder's connection waits this long. */
  ttlMs?: number;
  /** How often leases are claimed or renewed (default a third of the TTL). */
  renewEveryMs?: number;
  maxConcurrentActivityTaskExecutions?: number;
  /** False while the process shuts down (SIGTERM reaches every worker): then no connection is taken up again. */
  accepting?: () => boolean;
  /** Told when this process starts or stops serving a connection, or cannot reach the lease store. */
  onChange?: (event: { connection: string; state: ConnectionQueueState; reason?: string }) => void;
}

/** `serving`: this process polls the connection's queue; `standby`: another process does. */
export type ConnectionQueueState = 'serving' | 'standby';

interface Slot {
  state: ConnectionQueueState;
  worker?: Worker;
  running?: Promise<void>;
  /** When the lease was last confirmed as ours (epoch ms). */
  confirmedAt: number;
}

/**
 * The tenant's limits hold across worker processes because one process at a time serves a connection:
 * the one holding its lease in the shared ledger polls `<taskQueue>@<connection>` with an activity-only
 * worker, and its in-process limiters (Sage per-company concurrency, Assignar rate) are then the tenant's.
 * Every other process stands by and takes over when the lease expires (the holder died) or is released (it
 * shut down). Activities a dead holder was running time out on their heartbeat and are retried by the new one.
 * A holder that cannot confirm its lease before it would expire stops polling rather than risk two pollers.
 */
export class ConnectionQueues {
  readonly identity: string;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private readonly slots = new Map<string, Slot>();
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: ConnectionQueuesOptions) {
    this.identity = options.identity ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.ttlMs = options.ttlMs ?? 15_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(500, Math.floor(this.ttlMs / 3));
    for (const c of options.connections) this.slots.set(c, { state: 'standby', confirmedAt: 0 });
  }

  /** Claims what it can now, then keeps claiming and renewing until `stop()`. */
  async start(): Promise<void> {
    await this.runTick();
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.runTick().finally(loop), this.renewEveryMs);
    };
    loop();
  }

  /** Which connections this process serves now. */
  status(): Record<string, ConnectionQueueState> {
    return Object.fromEntries([...this.slots].map(([c, s]) => [c, s.state]));
  }

  /** Stops polling, lets in-flight activities finish (the workers' grace time), and releases the leases. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    await Promise.all(
      [...this.slots].map(async ([connection, slot]) => {
        await this.stopServing(connection, slot, 'worker stopping');
        await this.options.leases.releaseQueueLease(connection, this.identity).catch(() => undefined);
      }),
    );
  }

  private runTick(): Promise<void> {
    this.tick = Promise.all([...this.slots].map(([c, s]) => this.claim(c, s))).then(() => undefined);
    return this.tick;
  }

  private async claim(connection: string, slot: Slot): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    let held: boolean;
    try {
      held = (await this.options.leases.claimQueueLease({ connection, holder: this.identity, ttlMs: this.ttlMs })).held;
    } catch (err) {
      // Unconfirmed: keep serving only while the last confirmed lease cannot have expired yet.
      if (slot.state === 'serving' && now - slot.confirmedAt > this.ttlMs - this.renewEveryMs) {
        await this.stopServing(connection, slot, `the lease could not be renewed: ${(err as Error).message}`);
      }
      return;
    }
    if (held) {
      slot.confirmedAt = now;
      if (slot.state !== 'serving' && !this.stopped && (this.options.accepting?.() ?? true)) {
        // A worker that cannot be created (e.g. the namespace is unreachable) is tried again next tick.
        await this.startServing(connection, slot).catch((err: unknown) =>
          this.options.onChange?.({ connection, state: 'standby', reason: `the connection's activity worker could not start: ${(err as Error).message}` }),
        );
      }
    } else if (slot.state === 'serving') {
      await this.stopServing(connection, slot, 'another worker holds the lease');
    }
  }

  private async startServing(connection: string, slot: Slot): Promise<void> {
    const o = this.options;
    const worker = await Worker.create({
      connection: o.nativeConnection,
      namespace: o.namespace,
      taskQueue: connectionTaskQueue(o.taskQueue, connection),
      activities: o.activities,
      interceptors: { activity: activityInterceptors() },
      maxConcurrentActivityTaskExecutions: o.maxConcurrentActivityTaskExecutions ?? 16,
      shutdownGraceTime: '30 seconds',
    });
    slot.worker = worker;
    slot.state = 'serving';
    slot.running = worker.run().catch((err: unknown) => {
      o.onChange?.({ connection, state: 'standby', reason: `the connection's activity worker failed: ${(err as Error).message}` });
    }).finally(() => {
      // Whatever stopped it, the next tick starts a new one while the lease is ours.
      if (slot.worker === worker) {
        slot.worker = undefined;
        slot.running = undefined;
        slot.state = 'standby';
      }
    });
    o.onChange?.({ connection, state: 'serving' });
  }

  private async stopServing(connection: string, slot: Slot, reason: string): Promise<void> {
    const { worker, running } = slot;
    if (!worker) return;
    slot.state = 'standby';
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    this.options.onChange?.({ connection, state: 'standby', reason });
  }
}
