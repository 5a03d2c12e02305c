import type { z } from 'zod';
import { ENTITY_KINDS, type EntityKind } from '../config/schema';
import {
  CustomerSchema,
  EmployeeSchema,
  ItemSchema,
  ProjectSchema,
  selectFields,
  StandardCostTypeSchema,
  TaskSchema,
} from '../sage/objects';
import { mapAsset } from './asset';
import { CATALOG, type KindCatalog } from './catalog';
import { mapClient } from './client';
import { mapCostCode } from './cost-code';
import { failure } from './fields';
import { filterFields, scopeFilter } from './filter';
import { matchValueOf, readableId, sageKey, sageRefOf } from './keys';
import { mapProject } from './project';
import { mapRole } from './role';
import type { MapContext, MapResult, MappingConfig, PayloadByKind } from './types';
import { mapWorker } from './worker';
import { mapWorkOrder } from './work-order';

/**
 * One descriptor per entity kind: everything the sync needs to read it from Sage Intacct, map it, find
 * or adopt it in Assignar, and order it among the others.
 */
export interface EntityDescriptor<K extends EntityKind = EntityKind> extends KindCatalog {
  kind: K;
  /** Dependency stage: 0 clients, 1 projects, 2 roles/assets/cost codes, 3 workers, 4 work orders. */
  stage: number;
  /** Kinds whose links this kind's mapping reads. */
  dependsOn: readonly EntityKind[];
  /** The link key on the Sage side (RECORDNO, stored in Assignar as integration_id). */
  sageKeyField: 'RECORDNO';
  /** The zod schema of the Sage record. */
  schema: z.ZodType<Record<string, unknown>>;
  sageKey(record: Readonly<Record<string, unknown>>): string;
  readableId(record: Readonly<Record<string, unknown>>): string;
  /** Value for `matchKey` computed from the Sage record (adopt when an unlinked Assignar record has it). */
  matchValue(record: Readonly<Record<string, unknown>>): string;
  map(record: unknown, ctx: MapContext): MapResult<PayloadByKind[K]>;
}

type Mapper<K extends EntityKind> = (record: never, ctx: MapContext) => MapResult<PayloadByKind[K]>;

function descriptor<K extends EntityKind>(
  kind: K,
  stage: number,
  dependsOn: readonly EntityKind[],
  schema: z.ZodType<Record<string, unknown>>,
  mapper: Mapper<K>,
): EntityDescriptor<K> {
  const cat = CATALOG[kind];
  return {
    ...cat,
    kind,
    stage,
    dependsOn,
    sageKeyField: 'RECORDNO',
    schema,
    sageKey: (r) => sageKey(r),
    readableId: (r) => readableId(kind, r),
    matchValue: (r) => matchValueOf(kind, r),
    map(record: unknown, ctx: MapContext): MapResult<PayloadByKind[K]> {
      const parsed = schema.safeParse(record);
      if (!parsed.success) {
        const raw = (record && typeof record === 'object' ? record : {}) as Record<string, unknown>;
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');
        const field = parsed.error.issues[0]?.path[0];
        return failure(sageRefOf(kind, raw), `the record read from Sage Intacct is malformed (${issues})`, field === undefined ? undefined : String(field));
      }
      return (mapper as (record: unknown, ctx: MapContext) => MapResult<PayloadByKind[K]>)(parsed.data, ctx);
    },
  };
}

export const ENTITY_DESCRIPTORS: { readonly [K in EntityKind]: EntityDescriptor<K> } = {
  client: descriptor('client', 0, [], CustomerSchema, mapClient),
  project: descriptor('project', 1, ['client'], ProjectSchema, mapProject),
  role: descriptor('role', 2, [], ItemSchema, mapRole),
  asset: descriptor('asset', 2, [], ItemSchema, mapAsset),
  costCode: descriptor('costCode', 2, [], StandardCostTypeSchema, mapCostCode),
  worker: descriptor('worker', 3, [], EmployeeSchema, mapWorker),
  workOrder: descriptor('workOrder', 4, ['project', 'client'], TaskSchema, mapWorkOrder),
};

export function descriptorFor<K extends EntityKind>(kind: K): EntityDescriptor<K> {
  return ENTITY_DESCRIPTORS[kind];
}

/** Every kind in dependency order: clients → projects → roles, assets, cost codes → workers → work orders. */
export const SYNC_ORDER: readonly EntityKind[] = [...ENTITY_KINDS].sort((a, b) => ENTITY_DESCRIPTORS[a].stage - ENTITY_DESCRIPTORS[b].stage);

/** Maps one Sage record (validated against its object schema first) to its Assignar payload. */
export function mapRecord<K extends EntityKind>(kind: K, record: unknown, ctx: MapContext): MapResult<PayloadByKind[K]> {
  return ENTITY_DESCRIPTORS[kind].map(record, ctx);
}

/**
 * The Sage select list for a kind: every field of the object's schema, plus the fields the configured
 * filter and `fieldOverrides: {from}` read (so `inScope` and overrides see them in the record).
 */
export function selectFieldsFor(kind: EntityKind, config: MappingConfig): string[] {
  const fields = new Set(selectFields(CATALOG[kind].sageObject));
  for (const f of filterFields(scopeFilter(kind, config))) fields.add(f);
  for (const override of Object.values(config.entities[kind].fieldOverrides)) if ('from' in override) fields.add(override.from);
  return [...fields];
}
