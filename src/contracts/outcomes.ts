import { z } from 'zod';
import { ENTITY_KINDS } from '../config/schema';

/** Every record a run touches ends in exactly one of these, recorded in the ledger. */
export const OUTCOMES = ['created', 'updated', 'unchanged', 'deactivated', 'adopted', 'drifted', 'held', 'failed'] as const;
export const OutcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const CountsSchema = z.object({
  seen: z.number().int().nonnegative(),
  ...Object.fromEntries(OUTCOMES.map((o) => [o, z.number().int().nonnegative()])),
}) as z.ZodObject<{ seen: z.ZodNumber } & Record<Outcome, z.ZodNumber>>;
export type Counts = { seen: number } & Record<Outcome, number>;

export function emptyCounts(): Counts {
  return { seen: 0, created: 0, updated: 0, unchanged: 0, deactivated: 0, adopted: 0, drifted: 0, held: 0, failed: 0 };
}

export function addCounts(a: Counts, b: Partial<Counts>): Counts {
  const out = { ...a };
  for (const key of Object.keys(out) as (keyof Counts)[]) out[key] += b[key] ?? 0;
  return out;
}

/**
 * What a run's outcomes are counted by: the master-data kinds (links), the Assignar timesheets an export
 * reads, the export groups it creates in Sage Intacct (one per Sage TIMESHEET), and a true-up's own events
 * (reminders while items wait for a decision).
 */
export const RECORD_KINDS = [...ENTITY_KINDS, 'timesheet', 'exportGroup', 'trueup'] as const;
export const RecordKindSchema = z.enum(RECORD_KINDS);
export type RecordKind = z.infer<typeof RecordKindSchema>;

export const CountsByKindSchema = z.partialRecord(RecordKindSchema, CountsSchema);
export type CountsByKind = Partial<Record<RecordKind, Counts>>;

export { ENTITY_KINDS };

/**
 * A run's counts from its ledger rows (one outcome per record per run): each outcome counted once, and
 * `seen` the records with an outcome.
 */
export function countsFromOutcomeRows(rows: Partial<Record<string, Partial<Record<Outcome, number>>>>): CountsByKind {
  const out: CountsByKind = {};
  for (const kind of RECORD_KINDS) {
    const byOutcome = rows[kind];
    if (!byOutcome) continue;
    const counts = emptyCounts();
    for (const outcome of OUTCOMES) {
      counts[outcome] = byOutcome[outcome] ?? 0;
      counts.seen += counts[outcome];
    }
    out[kind] = counts;
  }
  return out;
}
