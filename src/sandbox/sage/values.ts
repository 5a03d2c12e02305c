/**
 * Typed comparison of field values, shared by `query` filters, readByQuery query strings and `orderby`.
 * Stored values compare by type (numbers numerically, dates and timestamps chronologically, text as text);
 * an empty value is SQL NULL: it matches only isnull, never =, <>, like, in… (and sorts last ascending).
 */
import type { FieldDef } from './catalog';
import { displayForCode } from './catalog';
import { errors, SageFunctionError } from './errors';
import { dateKey, parseUserTimestamp } from './time';

export type Key = string | number;

export interface ValueContext {
  offsetMinutes: number;
  caseInsensitive: boolean;
  /** readByQuery: enum values are database codes (STATUS 'T'/'F'). */
  codes: boolean;
}

/** The comparable key of a stored value, or null when empty. */
export function storedKey(field: FieldDef, raw: string | undefined, ctx: ValueContext): Key | null {
  if (raw === undefined || raw === '') return null;
  switch (field.type) {
    case 'integer':
    case 'decimal':
      return Number(raw);
    case 'date':
      return dateKey(raw) ?? raw;
    case 'timestamp':
      return raw; // ISO UTC, sorts as text
    default:
      return ctx.caseInsensitive ? raw.toLowerCase() : raw;
  }
}

const NO_MATCH = '\u0000no-match';

/** The comparable key of a value written in a filter; throws a query error when it cannot be one. */
export function filterKey(field: FieldDef, input: string, ctx: ValueContext): Key {
  const v = input;
  switch (field.type) {
    case 'integer':
    case 'decimal': {
      if (!/^\s*-?\d+(\.\d+)?\s*$/.test(v)) throw new SageFunctionError(errors.queryFailed(`'${v}' is not a valid number for ${field.name}`));
      return Number(v);
    }
    case 'date': {
      const k = dateKey(v);
      if (!k) throw new SageFunctionError(errors.queryFailed(`'${v}' is not a valid date for ${field.name} (expected MM/DD/YYYY)`));
      return k;
    }
    case 'timestamp': {
      const iso = parseUserTimestamp(v, ctx.offsetMinutes);
      if (!iso) throw new SageFunctionError(errors.queryFailed(`'${v}' is not a valid timestamp for ${field.name} (expected MM/DD/YYYY HH:MM:SS)`));
      return iso;
    }
    case 'enum':
    case 'boolean':
    case 'text':
    default: {
      let value = v;
      if (ctx.codes && field.codes) value = displayForCode(field, v) ?? NO_MATCH;
      return ctx.caseInsensitive ? value.toLowerCase() : value;
    }
  }
}

export function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** SQL LIKE: % any run, _ one character; everything else literal. */
export function likeRegex(pattern: string, caseInsensitive: boolean): RegExp {
  let src = '';
  for (const ch of pattern) {
    if (ch === '%') src += '.*';
    else if (ch === '_') src += '.';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, caseInsensitive ? 'si' : 's');
}
