import type { EntityKind } from '../config/schema';
import { emptyCounts, type Counts, type CountsByEntity, type Outcome } from '../contracts/outcomes';
import type { Json, RecordOutcomeInput } from '../ledger';
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
}

/**
 * Collects one page's per-record outcomes and counts; `flush` writes them to the ledger in one batch.
 * The ledger upserts by (run, kind, record), so a page redone after a crash overwrites its outcomes.
 */
export class OutcomeSink {
  private readonly rows: RecordOutcomeInput[] = [];
  private readonly counts: CountsByEntity = {};

  constructor(private readonly ctx: Pick<SyncContext, 'runId' | 'connection' | 'ledger'>) {}

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
  }

  private countsFor(kind: EntityKind): Counts {
    return (this.counts[kind] ??= emptyCounts());
  }

  async flush(): Promise<CountsByEntity> {
    if (this.rows.length) await this.ctx.ledger.recordOutcomes(this.rows.splice(0));
    return this.counts;
  }
}
