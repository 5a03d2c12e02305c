import { z } from 'zod';
import { CountsByKindSchema } from './outcomes';
import { MAX_NOTICES } from './sync';

/** Seconds a run waits for another writer of its connection (import, sync, true-up) before giving up. */
const waitForWriterOption = z
  .number()
  .int()
  .min(0)
  .max(24 * 3600)
  .default(1800)
  .describe('seconds to wait for another import, sync, export or true-up of the connection to finish writing; 0 refuses at once');

export const ExportInputSchema = z
  .object({
    connection: z.string().min(1),
    /** Plan only: the groups it would create and what it would hold, in the run's outcomes; nothing sent. */
    dryRun: z.boolean().default(false),
    /** Activity calls per workflow run before continue-as-new (history stays small). */
    pagesPerRun: z.number().int().min(1).max(500).default(100),
    waitForWriterSeconds: waitForWriterOption,
  })
  .strict();
export type ExportInput = z.input<typeof ExportInputSchema>;

/**
 * An export's phases, in order:
 * - collect: read approved, unprocessed timesheets (and corrections of processed ones) page by page and
 *   stage them in the ledger for this run;
 * - build: a batch of workers at a time, map their staged timesheets to lines (holding what cannot go)
 *   and plan the export groups (new, late and corrections);
 * - send: create (or, for corrections, update) the planned groups in Sage Intacct, many per request;
 * - process: mark the timesheets of confirmed groups processed in Assignar.
 */
export const EXPORT_PHASES = ['collect', 'build', 'send', 'process', 'done'] as const;
export type ExportPhase = (typeof EXPORT_PHASES)[number];

/** Where collect reads: approved and unprocessed, then processed but changed since (corrections). */
export const EXPORT_STREAMS = ['approved', 'corrections'] as const;
export type ExportStream = (typeof EXPORT_STREAMS)[number];

export const ExportCarrySchema = z
  .object({
    runId: z.string(),
    startedAt: z.string(),
    writer: z.boolean(),
    phase: z.enum(EXPORT_PHASES),
    /** collect: index into EXPORT_STREAMS. */
    index: z.number().int().nonnegative(),
    cursor: z.string().nullable(),
    counts: CountsByKindSchema,
    totals: z.record(z.string(), z.number()),
    notices: z.array(z.string()).max(MAX_NOTICES),
    continuedRuns: z.number().int().nonnegative(),
  })
  .strict();
export type ExportCarry = z.infer<typeof ExportCarrySchema>;

/** What each export activity returns: a cursor and small tallies, never timesheets. */
export const ExportPageResultSchema = z.object({
  nextCursor: z.string().nullable(),
  counts: CountsByKindSchema,
  /** Added to the run's totals (e.g. approvedMinutes, exportedMinutes, groupsCreated, sageRequests). */
  totals: z.record(z.string(), z.number()).optional(),
  notices: z.array(z.string()).optional(),
  /** A build batch: the keys of the groups it planned, which the workflow sends next. */
  groupKeys: z.array(z.string()).optional(),
});
export type ExportPageResult = z.infer<typeof ExportPageResultSchema>;

/** Names of the figures an export adds up in `totals` (the summary and `export --json` print them). */
export const EXPORT_TOTALS = {
  /** Timesheets read from Assignar (both streams). */
  timesheetsRead: 'timesheetsRead',
  /** Approved minutes of the timesheets that can go (not held) and are new or corrected this run. */
  plannedMinutes: 'plannedMinutes',
  /** Minutes now in Sage Intacct through groups confirmed by this run. */
  exportedMinutes: 'exportedMinutes',
  /** Hours (QTY) sent in groups confirmed by this run. */
  exportedHours: 'exportedHours',
  groupsPlanned: 'groupsPlanned',
  groupsCreated: 'groupsCreated',
  groupsUpdated: 'groupsUpdated',
  groupsFailed: 'groupsFailed',
  /** Creates Sage Intacct answered as already done (found by their description, never created again). */
  groupsRecovered: 'groupsRecovered',
  timesheetsProcessed: 'timesheetsProcessed',
  timesheetsHeld: 'timesheetsHeld',
  sageRequests: 'sageRequests',
} as const;

/** One TIMESHEETENTRY as an outcome shows it (the ledger keeps the full line). */
export const OutcomeLineSchema = z.object({
  entryDate: z.string(),
  qty: z.number(),
  minutes: z.number(),
  kind: z.enum(['labor', 'equipment']),
  projectId: z.string(),
  taskId: z.string().optional(),
  costTypeId: z.string().optional(),
  itemId: z.string().optional(),
  timeType: z.string().optional(),
  timesheetId: z.string(),
});
export type OutcomeLine = z.infer<typeof OutcomeLineSchema>;

/**
 * Details of an `exportGroup` outcome (record key = the group key): the Sage Intacct timesheet created
 * (`created`), replaced by a correction (`updated`), refused (`failed`), held, or — in a dry run — the one
 * that would be created.
 */
export const ExportGroupOutcomeDetailsSchema = z.object({
  employeeId: z.string(),
  /** BEGINDATE (YYYY-MM-DD). */
  weekStart: z.string(),
  controlId: z.string(),
  sageRecordNo: z.string().nullable(),
  /** For a correction: the group (and Sage RECORDNO) it replaces. */
  replacesGroupKey: z.string().nullable(),
  timesheets: z.array(z.object({ id: z.string(), version: z.string(), minutes: z.number() })),
  minutesByDay: z.record(z.string(), z.number()),
  hoursByDay: z.record(z.string(), z.number()),
  totalMinutes: z.number(),
  totalHours: z.number(),
  lines: z.array(OutcomeLineSchema),
  dryRun: z.boolean(),
});
export type ExportGroupOutcomeDetails = z.infer<typeof ExportGroupOutcomeDetailsSchema>;

/**
 * Details of a `timesheet` outcome (record key = the Assignar timesheet id): `created` (exported; with the
 * Sage RECORDNO(s) and whether Assignar marks it processed yet), `updated` (a correction replaced the
 * earlier export), `unchanged` (already in Sage Intacct; only marked processed now), `held` (with every
 * reason), `failed`.
 */
export const TimesheetOutcomeDetailsSchema = z.object({
  version: z.string(),
  employeeId: z.string().nullable(),
  groupKeys: z.array(z.string()),
  sageRecordNos: z.array(z.string()),
  processed: z.boolean(),
  minutes: z.number().optional(),
  holds: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
  /** A correction held for an operator: the lines exported before and the corrected ones. */
  exportedLines: z.array(OutcomeLineSchema).optional(),
  correctedLines: z.array(OutcomeLineSchema).optional(),
});
export type TimesheetOutcomeDetails = z.infer<typeof TimesheetOutcomeDetailsSchema>;
