/**
 * Counters behind `GET /_sandbox/stats`: requests by method and path template (as the spec spells it),
 * by status, 429s (rate and concurrency), peak concurrency, injected faults, tokens, and API writes per
 * resource. Control-API calls are not counted.
 */
export interface WriteCounts {
  creates: number;
  updates: number;
  deletes: number;
  processed?: number;
}

export interface StatsSnapshot {
  since: string;
  requests: { total: number; byRoute: Record<string, number>; byStatus: Record<string, number> };
  http429: { total: number; rate: number; concurrency: number };
  inFlight: number;
  peakConcurrency: number;
  /** Same figures in the Sage sandbox's shape: in flight now, peak, and the cap (0 = none). */
  concurrency: { current: number; peak: number; cap: number };
  /** 429s sent (rate and concurrency), as the Sage sandbox names it. */
  rejectedForRate: number;
  faults: { errors: number; timeouts: number };
  tokens: { issued: number; rejected: number; authFailures: number };
  writes: Record<string, WriteCounts>;
  /** Body fields the API ignored because the resource has no such field (`users.external_id`). */
  ignoredFields: Record<string, number>;
  /** Records held now, per resource. */
  records: Record<string, number>;
  /** The most requests that arrived within any one second (sliding, in 100 ms steps), 429s included. */
  peakRequestsPerSecond: number;
}

export class Stats {
  private since = new Date().toISOString();
  private total = 0;
  private byRoute: Record<string, number> = {};
  private byStatus: Record<string, number> = {};
  private rate429 = 0;
  private concurrency429 = 0;
  inFlight = 0;
  private peak = 0;
  private errors = 0;
  private timeouts = 0;
  private tokensIssued = 0;
  private tokensRejected = 0;
  private authFailures = 0;
  private writes: Record<string, WriteCounts> = {};
  /** Arrivals per 100 ms slot over the last second: slot index → count. */
  private readonly slots = new Map<number, number>();
  private peakPerSecond = 0;
  private ignored: Record<string, number> = {};

  reset(): void {
    const inFlight = this.inFlight;
    Object.assign(this, new Stats());
    this.inFlight = inFlight;
    this.peak = inFlight;
  }

  request(routeKey: string, now = Date.now()): void {
    const slot = Math.floor(now / 100);
    this.slots.set(slot, (this.slots.get(slot) ?? 0) + 1);
    let inLastSecond = 0;
    for (const [k, n] of this.slots) {
      if (k <= slot - 10) this.slots.delete(k);
      else inLastSecond += n;
    }
    if (inLastSecond > this.peakPerSecond) this.peakPerSecond = inLastSecond;
    this.total++;
    this.byRoute[routeKey] = (this.byRoute[routeKey] ?? 0) + 1;
  }

  status(code: number): void {
    this.byStatus[String(code)] = (this.byStatus[String(code)] ?? 0) + 1;
  }

  enter(): number {
    this.inFlight++;
    if (this.inFlight > this.peak) this.peak = this.inFlight;
    return this.inFlight;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  rejected(kind: 'rate' | 'concurrency'): void {
    if (kind === 'rate') this.rate429++;
    else this.concurrency429++;
  }

  fault(kind: 'error' | 'timeout'): void {
    if (kind === 'error') this.errors++;
    else this.timeouts++;
  }

  tokenIssued(): void {
    this.tokensIssued++;
  }

  tokenRejected(): void {
    this.tokensRejected++;
  }

  authFailed(): void {
    this.authFailures++;
  }

  write(resource: string, kind: keyof WriteCounts): void {
    const w = (this.writes[resource] ??= { creates: 0, updates: 0, deletes: 0 });
    w[kind] = (w[kind] ?? 0) + 1;
  }

  ignoredField(resource: string, field: string): void {
    const key = `${resource}.${field}`;
    this.ignored[key] = (this.ignored[key] ?? 0) + 1;
  }

  snapshot(extra: { cap: number; records: Record<string, number> }): StatsSnapshot {
    return {
      since: this.since,
      requests: { total: this.total, byRoute: { ...this.byRoute }, byStatus: { ...this.byStatus } },
      http429: { total: this.rate429 + this.concurrency429, rate: this.rate429, concurrency: this.concurrency429 },
      inFlight: this.inFlight,
      peakConcurrency: this.peak,
      concurrency: { current: this.inFlight, peak: this.peak, cap: extra.cap },
      rejectedForRate: this.rate429 + this.concurrency429,
      faults: { errors: this.errors, timeouts: this.timeouts },
      tokens: { issued: this.tokensIssued, rejected: this.tokensRejected, authFailures: this.authFailures },
      writes: JSON.parse(JSON.stringify(this.writes)),
      ignoredFields: { ...this.ignored },
      records: extra.records,
      peakRequestsPerSecond: this.peakPerSecond,
    };
  }
}
