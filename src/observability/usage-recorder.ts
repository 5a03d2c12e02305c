import type { Ledger } from '../ledger';

/** The UTC day of a time, as the ledger keys usage (Sage Intacct bills by the month). */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export interface UsageRecorderOptions {
  /** How often the counts gathered so far are written (default 10 s). */
  flushEveryMs?: number;
  now?: () => Date;
  onError?: (err: unknown) => void;
}

/**
 * Gathers the metered Sage Intacct transactions of this process per connection and day, and adds them to
 * the ledger every few seconds in one transaction: a busy page sends hundreds of requests, which must not
 * cost hundreds of writes. A failed write keeps the counts for the next flush; `close()` flushes the rest.
 */
export class UsageRecorder {
  private pending = new Map<string, { connection: string; day: string; transactions: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => Date;

  constructor(
    private readonly ledger: Pick<Ledger, 'addSageUsage'>,
    private readonly options: UsageRecorderOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  add(connection: string, transactions: number): void {
    if (!(transactions > 0)) return;
    const day = utcDay(this.now());
    const key = `${connection}\0${day}`;
    const row = this.pending.get(key);
    if (row) row.transactions += transactions;
    else this.pending.set(key, { connection, day, transactions });
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.flushEveryMs ?? 10_000);
    this.timer.unref();
  }

  /** Writes what was gathered; resolves when written (or kept back after a failure). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const rows = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.ledger.addSageUsage(rows);
      } catch (err) {
        for (const r of rows) {
          const key = `${r.connection}\0${r.day}`;
          const row = this.pending.get(key);
          if (row) row.transactions += r.transactions;
          else this.pending.set(key, { ...r });
        }
        this.schedule();
        this.options.onError?.(err);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
