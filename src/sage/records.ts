import type { z } from 'zod';
import { sageTimestampToIso } from './dates';
import { SAGE_OBJECTS, type SageObjectName } from './objects';
import type { SageRawRecord } from './response';

/** The record type of an object: its zod schema's output for the objects in objects.ts, else plain fields. */
export type SageRecordFor<O extends string> = O extends SageObjectName ? z.infer<(typeof SAGE_OBJECTS)[O]['schema']> : SageRawRecord;

/** A record that arrived but failed validation: kept, with the reason, so it gets a visible outcome. */
export interface SageRejectedRecord {
  /** The record as parsed (timestamps not converted). */
  raw: SageRawRecord;
  /** RECORDNO when the record had one. */
  recordNo?: string;
  reason: string;
}

export interface SageValidated<R> {
  records: R[];
  rejected: SageRejectedRecord[];
}

/** Fields carried as ISO UTC: every Sage audit timestamp the service reads. */
export const TIMESTAMP_FIELDS: readonly string[] = ['WHENCREATED', 'WHENMODIFIED', 'ACCESSTIME'];

export function isSageObjectName(object: string): object is SageObjectName {
  return Object.prototype.hasOwnProperty.call(SAGE_OBJECTS, object);
}

/**
 * Converts a parsed record: WHENCREATED/WHENMODIFIED/ACCESSTIME from `MM/DD/YYYY HH:MM:SS` in the user
 * offset to ISO UTC (null when empty); STATUS `T`/`F` (readByQuery's database codes) to `active`/`inactive`.
 * Throws ValidationError for a timestamp it cannot read.
 */
export function normaliseRecord(raw: SageRawRecord, userOffset: string): SageRawRecord {
  const out: SageRawRecord = { ...raw };
  for (const field of TIMESTAMP_FIELDS) {
    const v = out[field];
    if (typeof v === 'string') out[field] = sageTimestampToIso(v, userOffset);
  }
  if (out.STATUS === 'T') out.STATUS = 'active';
  else if (out.STATUS === 'F') out.STATUS = 'inactive';
  return out;
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');
}

/**
 * Normalises and validates a page of records against the object's schema (objects.ts). Records of other
 * objects are normalised only. Invalid records go to `rejected`, never silently dropped.
 */
export function validateRecords<O extends string>(object: O, raws: readonly SageRawRecord[], userOffset: string): SageValidated<SageRecordFor<O>> {
  const schema = isSageObjectName(object) ? (SAGE_OBJECTS[object].schema as z.ZodType) : undefined;
  const records: SageRecordFor<O>[] = [];
  const rejected: SageRejectedRecord[] = [];
  for (const raw of raws) {
    const recordNo = typeof raw.RECORDNO === 'string' ? raw.RECORDNO : undefined;
    let normalised: SageRawRecord;
    try {
      normalised = normaliseRecord(raw, userOffset);
    } catch (err) {
      rejected.push({ raw, recordNo, reason: err instanceof Error ? err.message : String(err) });
      continue;
    }
    if (!schema) {
      records.push(normalised as SageRecordFor<O>);
      continue;
    }
    const result = schema.safeParse(normalised);
    if (result.success) records.push(result.data as SageRecordFor<O>);
    else rejected.push({ raw, recordNo, reason: `${object} record does not match the schema: ${issuesText(result.error)}` });
  }
  return { records, rejected };
}
