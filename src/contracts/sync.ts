import { z } from 'zod';
import { EntityKindSchema, ENTITY_KINDS, type EntityKind } from '../config/schema';
import { CountsSchema } from './outcomes';

/** Dependency order: a project needs its client's link, a work order its project's. */
export const IMPORT_ORDER: readonly EntityKind[] = ['client', 'project', 'role', 'asset', 'costCode', 'worker', 'workOrder'];

const entitiesOption = z
  .array(EntityKindSchema)
  .min(1)
  .optional()
  .describe(`entity kinds to include, default all: ${ENTITY_KINDS.join(', ')}`);

/** Carried across continue-as-new; never set by a person starting the workflow. */
export const ImportCarrySchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  entityIndex: z.number().int().nonnegative(),
  prepared: z.boolean(),
  cursor: z.string().nullable(),
  counts: z.partialRecord(EntityKindSchema, CountsSchema),
  continuedRuns: z.number().int().nonnegative(),
});
export type ImportCarry = z.infer<typeof ImportCarrySchema>;

export const ImportInputSchema = z
  .object({
    connection: z.string().min(1),
    dryRun: z.boolean().default(false),
    entities: entitiesOption,
    /** Pages per workflow run before continue-as-new (history stays small). */
    pagesPerRun: z.number().int().min(1).max(500).default(50),
    carry: ImportCarrySchema.optional(),
  })
  .strict();
export type ImportInput = z.input<typeof ImportInputSchema>;

/** A sync works per Sage Intacct object: one changes query serves every entity kind read from it. */
export const SYNC_STREAMS = [
  { object: 'CUSTOMER', kinds: ['client'] },
  { object: 'PROJECT', kinds: ['project'] },
  { object: 'ITEM', kinds: ['role', 'asset'] },
  { object: 'STANDARDCOSTTYPE', kinds: ['costCode'] },
  { object: 'EMPLOYEE', kinds: ['worker'] },
  { object: 'TASK', kinds: ['workOrder'] },
] as const satisfies ReadonlyArray<{ object: string; kinds: readonly EntityKind[] }>;
export type SyncStream = (typeof SYNC_STREAMS)[number];
export type SyncObject = SyncStream['object'];

export const SyncCarrySchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  phase: z.enum(['scope', 'changes', 'deletions', 'drift', 'done']),
  index: z.number().int().nonnegative(),
  cursor: z.string().nullable(),
  counts: z.partialRecord(EntityKindSchema, CountsSchema),
  continuedRuns: z.number().int().nonnegative(),
});
export type SyncCarry = z.infer<typeof SyncCarrySchema>;

export const SyncInputSchema = z
  .object({
    connection: z.string().min(1),
    dryRun: z.boolean().default(false),
    entities: entitiesOption,
    pagesPerRun: z.number().int().min(1).max(500).default(50),
    carry: SyncCarrySchema.optional(),
  })
  .strict();
export type SyncInput = z.input<typeof SyncInputSchema>;

export const ProgressSchema = z.object({
  workflow: z.string(),
  connection: z.string(),
  runId: z.string(),
  dryRun: z.boolean(),
  phase: z.string(),
  entity: EntityKindSchema.optional(),
  startedAt: z.string(),
  counts: z.partialRecord(EntityKindSchema, CountsSchema),
  done: z.boolean(),
});
export type Progress = z.infer<typeof ProgressSchema>;

/** What a finished import or sync returns (and `--json` prints). */
export const RunSummarySchema = ProgressSchema.extend({ finishedAt: z.string() });
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** Small summaries the page activities return: never the records themselves. */
export const PageResultSchema = z.object({
  nextCursor: z.string().nullable(),
  counts: z.partialRecord(EntityKindSchema, CountsSchema),
});
export type PageResult = z.infer<typeof PageResultSchema>;
