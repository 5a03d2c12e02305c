import type { z } from 'zod';
import { runBulk, type BulkOptions, type BulkResult } from './bulk';
import { AssignarMalformedResponseError } from './errors';
import { buildListQuery, type ListQuery } from './query';
import { itemPath, type RecordSchema, type ResourceDefinition } from './resources';
import { describeIssues, ItemEnvelopeSchema, ListEnvelopeSchema, RowsEnvelopeSchema } from './schemas';
import type { ApiResponse, AssignarTransport } from './transport';

/**
 * One Assignar resource: paged list (one page at a time with a serialisable cursor, or an async iterator
 * over every page), get by id, and for writable resources create, update and their bulk forms. Every
 * response is validated at the boundary against the resource's zod schema.
 */
export interface CallOptions {
  signal?: AbortSignal;
}

export interface WriteOptions extends CallOptions {
  /**
   * Retry a create even when a failed attempt may have been applied (5xx, timeout). Only when a unique
   * key makes a duplicate impossible; otherwise look the record up by `integration_id` and retry yourself.
   */
  retryAmbiguous?: boolean;
}

/**
 * Where to continue a listing: JSON-serialisable, for activity heartbeats. The page number is 1-based and
 * only meaningful with its page size, so the cursor carries both.
 */
export interface PageCursor {
  page: number;
  pageSize: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  /** The next page, or null when this page was the last (a short page). */
  next: PageCursor | null;
}

export type Id = number | string;

export class ReadableResource<S extends RecordSchema> {
  constructor(
    protected readonly transport: AssignarTransport,
    readonly definition: ResourceDefinition<S>,
    protected readonly defaultPageSize: number,
  ) {}

  /** One page. Without a cursor, the first page; pass `page.next` back to continue. */
  async listPage(query: ListQuery = {}, cursor?: PageCursor, options: CallOptions = {}): Promise<Page<z.output<S>>> {
    const pageSize = cursor?.pageSize ?? query.pageSize ?? this.defaultPageSize;
    const page = cursor?.page ?? 1;
    const { collectionPath, listShape } = this.definition;
    const res = await this.transport.send({
      method: 'GET',
      path: collectionPath,
      query: buildListQuery(query, page, pageSize),
      signal: options.signal,
    });
    const rows = listShape === 'rows' ? this.#rows(res) : this.#array(res);
    const items = this.#parseRecords(rows, listShape === 'rows' ? 'data.rows' : 'data', 'GET', collectionPath, res.status);
    // A short page ends the listing. So does an over-long one: the server ignored page_size, and asking
    // for the next page would return the same records again.
    const next = items.length === pageSize ? { page: page + 1, pageSize } : null;
    return { items, page, pageSize, next };
  }

  /** Every page from `start` (default the first), stopping after a short page. */
  async *pages(query: ListQuery = {}, options: CallOptions & { start?: PageCursor } = {}): AsyncGenerator<Page<z.output<S>>> {
    let cursor: PageCursor | undefined = options.start;
    let previousFirstId: number | undefined;
    for (;;) {
      const page = await this.listPage(query, cursor, options);
      const firstId = page.items[0]?.id;
      if (firstId !== undefined && firstId === previousFirstId) {
        throw new AssignarMalformedResponseError([`page ${page.page} repeats page ${page.page - 1} (the server ignored "page")`], {
          method: 'GET',
          path: this.definition.collectionPath,
        });
      }
      previousFirstId = firstId;
      yield page;
      if (!page.next) return;
      cursor = page.next;
    }
  }

  /** Every record, page by page. */
  async *items(query: ListQuery = {}, options: CallOptions = {}): AsyncGenerator<z.output<S>> {
    for await (const page of this.pages(query, options)) yield* page.items;
  }

  /** All records in one array (for small resources: tasks, activities …). */
  async listAll(query: ListQuery = {}, options: CallOptions = {}): Promise<Array<z.output<S>>> {
    const out: Array<z.output<S>> = [];
    for await (const page of this.pages(query, options)) out.push(...page.items);
    return out;
  }

  async get(id: Id, options: CallOptions = {}): Promise<z.output<S>> {
    const path = itemPath(this.definition.itemPath, id);
    const res = await this.transport.send({ method: 'GET', path, signal: options.signal });
    return this.#parseItem(res, 'GET', path);
  }

  /**
   * A create that succeeded (2xx) but whose echo fails the schema: the record exists in Assignar, so the
   * error says `outcomeUnknown` and the caller looks it up by its key instead of creating it again.
   */
  protected parseCreated(res: ApiResponse, path: string): z.output<S> {
    return this.#parseItem(res, 'POST', path, true);
  }

  #array(res: ApiResponse): unknown[] {
    const env = ListEnvelopeSchema.safeParse(res.json);
    if (!env.success) throw this.#malformed(describeIssues(env.error, 'body'), 'GET', this.definition.collectionPath, res.status);
    return env.data.data;
  }

  #rows(res: ApiResponse): unknown[] {
    const env = RowsEnvelopeSchema.safeParse(res.json);
    if (!env.success) throw this.#malformed(describeIssues(env.error, 'body'), 'GET', this.definition.collectionPath, res.status);
    return env.data.data.rows;
  }

  #parseRecords(rows: unknown[], prefix: string, method: string, path: string, status: number): Array<z.output<S>> {
    const out: Array<z.output<S>> = [];
    const issues: string[] = [];
    rows.forEach((row, i) => {
      const r = this.definition.schema.safeParse(row);
      if (r.success) out.push(r.data);
      else issues.push(...describeIssues(r.error, `${prefix}[${i}]`));
    });
    if (issues.length > 0) throw this.#malformed(issues, method, path, status);
    return out;
  }

  #parseItem(res: ApiResponse, method: string, path: string, applied = false): z.output<S> {
    const env = ItemEnvelopeSchema.safeParse(res.json);
    if (!env.success) throw this.#malformed(describeIssues(env.error, 'body'), method, path, res.status, applied);
    const r = this.definition.schema.safeParse(env.data.data);
    if (!r.success) throw this.#malformed(describeIssues(r.error, 'data'), method, path, res.status, applied);
    return r.data;
  }

  #malformed(issues: string[], method: string, path: string, status: number, applied = false): AssignarMalformedResponseError {
    return new AssignarMalformedResponseError(issues, { method, path, status, ...(applied ? { outcomeUnknown: true } : {}) });
  }
}

export interface UpdateItem<U> {
  id: Id;
  body: U;
}

export class WritableResource<S extends RecordSchema, C, U = Partial<C>> extends ReadableResource<S> {
  /**
   * Creates one record (HTTP 201, or 200 with `status: 201` in the body) and returns what the API echoed:
   * the fields sent, the new `id` and defaults.
   */
  async create(body: C, options: WriteOptions = {}): Promise<z.output<S>> {
    const path = this.definition.collectionPath;
    const res = await this.transport.send({ method: 'POST', path, body, signal: options.signal, retryAmbiguous: options.retryAmbiguous });
    return this.parseCreated(res, path);
  }

  /** Updates one record (HTTP 204, or 200 with `status: 204`). Fields left out are left unchanged. */
  async update(id: Id, body: U, options: CallOptions = {}): Promise<void> {
    await this.transport.send({ method: 'PUT', path: itemPath(this.definition.itemPath, id), body, signal: options.signal });
  }

  /** Creates many records concurrently; each result is the new id or that item's typed error. */
  createMany(bodies: readonly C[], options: BulkOptions<number> & Pick<WriteOptions, 'retryAmbiguous'> = {}): Promise<Array<BulkResult<number>>> {
    return runBulk(bodies, async (body) => (await this.create(body, options)).id, this.#bulkOptions(options));
  }

  /** Updates many records concurrently; each result is the id or that item's typed error. */
  updateMany(items: ReadonlyArray<UpdateItem<U>>, options: BulkOptions<Id> = {}): Promise<Array<BulkResult<Id>>> {
    return runBulk(
      items,
      async (item) => {
        await this.update(item.id, item.body, options);
        return item.id;
      },
      this.#bulkOptions(options),
    );
  }

  #bulkOptions<R>(options: BulkOptions<R>): BulkOptions<R> & { concurrency: number; label: string } {
    return { ...options, concurrency: options.concurrency ?? this.transport.config.concurrency * 2, label: this.definition.collectionPath };
  }
}
