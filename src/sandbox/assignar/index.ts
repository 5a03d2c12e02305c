import type { AddressInfo } from 'node:net';
import type { ServedRoute } from './api-routes';
import { softDelete } from './crud';
import { DEFAULT_FAULTS, mergeFaults, type FaultSettings } from './faults';
import { RESOURCES } from './resources';
import { applyRecords, SEED_SCALES, upsertRecord, type SeedScale } from './seeds';
import { loadStore, SaveScheduler, saveStore } from './persist';
import { buildServer } from './server';
import { simulateTimesheets, type SimulateOptions, type SimulateResult } from './simulate';
import { simulateTimesheetEdits, type EditOptions, type EditResult } from './simulate-edits';
import { SandboxState } from './state';
import type { StatsSnapshot } from './stats';
import type { ResourceName, Store } from './store';
import { ASSIGNAR_SANDBOX_CREDENTIALS, ASSIGNAR_SCOPE } from '../demo-credentials';

/**
 * A faithful simulator of the Assignar public API v2 over real HTTP (see DESIGN.md §4 and §6): the
 * OAuth2 token endpoint, the /v2 resources the product uses with the spec's envelopes, status codes,
 * paging, sorting, filtering and field selection, request validation against the OpenAPI file,
 * constraints, timesheets and their processing, seeds, fault knobs and the /_sandbox/ control API.
 *
 * Where the spec is silent the sandbox chooses (and test/integration/assignar-sandbox-contract.test.ts
 * lists where the spec contradicts itself):
 * - Status codes per operation as the spec declares them: creates answer 201, except POST /users,
 *   /assets and /projects/ (HTTP 200, body `status: 201`); updates 204, except PUT /users/{id} and
 *   /assets/{id} (HTTP 200, `{status: 204}`); deletes 204, except DELETE /assets/{id} (200 `{status: 204}`).
 * - `count` in list envelopes is the number of records matching the filters, before paging. No paging
 *   parameters → every record; `page` without `page_size` → 100 per page; no maximum unless the
 *   `maxPageSize` knob is set. Default order (no `sort`) is by id.
 * - Filters follow SQL: comparisons with NULL never match (only `is`/`not` see NULL), text compares
 *   case-insensitively, dates/timestamps compare as instants. Unknown fields or operators → 400.
 * - PUT merges (fields left out stay) but is validated against the same schema as POST (so required
 *   fields are required on PUT too). Read-only fields in a body are ignored; fields the resource does not
 *   have are dropped (and counted in stats.ignoredFields). Validation errors: `[400] Validation Error - ...`.
 * - DELETE is soft: assets, projects and activities get deleted_at/deleted_by_id and active=false;
 *   users, clients, tasks and orders (no deleted_at in their schemas) get active=false. Deleted records
 *   stay in lists and GET; PUT with `active: true` restores one. Deleted timesheets (control API) vanish.
 * - Unique email among active users of the same user type is case-insensitive. Users' `username`
 *   (absent from the request schema) is accepted, else defaults to the email, else first.last.
 * - 404 message as the spec's one concrete example: `[404] Object Not Found - User (id:7)`.
 * - Tokens: HS256 JWTs signed per process; 401 bodies `{message: "Unauthorized"}` or `{message: "The
 *   incoming token has expired"}` (the API gateway's words); token endpoint errors are OAuth2 `{error}`.
 * - Writes through the API are attributed to `api:<clientId>` (id 0); control-API writes to `office.admin`.
 */

export interface AssignarSandboxOptions {
  /** 0 = a random free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `none` (a new tenant). */
  seed?: SeedScale;
  latencyMs?: number;
  /** Rate limit (token bucket, 429 + Retry-After); 0/undefined = none. */
  requestsPerSecond?: number;
  /** Requests in flight above which the API answers 429; 0/undefined = none. */
  concurrencyCap?: number;
  /** Lifetime of issued tokens; default 3600. */
  tokenTtlSeconds?: number;
  /** Other fault knobs at start-up (errorRate, timeoutRate, ...). */
  faults?: Partial<FaultSettings>;
  /** Keep the tenant in this JSON file across restarts (loaded instead of the seed when it exists). */
  dataFile?: string;
  /** Client credentials the token endpoint accepts; default the demo ones. */
  credentials?: { clientId: string; clientSecret: string };
}

export interface AssignarSandbox {
  /** `http://host:port` */
  baseUrl: string;
  /** baseUrl + '/v2' */
  apiBase: string;
  /** baseUrl + '/oauth2/token' */
  tokenUrl: string;
  /** baseUrl + '/_sandbox/' */
  controlUrl: string;
  credentials: { clientId: string; clientSecret: string };
  /** The one scope the token endpoint grants. */
  scope: string;
  /** Every API route served (method + path as the spec spells it, under /v2; and the token endpoint). */
  routes: ServedRoute[];
  close(): Promise<void>;
  stats(): StatsSnapshot;
  resetStats(): void;
  faults(): FaultSettings;
  /** Merges knobs (as `PUT /_sandbox/faults`); `expireTokens: true` invalidates every issued token. */
  setFaults(patch: Partial<Omit<FaultSettings, 'burst'>> & { burst?: number | null; expireTokens?: boolean; faultSeed?: number }): FaultSettings;
  /** Every issued token stops working. */
  expireTokens(): void;
  /** Data back to the start-up seed (or the given one), counters cleared; knobs and tokens stay. */
  reset(seed?: SeedScale): Promise<void>;
  /** Knobs back to the start-up options (as `DELETE /_sandbox/faults`). */
  resetFaults(): FaultSettings;
  /** Replaces the data with a seed. */
  seed(seed: SeedScale): Promise<void>;
  /** Upserts explicit records ({users: [...], clients: [...]}) as the control API's seed does. */
  seedRecords(records: Partial<Record<ResourceName, Array<Record<string, unknown>>>>): Record<string, number>;
  /** Every record of a resource, with the API's JSON (inactive and deleted ones too). */
  records(resource: ResourceName): Array<Record<string, unknown>>;
  /** Creates or updates records by id as a person in the app would; returns them with the API's JSON. */
  upsertRecords(resource: ResourceName, records: Array<Record<string, unknown>>): Array<Record<string, unknown>>;
  /** Deletes a record as the app does (soft), or removes the row with `hard`. False if it did not exist. */
  deleteRecord(resource: ResourceName, id: number, opts?: { hard?: boolean }): boolean;
  simulateTimesheets(opts?: SimulateOptions): SimulateResult;
  /** Supervisors' corrections of approved timesheets (as `POST /_sandbox/simulate/timesheet-edits`). */
  simulateTimesheetEdits(opts?: EditOptions): EditResult;
  /** The raw tables (tests only). */
  readonly store: Store;
}

export async function startAssignarSandbox(opts: AssignarSandboxOptions = {}): Promise<AssignarSandbox> {
  const seed = opts.seed ?? 'none';
  if (!SEED_SCALES.includes(seed)) throw new Error(`seed must be one of ${SEED_SCALES.join(', ')} (got "${seed}")`);
  const startFaults = mergeFaults(DEFAULT_FAULTS, {
    ...(opts.faults ?? {}),
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.requestsPerSecond !== undefined ? { requestsPerSecond: opts.requestsPerSecond } : {}),
    ...(opts.concurrencyCap !== undefined ? { concurrencyCap: opts.concurrencyCap } : {}),
    ...(opts.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: opts.tokenTtlSeconds } : {}),
  });
  const credentials = opts.credentials ?? { clientId: ASSIGNAR_SANDBOX_CREDENTIALS.clientId, clientSecret: ASSIGNAR_SANDBOX_CREDENTIALS.clientSecret };
  const state = new SandboxState(credentials, ASSIGNAR_SCOPE, seed, startFaults);
  const persisted = opts.dataFile ? loadStore(opts.dataFile) : undefined;
  if (persisted) state.store = persisted;
  else await state.seed(seed);
  const saver = opts.dataFile ? new SaveScheduler(() => saveStore(opts.dataFile!, state.store)) : undefined;

  const ref: { sandbox?: AssignarSandbox } = {};
  const describe = () => ({
    sandbox: 'assignar',
    baseUrl: ref.sandbox?.baseUrl,
    apiBase: ref.sandbox?.apiBase,
    tokenUrl: ref.sandbox?.tokenUrl,
    scope: ASSIGNAR_SCOPE,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    seed: state.startSeed,
    routes: ref.sandbox?.routes.map((r) => `${r.method} ${r.path}`),
  });
  const { app, routes } = buildServer(state, describe);
  if (saver) {
    saver.changed();
    app.addHook('onResponse', async (req) => {
      if (req.method !== 'GET') saver.changed();
    });
  }
  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const baseUrl = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`;
  state.baseUrl = baseUrl;

  const sandbox: AssignarSandbox = {
    baseUrl,
    apiBase: `${baseUrl}/v2`,
    tokenUrl: `${baseUrl}/oauth2/token`,
    controlUrl: `${baseUrl}/_sandbox/`,
    credentials: { ...credentials },
    scope: ASSIGNAR_SCOPE,
    routes,
    async close() {
      state.sleeper.cancelAll();
      await app.close();
      saver?.flush();
    },
    stats: () => state.statsSnapshot(),
    resetStats: () => state.stats.reset(),
    faults: () => ({ ...state.faults.settings }),
    setFaults(patch) {
      const { expireTokens, faultSeed, ...knobs } = patch;
      const next = mergeFaults(state.faults.settings, knobs as Record<string, unknown>);
      state.faults.update(next, faultSeed);
      state.tokens.ttlSeconds = next.tokenTtlSeconds;
      if (expireTokens) state.tokens.expireAll();
      return { ...next };
    },
    expireTokens: () => void state.tokens.expireAll(),
    reset: (s) => state.reset(s),
    resetFaults: () => {
      state.resetFaults();
      return { ...state.faults.settings };
    },
    seed: (s) => state.seed(s),
    seedRecords: (records) => applyRecords(state.uiContext(), records as Record<string, unknown>),
    records: (resource) =>
      state.store
        .table(resource)
        .all()
        .map((r) => RESOURCES[resource].render(r, state.uiContext())),
    upsertRecords(resource, records) {
      const ctx = state.uiContext();
      return records.map((r) => RESOURCES[resource].render(upsertRecord(ctx, resource, r), ctx));
    },
    deleteRecord(resource, id, o = {}) {
      const table = state.store.table(resource);
      const row = table.get(id);
      if (!row) return false;
      if (o.hard) table.delete(id);
      else if (resource === 'timesheets') table.update(id, { deleted_time: state.now(), modified_time: state.now() });
      else softDelete(RESOURCES[resource], state.uiContext(), row);
      return true;
    },
    simulateTimesheets: (o = {}) => simulateTimesheets(state.store, o),
    simulateTimesheetEdits: (o = {}) => simulateTimesheetEdits(state.store, o, () => state.now()),
    get store() {
      return state.store;
    },
  };
  ref.sandbox = sandbox;
  return sandbox;
}

export type { FaultSettings } from './faults';
export type { SeedScale } from './seeds';
export type { SimulateOptions, SimulateResult } from './simulate';
export type { EditKind, EditOptions, EditRecord, EditResult } from './simulate-edits';
export { EDIT_KINDS } from './simulate-edits';
export { HOSTILE_TEXTS } from './hostile-text';
export { PAY_CODES, RULE_PAY_CODES, UNUSUAL_PAY_CODE } from './pay-codes';
export type { StatsSnapshot } from './stats';
export type { ResourceName } from './store';
export type { ServedRoute } from './api-routes';
export { TIMESHEET_STATUSES } from './timesheets';
export { WORKER_USER_TYPE_ID } from './resources/users';
