/**
 * What a gateway function runs with, and the helpers every function shares (object lookup, permission
 * check, the field list of readByQuery/read, page sizes).
 */
import { objectDef, type FieldDef, type ObjectDef } from '../catalog';
import { errors, SageFunctionError } from '../errors';
import type { Faults } from '../faults';
import type { ResultSets } from '../result-sets';
import type { Session } from '../sessions';
import type { MeterEntry } from '../stats';
import type { SageStore } from '../store';
import { childText, type XNode } from '../xml-parse';
import type { ONode } from '../xml-write';
import type { WriteContext } from '../writes';

export interface FunctionContext {
  store: SageStore;
  resultSets: ResultSets;
  faults: Faults;
  /** Who owns readByQuery cursors: the session id, or the login user. */
  owner: string;
  userId: string;
  companyId: string;
  locationId: string;
  offsetMinutes: number;
  /** Metered API transactions of this function (kept only if it — and its transaction — succeeds). */
  meter: MeterEntry[];
  /** How many functions the request carries (getAPISession must be alone). */
  functionsInRequest: number;
  /** The session this request authenticated with, if any. */
  session?: Session;
  /** Opens (or, for a session request, returns) the API session for getAPISession. */
  apiSession(): { session: Session; endpoint: string };
  writeContext(): WriteContext;
}

export interface FunctionOutput {
  data?: ONode;
}

export type FunctionHandler = (node: XNode, ctx: FunctionContext) => FunctionOutput;

export function requireText(node: XNode, name: string): string {
  const v = childText(node, name);
  if (v === undefined || v.trim() === '') throw new SageFunctionError(errors.xmlParse(`<${node.name}> requires <${name}>`));
  return v.trim();
}

export function requireObject(name: string): ObjectDef {
  const def = objectDef(name.trim());
  if (!def) throw new SageFunctionError(errors.invalidObject(name.trim()));
  return def;
}

export function checkPermission(ctx: FunctionContext, def: ObjectDef, operation: string): void {
  if (ctx.faults.settings.deniedObjects.includes(def.name)) throw new SageFunctionError(errors.permission(operation, def.name));
}

/** readByQuery/read field lists: comma-separated, `*` or empty for all fields; unknown → Invalid fields list. */
export function fieldList(def: ObjectDef, raw: string | undefined): FieldDef[] {
  const text = (raw ?? '').trim();
  if (text === '' || text === '*') return [...def.fields];
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !def.fieldMap.has(n.toUpperCase()));
  if (unknown.length > 0) throw new SageFunctionError(errors.invalidFields(def.name, unknown));
  const seen = new Set<string>();
  const out: FieldDef[] = [];
  for (const n of names) {
    const f = def.fieldMap.get(n.toUpperCase())!;
    if (!seen.has(f.name)) {
      seen.add(f.name);
      out.push(f);
    }
  }
  return out;
}

export function pageSize(node: XNode, max: number, fallback = 100): number {
  const raw = childText(node, 'pagesize');
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new SageFunctionError(errors.queryFailed(`pagesize must be a whole number from 1 to ${max} (got '${raw.trim()}')`));
  }
  return n;
}

export function requireXmlFormat(node: XNode): void {
  const fmt = (childText(node, 'returnFormat') ?? childText(node, 'returnformat') ?? 'xml').trim().toLowerCase();
  if (fmt !== '' && fmt !== 'xml') throw new SageFunctionError(errors.unsupported(`returnFormat ${fmt} (only xml)`));
}
