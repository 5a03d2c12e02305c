import type { EntityKind } from '../config/schema';
import type { Evidence, TrueupAction } from '../contracts/trueup';
import type { TrueupPlanItemInput } from '../ledger';
import { canonicalJson, comparable, sha256Hex, type MappingConfig } from '../mapping';

/** One finding of a diff, as the planners hand it to the ledger (the ledger's schema is the type). */
export type PlanItem = Omit<TrueupPlanItemInput, 'reason'>;

type Row = Readonly<Record<string, unknown>>;

/**
 * A plan item with its deterministic id (`<kind>:<action>:<assignarId>:<sageKey>`: the same finding gets
 * the same id on every re-diff) and the hash of what it would do, which an approval is for.
 */
export function planItem(kind: EntityKind, action: TrueupAction, fields: Omit<PlanItem, 'itemId' | 'kind' | 'action' | 'contentHash'>): PlanItem {
  const itemId = `${kind}:${action}:${fields.assignarId ?? '-'}:${fields.sageKey ?? '-'}`;
  const contentHash = sha256Hex(canonicalJson({ action, sageKey: fields.sageKey, assignarId: fields.assignarId, confidence: fields.confidence, evidence: fields.evidence }));
  return { itemId, kind, action, contentHash, ...fields };
}

/** The fields Sage Intacct's mapping writes that Assignar holds differently (what an overwrite would change). */
export function differences(kind: EntityKind, mapped: Row, record: Row, config: MappingConfig): Evidence[] {
  const theirs = comparable(record, kind, config);
  const ours = comparable(mapped, kind, config);
  const out: Evidence[] = [];
  for (const field of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
    const [s, a] = [ours[field], theirs[field]];
    if (canonicalJson(s ?? null) === canonicalJson(a ?? null)) continue;
    out.push({ field, sage: s === undefined ? null : String(s), assignar: a === undefined ? null : String(a), same: false });
  }
  return out.sort((x, y) => (x.field < y.field ? -1 : 1));
}

/** Items in id order, as the ledger lists them. */
export function byItemId(a: PlanItem, b: PlanItem): number {
  return a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0;
}
