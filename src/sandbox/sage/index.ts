/**
 * A faithful simulator of the Sage Intacct XML gateway over real HTTP (see the reference's §9 checklist):
 * envelope, three error levels, sessions with their own endpoint and a sliding timeout, query /
 * readByQuery+readMore / read / readByName / create / update / delete / lookup, TIMESHEET with entries,
 * AUDITHISTORY on delete, `transaction="true"` rollback, `uniqueid` duplicate refusal, a concurrency cap
 * answered with HTTP 429/GW-0010, latency, injected 5xx/hangs/off-line, counters, and deterministic seeds —
 * driven by the control API under `/_sandbox/` (control-api.ts).
 */
import type { AddressInfo } from 'node:net';
import { SAGE_SANDBOX_CREDENTIALS, SANDBOX_DEFAULT_PORTS } from '../demo-credentials';
import { SageSandboxCore } from './core';
import { Persistence } from './persist';
import type { FaultSettings, FaultUpdate } from './faults';
import type { SeedRecords, SeedScale } from './seed';
import { createServer, LOGIN_PATH, SESSION_PATH } from './server';
import type { SageSandboxStats } from './stats';
import type { SageStore } from './store';
import { parseOffset } from './time';

export { sageSeed } from './seed';
export type { SeedRecords, SeedScale } from './seed';
export type { FaultSettings, FaultUpdate } from './faults';
export type { SageSandboxStats } from './stats';
export { LOGIN_PATH, SESSION_PATH } from './server';

export interface SageSandboxOptions {
  /** Default 7431 (where the embedded `demo` connection looks); 0 = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 'demo'. */
  seed?: 'none' | 'demo' | 'large';
  latencyMs?: number;
  /** Concurrent gateway requests per company (default 2). */
  concurrencyCap?: number;
  /** The API user's fixed time-zone offset for rendered timestamps (default '-06:00'). */
  userTimeZoneOffset?: string;
  /** Sliding session lifetime (default 3600). */
  sessionTimeoutSeconds?: number;
  /** Timesheet period in days from BEGINDATE (default 7): entries outside it are refused. */
  timesheetPeriodDays?: number;
  /** The most decimal places a timesheet entry's QTY may have (default 2): more are refused. */
  timesheetQtyDecimals?: number;
  /** The clock (epoch ms) — for tests that move time. Default Date.now. */
  now?: () => number;
  /**
   * Credentials the gateway accepts instead of the demo ones (src/sandbox/demo-credentials.ts), e.g. a
   * user password changed in Sage Intacct that the service's configuration does not know yet.
   */
  credentials?: Partial<SageSandboxCredentials>;
  /**
   * Keep the data in this JSON file: loaded at start when it exists (the seed is then not applied), saved
   * shortly after every change and on close — so a second start sees the same tenant.
   */
  dataFile?: string;
}

export interface SageSandboxCredentials {
  senderId: string;
  senderPassword: string;
  userId: string;
  companyId: string;
  userPassword: string;
}

export interface SageSandbox {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** baseUrl + '/ia/xml/xmlgw.phtml' — where a client starts (login auth). */
  endpointUrl: string;
  /** baseUrl + '/na1/ia/xml/xmlgw.phtml' — what getAPISession returns; the only path accepting sessions. */
  sessionEndpointUrl: string;
  /** baseUrl + '/_sandbox' */
  controlUrl: string;
  credentials: SageSandboxCredentials;
  userTimeZoneOffset: string;
  /** Direct access to the data (records are stored lean: '' fields omitted, timestamps ISO UTC). */
  store: SageStore;
  /** The counters `GET /_sandbox/stats` reports. */
  stats(): SageSandboxStats;
  resetStats(): void;
  /** Reads, or changes some of, the fault and limit knobs (`PUT /_sandbox/faults`). */
  faults(update?: FaultUpdate): FaultSettings;
  /** Clears data, counters, uniqueid history and cursors (`POST /_sandbox/reset`). */
  reset(): void;
  /** A scale (replaces data unless replace=false) or explicit records (merged unless replace=true). */
  seed(input: SeedScale | SeedRecords, replace?: boolean): Record<string, number>;
  /** `GET /_sandbox/records/<OBJECT>`. */
  records(object: string): Array<Record<string, string>>;
  /** `POST /_sandbox/records/<OBJECT>`. */
  upsertRecords(object: string, records: Array<Record<string, unknown>> | Record<string, unknown>): Array<Record<string, string>>;
  /** `DELETE /_sandbox/records/<OBJECT>/<ID>`. */
  deleteRecord(object: string, id: string, opts?: { by?: 'RECORDNO'; projectId?: string }): Record<string, string>;
  /**
   * `PUT /_sandbox/timesheets/<RECORDNO>/state`: a person approving, declining, submitting or reverting a
   * timesheet in the UI (its lines follow). Approved/Declined (and the partial forms) need a Submitted one.
   */
  setTimesheetState(recordNo: number | string, state: string): Record<string, string>;
  /** Invalidates every session now. Returns how many there were. */
  expireSessions(): number;
  close(): Promise<void>;
}

export async function startSageSandbox(opts: SageSandboxOptions = {}): Promise<SageSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const offset = opts.userTimeZoneOffset ?? '-06:00';
  const offsetMinutes = parseOffset(offset);
  const clock = opts.now ?? Date.now;
  const credentials: SageSandboxCredentials = { ...SAGE_SANDBOX_CREDENTIALS, ...opts.credentials };
  let baseUrl = '';
  const faultDefaults: FaultSettings = {
    latencyMs: opts.latencyMs ?? 0,
    concurrencyCap: opts.concurrencyCap ?? 2,
    errorRate: 0,
    errorStatus: 503,
    timeoutRate: 0,
    hangMs: 10 * 60_000,
    failNextRequests: 0,
    hangNextRequests: 0,
    faultsAfterExecute: false,
    offline: false,
    sessionTimeoutSeconds: opts.sessionTimeoutSeconds ?? 3600,
    deniedObjects: [],
    timesheetPeriodDays: opts.timesheetPeriodDays ?? 7,
    timesheetQtyDecimals: opts.timesheetQtyDecimals ?? 2,
  };
  const core = new SageSandboxCore({
    credentials,
    offsetMinutes,
    clock,
    faults: faultDefaults,
    sessionEndpointUrl: () => baseUrl + SESSION_PATH,
  });
  const persistence = opts.dataFile ? new Persistence(opts.dataFile, core) : undefined;
  const seed = opts.seed ?? 'demo';
  if (!persistence?.load() && seed !== 'none') core.seed(seed);

  const info = () => ({
    baseUrl,
    endpointUrl: baseUrl + LOGIN_PATH,
    sessionEndpointUrl: baseUrl + SESSION_PATH,
    credentials: { ...credentials },
    userTimeZoneOffset: offset,
  });
  const server = createServer(core, info, persistence ? () => persistence.changed() : undefined);
  await server.app.listen({ port: opts.port ?? SANDBOX_DEFAULT_PORTS.sage, host });
  const address = server.app.server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${address.port}`;

  return {
    baseUrl,
    endpointUrl: baseUrl + LOGIN_PATH,
    sessionEndpointUrl: baseUrl + SESSION_PATH,
    controlUrl: `${baseUrl}/_sandbox`,
    credentials: { ...credentials },
    userTimeZoneOffset: offset,
    store: core.store,
    stats: () => core.statsSnapshot(),
    resetStats: () => core.resetStats(),
    faults: (update) => (update ? core.setFaults(update).faults : { ...core.faults.settings }),
    reset: () => core.reset(),
    seed: (input, replace) => core.seed(input, replace),
    records: (object) => core.records(object),
    upsertRecords: (object, records) => core.upsertRecords(object, records),
    deleteRecord: (object, id, o) => core.deleteRecord(object, id, o),
    setTimesheetState: (recordNo, state) => core.setTimesheetState(recordNo, state),
    expireSessions: () => core.sessions.expireAll(),
    close: async () => {
      await server.close();
      persistence?.save();
    },
  };
}
