import { z } from 'zod';
import { ValidationError } from '../errors';
import { SageMalformedResponseError } from './errors';
import { and, greaterThan, type SageFilter } from './filter';
import type { SageQuery } from './functions';
import type { SageRawRecord } from './response';

/**
 * Keyset paging over `query` on RECORDNO (reference §3.4): `RECORDNO > last`, ordered by RECORDNO. Pages
 * never shift when records change between them (unlike `offset`), and a page's cursor — an opaque JSON
 * string — can be heartbeated by an activity and handed back to resume exactly after the last record read.
 * Incremental reads put their WHENMODIFIED condition in the filter (src/sync/changes-page.ts).
 */

/** Opaque, JSON-serialisable resume position. */
export type SageCursor = string;

// `mode` stays in the format so cursors already heartbeated or held in workflow state still decode.
const CursorState = z.object({ v: z.literal(1), mode: z.literal('recordno'), object: z.string(), after: z.string().regex(/^\d+$/).nullable() }).strict();
export type CursorState = z.infer<typeof CursorState>;

export function encodeCursor(state: CursorState): SageCursor {
  return JSON.stringify(state);
}

/** Reads a cursor back; undefined means "from the start". Throws ValidationError for a foreign cursor. */
export function decodeCursor(cursor: SageCursor | undefined, object: string): CursorState {
  if (cursor === undefined || cursor === '') return { v: 1, mode: 'recordno', object, after: null };
  let json: unknown;
  try {
    json = JSON.parse(cursor);
  } catch {
    throw new ValidationError('Not a Sage Intacct paging cursor');
  }
  const parsed = CursorState.safeParse(json);
  if (!parsed.success) throw new ValidationError('Not a Sage Intacct paging cursor');
  if (parsed.data.object !== object) throw new ValidationError(`This cursor pages ${parsed.data.object}, not ${object}`);
  return parsed.data;
}

export interface KeysetOptions<O extends string = string> {
  object: O;
  /** Defaults to every field of the object's schema (objects.ts); RECORDNO is always added. */
  select?: readonly string[];
  /** ANDed with the keyset condition. */
  filter?: SageFilter;
  /** 1–2000; defaults to config.pageSize. */
  pageSize?: number;
  showPrivate?: boolean;
}

/** The `query` for the page after `state`. */
export function keysetQuery(state: CursorState, opts: KeysetOptions, select: readonly string[], pageSize: number): SageQuery {
  return {
    object: opts.object,
    select: select.includes('RECORDNO') ? [...select] : [...select, 'RECORDNO'],
    filter: and(opts.filter, state.after !== null && greaterThan('RECORDNO', state.after)),
    orderBy: [{ field: 'RECORDNO' }],
    pageSize,
    showPrivate: opts.showPrivate,
  };
}

/** The state after a page, from its last raw record (rejected records advance the cursor too). */
export function advance(state: CursorState, raws: readonly SageRawRecord[]): CursorState {
  const last = raws[raws.length - 1];
  if (!last) return state;
  const recordNo = last.RECORDNO;
  if (typeof recordNo !== 'string' || !/^\d+$/.test(recordNo)) {
    throw new SageMalformedResponseError('Malformed Sage Intacct response: a keyset page record without a numeric RECORDNO', { level: 'result' });
  }
  return { ...state, after: recordNo };
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
