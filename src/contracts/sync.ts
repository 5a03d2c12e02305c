import { z } from 'zod';
import { EntityKindSchema, ENTITY_KINDS, type EntityKind } from '../config/schema';
import { CountsByKindSchema } from './outcomes';
import { WriterHolderSchema } from './writer';

/** Dependency order: a project needs its client's link, a work order its project's. */
export const IMPORT_ORDER: readonly EntityKind[] = ['client', 'project', 'role', 'asset', 'costCode', 'worker', 'workOrder'];

const entitiesOption = z
  .array(EntityKindSchema)
  .min(1)
  .optional()
  .describe(`entity kinds to include, default all enabled ones: ${ENTITY_KINDS.join(', ')}`);

/** How long a run waits for another run of the same connection to stop writing before it gives up. */
const waitForWriterOption = z
  .number()
  .int()
  .min(0)
  .max(24 * 3600)
  .default(1800)
  .describe('seconds to wait for another import, sync, export or true-up of the connection to finish writing; 0 refuses at once');

/** Notices a run collects for the operator (e.g. deactivations held by the mass-change guard) are capped. */
export const MAX_NOTICES = 50;

export const ImportInputSchema = z
  .object({
    connection: z.string().min(1),
    dryRun: z.boolean().default(false),
    entities: entitiesOption,
    /** Pages per workflow run before continue-as-new (history stays small). */
    pagesPerRun: z.number().int().min(1).max(500).default(50),
    waitForWriterSeconds: waitForWriterOption,
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

export const SyncInputSchema = z
  .object({
    connection: z.string().min(1),
    dryRun: z.boolean().default(false),
    entities: entitiesOption,
    pagesPerRun: z.number().int().min(1).max(500).default(50),
    /** The operator releases the deactivations the mass-change guard held (`sync --confirm-deactivations`). */
    confirmDeactivations: z.boolean().default(false),
    waitForWriterSeconds: waitForWriterOption,
  })
  .strict();
export type SyncInput = z.input<typeof SyncInputSchema>;

/** What `planRun` decides at the start of an import or sync: the kinds to work, in dependency order. */
export const RunPlanSchema = z.object({ kinds: z.array(EntityKindSchema) });
export type RunPlan = z.infer<typeof RunPlanSchema>;

/**
 * State carried across continue-as-new, passed as the workflow's second argument: internal, never part of
 * the input a person starts the workflow with (the workflows refuse it on a run that did not continue).
 */
const carryBase = {
  /** The ledger run id: the first Temporal run id of the chain. */
  runId: z.string(),
  startedAt: z.string(),
  /** The planned kinds (null until `planRun` answered). */
  kinds: z.array(EntityKindSchema).nullable(),
  /** True once this chain holds the connection's writer lease (kept across continue-as-new). */
  writer: z.boolean(),
  cursor: z.string().nullable(),
  counts: CountsByKindSchema,
  notices: z.array(z.string()).max(MAX_NOTICES),
  continuedRuns: z.number().int().nonnegative(),
};

export const ImportCarrySchema = z
  .object({
    ...carryBase,
    entityIndex: z.number().int().nonnegative(),
    prepared: z.boolean(),
  })
  .strict();
export type ImportCarry = z.infer<typeof ImportCarrySchema>;

export const SYNC_PHASES = ['scope', 'changes', 'revisit', 'deletions', 'drift', 'deactivate', 'done'] as const;
export type SyncPhase = (typeof SYNC_PHASES)[number];

export const SyncCarrySchema = z
  .object({
    ...carryBase,
    phase: z.enum(SYNC_PHASES),
    index: z.number().int().nonnegative(),
  })
  .strict();
export type SyncCarry = z.infer<typeof SyncCarrySchema>;

export const ProgressSchema = z.object({
  workflow: z.string(),
  connection: z.string(),
  runId: z.string(),
  dryRun: z.boolean(),
  phase: z.string(),
  entity: EntityKindSchema.optional(),
  startedAt: z.string(),
  counts: CountsByKindSchema,
  /** Figures beyond record counts, e.g. an export's approved and exported minutes. */
  totals: z.record(z.string(), z.number()).optional(),
  /** For the operator: things to act on, e.g. deactivations held by the mass-change guard. */
  notices: z.array(z.string()),
  /** While the run waits for another run of the connection to stop writing: that run. */
  waitingFor: WriterHolderSchema.optional(),
  done: z.boolean(),
});
export type Progress = z.infer<typeof ProgressSchema>;

/**
 * What a finished import or sync returns (and `--json` prints). Its counts are the ledger's rows for the
 * run (one outcome per record; `seen` = records with an outcome), not the running tally of `progress`.
 */
export const RunSummarySchema = ProgressSchema.extend({ finishedAt: z.string() });
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** Small summaries the page activities return: never the records themselves. */
export const PageResultSchema = z.object({
  nextCursor: z.string().nullable(),
  counts: CountsByKindSchema,
  notices: z.array(z.string()).optional(),
});
export type PageResult = z.infer<typeof PageResultSchema>;
