import path from 'node:path';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TASK_QUEUE } from './constants';

export const WORKFLOWS_PATH = path.resolve(__dirname, '..', '..', 'workflows', 'index.ts');

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles the workflow code once per process (webpack takes seconds) and shares it between workers. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  return bundle;
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities: object;
  taskQueue?: string;
  maxConcurrentActivityTaskExecutions?: number;
}

/**
 * The one place a worker is built, for the CLI, tests and benchmarks. In-flight activities get 30 s to
 * finish on shutdown (SIGINT/SIGTERM); whatever they had not heartbeated is redone idempotently.
 */
export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: options.activities,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 16,
    shutdownGraceTime: '30 seconds',
  });
}
