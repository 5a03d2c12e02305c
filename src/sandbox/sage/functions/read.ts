/**
 * `read` (keys = RECORDNOs; no keys → the first 100 records) and `readByName` (keys = the object's ID field:
 * EMPLOYEEID, PROJECTID, ITEMID, CUSTOMERID, STANDARDCOSTTYPEID; NAME for ITEMGLGROUP; TASKID may match
 * several tasks, one per project). `fields` as readByQuery (`*` default). Data: `listtype` (the object) and
 * `count`; UPPER-case record elements; STATUS active/inactive. Keys that match nothing are left out. One
 * metered transaction per call. A TIMESHEET read with all fields (`*` or none) nests its lines as
 * `<TIMESHEETENTRIES><TIMESHEETENTRY>…` (every TIMESHEETENTRY field), by LINENO.
 */
import { OBJECTS } from '../catalog';
import type { Rec } from '../store';
import { recordNode } from '../records';
import { timesheetLines } from '../timesheet';
import type { ONode } from '../xml-write';
import { childText, type XNode } from '../xml-parse';
import type { FunctionContext, FunctionOutput } from './context';
import { checkPermission, fieldList, requireObject, requireText, requireXmlFormat } from './context';

function keysOf(node: XNode): string[] {
  return (childText(node, 'keys') ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');
}

function output(ctx: FunctionContext, node: XNode, fn: string, find: (def: ReturnType<typeof requireObject>, keys: string[]) => Rec[]): FunctionOutput {
  const def = requireObject(requireText(node, 'object'));
  checkPermission(ctx, def, 'READ');
  requireXmlFormat(node);
  const fields = fieldList(def, childText(node, 'fields'));
  const rows = find(def, keysOf(node));
  ctx.meter.push({ fn, object: def.name, count: 1 });
  const opts = { offsetMinutes: ctx.offsetMinutes, codes: false };
  const allFields = fields.length === def.fields.length;
  const render = (r: Rec): ONode => {
    const node = recordNode(def.name, r, fields, opts);
    if (def.name === 'TIMESHEET' && allFields) {
      const lineDef = OBJECTS.TIMESHEETENTRY;
      const lines = timesheetLines(ctx, r.RECORDNO).map((l) => recordNode('TIMESHEETENTRY', l, lineDef.fields, opts));
      node.children = [...(node.children ?? []), { name: 'TIMESHEETENTRIES', children: lines }];
    }
    return node;
  };
  return {
    data: { name: 'data', attrs: [['listtype', def.name], ['count', rows.length]], children: rows.map(render) },
  };
}

export function read(node: XNode, ctx: FunctionContext): FunctionOutput {
  return output(ctx, node, 'read', (def, keys) => {
    if (keys.length === 0) return ctx.store.all(def.name).slice(0, 100);
    const seen = new Set<string>();
    const rows: Rec[] = [];
    for (const k of keys) {
      const rec = /^\d+$/.test(k) ? ctx.store.get(def.name, Number(k)) : undefined;
      if (rec && !seen.has(rec.RECORDNO)) {
        seen.add(rec.RECORDNO);
        rows.push(rec);
      }
    }
    return rows;
  });
}

export function readByName(node: XNode, ctx: FunctionContext): FunctionOutput {
  return output(ctx, node, 'readByName', (def, keys) => {
    const seen = new Set<string>();
    const rows: Rec[] = [];
    for (const k of keys) {
      for (const rec of ctx.store.findById(def.name, k)) {
        if (!seen.has(rec.RECORDNO)) {
          seen.add(rec.RECORDNO);
          rows.push(rec);
        }
      }
    }
    return rows;
  });
}
