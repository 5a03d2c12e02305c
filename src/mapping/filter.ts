import { z } from 'zod';
import type { EntityKind, FilterCondition } from '../config/schema';
import type { MappingConfig } from './types';

/**
 * A small, serialisable filter AST for Sage Intacct `query` filters, and an in-memory evaluator of the
 * same AST (used to decide that a record LEFT the filter and must be deactivated in Assignar).
 *
 * Shape (plain JSON, safe in workflow histories):
 *   condition  { field: 'STATUS', op: 'eq', value: 'active' }
 *              { field: 'DEPARTMENTID', op: 'in', values: ['D1', 'D2'] }
 *              { field: 'WHENMODIFIED', op: 'between', values: [low, high] }
 *              { field: 'LOCATIONID', op: 'isnull' }
 *   and / or   { and: [node, node, ...] }   { or: [node, node, ...] }
 *
 * Builders (`and`, `or`) normalise: `and`/`or` always have at least two children (as Sage's `query`
 * requires), nested `and`s are flattened, and "no filter" is `null` (never an empty `and`).
 * `SAGE_FILTER_OPERATORS` names the Sage `query` element for each op, for the Sage client's adapter.
 */

export const VALUE_OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'like', 'notlike'] as const;
export const LIST_OPS = ['in', 'notin'] as const;
export const NULL_OPS = ['isnull', 'isnotnull'] as const;
export const FILTER_OPS = [...VALUE_OPS, ...LIST_OPS, ...NULL_OPS, 'between'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** Sage Intacct `query` filter element per op (`between` takes two `value`s, low first). */
export const SAGE_FILTER_OPERATORS: Record<FilterOp, string> = {
  eq: 'equalto',
  ne: 'notequalto',
  lt: 'lessthan',
  lte: 'lessthanorequalto',
  gt: 'greaterthan',
  gte: 'greaterthanorequalto',
  like: 'like',
  notlike: 'notlike',
  in: 'in',
  notin: 'notin',
  isnull: 'isnull',
  isnotnull: 'isnotnull',
  between: 'between',
};

const fieldName = z.string().regex(/^[A-Za-z0-9_.]+$/, 'a Sage Intacct field name such as DEPARTMENTID');

export const ValueConditionSchema = z.object({ field: fieldName, op: z.enum(VALUE_OPS), value: z.string() }).strict();
export const ListConditionSchema = z.object({ field: fieldName, op: z.enum(LIST_OPS), values: z.array(z.string()).min(1) }).strict();
export const BetweenConditionSchema = z.object({ field: fieldName, op: z.literal('between'), values: z.tuple([z.string(), z.string()]) }).strict();
export const NullConditionSchema = z.object({ field: fieldName, op: z.enum(NULL_OPS) }).strict();

export const FilterConditionNodeSchema = z.discriminatedUnion('op', [
  ValueConditionSchema,
  ListConditionSchema,
  BetweenConditionSchema,
  NullConditionSchema,
]);
export type FilterConditionNode = z.infer<typeof FilterConditionNodeSchema>;

export type FilterNode = FilterConditionNode | { and: FilterNode[] } | { or: FilterNode[] };

export const FilterNodeSchema: z.ZodType<FilterNode> = z.lazy(() =>
  z.union([
    FilterConditionNodeSchema,
    z.object({ and: z.array(FilterNodeSchema).min(2) }).strict(),
    z.object({ or: z.array(FilterNodeSchema).min(2) }).strict(),
  ]),
);

/** A filter, or null for "every record". */
export type Filter = FilterNode | null;

export function isCondition(node: FilterNode): node is FilterConditionNode {
  return 'op' in node;
}

// ---------------------------------------------------------------------------------------------------------
// Builders

export function eq(field: string, value: string): FilterConditionNode {
  return { field, op: 'eq', value };
}

export function inList(field: string, values: readonly string[]): FilterConditionNode {
  return { field, op: 'in', values: [...values] };
}

/** AND of the given filters; `null` children mean "no condition" and are dropped. */
export function and(...nodes: (Filter | undefined)[]): Filter {
  const children: FilterNode[] = [];
  for (const node of nodes) {
    if (!node) continue;
    if (!isCondition(node) && 'and' in node) children.push(...node.and);
    else children.push(node);
  }
  if (children.length === 0) return null;
  if (children.length === 1) return children[0];
  return { and: children };
}

/** OR of the given filters; a `null` child matches every record, so the whole OR is `null`. */
export function or(...nodes: (Filter | undefined)[]): Filter {
  if (nodes.length === 0) return null;
  const children: FilterNode[] = [];
  for (const node of nodes) {
    if (!node) return null;
    if (!isCondition(node) && 'or' in node) children.push(...node.or);
    else children.push(node);
  }
  if (children.length === 1) return children[0];
  return { or: children };
}

/** One configured extra condition (`entities.<kind>.filter[]`) as an AST condition. */
export function fromConfigCondition(c: FilterCondition): FilterConditionNode {
  switch (c.op) {
    case 'in':
    case 'notin':
      return { field: c.field, op: c.op, values: [...(c.values ?? [])] };
    case 'isnull':
    case 'isnotnull':
      return { field: c.field, op: c.op };
    default:
      return { field: c.field, op: c.op, value: c.value ?? '' };
  }
}

/**
 * The Sage Intacct filter that defines an entity's scope, from configuration: the status filter
 * (`active` → STATUS = active; `all` → none), the item GL group for roles (glGroups.labor) and assets
 * (glGroups.equipment), the worker DEPARTMENTID / EMPLOYEETYPE / LOCATIONID lists, then the entity's
 * extra `filter` conditions, all ANDed in that order.
 */
export function scopeFilter(kind: EntityKind, config: MappingConfig): Filter {
  const entity = config.entities[kind];
  const parts: Filter[] = [];
  if (entity.status === 'active') parts.push(eq('STATUS', 'active'));
  if (kind === 'role') parts.push(eq('GLGROUP', config.glGroups.labor));
  if (kind === 'asset') parts.push(eq('GLGROUP', config.glGroups.equipment));
  if (kind === 'worker') {
    const w = config.entities.worker;
    if (w.departmentIds.length) parts.push(inList('DEPARTMENTID', w.departmentIds));
    if (w.employeeTypes.length) parts.push(inList('EMPLOYEETYPE', w.employeeTypes));
    if (w.locationIds.length) parts.push(inList('LOCATIONID', w.locationIds));
  }
  for (const c of entity.filter) parts.push(fromConfigCondition(c));
  return and(...parts);
}

/** Every field a filter reads (so the select list can include them and `inScope` can see them). */
export function filterFields(filter: Filter): string[] {
  const out = new Set<string>();
  const walk = (node: FilterNode): void => {
    if (isCondition(node)) out.add(node.field);
    else for (const child of 'and' in node ? node.and : node.or) walk(child);
  };
  if (filter) walk(filter);
  return [...out];
}

/**
 * The same filter in the shape of the Sage client's `SageFilter` (src/sage/filter.ts: `{ op: 'equalto',
 * field, value }`, `{ op: 'between', field, from, to }`, `{ op: 'and', filters }`), declared here
 * structurally so this module stays free of I/O imports. `undefined` for "no filter".
 */
export type SageQueryFilter =
  | { op: 'equalto' | 'notequalto' | 'lessthan' | 'lessthanorequalto' | 'greaterthan' | 'greaterthanorequalto' | 'like' | 'notlike'; field: string; value: string }
  | { op: 'between'; field: string; from: string; to: string }
  | { op: 'in' | 'notin'; field: string; values: string[] }
  | { op: 'isnull' | 'isnotnull'; field: string }
  | { op: 'and' | 'or'; filters: SageQueryFilter[] };

export function toSageQueryFilter(filter: Filter): SageQueryFilter | undefined {
  if (!filter) return undefined;
  if (!isCondition(filter)) {
    return 'and' in filter
      ? { op: 'and', filters: filter.and.map((n) => toSageQueryFilter(n) as SageQueryFilter) }
      : { op: 'or', filters: filter.or.map((n) => toSageQueryFilter(n) as SageQueryFilter) };
  }
  switch (filter.op) {
    case 'between':
      return { op: 'between', field: filter.field, from: filter.values[0], to: filter.values[1] };
    case 'in':
    case 'notin':
      return { op: filter.op, field: filter.field, values: [...filter.values] };
    case 'isnull':
    case 'isnotnull':
      return { op: filter.op, field: filter.field };
    default:
      return { op: SAGE_FILTER_OPERATORS[filter.op] as 'equalto', field: filter.field, value: filter.value };
  }
}

// ---------------------------------------------------------------------------------------------------------
// In-memory evaluation

export interface EvaluateOptions {
  /**
   * The Sage web-services user's offset (`-06:00`): filter values written as Sage timestamps
   * (`MM/DD/YYYY HH:MM:SS`) are in it, while records carry WHENCREATED/WHENMODIFIED as ISO UTC.
   */
  userTimeZoneOffset?: string;
}

type SortKey = { num: number } | { text: string };

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const US_TIMESTAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

function offsetMinutes(offset: string | undefined): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset ?? '+00:00');
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const pad = (n: number | string, width = 2): string => String(n).padStart(width, '0');

/** Ordering key: numbers numerically; Sage dates/timestamps and ISO timestamps on one ISO UTC scale. */
function sortKey(value: string, options: EvaluateOptions): SortKey {
  if (NUMERIC.test(value)) return { num: Number(value) };
  let m = US_DATE.exec(value);
  if (m) return { text: `${m[3]}-${pad(m[1])}-${pad(m[2])}` };
  m = US_TIMESTAMP.exec(value);
  if (m) {
    const utc = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
    const ms = utc - offsetMinutes(options.userTimeZoneOffset) * 60_000;
    if (Number.isFinite(ms)) return { text: new Date(ms).toISOString() };
  }
  if (ISO_DATETIME.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return { text: new Date(ms).toISOString() };
  }
  return { text: value };
}

function compare(a: string, b: string, options: EvaluateOptions): number {
  const ka = sortKey(a, options);
  const kb = sortKey(b, options);
  if ('num' in ka && 'num' in kb) return ka.num - kb.num;
  const ta = 'num' in ka ? a : ka.text;
  const tb = 'num' in kb ? b : kb.text;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** SQL LIKE: `%` any run, `_` one character; case-sensitive like Sage's default query. */
function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '%') source += '[\\s\\S]*';
    else if (ch === '_') source += '[\\s\\S]';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u');
}

/** The record's value for a field as text, or null when empty (Sage returns an empty element for NULL). */
function fieldValue(record: Readonly<Record<string, unknown>>, field: string): string | null {
  const v = record[field];
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : String(v);
  return s === '' ? null : s;
}

/**
 * Evaluates a filter against one record the way Sage Intacct's `query` would: SQL NULL semantics (an
 * empty field satisfies only `isnull`; `ne`, `notin` and `notlike` are false for it too), exact
 * case-sensitive text for eq/ne/in/notin (IDs like `04` stay text), and ordered comparisons that treat
 * numbers numerically and dates/timestamps chronologically. `null` matches every record.
 */
export function evaluateFilter(filter: Filter, record: Readonly<Record<string, unknown>>, options: EvaluateOptions = {}): boolean {
  if (!filter) return true;
  if (!isCondition(filter)) {
    return 'and' in filter
      ? filter.and.every((n) => evaluateFilter(n, record, options))
      : filter.or.some((n) => evaluateFilter(n, record, options));
  }
  const value = fieldValue(record, filter.field);
  switch (filter.op) {
    case 'isnull':
      return value === null;
    case 'isnotnull':
      return value !== null;
  }
  if (value === null) return false;
  switch (filter.op) {
    case 'eq':
      return value === filter.value;
    case 'ne':
      return value !== filter.value;
    case 'lt':
      return compare(value, filter.value, options) < 0;
    case 'lte':
      return compare(value, filter.value, options) <= 0;
    case 'gt':
      return compare(value, filter.value, options) > 0;
    case 'gte':
      return compare(value, filter.value, options) >= 0;
    case 'like':
      return likeToRegExp(filter.value).test(value);
    case 'notlike':
      return !likeToRegExp(filter.value).test(value);
    case 'in':
      return filter.values.includes(value);
    case 'notin':
      return !filter.values.includes(value);
    case 'between':
      return compare(value, filter.values[0], options) >= 0 && compare(value, filter.values[1], options) <= 0;
  }
}

/** Whether a Sage record is inside the entity's configured scope (false → deactivate it in Assignar). */
export function inScope(kind: EntityKind, record: Readonly<Record<string, unknown>>, config: MappingConfig, options: EvaluateOptions = {}): boolean {
  const offset = options.userTimeZoneOffset ?? config.sage?.userTimeZoneOffset;
  return evaluateFilter(scopeFilter(kind, config), record, { ...options, userTimeZoneOffset: offset });
}
