import { ValidationError } from '../errors';

/**
 * List queries as the API documents them (spec/assignar-openapi.yaml, info.description): filters
 * `field=value` and `field__op=value`, `sort=a,-b`, `fields=a,b`, `page` (1-based) and `page_size`.
 *
 * Filter values go on the wire as text: `null` → `null` (as in `deleted_at__is=null`), booleans →
 * `true`/`false`, dates → ISO-8601. List operators (`in`, `not_in`, `between`, `not_between`) join with
 * commas; the API has no escape for a comma inside a value, so such a value is refused here rather than
 * silently splitting into two.
 */
export const FILTER_OPERATORS = [
  'eq',
  'gt',
  'gte',
  'lt',
  'lte',
  'ne',
  'is',
  'not',
  'in',
  'not_in',
  'substring',
  'starts_with',
  'ends_with',
  'between',
  'not_between',
  // Column comparisons: the value is another field of the same record (reference §3.4).
  'gt_col',
  'lt_col',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export type FilterScalar = string | number | boolean | null | Date;

export interface FilterCondition {
  eq?: FilterScalar;
  gt?: FilterScalar;
  gte?: FilterScalar;
  lt?: FilterScalar;
  lte?: FilterScalar;
  ne?: FilterScalar;
  is?: FilterScalar;
  not?: FilterScalar;
  in?: readonly FilterScalar[];
  not_in?: readonly FilterScalar[];
  substring?: string;
  starts_with?: string;
  ends_with?: string;
  between?: readonly [FilterScalar, FilterScalar];
  not_between?: readonly [FilterScalar, FilterScalar];
  /** `field__gt_col=other`: field greater than the record's `other` field. */
  gt_col?: string;
  lt_col?: string;
}

/**
 * `{ active: true, modified_time: { gte: '2025-01-01' }, id: { in: [1, 2] } }`: a scalar means equality,
 * an object ANDs its operators. Keys are top-level field names.
 */
export type Filter = Record<string, FilterScalar | FilterCondition>;

export interface ListQuery {
  filter?: Filter;
  /**
   * Sort fields, `-` for descending. Default `id`. Unless the list already includes `id`, `id` is
   * appended as the tie-breaker so page boundaries are stable.
   */
  sort?: string | readonly string[];
  /** Fields to return (`fields=`); `id` is always added. Omit for every field. */
  fields?: readonly string[];
  /** Page size; default the connection's `pageSize`. */
  pageSize?: number;
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['page', 'page_size', 'sort', 'fields', 'relations']);
const LIST_OPS = new Set<FilterOperator>(['in', 'not_in', 'between', 'not_between']);
const OPS = new Set<string>(FILTER_OPERATORS);

function bad(message: string): never {
  throw new ValidationError(`Assignar list query: ${message}`);
}

function checkField(field: string, what: string): void {
  if (!FIELD.test(field)) bad(`${what} "${field}" is not a top-level field name`);
}

function scalar(v: FilterScalar, field: string): string {
  if (v === null) return 'null';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) bad(`filter on "${field}" has an invalid Date`);
    return v.toISOString();
  }
  if (typeof v === 'number' && !Number.isFinite(v)) bad(`filter on "${field}" has a non-finite number`);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return bad(`filter on "${field}" has an unsupported value type`);
}

function isCondition(v: FilterScalar | FilterCondition): v is FilterCondition {
  return typeof v === 'object' && v !== null && !(v instanceof Date);
}

/** `[key, value]` pairs, in the order given, for the filter part of the query string. */
export function filterParams(filter: Filter | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [field, spec] of Object.entries(filter ?? {})) {
    checkField(field, 'filter field');
    if (RESERVED.has(field)) bad(`"${field}" is a reserved query parameter, not a filter`);
    if (spec === undefined) continue;
    if (!isCondition(spec)) {
      out.push([field, scalar(spec, field)]);
      continue;
    }
    for (const [op, value] of Object.entries(spec) as Array<[string, unknown]>) {
      if (!OPS.has(op)) bad(`unknown operator "${op}" on "${field}" (use one of ${FILTER_OPERATORS.join(', ')})`);
      if (value === undefined) continue;
      const key = op === 'eq' ? field : `${field}__${op}`;
      if (LIST_OPS.has(op as FilterOperator)) {
        if (!Array.isArray(value)) bad(`operator "${op}" on "${field}" needs an array`);
        const list = value as FilterScalar[];
        if ((op === 'between' || op === 'not_between') && list.length !== 2) bad(`operator "${op}" on "${field}" needs exactly two values`);
        if (list.length === 0) bad(`operator "${op}" on "${field}" needs at least one value`);
        const parts = list.map((x) => scalar(x, field));
        if (parts.some((p) => p.includes(','))) bad(`a value for "${field}__${op}" contains a comma, which the API cannot escape`);
        out.push([key, parts.join(',')]);
      } else {
        if (Array.isArray(value)) bad(`operator "${op}" on "${field}" takes one value, not an array`);
        out.push([key, scalar(value as FilterScalar, field)]);
      }
    }
  }
  return out;
}

/** The `sort` value: the given fields, then `id` as tie-breaker unless `id`/`-id` is already there. */
export function sortParam(sort: ListQuery['sort']): string {
  const list = sort === undefined ? [] : typeof sort === 'string' ? sort.split(',').map((s) => s.trim()).filter(Boolean) : [...sort];
  for (const s of list) checkField(s.startsWith('-') ? s.slice(1) : s, 'sort field');
  if (!list.some((s) => s === 'id' || s === '-id')) list.push('id');
  return list.join(',');
}

/** The `fields` value with `id` first, or undefined for every field. */
export function fieldsParam(fields: ListQuery['fields']): string | undefined {
  if (fields === undefined) return undefined;
  for (const f of fields) checkField(f, 'field');
  return ['id', ...fields.filter((f) => f !== 'id')].filter((f, i, a) => a.indexOf(f) === i).join(',');
}

export function encodeQuery(params: ReadonlyArray<readonly [string, string]>): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** The full query string (without `?`) for one page of a list. */
export function buildListQuery(query: ListQuery, page: number, pageSize: number): string {
  if (!(Number.isInteger(page) && page >= 1)) bad(`page must be an integer >= 1, got ${page}`);
  if (!(Number.isInteger(pageSize) && pageSize >= 1)) bad(`page size must be an integer >= 1, got ${pageSize}`);
  const params: Array<[string, string]> = filterParams(query.filter);
  params.push(['sort', sortParam(query.sort)]);
  const fields = fieldsParam(query.fields);
  if (fields !== undefined) params.push(['fields', fields]);
  params.push(['page', String(page)], ['page_size', String(pageSize)]);
  return encodeQuery(params);
}
