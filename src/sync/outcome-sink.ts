import type { EntityKind } from '../config/schema';
import { emptyCounts, type Counts, type CountsByKind, type Outcome } from '../contracts/outcomes';
import type { FailingRecordInput, Json, RecordOutcomeInput } from '../ledger';
import type { SyncContext } from './sync-context';

export interface OutcomeEntry {
  kind: EntityKind;
  /** Sage RECORDNO, or `assignar:<id>` for an Assignar record with no Sage counterpart. */
  recordKey: string;
  sageId?: string | null;
  assignarId?: string | number | null;
  outcome: Outcome;
  reason?: string | null;
  details?: Json | null;
  /** A `failed` write Assignar refused for good: not re-sent until its content or a link it refers to changes. */
  refusal?: { contentHash: string; dependsOn: string | null };
}

/** Outcomes after which a Sage record is no longer failing. */
const LANDED: readonly Outcome[] = ['created', 'updated', 'unchanged', 'adopted', 'deactivated', 'held'];

/** Sage-side records only: drift on Assignar-only records (`assignar:<id>`) has no Sage key to re-read. */
const isSageKey = (key: string) => /^\d+$/.test(key);

/**
 * Collects one page's per-record outcomes and counts; `flush` writes them to the ledger in one batch.
 * The ledger upserts by (run, kind, record), so a page redone after a crash overwrites its outcomes.
 * A real run also keeps the connection's failing records in step: a `failed` Sage record is remembered
 * (the next syncs re-read it by key until it lands), and one that landed is forgotten.
 */
export class OutcomeSink {
  private readonly rows: RecordOutcomeInput[] = [];
  private readonly failing: FailingRecordInput[] = [];
  private readonly landed = new Map<EntityKind, string[]>();
  private readonly counts: CountsByKind = {};

  constructor(private readonly ctx: Pick<SyncContext, 'runId' | 'connection' | 'ledger' | 'dryRun'>) {}

  seen(kind: EntityKind, n = 1): void {
    this.countsFor(kind).seen += n;
  }

  add(entry: OutcomeEntry): void {
    this.countsFor(entry.kind)[entry.outcome] += 1;
    this.rows.push({
      runId: this.ctx.runId,
      connection: this.ctx.connection.id,
      kind: entry.kind,
      recordKey: entry.recordKey,
      sageId: entry.sageId ?? null,
      assignarId: entry.assignarId == null ? null : String(entry.assignarId),
      outcome: entry.outcome,
      reason: entry.reason ?? null,
      details: entry.details ?? null,
    });
    if (this.ctx.dryRun || !isSageKey(entry.recordKey)) return;
    if (entry.outcome === 'failed') {
      this.failing.push({
        connection: this.ctx.connection.id, kind: entry.kind, sageKey: entry.recordKey, sageId: entry.sageId ?? null,
        reason: entry.reason ?? 'failed', refused: entry.refusal !== undefined, contentHash: entry.refusal?.contentHash ?? null,
        dependsOn: entry.refusal?.dependsOn ?? null, runId: this.ctx.runId,
      });
    } else if (LANDED.includes(entry.outcome)) {
      const keys = this.landed.get(entry.kind) ?? [];
      keys.push(entry.recordKey);
      this.landed.set(entry.kind, keys);
    }
  }

  private countsFor(kind: EntityKind): Counts {
    return (this.counts[kind] ??= emptyCounts());
  }

  async flush(): Promise<CountsByKind> {
    if (this.rows.length) await this.ctx.ledger.recordOutcomes(this.rows.splice(0));
    for (const [kind, keys] of this.landed) await this.ctx.ledger.clearFailingRecords(this.ctx.connection.id, kind, keys);
    this.landed.clear();
    if (this.failing.length) await this.ctx.ledger.recordFailingRecords(this.failing.splice(0));
    return this.counts;
  }
}
