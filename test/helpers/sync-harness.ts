import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { embeddedDefaultConfig } from '../../src/config/embedded-default';
import { getConnection, parseConfig, type AppConfig, type ConnectionConfig } from '../../src/config';
import type { RunSummary } from '../../src/contracts/sync';
import type { Ledger } from '../../src/ledger';
import { testLedgerTarget, type TestLedgerTarget } from './test-ledger';
import { ConnectionClients } from '../../src/runtime/connection-clients';
import { startAssignarSandbox, type AssignarSandbox, type AssignarSandboxOptions } from '../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox, type SageSandboxOptions } from '../../src/sandbox/sage';
import { ServiceWorkers } from '../../src/temporal/worker';

export type RunnableWorkflow = 'initialImport' | 'incrementalSync' | 'timesheetExport';

export interface HarnessOptions {
  sage?: SageSandboxOptions;
  assignar?: AssignarSandboxOptions;
  /** Edits the raw `demo` connection before validation (filters, drift policy, page sizes…). */
  configure?: (connection: Record<string, unknown>) => void;
}

/** The embedded demo configuration, pointed at sandboxes on random ports. */
export function sandboxConfig(sage: SageSandbox, assignar: AssignarSandbox, configure?: HarnessOptions['configure'], ledgerFile?: string): AppConfig {
  const raw = embeddedDefaultConfig() as { connections: Array<Record<string, unknown>>; ledger?: unknown };
  const demo = raw.connections[0] as Record<string, Record<string, unknown>>;
  demo.sage.endpoint = sage.endpointUrl;
  demo.sage.userTimeZoneOffset = sage.userTimeZoneOffset;
  demo.assignar.apiBase = assignar.apiBase;
  demo.assignar.tokenUrl = assignar.tokenUrl;
  demo.assignar.requestsPerSecond = 200;
  configure?.(demo);
  if (ledgerFile) raw.ledger = { sqlitePath: ledgerFile };
  return parseConfig(raw, 'test configuration');
}

/**
 * Both sandboxes over real HTTP, a ledger on a temporary SQLite file, and a worker with the production
 * activities on the given real Temporal dev server, on its own task queue.
 */
export class SyncHarness {
  readonly taskQueue = `sync-${Math.random().toString(36).slice(2, 10)}`;
  private running?: Promise<void>;
  worker!: ServiceWorkers;
  config!: AppConfig;
  connection!: ConnectionConfig;
  /** The worker's clients (shared rate limits), for tests that act as an operator would. */
  clients!: ConnectionClients;
  private runs = 0;

  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly sage: SageSandbox,
    readonly assignar: AssignarSandbox,
    readonly ledger: Ledger,
    readonly dir: string,
    /** Where the ledger is (SQLite here, or a PostgreSQL schema in the integration-postgres project). */
    readonly ledgerTarget: TestLedgerTarget,
  ) {}

  static async start(env: TestWorkflowEnvironment, opts: HarnessOptions = {}): Promise<SyncHarness> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-'));
    const sage = await startSageSandbox({ port: 0, seed: 'demo', ...opts.sage });
    const assignar = await startAssignarSandbox({ port: 0, seed: 'demo', ...opts.assignar });
    const ledgerTarget = testLedgerTarget(dir);
    const ledger = await ledgerTarget.open();
    const h = new SyncHarness(env, sage, assignar, ledger, dir, ledgerTarget);
    await h.reconfigure(opts.configure);
    return h;
  }

  /** A new worker with a new configuration (e.g. a narrowed filter), same sandboxes and ledger. */
  async reconfigure(configure?: HarnessOptions['configure']): Promise<void> {
    await this.stopWorker();
    this.config = sandboxConfig(this.sage, this.assignar, configure, path.join(this.dir, 'ledger.sqlite'));
    this.connection = getConnection(this.config, 'demo');
    const clients = new ConnectionClients(this.config, {});
    this.clients = clients;
    this.worker = await ServiceWorkers.create({
      connection: this.env.nativeConnection,
      namespace: 'default',
      taskQueue: this.taskQueue,
      activities: createActivities({ config: this.config, clients, ledger: this.ledger }),
      connections: this.config.connections.map((c) => c.id),
      leases: this.ledger,
    });
    this.running = this.worker.run();
  }

  async run(workflowType: RunnableWorkflow, input: Record<string, unknown> = {}): Promise<RunSummary> {
    this.runs += 1;
    return this.env.client.workflow.execute(workflowType, {
      taskQueue: this.taskQueue,
      workflowId: `${workflowType}/demo/${this.taskQueue}/${this.runs}`,
      args: [{ connection: 'demo', ...input }],
    });
  }

  /** Starts a workflow without waiting for it (to run two at once); the id defaults to a fresh one per call. */
  async start(workflowType: RunnableWorkflow, input: Record<string, unknown> = {}, workflowId?: string): Promise<WorkflowHandle<(...args: unknown[]) => Promise<RunSummary>>> {
    this.runs += 1;
    return this.env.client.workflow.start<(...args: unknown[]) => Promise<RunSummary>>(workflowType, {
      taskQueue: this.taskQueue,
      workflowId: workflowId ?? `${workflowType}/demo/${this.taskQueue}/${this.runs}`,
      args: [{ connection: 'demo', ...input }],
    });
  }

  /** Assignar writes (POST/PUT) counted by the sandbox since the last reset of its stats. */
  assignarWrites(): number {
    return Object.entries(this.assignar.stats().requests.byRoute)
      .filter(([route]) => /^(POST|PUT|DELETE) \/v2\//.test(route))
      .reduce((n, [, count]) => n + count, 0);
  }

  private async stopWorker(): Promise<void> {
    if (!this.running) return;
    this.worker.shutdown();
    await this.running;
    this.running = undefined;
  }

  async close(): Promise<void> {
    await this.stopWorker();
    await this.ledger.close();
    await this.ledgerTarget.cleanup();
    await Promise.all([this.sage.close(), this.assignar.close()]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
