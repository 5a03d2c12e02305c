import { Worker, type NativeConnection } from '@temporalio/worker';
import { ConnectionQueues, type ConnectionQueuesOptions, type QueueLeaseStore } from './connection-queues';
import { TASK_QUEUE } from './constants';
import { activityInterceptors } from './worker-interceptors';
import { workflowBundle } from './workflow-bundle';

export { workflowBundle } from './workflow-bundle';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: object;
  taskQueue?: string;
  maxConcurrentActivityTaskExecutions?: number;
}

/**
 * The worker of the workflows' task queue. In-flight activities get 30 s to finish on shutdown
 * (SIGINT/SIGTERM); whatever they had not heartbeated is redone idempotently.
 */
export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: options.activities,
    interceptors: { activity: activityInterceptors() },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 16,
    shutdownGraceTime: '30 seconds',
  });
}

export interface ServiceWorkersOptions extends WorkerOptions {
  /** The connections whose API task queues this process may serve. */
  connections: readonly string[];
  leases: QueueLeaseStore;
  queues?: Pick<ConnectionQueuesOptions, 'identity' | 'ttlMs' | 'renewEveryMs' | 'onChange'>;
}

/**
 * What one worker process runs, for the CLI, tests and benchmarks alike: the workflows' task queue (any
 * number of processes poll it), and the API task queue of each connection whose lease this process holds
 * (one process per connection at a time; see ConnectionQueues).
 */
export class ServiceWorkers {
  private stopping = false;

  private constructor(
    readonly main: Worker,
    readonly queues: ConnectionQueues,
  ) {}

  static async create(options: ServiceWorkersOptions): Promise<ServiceWorkers> {
    const main = await createWorker(options);
    const queues = new ConnectionQueues({
      nativeConnection: options.connection,
      namespace: options.namespace,
      taskQueue: options.taskQueue ?? TASK_QUEUE,
      activities: options.activities,
      connections: options.connections,
      leases: options.leases,
      maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
      accepting: () => main.getState() === 'INITIALIZED' || main.getState() === 'RUNNING',
      ...options.queues,
    });
    return new ServiceWorkers(main, queues);
  }

  /** Runs until `shutdown()` or SIGINT/SIGTERM; the connections' queues stop (and their leases go) last. */
  async run(): Promise<void> {
    try {
      await this.queues.start();
      if (!this.stopping) await this.main.run();
    } finally {
      await this.queues.stop();
    }
  }

  /** Runs until `promise` settles, then shuts down; resolves or rejects as `promise` did. */
  async runUntil<T>(promise: Promise<T>): Promise<T> {
    const running = this.run();
    try {
      return await promise;
    } finally {
      this.shutdown();
      await running;
    }
  }

  shutdown(): void {
    this.stopping = true;
    if (this.main.getState() === 'RUNNING') this.main.shutdown();
  }

  getState() {
    return this.main.getState();
  }
}
