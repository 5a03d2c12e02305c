/**
 * The `query` function: `select` (required, no `*`; plain and dotted fields, aggregates count/sum/avg/min/max
 * grouped by the plain fields), `filter` (one top-level operator; and/or nest; equalto, notequalto, lessthan,
 * lessthanorequalto, greaterthan, greaterthanorequalto, between, in, notin, like, notlike, isnull,
 * isnotnull), `orderby` (ascending/descending), `options/caseinsensitive`, `pagesize` 1–2000 (default 100),
 * `offset`. Data: `listtype`, `totalcount`, `offset`, `count`, `numremaining`; UPPER-case record elements;
 * STATUS `active`/`inactive`; timestamps in the user offset. One metered transaction per call.
 */
import type { FieldDef, ObjectDef } from '../catalog';
import { compile, resolveField, type Cond, type Op } from '../condition';
import { errors, SageFunctionError } from '../errors';
import { recordNode, renderValue } from '../records';
import type { Rec } from '../store';
import { compareKeys, storedKey, type ValueContext } from '../values';
import { childCi, childText, type XNode } from '../xml-parse';
import type { ONode } from '../xml-write';
import { checkPermission, pageSize, requireObject, requireText, type FunctionContext, type FunctionOutput } from './context';

const FILTER_OPS: Record<string, Op> = {
  equalto: 'eq', notequalto: 'ne', lessthan: 'lt', lessthanorequalto: 'le', greaterthan: 'gt', greaterthanorequalto: 'ge',
  between: 'between', in: 'in', notin: 'notin', like: 'like', notlike: 'notlike', isnull: 'isnull', isnotnull: 'isnotnull',
};
const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max'] as const;
type Aggregate = (typeof AGGREGATES)[number];

interface SelectItem {
  field: FieldDef;
  aggregate?: Aggregate;
  /** Output element name: the field, or e.g. COUNT.RECORDNO. */
  output: string;
}

export function parseFilter(def: ObjectDef, node: XNode): Cond {
  const name = node.name.toLowerCase();
  if (name === 'and' || name === 'or') {
    if (node.children.length === 0) throw new SageFunctionError(errors.queryFailed(`<${node.name}> needs at least one condition`));
    return { kind: name, items: node.children.map((c) => parseFilter(def, c)) };
  }
  const op = FILTER_OPS[name];
  if (!op) throw new SageFunctionError(errors.queryFailed(`Unknown filter operator <${node.name}>`));
  const fieldName = childText(node, 'field');
  if (!fieldName || fieldName.trim() === '') throw new SageFunctionError(errors.queryFailed(`<${node.name}> needs a <field>`));
  const field = resolveField(def, fieldName);
  const values = node.children.filter((c) => c.name.toLowerCase() === 'value').map((c) => c.text);
  return { kind: 'cmp', op, field, values };
}

function parseSelect(def: ObjectDef, select: XNode | undefined): SelectItem[] {
  if (!select || select.children.length === 0) throw new SageFunctionError(errors.queryFailed('query requires a <select> with at least one <field>'));
  const unknown: string[] = [];
  const items: SelectItem[] = [];
  for (const c of select.children) {
    const kind = c.name.toLowerCase();
    const name = c.text.trim();
    if (name === '*') throw new SageFunctionError(errors.queryFailed("'*' is not allowed in a query select; list the fields"));
    if (kind !== 'field' && !(AGGREGATES as readonly string[]).includes(kind)) {
      throw new SageFunctionError(errors.queryFailed(`Unknown select element <${c.name}>`));
    }
    const field = def.fieldMap.get(name.toUpperCase());
    if (!field) {
      unknown.push(name);
      continue;
    }
    const aggregate = kind === 'field' ? undefined : (kind as Aggregate);
    if ((aggregate === 'sum' || aggregate === 'avg') && field.type !== 'integer' && field.type !== 'decimal') {
      throw new SageFunctionError(errors.queryFailed(`${aggregate} needs a numeric field (${field.name} is not)`));
    }
    const output = aggregate ? `${aggregate.toUpperCase()}.${field.name}` : field.name;
    if (!items.some((i) => i.output === output)) items.push({ field, aggregate, output });
  }
  if (unknown.length > 0) throw new SageFunctionError(errors.invalidFields(def.name, unknown));
  return items;
}

function parseOrder(def: ObjectDef, orderby: XNode | undefined): Array<{ field: FieldDef; desc: boolean }> {
  if (!orderby) return [];
  return orderby.children
    .filter((c) => c.name.toLowerCase() === 'order')
    .map((o) => {
      const name = childText(o, 'field');
      if (!name) throw new SageFunctionError(errors.queryFailed('<order> needs a <field>'));
      return { field: resolveField(def, name), desc: childCi(o, 'descending') !== undefined };
    });
}

function sortRows(rows: Rec[], order: Array<{ field: FieldDef; desc: boolean }>, vctx: ValueContext): Rec[] {
  const keyed = rows.map((r) => ({ r, keys: order.map((o) => storedKey(o.field, r[o.field.name], vctx)), no: Number(r.RECORDNO) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < order.length; i++) {
      const ka = a.keys[i];
      const kb = b.keys[i];
      let c: number;
      // Oracle: NULLs sort last ascending, first descending.
      if (ka === null && kb === null) c = 0;
      else if (ka === null) c = 1;
      else if (kb === null) c = -1;
      else c = compareKeys(ka, kb);
      if (c !== 0) return order[i].desc ? -c : c;
    }
    return a.no - b.no;
  });
  return keyed.map((k) => k.r);
}

function aggregateRows(rows: Rec[], items: SelectItem[], ctx: FunctionContext, vctx: ValueContext): Array<Record<string, string>> {
  const groupFields = items.filter((i) => !i.aggregate);
  const groups = new Map<string, Rec[]>();
  for (const r of rows) {
    const key = groupFields.map((g) => r[g.field.name] ?? '').join('\u0001');
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const opts = { offsetMinutes: ctx.offsetMinutes, codes: false };
  const out: Array<Record<string, string>> = [];
  for (const members of groups.values()) {
    const row: Record<string, string> = {};
    for (const item of items) {
      const f = item.field;
      if (!item.aggregate) {
        row[item.output] = renderValue(f, members[0], opts);
        continue;
      }
      const present = members.filter((m) => (m[f.name] ?? '') !== '');
      if (item.aggregate === 'count') row[item.output] = String(present.length);
      else if (item.aggregate === 'sum' || item.aggregate === 'avg') {
        const sum = present.reduce((s, m) => s + Number(m[f.name]), 0);
        row[item.output] = present.length === 0 ? '' : String(item.aggregate === 'sum' ? sum : sum / present.length);
      } else {
        let best: Rec | undefined;
        for (const m of present) {
          if (!best) best = m;
          else {
            const c = compareKeys(storedKey(f, m[f.name], vctx)!, storedKey(f, best[f.name], vctx)!);
            if ((item.aggregate === 'min' && c < 0) || (item.aggregate === 'max' && c > 0)) best = m;
          }
        }
        row[item.output] = best ? renderValue(f, best, opts) : '';
      }
    }
    out.push(row);
  }
  return out;
}

export function query(node: XNode, ctx: FunctionContext): FunctionOutput {
  const def = requireObject(requireText(node, 'object'));
  checkPermission(ctx, def, 'READ');
  const items = parseSelect(def, childCi(node, 'select'));
  const filterNode = childCi(node, 'filter');
  let cond: Cond | undefined;
  if (filterNode) {
    if (filterNode.children.length !== 1) throw new SageFunctionError(errors.queryFailed('<filter> must hold exactly one operator (combine several with <and> or <or>)'));
    cond = parseFilter(def, filterNode.children[0]);
  }
  const order = parseOrder(def, childCi(node, 'orderby'));
  const caseInsensitive = (childText(childCi(node, 'options'), 'caseinsensitive') ?? '').trim().toLowerCase() === 'true';
  const size = pageSize(node, 2000);
  const offsetRaw = (childText(node, 'offset') ?? '').trim();
  const offset = offsetRaw === '' ? 0 : Number(offsetRaw);
  if (!Number.isInteger(offset) || offset < 0) throw new SageFunctionError(errors.queryFailed(`offset must be a whole number of 0 or more (got '${offsetRaw}')`));

  const vctx: ValueContext = { offsetMinutes: ctx.offsetMinutes, caseInsensitive, codes: false };
  const predicate = cond ? compile(cond, vctx) : undefined;
  let rows = predicate ? ctx.store.all(def.name).filter(predicate) : [...ctx.store.all(def.name)];
  rows = sortRows(rows, order, { ...vctx, caseInsensitive: false });

  let records: ONode[];
  let total: number;
  const opts = { offsetMinutes: ctx.offsetMinutes, codes: false };
  if (items.some((i) => i.aggregate)) {
    const grouped = aggregateRows(rows, items, ctx, vctx);
    total = grouped.length;
    records = grouped.slice(offset, offset + size).map((g) => ({ name: def.name, children: items.map((i) => ({ name: i.output, text: g[i.output] })) }));
  } else {
    total = rows.length;
    const fields = items.map((i) => i.field);
    records = rows.slice(offset, offset + size).map((r) => recordNode(def.name, r, fields, opts));
  }
  ctx.meter.push({ fn: 'query', object: def.name, count: 1 });
  const remaining = Math.max(0, total - offset - records.length);
  return {
    data: {
      name: 'data',
      attrs: [['listtype', def.name], ['totalcount', total], ['offset', offset], ['count', records.length], ['numremaining', remaining]],
      children: records,
    },
  };
}
