/**
 * Generic `create` and `update` (`<create><CUSTOMER>…</CUSTOMER>[<CUSTOMER>…]</create>`; nested elements
 * such as DISPLAYCONTACT/MAILADDRESS are the dotted fields; a TIMESHEET carries TIMESHEETENTRIES/
 * TIMESHEETENTRY lines) and `delete` (`<object>`, `<keys>` comma-separated RECORDNOs). create/update answer
 * `<data listtype="objects" count="N"><customer><RECORDNO/><CUSTOMERID/></customer>…`; delete has no data.
 * Metering: one transaction per record written (a timesheet with its lines is one).
 */
import { OBJECTS, type ObjectDef } from '../catalog';
import { errors, SageFunctionError } from '../errors';
import { flattenRecordXml } from '../records';
import type { Rec } from '../store';
import { childCi, childText, type XNode } from '../xml-parse';
import type { ONode } from '../xml-write';
import { createRecord, deleteRecord, updateRecord } from '../writes';
import type { FunctionContext, FunctionOutput } from './context';
import { checkPermission, requireObject, requireText } from './context';

function timesheetEntries(node: XNode): Array<Record<string, string>> | undefined {
  const block = childCi(node, 'TIMESHEETENTRIES');
  if (!block) return undefined;
  const lines = block.children.filter((c) => c.name.toUpperCase() === 'TIMESHEETENTRY');
  return lines.map((line) => flattenRecordXml(OBJECTS.TIMESHEETENTRY, line));
}

function written(def: ObjectDef, rec: Rec): ONode {
  const children: ONode[] = [{ name: 'RECORDNO', text: rec.RECORDNO }];
  if (def.idField !== 'RECORDNO') children.push({ name: def.idField, text: rec[def.idField] ?? '' });
  return { name: def.name.toLowerCase(), children };
}

function write(node: XNode, ctx: FunctionContext, fn: 'create' | 'update'): FunctionOutput {
  if (node.children.length === 0) throw new SageFunctionError(errors.xmlParse(`<${fn}> needs at least one record element, e.g. <${fn}><CUSTOMER>…</CUSTOMER></${fn}>`));
  const wctx = ctx.writeContext();
  const out: ONode[] = [];
  for (const recordNode of node.children) {
    const def = requireObject(recordNode.name);
    checkPermission(ctx, def, fn === 'create' ? 'CREATE' : 'UPDATE');
    const values = flattenRecordXml(def, recordNode, def.name === 'TIMESHEET' ? ['TIMESHEETENTRIES'] : []);
    const entries = def.name === 'TIMESHEET' ? timesheetEntries(recordNode) : undefined;
    const rec = fn === 'create' ? createRecord(wctx, def, values, entries) : updateRecord(wctx, def, values, entries);
    out.push(written(def, rec));
    ctx.meter.push({ fn, object: def.name, count: 1 });
  }
  return { data: { name: 'data', attrs: [['listtype', 'objects'], ['count', out.length]], children: out } };
}

export const create = (node: XNode, ctx: FunctionContext): FunctionOutput => write(node, ctx, 'create');
export const update = (node: XNode, ctx: FunctionContext): FunctionOutput => write(node, ctx, 'update');

export function del(node: XNode, ctx: FunctionContext): FunctionOutput {
  const def = requireObject(requireText(node, 'object'));
  checkPermission(ctx, def, 'DELETE');
  const keys = (childText(node, 'keys') ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (keys.length === 0) throw new SageFunctionError(errors.xmlParse('<delete> requires <keys> (comma-separated RECORDNOs)'));
  const wctx = ctx.writeContext();
  for (const key of keys) {
    if (!/^\d+$/.test(key)) throw new SageFunctionError(errors.businessRule(`'${key}' is not a RECORDNO`, `Could not delete ${def.name} record`));
    deleteRecord(wctx, def, Number(key));
  }
  ctx.meter.push({ fn: 'delete', object: def.name, count: keys.length });
  return {};
}
