import { z } from 'zod';
import { ValidationError } from '../errors';
import { sageTimestampToIso, toSageTimestamp } from './dates';
import { SageMalformedResponseError } from './errors';
import { and, equalTo, greaterThan, greaterThanOrEqualTo, isNotNull, or, type SageFilter } from './filter';
import type { SageQuery } from './functions';
import type { SageRawRecord } from './response';

/**
 * Keyset paging over `query` (reference §3.4): pages never shift when records change between them
 * (unlike `offset`), and a page's cursor — an opaque JSON string — can be heartbeated by an activity and
 * handed back to resume exactly after the last record read.
 *
 *  - by RECORDNO: `RECORDNO > last`, ordered by RECORDNO.
 *  - by WHENMODIFIED + RECORDNO: `(WHENMODIFIED > t) OR (WHENMODIFIED = t AND RECORDNO > r)`, ordered by
 *    WHENMODIFIED then RECORDNO; the first page is `WHENMODIFIED >= since` (or `WHENMODIFIED is not null`).
 *    Records whose WHENMODIFIED is empty are never in this sequence: read them with a RECORDNO keyset and
 *    a filter such as `and(isNull('WHENMODIFIED'), greaterThan('WHENCREATED', …))`.
 */

/** Opaque, JSON-serialisable resume position. */
export type SageCursor = string;

const RecordNoState = z.object({ v: z.literal(1), mode: z.literal('recordno'), object: z.string(), after: z.string().regex(/^\d+$/).nullable() }).strict();
const ModifiedState = z
  .object({
    v: z.literal(1),
    mode: z.literal('modified'),
    object: z.string(),
    /** Last record read: WHENMODIFIED as ISO UTC, and its RECORDNO. */
    after: z.object({ t: z.iso.datetime(), r: z.string().regex(/^\d+$/) }).strict().nullable(),
  })
  .strict();
const CursorState = z.discriminatedUnion('mode', [RecordNoState, ModifiedState]);
export type CursorState = z.infer<typeof CursorState>;
export type KeysetMode = CursorState['mode'];

export function encodeCursor(state: CursorState): SageCursor {
  return JSON.stringify(state);
}

/** Reads a cursor back; undefined means "from the start". Throws ValidationError for a foreign cursor. */
export function decodeCursor(cursor: SageCursor | undefined, mode: KeysetMode, object: string): CursorState {
  if (cursor === undefined || cursor === '') return mode === 'recordno' ? { v: 1, mode: 'recordno', object, after: null } : { v: 1, mode: 'modified', object, after: null };
  let json: unknown;
  try {
    json = JSON.parse(cursor);
  } catch {
    throw new ValidationError('Not a Sage Intacct paging cursor');
  }
  const parsed = CursorState.safeParse(json);
  if (!parsed.success) throw new ValidationError('Not a Sage Intacct paging cursor');
  if (parsed.data.mode !== mode || parsed.data.object !== object) {
    throw new ValidationError(`This cursor pages ${parsed.data.object} by ${parsed.data.mode}, not ${object} by ${mode}`);
  }
  return parsed.data;
}

export interface KeysetOptions<O extends string = string> {
  object: O;
  /** Defaults to every field of the object's schema (objects.ts); RECORDNO (and WHENMODIFIED) are always added. */
  select?: readonly string[];
  /** ANDed with the keyset condition. */
  filter?: SageFilter;
  /** 1–2000; defaults to config.pageSize. */
  pageSize?: number;
  showPrivate?: boolean;
}

export interface ModifiedKeysetOptions<O extends string = string> extends KeysetOptions<O> {
  /** Lower bound (inclusive) on WHENMODIFIED for the first page: a UTC instant. */
  since?: Date | string;
}

function withFields(select: readonly string[], required: readonly string[]): string[] {
  const out = [...select];
  for (const f of required) if (!out.includes(f)) out.push(f);
  return out;
}

/** The `query` for the page after `state`. */
export function keysetQuery(
  state: CursorState,
  opts: ModifiedKeysetOptions,
  select: readonly string[],
  pageSize: number,
  userOffset: string,
): SageQuery {
  if (state.mode === 'recordno') {
    return {
      object: opts.object,
      select: withFields(select, ['RECORDNO']),
      filter: and(opts.filter, state.after !== null && greaterThan('RECORDNO', state.after)),
      orderBy: [{ field: 'RECORDNO' }],
      pageSize,
      showPrivate: opts.showPrivate,
    };
  }
  let position: SageFilter;
  if (state.after) {
    const t = toSageTimestamp(state.after.t, userOffset);
    position = or(greaterThan('WHENMODIFIED', t), and(equalTo('WHENMODIFIED', t), greaterThan('RECORDNO', state.after.r)));
  } else if (opts.since !== undefined) {
    position = greaterThanOrEqualTo('WHENMODIFIED', toSageTimestamp(opts.since, userOffset));
  } else {
    position = isNotNull('WHENMODIFIED');
  }
  return {
    object: opts.object,
    select: withFields(select, ['RECORDNO', 'WHENMODIFIED']),
    filter: and(opts.filter, position),
    orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO' }],
    pageSize,
    showPrivate: opts.showPrivate,
  };
}

/** The state after a page, from its last raw record (rejected records advance the cursor too). */
export function advance(state: CursorState, raws: readonly SageRawRecord[], userOffset: string): CursorState {
  const last = raws[raws.length - 1];
  if (!last) return state;
  const recordNo = last.RECORDNO;
  if (typeof recordNo !== 'string' || !/^\d+$/.test(recordNo)) {
    throw new SageMalformedResponseError('Malformed Sage Intacct response: a keyset page record without a numeric RECORDNO', { level: 'result' });
  }
  if (state.mode === 'recordno') return { ...state, after: recordNo };
  const wm = typeof last.WHENMODIFIED === 'string' ? last.WHENMODIFIED : '';
  let t: string | null;
  try {
    t = sageTimestampToIso(wm, userOffset);
  } catch (err) {
    throw new SageMalformedResponseError(`Malformed Sage Intacct response: WHENMODIFIED ${JSON.stringify(wm)} on a keyset page`, { level: 'result', cause: err });
  }
  if (t === null) {
    throw new SageMalformedResponseError('Malformed Sage Intacct response: an empty WHENMODIFIED on a WHENMODIFIED keyset page', { level: 'result' });
  }
  return { ...state, after: { t, r: recordNo } };
}

// ---------------------------------------------------------------- offset paging

/** How far into a response body `peekTotalCount` looks for the `<data>` start tag. */
const PEEK_LIMIT = 8192;

/**
 * `totalcount` of the first result of a response to one function, read from the head of the body before
 * the body is parsed, so that `SageClient.pagesByOffset` can send the offsets after the first page the
 * moment that page's body has arrived, and parse it meanwhile. Only a head that is plainly a success
 * counts: everything before the first `<data>` holds one `<result>`, every `<status>` there is `success`,
 * no `<errormessage>`, and no comment, CDATA section, DOCTYPE or processing instruction that could hide
 * markup. Anything else gives undefined and the caller waits for the full parse (which, when it reports
 * more, extends the plan).
 */
export function peekTotalCount(body: string): number | undefined {
  const head = body.slice(0, PEEK_LIMIT);
  const open = /<data(?:\s[^>]*)?>/.exec(head);
  if (!open) return undefined;
  const before = head.slice(0, open.index).replace(/^\uFEFF?\s*<\?xml[^>]*\?>/, '');
  if (/<[!?]|<errormessage\b/.test(before)) return undefined;
  const results = before.split(/<result\s*>/);
  if (results.length !== 2 || !/<status>\s*success\s*<\/status>/.test(results[1])) return undefined;
  const statuses = [...before.matchAll(/<status>([^<]*)<\/status>/g)];
  if (statuses.some((m) => m[1].trim() !== 'success')) return undefined;
  const total = /\stotalcount\s*=\s*(?:"(\d+)"|'(\d+)')/.exec(open[0]);
  return total ? Number(total[1] ?? total[2]) : undefined;
}
