/**
 * `readByQuery` (legacy query string, `fields` list or `*`, pagesize 1–1000 default 100) and `readMore`
 * (by `resultId`, or by `object` for the caller's latest cursor on it). Data: `listtype` (lower case),
 * `count`, `totalcount`, `numremaining`, `resultId` ('' when nothing remains); lower-case record elements;
 * enum fields as database codes (STATUS T/F). Records come in RECORDNO order. One metered transaction per call.
 */
import { errors, SageFunctionError } from '../errors';
import { compile } from '../condition';
import { parseLegacyQuery } from '../legacy-query';
import { recordNode } from '../records';
import type { ResultSet } from '../result-sets';
import type { Rec } from '../store';
import { childText, type XNode } from '../xml-parse';
import type { FunctionContext, FunctionOutput } from './context';
import { checkPermission, fieldList, pageSize, requireObject, requireText, requireXmlFormat } from './context';

function page(ctx: FunctionContext, set: ResultSet, rows: readonly Rec[], remaining: number): FunctionOutput {
  const element = set.def.name.toLowerCase();
  const opts = { offsetMinutes: ctx.offsetMinutes, codes: true };
  return {
    data: {
      name: 'data',
      attrs: [['listtype', element], ['count', rows.length], ['totalcount', set.rows.length], ['numremaining', remaining], ['resultId', remaining > 0 ? set.id : '']],
      children: rows.map((r) => recordNode(element, r, set.fields, opts)),
    },
  };
}

export function readByQuery(node: XNode, ctx: FunctionContext): FunctionOutput {
  const def = requireObject(requireText(node, 'object'));
  checkPermission(ctx, def, 'READ');
  requireXmlFormat(node);
  const fields = fieldList(def, childText(node, 'fields'));
  const size = pageSize(node, 1000);
  const cond = parseLegacyQuery(def, childText(node, 'query') ?? '');
  const predicate = cond ? compile(cond, { offsetMinutes: ctx.offsetMinutes, caseInsensitive: false, codes: true }) : undefined;
  const rows = predicate ? ctx.store.all(def.name).filter(predicate) : ctx.store.all(def.name);
  const set = ctx.resultSets.open(ctx.owner, def, fields, rows, size);
  const { rows: first, remaining } = ctx.resultSets.nextPage(set);
  ctx.meter.push({ fn: 'readByQuery', object: def.name, count: 1 });
  return page(ctx, set, first, remaining);
}

export function readMore(node: XNode, ctx: FunctionContext): FunctionOutput {
  const resultId = (childText(node, 'resultId') ?? '').trim();
  const object = (childText(node, 'object') ?? '').trim();
  let set: ResultSet | undefined;
  if (resultId) {
    set = ctx.resultSets.get(resultId);
    if (!set || set.owner !== ctx.owner) {
      throw new SageFunctionError(errors.queryFailed(`readMore: there is no open result set with resultId '${resultId}' (it was used up, expired, or belongs to another session)`));
    }
  } else if (object) {
    const def = requireObject(object);
    set = ctx.resultSets.latestFor(ctx.owner, def.name);
    if (!set) throw new SageFunctionError(errors.queryFailed(`readMore: there is no open readByQuery on ${def.name} to continue`));
  } else if (childText(node, 'view') !== undefined || childText(node, 'reportId') !== undefined) {
    throw new SageFunctionError(errors.unsupported('readMore by view or reportId'));
  } else {
    throw new SageFunctionError(errors.xmlParse('<readMore> requires <resultId> or <object>'));
  }
  const { rows, remaining } = ctx.resultSets.nextPage(set);
  ctx.meter.push({ fn: 'readMore', object: set.def.name, count: 1 });
  return page(ctx, set, rows, remaining);
}
