/**
 * Counters the control API's `GET stats` reports: gateway requests and their outcomes, function calls,
 * metered API transactions (each query/readByQuery/readMore/read/readByName 1; each record created,
 * updated or deleted 1; a timesheet with its entries 1) by function and object, peak concurrency,
 * requests rejected for the concurrency cap, injected faults, sessions opened, sign-ins.
 */
export interface MeterEntry {
  fn: string;
  object: string;
  count: number;
}

export interface SageSandboxStats {
  requests: number;
  /** Requests answered, by outcome. */
  responses: { ok: number; controlFailure: number; authFailure: number; rateLimited: number; serverError: number; timedOut: number; offline: number; badRequest: number };
  /** Functions executed, by name (metered or not, successful or not). */
  functions: Record<string, number>;
  functionFailures: number;
  transactions: { total: number; byFunction: Record<string, number>; byObject: Record<string, number>; byFunctionAndObject: Record<string, number> };
  concurrency: { current: number; peak: number; cap: number };
  peakConcurrency: number;
  rejectedForRate: number;
  sessionsOpened: number;
  activeSessions: number;
  /**
   * Requests that signed in with login credentials (`<login>`, as getAPISession does): accepted, or
   * refused for a wrong sender or user id, company id or user password.
   */
  signIns: { succeeded: number; failed: number };
  faultsInjected: { serverErrors: number; timeouts: number; offline: number };
  records: Record<string, number>;
}

const bump = (m: Record<string, number>, k: string, n = 1): void => {
  m[k] = (m[k] ?? 0) + n;
};

export class StatsCounter {
  requests = 0;
  responses = { ok: 0, controlFailure: 0, authFailure: 0, rateLimited: 0, serverError: 0, timedOut: 0, offline: 0, badRequest: 0 };
  functions: Record<string, number> = {};
  functionFailures = 0;
  transactions = { total: 0, byFunction: {} as Record<string, number>, byObject: {} as Record<string, number>, byFunctionAndObject: {} as Record<string, number> };
  inFlight = 0;
  peak = 0;
  rejectedForRate = 0;
  sessionsOpenedBase = 0;
  signIns = { succeeded: 0, failed: 0 };
  faultsInjected = { serverErrors: 0, timeouts: 0, offline: 0 };

  reset(sessionsOpenedSoFar: number): void {
    const inFlight = this.inFlight;
    Object.assign(this, new StatsCounter());
    this.inFlight = inFlight;
    this.sessionsOpenedBase = sessionsOpenedSoFar;
  }

  enter(): void {
    this.inFlight++;
    if (this.inFlight > this.peak) this.peak = this.inFlight;
  }

  leave(): void {
    this.inFlight--;
  }

  called(fn: string, ok: boolean): void {
    bump(this.functions, fn);
    if (!ok) this.functionFailures++;
  }

  meter(entries: readonly MeterEntry[]): void {
    for (const e of entries) {
      if (e.count <= 0) continue;
      this.transactions.total += e.count;
      bump(this.transactions.byFunction, e.fn, e.count);
      bump(this.transactions.byObject, e.object, e.count);
      bump(this.transactions.byFunctionAndObject, `${e.fn} ${e.object}`, e.count);
    }
  }

  snapshot(extra: { cap: number; sessionsOpened: number; activeSessions: number; records: Record<string, number> }): SageSandboxStats {
    const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
    return {
      requests: this.requests,
      responses: { ...this.responses },
      functions: { ...this.functions },
      functionFailures: this.functionFailures,
      transactions: clone(this.transactions),
      concurrency: { current: this.inFlight, peak: this.peak, cap: extra.cap },
      peakConcurrency: this.peak,
      rejectedForRate: this.rejectedForRate,
      sessionsOpened: extra.sessionsOpened - this.sessionsOpenedBase,
      activeSessions: extra.activeSessions,
      signIns: { ...this.signIns },
      faultsInjected: { ...this.faultsInjected },
      records: extra.records,
    };
  }
}
