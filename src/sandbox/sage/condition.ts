/**
 * A filter condition tree — what both the `query` function's `<filter>` and readByQuery's query string
 * compile to — and its evaluation against stored records.
 */
import type { FieldDef, ObjectDef } from './catalog';
import { errors, SageFunctionError } from './errors';
import type { Rec } from './store';
import { compareKeys, filterKey, likeRegex, storedKey, type Key, type ValueContext } from './values';

export type Op = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'like' | 'notlike' | 'in' | 'notin' | 'between' | 'isnull' | 'isnotnull';

export type Cond =
  | { kind: 'and'; items: Cond[] }
  | { kind: 'or'; items: Cond[] }
  | { kind: 'not'; item: Cond }
  | { kind: 'cmp'; op: Op; field: FieldDef; values: string[] };

export type Predicate = (rec: Rec) => boolean;

/** Looks a field up by name (case-insensitive); unknown → "Invalid fields list". */
export function resolveField(def: ObjectDef, name: string): FieldDef {
  const field = def.fieldMap.get(name.trim().toUpperCase());
  if (!field) throw new SageFunctionError(errors.invalidFields(def.name, [name.trim()]));
  return field;
}

export function compile(cond: Cond, ctx: ValueContext): Predicate {
  switch (cond.kind) {
    case 'and': {
      const ps = cond.items.map((c) => compile(c, ctx));
      return (r) => ps.every((p) => p(r));
    }
    case 'or': {
      const ps = cond.items.map((c) => compile(c, ctx));
      return (r) => ps.some((p) => p(r));
    }
    case 'not': {
      const p = compile(cond.item, ctx);
      return (r) => !p(r);
    }
    case 'cmp':
      return compileCmp(cond.op, cond.field, cond.values, ctx);
  }
}

function compileCmp(op: Op, field: FieldDef, values: string[], ctx: ValueContext): Predicate {
  const name = field.name;
  const key = (r: Rec): Key | null => storedKey(field, r[name], ctx);
  const need = (n: number, exact = true): void => {
    if (exact ? values.length !== n : values.length < n) {
      throw new SageFunctionError(errors.queryFailed(`Operator ${op} on ${name} needs ${exact ? 'exactly' : 'at least'} ${n} value(s)`));
    }
  };
  switch (op) {
    case 'isnull':
      return (r) => (r[name] ?? '') === '';
    case 'isnotnull':
      return (r) => (r[name] ?? '') !== '';
    case 'like':
    case 'notlike': {
      need(1);
      const re = likeRegex(values[0], ctx.caseInsensitive);
      // readByQuery sees enum fields as their database codes, so LIKE matches the code there.
      const seen = ctx.codes && field.codes ? (v: string): string => field.codes![v] ?? v : (v: string): string => v;
      return op === 'like'
        ? (r) => r[name] !== undefined && re.test(seen(r[name]))
        : (r) => r[name] !== undefined && !re.test(seen(r[name]));
    }
    case 'in':
    case 'notin': {
      need(1, false);
      const ks = values.map((v) => filterKey(field, v, ctx));
      return op === 'in'
        ? (r) => {
            const k = key(r);
            return k !== null && ks.some((x) => compareKeys(k, x) === 0);
          }
        : (r) => {
            const k = key(r);
            return k !== null && ks.every((x) => compareKeys(k, x) !== 0);
          };
    }
    case 'between': {
      need(2);
      const [lo, hi] = values.map((v) => filterKey(field, v, ctx));
      return (r) => {
        const k = key(r);
        return k !== null && compareKeys(k, lo) >= 0 && compareKeys(k, hi) <= 0;
      };
    }
    default: {
      need(1);
      const v = filterKey(field, values[0], ctx);
      const test: (c: number) => boolean = {
        eq: (c: number) => c === 0, ne: (c: number) => c !== 0, lt: (c: number) => c < 0,
        le: (c: number) => c <= 0, gt: (c: number) => c > 0, ge: (c: number) => c >= 0,
      }[op];
      return (r) => {
        const k = key(r);
        return k !== null && test(compareKeys(k, v));
      };
    }
  }
}
