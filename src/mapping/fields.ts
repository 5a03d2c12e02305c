import type { EntityKind } from '../config/schema';
import { CATALOG, fieldType, type AssignarFieldType } from './catalog';
import { contentHash } from './hash';
import type { MapContext, MapFailure, MapResult, SageRef } from './types';
import { isValidEmail, parseSageDate, text } from './values';

/**
 * The machinery every entity mapper shares: a mapper lists field specs (Assignar field ← Sage field,
 * computed value, or lazily resolved link); `buildPayload` applies the entity's `fieldOverrides` LAST
 * (replacing specs), converts each value to the Assignar field's type, checks required fields, runs the
 * entity's own check, and hashes the result. The first problem becomes the record's failure reason.
 */

type Payload = Record<string, unknown>;

export type Resolved = { value: unknown } | { fail: string; field?: string };

export type FieldSpec =
  /** From a Sage field, converted to the target field's type. */
  | { target: string; source: string; omitEmpty?: boolean; hint?: string }
  /** A value computed by the mapper (already in Assignar form); `undefined` leaves the field out. */
  | { target: string; value: unknown; source?: string; hint?: string }
  /** Resolved in order, seeing the fields resolved before it (links, defaults, derived values). */
  | { target: string; resolve: (payload: Payload) => Resolved; source?: string; hint?: string };

export const src = (target: string, source: string, opts: { omitEmpty?: boolean; hint?: string } = {}): FieldSpec => ({ target, source, ...opts });
export const val = (target: string, value: unknown, source?: string): FieldSpec => ({ target, value, source });
export const lazy = (target: string, source: string | undefined, resolve: (payload: Payload) => Resolved, hint?: string): FieldSpec => ({
  target,
  source,
  resolve,
  hint,
});

/** `OBJECT ID (RECORDNO n)`: how every reason names the Sage record. */
export function describe(ref: SageRef): string {
  return `${ref.object} ${JSON.stringify(ref.readableId)} (RECORDNO ${ref.sageKey})`;
}

export function failure(ref: SageRef, reason: string, field?: string): MapFailure {
  return { ...ref, ok: false, reason: `${describe(ref)}: ${reason}`, ...(field ? { field } : {}) };
}

const configPath = (kind: EntityKind, target: string) => `entities.${kind}.fieldOverrides.${target}`;

function overrideIssues(kind: EntityKind, overrides: Record<string, { from: string } | { value: unknown }>): { path: string; message: string }[] {
  const cat = CATALOG[kind];
  const issues: { path: string; message: string }[] = [];
  for (const [target, override] of Object.entries(overrides)) {
    const path = configPath(kind, target);
    if (cat.protectedFields.includes(target)) {
      issues.push({ path, message: `${target} is the link/adoption key or status that the sync owns and cannot be overridden; remove the override` });
    } else if (!cat.writableFields.includes(target)) {
      issues.push({ path, message: `Assignar ${cat.assignarResource} has no writable field "${target}" (known: ${cat.writableFields.join(', ')})` });
    } else if ('value' in override && override.value !== null) {
      const converted = convertConstant(fieldType(target), override.value);
      if ('fail' in converted) issues.push({ path, message: converted.fail });
    } else if ('value' in override && (cat.requiredOnWrite.includes(target) || cat.requiredNonEmpty.includes(target))) {
      issues.push({ path, message: `${target} is required by Assignar ${cat.assignarResource} and cannot be left out (value null)` });
    }
  }
  return issues;
}

function convertConstant(type: AssignarFieldType, value: unknown): Resolved {
  switch (type) {
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return { value };
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return { value: Number(value.trim()) };
      return { fail: `${JSON.stringify(value)} is not a whole number (an Assignar id)` };
    case 'bool':
      if (typeof value === 'boolean') return { value };
      return { fail: `${JSON.stringify(value)} is not true or false` };
    case 'date': {
      const d = typeof value === 'string' ? parseSageDate(value.trim()) : null;
      return d ? { value: d } : { fail: `${JSON.stringify(value)} is not a date (YYYY-MM-DD or MM/DD/YYYY)` };
    }
    case 'email':
      if (typeof value === 'string' && isValidEmail(value.trim())) return { value: value.trim() };
      return { fail: `${JSON.stringify(value)} is not a valid email address` };
    case 'text':
      return { value: typeof value === 'string' ? value.trim() : String(value) };
  }
}

const BOOL_TEXT: Record<string, boolean> = { true: true, t: true, yes: true, y: true, '1': true, active: true, false: false, f: false, no: false, n: false, '0': false, inactive: false };

/** A Sage field's text converted to an Assignar field type; `undefined` value = leave the field out. */
function convertSage(type: AssignarFieldType, raw: string, source: string, omitEmpty: boolean): Resolved {
  if (raw === '') return { value: type === 'text' || type === 'email' ? (omitEmpty ? undefined : '') : undefined };
  switch (type) {
    case 'text':
      return { value: raw };
    case 'email':
      return isValidEmail(raw)
        ? { value: raw }
        : { fail: `${source} ${JSON.stringify(raw)} is not a valid email address. Fix in Sage Intacct: correct the email address (or clear it)`, field: source };
    case 'date': {
      const d = parseSageDate(raw);
      return d ? { value: d } : { fail: `${source} ${JSON.stringify(raw)} is not a valid date (MM/DD/YYYY). Fix in Sage Intacct: correct the date`, field: source };
    }
    case 'int':
      return /^-?\d+$/.test(raw)
        ? { value: Number(raw) }
        : { fail: `${source} ${JSON.stringify(raw)} is not a whole number, but Assignar expects an id here. Fix in Sage Intacct: correct ${source}`, field: source };
    case 'bool': {
      const b = BOOL_TEXT[raw.toLowerCase()];
      return b === undefined
        ? { fail: `${source} ${JSON.stringify(raw)} is not true/false. Fix in Sage Intacct: correct ${source}`, field: source }
        : { value: b };
    }
  }
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

export interface BuildOptions {
  /** A check on the finished payload (after overrides), e.g. end date not before start date. */
  check?: (payload: Payload) => { fail: string; field?: string } | null;
}

/** Builds, checks and hashes one payload. See the module comment. */
export function buildPayload<P>(
  ref: SageRef,
  record: Readonly<Record<string, unknown>>,
  ctx: MapContext,
  specs: FieldSpec[],
  matchValue: string,
  options: BuildOptions = {},
): MapResult<P> {
  const kind = ref.kind;
  const cat = CATALOG[kind];
  const overrides = ctx.config.entities[kind].fieldOverrides;

  const issues = overrideIssues(kind, overrides);
  if (issues.length) {
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return failure(ref, `configuration error, not a Sage Intacct problem: ${summary}`, issues[0].path);
  }

  // Overrides replace the mapper's spec for their field (in place, so resolution order is kept), or add one.
  const finalSpecs: (FieldSpec | null)[] = [...specs];
  for (const [target, override] of Object.entries(overrides)) {
    const at = finalSpecs.findIndex((s) => s?.target === target);
    let spec: FieldSpec | null;
    const replaced = at >= 0 ? finalSpecs[at] : null;
    // A {from} override keeps how the mapper treats an empty value (e.g. a worker email is left out).
    if ('from' in override) spec = { target, source: override.from, omitEmpty: replaced && 'omitEmpty' in replaced ? replaced.omitEmpty : undefined };
    else if (override.value === null) spec = null;
    else {
      const converted = convertConstant(fieldType(target), override.value);
      spec = { target, value: 'value' in converted ? converted.value : undefined, source: configPath(kind, target) };
    }
    if (at >= 0) finalSpecs[at] = spec;
    else if (spec) finalSpecs.push(spec);
  }

  const payload: Payload = {};
  const sources = new Map<string, FieldSpec>();
  for (const spec of finalSpecs) {
    if (!spec) continue;
    let resolved: Resolved;
    if ('resolve' in spec) resolved = spec.resolve(payload);
    else if ('value' in spec) resolved = { value: spec.value };
    else resolved = convertSage(fieldType(spec.target), text(record[spec.source]), spec.source, spec.omitEmpty ?? false);
    if ('fail' in resolved) return failure(ref, resolved.fail, resolved.field ?? spec.source);
    sources.set(spec.target, spec);
    if (resolved.value !== undefined) payload[spec.target] = resolved.value;
  }

  for (const target of [...cat.requiredNonEmpty, ...cat.requiredOnWrite]) {
    const spec = sources.get(target);
    if (!spec || !isEmpty(payload[target])) continue;
    const source = spec.source;
    const hint = spec.hint ?? (source && !source.startsWith('entities.') ? `fill in ${source} on the ${ref.object.toLowerCase()}` : 'see the mapping documentation');
    return failure(
      ref,
      source ? `${source} is empty, and Assignar needs ${target}. Fix in Sage Intacct: ${hint}` : `Assignar needs ${target}, which is empty`,
      source,
    );
  }

  const checked = options.check?.(payload);
  if (checked) return failure(ref, checked.fail, checked.field);

  return { ...ref, ok: true, payload: payload as P, hash: contentHash(payload), matchValue };
}

/** Sage STATUS → Assignar `active`. A record without STATUS counts as active (it passed the status filter). */
export function isActive(record: { STATUS?: string }): boolean {
  return record.STATUS !== 'inactive';
}

/** An Assignar id from a link lookup as a number; null when there is none (or it is not an id). */
export function linkedId(value: number | string | null | undefined): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  }
  return null;
}
