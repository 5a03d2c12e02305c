import { Worker, type NativeConnection } from '@temporalio/worker';
import { TASK_QUEUE } from './constants';
import { keepAliveInterceptor } from './keepalive-interceptor';
import { retryabilityInterceptor } from './retryability-interceptor';
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
 * The one place a worker is built, for the CLI, tests and benchmarks. In-flight activities get 30 s to
 * finish on shutdown (SIGINT/SIGTERM); whatever they had not heartbeated is redone idempotently. Every
 * activity runs inside two interceptors: retryability is decided from the error (a non-retryable
 * SyncError fails at once), and activities with a heartbeat timeout heartbeat while they wait.
 */
export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: options.activities,
    interceptors: { activity: [retryabilityInterceptor, keepAliveInterceptor] },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 16,
    shutdownGraceTime: '30 seconds',
  });
}
