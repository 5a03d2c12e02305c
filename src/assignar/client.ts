import type { AssignarConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { runBulk, type BulkOptions, type BulkResult } from './bulk';
import { AssignarBadRequestError, AssignarMalformedResponseError } from './errors';
import { encodeQuery } from './query';
import { ReadableResource, WritableResource, type CallOptions, type Id } from './resource';
import { describeIssues, ItemEnvelopeSchema } from './schemas';
import {
  CODED_WORKER_TIMES_PATH,
  itemPath,
  PROCESS_TIMESHEET_PATH,
  RESOURCES,
  type ActivityWrite,
  type AssetWrite,
  type ClientWrite,
  type OrderWrite,
  type ProjectWrite,
  type TaskWrite,
  type UserWrite,
} from './resources';
import type {
  ActivitySchema,
  AssetSchema,
  ClientSchema,
  OrderSchema,
  ProjectSchema,
  TaskSchema,
  TimesheetExpandedSchema,
  UserSchema,
} from './schemas';
import { AssignarTransport, type AssignarClientStats, type TransportOptions } from './transport';

export interface AssignarSecrets {
  clientSecret: string;
}

/** The client's options are its transport's: dispatcher, clock, jitter, burst, backoff, events (see transport.ts). */
export type AssignarClientOptions = TransportOptions;

export interface ProcessTimesheetResult {
  id: Id;
  /** True when Assignar said the timesheet was already processed (a repeat after a crash): the goal holds. */
  alreadyProcessed: boolean;
}

/**
 * The Assignar public API v2 for one connection. Every request of the instance shares one token, one
 * token-bucket rate limit and one concurrency limit; create one client per connection and reuse it.
 */
export class AssignarClient {
  readonly users: WritableResource<typeof UserSchema, UserWrite>;
  readonly tasks: WritableResource<typeof TaskSchema, TaskWrite>;
  readonly assets: WritableResource<typeof AssetSchema, AssetWrite>;
  readonly clients: WritableResource<typeof ClientSchema, ClientWrite>;
  readonly projects: WritableResource<typeof ProjectSchema, ProjectWrite>;
  readonly orders: WritableResource<typeof OrderSchema, OrderWrite>;
  readonly activities: WritableResource<typeof ActivitySchema, ActivityWrite>;
  readonly timesheetsExpanded: ReadableResource<typeof TimesheetExpandedSchema>;
  readonly #transport: AssignarTransport;

  constructor(config: AssignarConfig, secrets: AssignarSecrets, options: AssignarClientOptions = {}) {
    if (!secrets?.clientSecret) throw new ConfigError('assignar.clientSecret is empty');
    const t = new AssignarTransport(config, secrets.clientSecret, options);
    this.#transport = t;
    const size = config.pageSize;
    this.users = new WritableResource(t, RESOURCES.users, size);
    this.tasks = new WritableResource(t, RESOURCES.tasks, size);
    this.assets = new WritableResource(t, RESOURCES.assets, size);
    this.clients = new WritableResource(t, RESOURCES.clients, size);
    this.projects = new WritableResource(t, RESOURCES.projects, size);
    this.orders = new WritableResource(t, RESOURCES.orders, size);
    this.activities = new WritableResource(t, RESOURCES.activities, size);
    this.timesheetsExpanded = new ReadableResource(t, RESOURCES.timesheetsExpanded, size);
  }

  /** Fetches an access token: resolves when the client credentials work, else throws AssignarAuthError. */
  authenticate(options: CallOptions = {}): Promise<void> {
    return this.#transport.authenticate(options.signal);
  }

  /**
   * `PUT /timesheets/{id}/process`: marks an exported timesheet processed. "Timesheet already processed"
   * (400) resolves with `alreadyProcessed: true`, so repeating the call after a crash is harmless; any
   * other refusal (not completed, not found) throws.
   */
  async processTimesheet(id: Id, options: CallOptions = {}): Promise<ProcessTimesheetResult> {
    try {
      await this.#transport.send({ method: 'PUT', path: itemPath(PROCESS_TIMESHEET_PATH, id), body: {}, signal: options.signal });
      return { id, alreadyProcessed: false };
    } catch (err) {
      if (err instanceof AssignarBadRequestError && /already processed/i.test(err.serverMessage ?? '')) return { id, alreadyProcessed: true };
      throw err;
    }
  }

  /**
   * `GET /timesheets/coded-worker-times`: one worker's coded time (pay codes per activity entry) for the
   * work dates from `startDate` to `endDate` (YYYY-MM-DD, inclusive). Returns the envelope's `data`
   * unvalidated: the export validates each timesheet in it on its own (src/export/coded-times.ts).
   */
  async codedWorkerTimes(userId: Id, range: { startDate: string; endDate: string }, options: CallOptions = {}): Promise<unknown> {
    const query = encodeQuery([
      ['user_id', String(userId)],
      ['start_date', range.startDate],
      ['end_date', range.endDate],
    ]);
    const res = await this.#transport.send({ method: 'GET', path: CODED_WORKER_TIMES_PATH, query, signal: options.signal });
    const env = ItemEnvelopeSchema.safeParse(res.json);
    if (!env.success) throw new AssignarMalformedResponseError(describeIssues(env.error, 'body'), { method: 'GET', path: CODED_WORKER_TIMES_PATH, status: res.status });
    return env.data.data;
  }

  /** Marks many timesheets processed; each result is that timesheet's outcome or typed error. */
  processTimesheets(ids: readonly Id[], options: BulkOptions<ProcessTimesheetResult> = {}): Promise<Array<BulkResult<ProcessTimesheetResult>>> {
    return this.bulk(ids, (id) => this.processTimesheet(id, options), options);
  }

  /**
   * Runs `worker` over many items concurrently through this client's limiter; one failure never stops the
   * others. For writes not covered by `createMany` / `updateMany` (mixed creates and updates, say).
   */
  bulk<I, R>(items: readonly I[], worker: (item: I, index: number) => Promise<R>, options: BulkOptions<R> = {}): Promise<Array<BulkResult<R>>> {
    return runBulk(items, worker, { ...options, concurrency: options.concurrency ?? this.#transport.config.concurrency * 2 });
  }

  /** Counters for benchmarks and progress: requests, retries, 429s, token requests, in flight … */
  stats(): AssignarClientStats {
    return this.#transport.stats();
  }

  /** Closes the connection pool (when the client created it). */
  close(): Promise<void> {
    return this.#transport.close();
  }
}
