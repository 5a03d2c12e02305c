/**
 * readByQuery's query string: a SQL-WHERE subset — `= <> != < > <= >=`, `[NOT] LIKE`, `[NOT] IN (…)`,
 * `IS [NOT] NULL`, `[NOT] BETWEEN … AND …`, `AND`, `OR`, `NOT`, parentheses; string literals in single
 * quotes with backslash escapes (`'Jane\'s Deli'`, also SQL's doubled `''`); bare numbers. Fields are the
 * object's own (no dotted related fields — readByQuery does no joins). Enum values are database codes
 * (STATUS = 'T'), which the condition evaluation maps (see values.ts).
 */
import type { ObjectDef } from './catalog';
import { resolveField, type Cond, type Op } from './condition';
import { errors, SageFunctionError } from './errors';

type Tok =
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }
  | { t: 'punc'; v: string };

const fail = (msg: string): never => {
  throw new SageFunctionError(errors.queryFailed(msg));
};

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      toks.push({ t: 'punc', v: ch });
      i++;
    } else if (ch === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) fail('Unterminated string literal in query');
        const c = src[i];
        if (c === '\\' && i + 1 < src.length) {
          v += src[i + 1];
          i += 2;
        } else if (c === "'" && src[i + 1] === "'") {
          v += "'";
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          v += c;
          i++;
        }
      }
      toks.push({ t: 'str', v });
    } else if ('<>=!'.includes(ch)) {
      const two = src.slice(i, i + 2);
      if (['<=', '>=', '<>', '!='].includes(two)) {
        toks.push({ t: 'op', v: two });
        i += 2;
      } else if (ch === '!') {
        fail(`Unexpected '!' at position ${i}`);
      } else {
        toks.push({ t: 'op', v: ch });
        i++;
      }
    } else {
      const m = /^-?\d+(\.\d+)?(?![A-Za-z_])/.exec(src.slice(i));
      if (m) {
        toks.push({ t: 'num', v: m[0] });
        i += m[0].length;
        continue;
      }
      const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
      if (!id) fail(`Unexpected character '${ch}' at position ${i}`);
      toks.push({ t: 'id', v: id![0] });
      i += id![0].length;
    }
  }
  return toks;
}

const OPS: Record<string, Op> = { '=': 'eq', '<>': 'ne', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

export function parseLegacyQuery(def: ObjectDef, src: string): Cond | undefined {
  if (src.trim() === '') return undefined;
  const toks = tokenize(src);
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];
  const kw = (word: string): boolean => {
    const t = toks[pos];
    if (t && t.t === 'id' && t.v.toUpperCase() === word) {
      pos++;
      return true;
    }
    return false;
  };
  const expectPunc = (p: string): void => {
    const t = toks[pos++];
    if (!t || t.t !== 'punc' || t.v !== p) fail(`Expected '${p}' in query`);
  };
  const value = (): string => {
    const t = toks[pos++];
    if (!t || (t.t !== 'str' && t.t !== 'num')) return fail('Expected a quoted value or a number in query');
    return t.v;
  };

  const predicate = (): Cond => {
    const t = toks[pos++];
    if (!t || t.t !== 'id') return fail('Expected a field name in query');
    if (t.v.includes('.')) fail(`Related field ${t.v} cannot be used in a readByQuery query (no joins); use query`);
    if (t.v.toUpperCase() === 'ROWNUM') fail('ROWNUM is not supported by the sandbox');
    const field = resolveField(def, t.v);
    const cmp = (op: Op, values: string[]): Cond => ({ kind: 'cmp', op, field, values });
    const next = peek();
    if (next?.t === 'op') {
      pos++;
      return cmp(OPS[next.v], [value()]);
    }
    if (kw('IS')) {
      const not = kw('NOT');
      if (!kw('NULL')) fail('Expected NULL after IS');
      return cmp(not ? 'isnotnull' : 'isnull', []);
    }
    const not = kw('NOT');
    if (kw('LIKE')) return cmp(not ? 'notlike' : 'like', [value()]);
    if (kw('IN')) {
      expectPunc('(');
      const values = [value()];
      while (peek()?.t === 'punc' && peek()!.v === ',') {
        pos++;
        values.push(value());
      }
      expectPunc(')');
      return cmp(not ? 'notin' : 'in', values);
    }
    if (kw('BETWEEN')) {
      const lo = value();
      if (!kw('AND')) fail('Expected AND in BETWEEN');
      const c = cmp('between', [lo, value()]);
      return not ? { kind: 'not', item: c } : c;
    }
    return fail(`Expected an operator after ${t.v}`);
  };

  const unary = (): Cond => {
    if (kw('NOT')) return { kind: 'not', item: unary() };
    const t = peek();
    if (t?.t === 'punc' && t.v === '(') {
      pos++;
      const e = orExpr();
      expectPunc(')');
      return e;
    }
    return predicate();
  };
  const andExpr = (): Cond => {
    const items = [unary()];
    while (kw('AND')) items.push(unary());
    return items.length === 1 ? items[0] : { kind: 'and', items };
  };
  const orExpr = (): Cond => {
    const items = [andExpr()];
    while (kw('OR')) items.push(andExpr());
    return items.length === 1 ? items[0] : { kind: 'or', items };
  };

  const cond = orExpr();
  if (pos < toks.length) fail(`Unexpected '${toks[pos].v}' in query`);
  return cond;
}
