import { z } from 'zod';
import type { components } from '../../../src/assignar/openapi-types';
import { RESOURCES } from '../../../src/assignar/resources';
import type {
  AssignarActivity,
  AssignarAsset,
  AssignarClientRecord,
  AssignarOrder,
  AssignarProject,
  AssignarTask,
  AssignarTimesheetExpanded,
  AssignarUser,
} from '../../../src/assignar';
import { resolve, responseData, spec, specPathFor, type OaNode } from './openapi';

/**
 * The zod schemas that validate responses must not drift from the OpenAPI file: every property they
 * declare exists in the OpenAPI schema the same endpoint documents (found through the spec's own paths,
 * not a hand-kept table), with a type the zod schema accepts, recursively for nested objects and arrays.
 */
type JsonNode = { type?: string | string[]; anyOf?: JsonNode[]; oneOf?: JsonNode[]; properties?: Record<string, JsonNode>; items?: JsonNode };

function zodTypes(node: JsonNode): Set<string> | 'any' {
  const alts = node.anyOf ?? node.oneOf;
  if (alts) {
    const out = new Set<string>();
    for (const a of alts) {
      const t = zodTypes(a);
      if (t === 'any') return 'any';
      t.forEach((x) => out.add(x));
    }
    return out;
  }
  if (node.type === undefined) return 'any';
  return new Set(Array.isArray(node.type) ? node.type : [node.type]);
}

function zodPart(node: JsonNode, kind: 'object' | 'array'): JsonNode | undefined {
  const alts = node.anyOf ?? node.oneOf;
  if (alts) return alts.map((a) => zodPart(a, kind)).find(Boolean);
  const t = node.type;
  const has = Array.isArray(t) ? t.includes(kind) : t === kind;
  return has ? node : undefined;
}

function oaType(node: OaNode): string | undefined {
  return node.type ?? (node.properties ? 'object' : undefined);
}

/** Problems where the zod node does not fit the OpenAPI node. `requireAll`: every zod property must exist there. */
function compare(zodNode: JsonNode, oaNode: OaNode | undefined, where: string, requireAll: boolean, problems: string[]): void {
  const oa = resolve(oaNode);
  if (!oa) {
    if (requireAll) problems.push(`${where}: not in the OpenAPI schema`);
    return;
  }
  const zt = zodTypes(zodNode);
  const ot = oaType(oa);
  if (zt !== 'any' && ot !== undefined) {
    const accepted = zt.has(ot) || (ot === 'integer' && zt.has('number'));
    if (!accepted) problems.push(`${where}: OpenAPI says ${ot}, the zod schema accepts ${[...zt].join('|')}`);
    if (oa.nullable && !zt.has('null')) problems.push(`${where}: OpenAPI allows null, the zod schema does not`);
  }
  const zObj = zodPart(zodNode, 'object');
  if (zObj?.properties) {
    if (ot !== undefined && ot !== 'object') return;
    for (const [key, child] of Object.entries(zObj.properties)) {
      const target = oa.properties?.[key];
      if (!target && !requireAll) continue;
      compare(child, target, `${where}.${key}`, requireAll, problems);
    }
  }
  const zArr = zodPart(zodNode, 'array');
  if (zArr?.items && oa.items) compare(zArr.items, oa.items, `${where}[]`, requireAll, problems);
}

const doc = spec();
const resources = Object.values(RESOURCES);

describe('zod response schemas vs the OpenAPI file', () => {
  it.each(resources.map((r) => [r.name, r] as const))('%s: list, get and create schemas', (_name, r) => {
    const json = z.toJSONSchema(r.schema, { io: 'output' }) as JsonNode;
    const problems: string[] = [];

    // List: data is an array of records, or { count, rows[] } for timesheets-expanded.
    const listData = responseData(doc.paths[r.collectionPath]?.get);
    expect(listData).toBeDefined();
    const listItem = r.listShape === 'rows' ? resolve(resolve(listData!.properties?.rows)?.items) : resolve(listData!.items);
    expect(listItem?.properties).toBeDefined();
    compare(json, listItem, `GET ${r.collectionPath} data[]`, true, problems);

    // Get by id.
    const [itemPath] = specPathFor(r.itemPath);
    const getData = responseData(doc.paths[itemPath]?.get);
    expect(getData?.properties).toBeDefined();
    compare(json, getData, `GET ${itemPath} data`, true, problems);

    // Create echo: fields may be absent, but those present must have compatible types.
    if (r.writable) {
      const createData = responseData(doc.paths[r.collectionPath]?.post);
      expect(createData?.properties).toBeDefined();
      compare(json, createData, `POST ${r.collectionPath} data`, false, problems);
    }
    expect(problems).toEqual([]);
  });

  it('the checker catches a property the spec does not have, a type mismatch and a nullability mismatch', () => {
    const probe = z.looseObject({
      id: z.number().int(),
      no_such_field: z.string().optional(),
      name: z.number().optional(),
      integration_id: z.string().optional(),
    });
    const problems: string[] = [];
    compare(z.toJSONSchema(probe, { io: 'output' }) as JsonNode, doc.components.schemas.Task, 'Task', true, problems);
    expect(problems).toEqual([
      'Task.no_such_field: not in the OpenAPI schema',
      'Task.name: OpenAPI says string, the zod schema accepts number',
      'Task.integration_id: OpenAPI allows null, the zod schema does not',
    ]);
  });
});

// ── The same at compile time: the inferred record types name no key the generated types lack ───────────
type S = components['schemas'];
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
type Extra<Z, O> = Exclude<KnownKeys<Z>, keyof O>;
type NoExtra<Z, O> = [Extra<Z, O>] extends [never] ? true : Extra<Z, O>;
const compileTimeChecks: [
  NoExtra<AssignarUser, S['User']>,
  NoExtra<AssignarTask, S['Task']>,
  NoExtra<AssignarAsset, S['AssetWithTagPart']>,
  NoExtra<AssignarClientRecord, S['Client']>,
  NoExtra<AssignarProject, S['ProjectResponse']>,
  NoExtra<AssignarOrder, S['Order']>,
  NoExtra<AssignarActivity, S['Activity']>,
  NoExtra<AssignarTimesheetExpanded, S['TimesheetExpanded']>,
] = [true, true, true, true, true, true, true, true];
void compileTimeChecks;
