import type { SageCallOptions, SagePage, SageQueryInput, SageQueryResult } from './client-types';
import { buildQuery, type SageOrder } from './functions';
import type { RoundTripHooks, SageGateway } from './gateway';
import { advance, decodeCursor, encodeCursor, keysetQuery, peekTotalCount, type KeysetOptions, type SageCursor } from './paging';
import { validateRecords, type SageRecordFor } from './records';
import type { ParsedData } from './response';
import { int } from './result-values';

/**
 * Reads with the `query` function: one page, and the two paging strategies (keyset on RECORDNO, and
 * concurrent pages by offset for full reads).
 */
export class SageQueries {
  constructor(private readonly g: SageGateway) {}

  private async runQuery<O extends string>(q: SageQueryInput<O>, hooks?: RoundTripHooks): Promise<{ data: ParsedData; result: SageQueryResult<SageRecordFor<O>> }> {
    const fn = buildQuery({ ...q, select: this.g.readFields(q.object, q.select), pageSize: q.pageSize ?? this.g.config.pageSize });
    const r = await this.g.executeOne(fn, { uniqueId: false }, hooks);
    const data = r.data ?? { attributes: {}, records: [] };
    const { records, rejected } = validateRecords(q.object, data.records, this.g.requireOffset());
    const a = data.attributes;
    return {
      data,
      result: {
        records,
        rejected,
        count: int(a.count) ?? data.records.length,
        totalCount: int(a.totalcount) ?? data.records.length,
        numRemaining: int(a.numremaining) ?? 0,
        offset: int(a.offset) ?? q.offset ?? 0,
      },
    };
  }

  /** One `query` function in its own request (one metered transaction). */
  async query<O extends string>(q: SageQueryInput<O>, opts: SageCallOptions = {}): Promise<SageQueryResult<SageRecordFor<O>>> {
    return (await this.runQuery(q, { signal: opts.signal })).result;
  }

  /** The page after `cursor` (undefined = first page), keyset on RECORDNO (see paging.ts). */
  async pageByRecordNo<O extends string>(opts: KeysetOptions<O>, cursor?: SageCursor, call: SageCallOptions = {}): Promise<SagePage<SageRecordFor<O>>> {
    const state = decodeCursor(cursor, opts.object);
    const pageSize = opts.pageSize ?? this.g.config.pageSize;
    const q = keysetQuery(state, opts, this.g.defaultFields(opts.object, opts.select), pageSize);
    const { data, result } = await this.runQuery({ ...q, object: opts.object }, { signal: call.signal });
    const next = advance(state, data.records);
    const numRemaining = int(data.attributes.numremaining);
    const done = data.records.length === 0 || (numRemaining !== undefined ? numRemaining === 0 : data.records.length < pageSize);
    return {
      records: result.records,
      rejected: result.rejected,
      cursor: encodeCursor(next),
      done,
      ...(int(data.attributes.totalcount) !== undefined ? { totalCount: result.totalCount } : {}),
    };
  }

  /** Every page from `cursor` to the end, keyset on RECORDNO. */
  async *pagesByRecordNo<O extends string>(opts: KeysetOptions<O>, cursor?: SageCursor, call: SageCallOptions = {}): AsyncGenerator<SagePage<SageRecordFor<O>>> {
    let c = cursor;
    for (;;) {
      const page = await this.pageByRecordNo(opts, c, call);
      yield page;
      if (page.done) return;
      c = page.cursor;
    }
  }

  /**
   * Every page of a full read by `offset`, ordered by RECORDNO (or `orderBy`), in order. Exactly
   * ceil(N / pageSize) queries, and the fastest way to read everything under a concurrency cap — but each
   * offset page is an independent query, so records changing between pages can be skipped or repeated
   * (reference §3.2). Use the keyset helpers when that matters (incremental sync, resumable imports).
   *
   * The first page goes alone: its totalcount says which offsets follow (guessing would cost a metered
   * query whenever N ≤ pageSize). That totalcount is read from the head of its body as soon as the body
   * has arrived (peekTotalCount; the full parse can only extend the plan), so the next offsets are sent
   * while the first page is still being parsed. After that, up to config.concurrency pages are in flight
   * and as many more wait on the company's limiter, so a slot freed by an arriving body is taken at once,
   * not after that page is parsed and validated; pages are still yielded in offset order. Stopping early
   * (break, or an error) cancels the queries that have not been sent yet.
   */
  async *pagesByOffset<O extends string>(
    opts: KeysetOptions<O> & { orderBy?: readonly SageOrder[] },
    call: SageCallOptions = {},
  ): AsyncGenerator<SageQueryResult<SageRecordFor<O>>> {
    const pageSize = opts.pageSize ?? this.g.config.pageSize;
    const base: SageQueryInput<O> = {
      object: opts.object,
      select: opts.select,
      filter: opts.filter,
      orderBy: opts.orderBy ?? [{ field: 'RECORDNO' }],
      pageSize,
      showPrivate: opts.showPrivate,
    };
    const window = 2 * this.g.config.concurrency;
    const offsets: number[] = [];
    let planned = pageSize; // every offset below this one is in `offsets`
    let next = 0;
    let stopped = false;
    const queued: RoundTripHooks = { signal: call.signal, cancelled: () => stopped };
    const pending: Promise<SageQueryResult<SageRecordFor<O>>>[] = [];
    const fill = (): void => {
      while (next < offsets.length && pending.length < window) {
        const p = this.runQuery({ ...base, offset: offsets[next++] }, queued).then((r) => r.result);
        p.catch(() => undefined); // awaited below in order; this only keeps an early failure from being "unhandled"
        pending.push(p);
      }
    };
    const planUpTo = (total: number): void => {
      for (; planned < total; planned += pageSize) offsets.push(planned);
      fill();
    };
    try {
      const first = await this.runQuery(
        { ...base, offset: 0 },
        {
          signal: call.signal,
          onBody: (body) => {
            const total = peekTotalCount(body);
            if (total !== undefined) planUpTo(total);
          },
        },
      );
      planUpTo(first.result.totalCount);
      yield first.result;
      while (pending.length > 0) {
        const page = await (pending.shift() as Promise<SageQueryResult<SageRecordFor<O>>>);
        fill();
        yield page;
      }
    } finally {
      stopped = true;
    }
  }
}
