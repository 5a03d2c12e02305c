import { z } from 'zod';
import { ENTITY_KINDS } from '../config/schema';
import { ValidationError } from '../errors';

/** Link state: `held` and `drifted` wait for an operator (true-up); `deactivated` left scope in Sage Intacct. */
export const LINK_STATUSES = ['active', 'deactivated', 'held', 'drifted'] as const;
export const LinkStatusSchema = z.enum(LINK_STATUSES);
export type LinkStatus = z.infer<typeof LinkStatusSchema>;

/** What happened to one record in one run: the workflow contract's outcomes (src/contracts/outcomes.ts). */
export { OUTCOMES, OutcomeSchema, type Outcome } from '../contracts/outcomes';

/**
 * `terminated`: the run ended without recording it (terminated, timed out, or its history is gone); marked
 * when next seen by a run or `report` that asked Temporal. The others are recorded by the run itself.
 */
export const RUN_STATUSES = ['running', 'completed', 'failed', 'cancelled', 'terminated'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/**
 * An export group (one Sage Intacct TIMESHEET): planned (recorded, not sent) → sent (the create may have
 * happened: resend with the same controlid) → confirmed (exists in Sage Intacct, RECORDNO known) →
 * processed (its timesheets marked processed in Assignar). failed: Sage Intacct refused it, with a reason
 * (sent again later under the same controlid). superseded: abandoned before it existed in Sage Intacct,
 * or replaced by a confirmed correction.
 */
export const EXPORT_GROUP_STATES = ['planned', 'sent', 'confirmed', 'processed', 'failed', 'superseded'] as const;
export const ExportGroupStateSchema = z.enum(EXPORT_GROUP_STATES);
export type ExportGroupState = z.infer<typeof ExportGroupStateSchema>;

export { RECORD_KINDS, RecordKindSchema, type RecordKind } from '../contracts/outcomes';
export const LinkKindSchema = z.enum(ENTITY_KINDS);

/** Any JSON value (objects, arrays, strings, numbers, booleans, null). */
export const JsonSchema = z.json();
export type Json = z.infer<typeof JsonSchema>;
export const JsonObjectSchema = z.record(z.string(), JsonSchema);
export type JsonObject = z.infer<typeof JsonObjectSchema>;

/** A point in time as accepted on input: a Date, or ISO-8601 text with a zone (Z or ±hh:mm). */
export type Timestamp = Date | string;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Normalises a timestamp to the one stored shape, `YYYY-MM-DDTHH:mm:ss.sssZ` (UTC, fixed width), so
 * that text comparison is time comparison on both databases.
 */
export function toIso(value: Timestamp, field = 'timestamp'): string {
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'string' && ISO_WITH_ZONE.test(value)) date = new Date(value);
  else throw new ValidationError(`${field}: expected a Date or ISO-8601 text with a zone (e.g. 2024-05-01T06:00:00Z), got ${JSON.stringify(value)}`);
  const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString();
  if (iso.length !== 24) throw new ValidationError(`${field}: ${JSON.stringify(String(value))} is not a time between years 0000 and 9999`);
  return iso;
}

export const TimestampSchema = z.union([z.date(), z.string()]);

export function nowIso(): string {
  return new Date().toISOString();
}

/** Serialises a JSON column value; rejects what JSON cannot carry (undefined, functions, NaN, cycles). */
export function writeJson(value: unknown, field: string): string {
  const parsed = JsonSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError(`${field}: not a JSON value: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return JSON.stringify(parsed.data);
}

/** Parses a JSON column read back from the database and checks it against `schema`. */
export function readJson<T>(text: string, schema: z.ZodType<T>, field: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`ledger column ${field} holds invalid JSON: ${(err as Error).message}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new ValidationError(`ledger column ${field} holds an unexpected value: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

/** Validates input with zod and reports the first problem as a ValidationError naming `what`. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length ? `.${issue.path.map(String).join('.')}` : '';
  throw new ValidationError(`${what}${where}: ${issue?.message ?? 'invalid'}`);
}

/** Non-empty text key (Sage keys, Assignar ids, connection ids…). */
export const KeySchema = z.string().min(1).max(512);
export const LimitSchema = z.int().min(1).max(10_000);
