import { SageRequestError } from './errors';
import { assertFieldName, el, textEl } from './xml';

/**
 * The typed filter of the `query` function (reference §3.2): one top-level operator; `and`/`or` nest and
 * need two or more children (the builders collapse a single child to itself). Values are text on the wire
 * (enums in display form, e.g. STATUS `active`; timestamps via `toSageTimestamp`) and are always escaped.
 */
export type FilterValue = string | number | boolean;

export type ComparisonOperator = 'equalto' | 'notequalto' | 'lessthan' | 'lessthanorequalto' | 'greaterthan' | 'greaterthanorequalto' | 'like' | 'notlike';

export type SageFilter =
  | { op: ComparisonOperator; field: string; value: string }
  | { op: 'between'; field: string; from: string; to: string }
  | { op: 'in' | 'notin'; field: string; values: string[] }
  | { op: 'isnull' | 'isnotnull'; field: string }
  | { op: 'and' | 'or'; filters: SageFilter[] };

type Maybe<T> = T | undefined | null | false;

function text(v: FilterValue): string {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new SageRequestError(`Invalid filter value ${v}`, { level: 'client' });
  return String(v);
}

function compare(op: ComparisonOperator) {
  return (field: string, value: FilterValue): SageFilter => ({ op, field: assertFieldName(field), value: text(value) });
}

export const equalTo = compare('equalto');
export const notEqualTo = compare('notequalto');
export const lessThan = compare('lessthan');
export const lessThanOrEqualTo = compare('lessthanorequalto');
export const greaterThan = compare('greaterthan');
export const greaterThanOrEqualTo = compare('greaterthanorequalto');
/** `%` and `_` are wildcards. */
export const like = compare('like');
export const notLike = compare('notlike');

/** Inclusive range, low value first. */
export function between(field: string, from: FilterValue, to: FilterValue): SageFilter {
  return { op: 'between', field: assertFieldName(field), from: text(from), to: text(to) };
}

function list(op: 'in' | 'notin') {
  return (field: string, values: readonly FilterValue[]): SageFilter => {
    if (values.length === 0) throw new SageRequestError(`${op} on ${field} needs at least one value`, { level: 'client' });
    return { op, field: assertFieldName(field), values: values.map(text) };
  };
}

/** `in` is a reserved word, hence the name. */
export const inList = list('in');
export const notIn = list('notin');

export function isNull(field: string): SageFilter {
  return { op: 'isnull', field: assertFieldName(field) };
}
export function isNotNull(field: string): SageFilter {
  return { op: 'isnotnull', field: assertFieldName(field) };
}

function logical(op: 'and' | 'or') {
  function combine(first: SageFilter, ...rest: Maybe<SageFilter>[]): SageFilter;
  function combine(...filters: Maybe<SageFilter>[]): SageFilter | undefined;
  function combine(...filters: Maybe<SageFilter>[]): SageFilter | undefined {
    const present = filters.filter((f): f is SageFilter => !!f);
    // Flatten same-operator children: and(a, and(b, c)) ≡ and(a, b, c).
    const flat = present.flatMap((f) => (f.op === op ? f.filters : [f]));
    if (flat.length === 0) return undefined;
    if (flat.length === 1) return flat[0];
    return { op, filters: flat };
  }
  return combine;
}

/**
 * AND of the given filters. Missing ones (undefined/null/false) are skipped; one left collapses to itself;
 * none left gives undefined (no filter).
 */
export const and = logical('and');
/** OR of the given filters, with the same collapsing rules as `and`. */
export const or = logical('or');

/** The `<filter>` content (the single top-level operator element). */
export function filterToXml(filter: SageFilter): string {
  switch (filter.op) {
    case 'and':
    case 'or':
      if (filter.filters.length < 2) {
        // Hand-built objects may bypass the builders: collapse here too.
        if (filter.filters.length === 1) return filterToXml(filter.filters[0]);
        throw new SageRequestError(`An empty "${filter.op}" filter cannot be sent`, { level: 'client' });
      }
      return el(filter.op, ...filter.filters.map(filterToXml));
    case 'between':
      return el('between', textEl('field', assertFieldName(filter.field)), textEl('value', filter.from), textEl('value', filter.to));
    case 'in':
    case 'notin':
      if (filter.values.length === 0) throw new SageRequestError(`${filter.op} on ${filter.field} needs at least one value`, { level: 'client' });
      return el(filter.op, textEl('field', assertFieldName(filter.field)), ...filter.values.map((v) => textEl('value', v)));
    case 'isnull':
    case 'isnotnull':
      return el(filter.op, textEl('field', assertFieldName(filter.field)));
    default:
      return el(filter.op, textEl('field', assertFieldName(filter.field)), textEl('value', filter.value));
  }
}

/** `<filter>…</filter>`, or nothing when there is no filter. */
export function filterElement(filter: SageFilter | undefined): string {
  return filter ? el('filter', filterToXml(filter)) : '';
}
