/**
 * Fault and limit knobs (control API `PUT faults`): latency, the concurrency cap, random or counted 5xx and
 * hangs, an off-line service, permission denials, session lifetime. Random faults draw from a seeded PRNG.
 */
import { Prng } from '../prng';

export interface FaultSettings {
  /** Added before every gateway answer. */
  latencyMs: number;
  /** Concurrent gateway requests per company; one more is answered at once with HTTP 429 / GW-0010. */
  concurrencyCap: number;
  /** 0..1: share of requests answered with an HTTP 5xx and an empty body. */
  errorRate: number;
  /** The status used for injected server errors (default 503). */
  errorStatus: number;
  /** 0..1: share of requests that hang (no answer until the client gives up, or `hangMs`). */
  timeoutRate: number;
  /** How long a hung request is held before its socket is closed without an answer. */
  hangMs: number;
  /** Deterministic: the next N requests get a 5xx / hang. */
  failNextRequests: number;
  hangNextRequests: number;
  /**
   * When true, injected 5xx and hangs happen after the request has executed (the mid-process failure the
   * uniqueid/controlid recovery exists for); when false (default), before anything runs.
   */
  faultsAfterExecute: boolean;
  /** Answer every request with 'The Service is Temporarily Off-line'. */
  offline: boolean;
  /** Sliding session lifetime. */
  sessionTimeoutSeconds: number;
  /** Objects the web-services user may not use (PL04000005 Permission Denied). */
  deniedObjects: string[];
  /** Timesheet period length in days from BEGINDATE. */
  timesheetPeriodDays: number;
  /** The most decimal places a timesheet entry's QTY (hours) may have (default 2). */
  timesheetQtyDecimals: number;
}

export type FaultUpdate = Partial<FaultSettings> & { expireSessions?: boolean; seed?: number };

export type FaultDecision = 'error' | 'hang' | undefined;

export class Faults {
  settings: FaultSettings;
  private rng: Prng;

  constructor(private readonly defaults: FaultSettings) {
    this.settings = { ...defaults, deniedObjects: [...defaults.deniedObjects] };
    this.rng = new Prng(0xfa017);
  }

  resetToDefaults(): void {
    this.settings = { ...this.defaults, deniedObjects: [...this.defaults.deniedObjects] };
    this.rng = new Prng(0xfa017);
  }

  /** Applies a partial update; throws with a message naming the bad field. */
  update(u: FaultUpdate): FaultSettings {
    const next = { ...this.settings };
    const num = (k: keyof FaultSettings, min: number, max = Number.POSITIVE_INFINITY): void => {
      const v = (u as Record<string, unknown>)[k];
      if (v === undefined) return;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Error(`faults.${k} must be a number from ${min}${Number.isFinite(max) ? ` to ${max}` : ''}`);
      (next as Record<string, unknown>)[k] = v;
    };
    const bool = (k: keyof FaultSettings): void => {
      const v = (u as Record<string, unknown>)[k];
      if (v === undefined) return;
      if (typeof v !== 'boolean') throw new Error(`faults.${k} must be true or false`);
      (next as Record<string, unknown>)[k] = v;
    };
    num('latencyMs', 0);
    num('concurrencyCap', 1);
    num('errorRate', 0, 1);
    num('errorStatus', 500, 599);
    num('timeoutRate', 0, 1);
    num('hangMs', 0);
    num('failNextRequests', 0);
    num('hangNextRequests', 0);
    num('sessionTimeoutSeconds', 1);
    num('timesheetPeriodDays', 1, 366);
    num('timesheetQtyDecimals', 0, 10);
    if (!Number.isInteger(next.timesheetQtyDecimals)) throw new Error('faults.timesheetQtyDecimals must be a whole number from 0 to 10');
    bool('offline');
    bool('faultsAfterExecute');
    if (u.deniedObjects !== undefined) {
      if (!Array.isArray(u.deniedObjects) || !u.deniedObjects.every((o) => typeof o === 'string')) throw new Error('faults.deniedObjects must be an array of object names');
      next.deniedObjects = u.deniedObjects.map((o) => o.toUpperCase());
    }
    if (u.seed !== undefined) {
      if (typeof u.seed !== 'number') throw new Error('faults.seed must be a number');
      this.rng = new Prng(u.seed);
    }
    this.settings = next;
    return this.settings;
  }

  /** Decides whether this request gets an injected fault (consumes counted faults first). */
  decide(): FaultDecision {
    const s = this.settings;
    if (s.failNextRequests > 0) {
      s.failNextRequests--;
      return 'error';
    }
    if (s.hangNextRequests > 0) {
      s.hangNextRequests--;
      return 'hang';
    }
    if (s.errorRate > 0 && this.rng.chance(s.errorRate)) return 'error';
    if (s.timeoutRate > 0 && this.rng.chance(s.timeoutRate)) return 'hang';
    return undefined;
  }
}
