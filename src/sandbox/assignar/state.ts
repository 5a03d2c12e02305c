import { TokenIssuer, type Credentials } from './auth';
import { FaultState, Sleeper, type FaultSettings } from './faults';
import type { Actor, ResourceContext } from './resources/types';
import { applySeed, type SeedScale } from './seeds';
import { DEMO_ADMIN_ID } from './seeds/demo';
import { Stats, type StatsSnapshot } from './stats';
import { RESOURCE_NAMES, Store } from './store';

/** Everything one running sandbox holds: the tenant's data, counters, knobs and issued tokens. */
export class SandboxState {
  store = new Store();
  readonly stats = new Stats();
  readonly faults: FaultState;
  readonly tokens: TokenIssuer;
  readonly sleeper = new Sleeper();
  baseUrl = '';
  private lastNowMs = 0;

  constructor(
    readonly credentials: Credentials,
    readonly scope: string,
    readonly startSeed: SeedScale,
    readonly startFaults: FaultSettings,
  ) {
    this.faults = new FaultState({ ...startFaults });
    this.tokens = new TokenIssuer(credentials, scope, () => this.baseUrl, startFaults.tokenTtlSeconds);
  }

  /** ISO-8601 UTC, strictly increasing across calls, so every write moves modified_time forward. */
  now(): string {
    const ms = Math.max(Date.now(), this.lastNowMs + 1);
    this.lastNowMs = ms;
    return new Date(ms).toISOString();
  }

  /** Context of a write through the API (attributed to the API client). */
  apiContext(clientId: string): ResourceContext {
    const actor: Actor = { id: 0, username: `api:${clientId}` };
    return { store: this.store, now: () => this.now(), actor, ui: false };
  }

  /** Context of a write through the control API (a person in the product's UI). */
  uiContext(): ResourceContext {
    return { store: this.store, now: () => this.now(), actor: { id: DEMO_ADMIN_ID, username: 'office.admin' }, ui: true };
  }

  statsSnapshot(): StatsSnapshot {
    const records = Object.fromEntries(RESOURCE_NAMES.map((n) => [n, this.store.table(n).size]));
    return this.stats.snapshot({ cap: this.faults.settings.concurrencyCap, records });
  }

  /** Replaces the data with a fresh seed. */
  async seed(scale: SeedScale): Promise<void> {
    const store = new Store();
    const ctx: ResourceContext = { store, now: () => '2025-01-06T15:00:00.000Z', actor: { id: DEMO_ADMIN_ID, username: 'office.admin' }, ui: true };
    await applySeed(ctx, scale);
    this.store = store;
  }

  /** Data back to the start-up seed (or another), counters cleared; knobs and tokens stay. */
  async reset(scale: SeedScale = this.startSeed): Promise<void> {
    await this.seed(scale);
    this.stats.reset();
  }

  /** Knobs back to the start-up options. */
  resetFaults(): void {
    this.faults.update({ ...this.startFaults });
    this.tokens.ttlSeconds = this.startFaults.tokenTtlSeconds;
  }
}
