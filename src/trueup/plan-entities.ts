import type { EntityKind } from '../config/schema';
import type { Evidence, TrueupAction } from '../contracts/trueup';
import { assignarMatchValue, CATALOG, descriptorFor, inScope, mapRecord, type MapContext } from '../mapping';
import { normaliseName } from './match-workers';
import { byItemId, differences, planItem, type PlanItem } from './plan-item';

/**
 * The true-up plan for the kinds other than workers (clients, projects, roles, assets, cost codes, work
 * orders): both systems and the ledger's links in, plan items out. Pure, like the workers' planner, with
 * the same findings but simpler matching: these records carry their Sage Intacct ID (external_id, or the
 * work order's job_number), so an ID match is near certain; a unique name is a guess for a person to
 * confirm. Assignar-only records are left (with what a person can do): unlike a worker, who is created
 * in Sage Intacct at go-live, nothing shows that an Assignar-only client or project is wrong.
 */

type Row = Readonly<Record<string, unknown>>;

export interface LinkFacts {
  sageKey: string;
  sageId: string;
  assignarId: string;
  status: 'active' | 'held' | 'drifted' | 'deactivated';
}

export interface EntityPlanInput {
  kind: Exclude<EntityKind, 'worker'>;
  /** Every Sage Intacct record of the kind's object (any status), as read. */
  records: readonly Row[];
  /** Every Assignar record of the kind's resource (archived too), as the API returns them. */
  assignar: readonly Row[];
  links: readonly LinkFacts[];
  /** The mapping context, with the links of the kinds this one refers to (a project's client). */
  map: MapContext;
}

/** How sure each rule is: an ID someone typed from Sage Intacct, or a name that happens to be unique. */
export const ENTITY_CONFIDENCE = { id: 0.95, name: 0.7 } as const;

type Match = { assignarId: string; sageKey: string; rule: 'id' | 'integration-id' | 'name'; confidence: number; evidence: Evidence[] };

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v).trim());
const isActive = (r: Row) => r.active !== false && !r.deleted_at;
const nameOf = (r: Row) => normaliseName(text(r.NAME ?? r.name), '');

export function planEntities(input: EntityPlanInput): PlanItem[] {
  const { kind, map } = input;
  const d = descriptorFor(kind);
  const cat = CATALOG[kind];
  const items: PlanItem[] = [];
  const add = (action: TrueupAction, fields: Omit<PlanItem, 'itemId' | 'kind' | 'action' | 'contentHash'>) => items.push(planItem(kind, action, fields));
  const records = new Map(input.records.map((r) => [d.sageKey(r), r]));
  const assignar = new Map(input.assignar.map((r) => [String(r.id), r]));
  const activeLinks = input.links.filter((l) => l.status !== 'deactivated');
  const linkedKeys = new Set(activeLinks.map((l) => l.sageKey));
  const linkedIds = new Set(activeLinks.map((l) => l.assignarId));
  const inScopeOf = (r: Row) => inScope(kind, r, map.config);
  // Roles and assets share Sage Intacct's ITEM object: an item out of one's scope may be the other's.
  const sharedObject = Object.values(CATALOG).filter((c) => c.sageObject === cat.sageObject).length > 1;
  const label = (r: Row | undefined, key: string) => `Sage Intacct ${cat.sageObject} ${r ? d.readableId(r) : key}`;
  const assignarLabel = (r: Row) => `Assignar ${cat.assignarType.replace(/s$/, '')} ${String(r.id)}${text(r.name ?? r.job_number) ? ` (${text(r.name ?? r.job_number)})` : ''}`;
  /** Sage keys whose linked Assignar record no longer exists. */
  const orphaned = new Map<string, string>();

  // 1. Linked pairs.
  for (const link of activeLinks) {
    const r = records.get(link.sageKey);
    const a = assignar.get(link.assignarId);
    if (!r || !inScopeOf(r)) {
      if (a && isActive(a)) {
        add('deactivate-orphan', {
          confidence: null,
          sageKey: link.sageKey,
          sageId: link.sageId,
          assignarId: link.assignarId,
          summary: `deactivate ${assignarLabel(a)}: ${label(r, link.sageId)} is ${r ? 'inactive or outside the sync filter' : 'gone'}`,
          evidence: [{ field: 'status', sage: r ? text(r.STATUS) || 'inactive' : null, assignar: 'active', same: false }],
        });
      }
      continue;
    }
    if (!a) {
      orphaned.set(link.sageKey, link.assignarId);
      continue;
    }
    if (!isActive(a)) {
      add('recreate', {
        confidence: null,
        sageKey: link.sageKey,
        sageId: link.sageId,
        assignarId: link.assignarId,
        summary: `reactivate ${assignarLabel(a)} of ${label(r, link.sageId)}: it was archived in Assignar`,
        evidence: [{ field: 'active', sage: 'true', assignar: 'false', same: false }],
      });
      continue;
    }
    const mapped = mapRecord(kind, r, map);
    if (!mapped.ok) continue; // every sync reports it as failed, with what to fix
    const diff = differences(kind, mapped.payload as Row, a, map.config);
    if (diff.length === 0 && link.status === 'active') continue;
    const action: TrueupAction = link.status === 'held' && diff.every((x) => x.sage === null || x.sage === '') ? 'accept' : 'overwrite';
    add(action, {
      confidence: null,
      sageKey: link.sageKey,
      sageId: link.sageId,
      assignarId: link.assignarId,
      summary:
        action === 'accept'
          ? `accept ${assignarLabel(a)}'s values as the new baseline for ${label(r, link.sageId)} (Assignar holds what Sage Intacct leaves empty: ${diff.map((x) => x.field).join(', ') || 'nothing differs'})`
          : `overwrite ${assignarLabel(a)} with ${label(r, link.sageId)}'s values (${diff.map((x) => x.field).join(', ') || 'release the hold'})`,
      evidence: diff,
    });
  }

  // 2. Unlinked Assignar records matched to Sage Intacct records: by ID (or a stale integration_id), else a unique name.
  const byMatchValue = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  for (const [key, r] of records) {
    if (sharedObject && !inScopeOf(r)) continue;
    const v = d.matchValue(r);
    if (v) byMatchValue.set(v, [...(byMatchValue.get(v) ?? []), key]);
    const n = kind === 'workOrder' ? '' : nameOf(r);
    if (n) byName.set(n, [...(byName.get(n) ?? []), key]);
  }
  /**
   * Sage Intacct records with the Assignar record's name (work orders have no name to go by). Projects
   * often share a name across customers: the one whose customer is the Assignar project's client wins.
   */
  const sameName = (a: Row): string[] => {
    const n = kind === 'workOrder' ? '' : nameOf(a);
    const all = (n && byName.get(n)) || [];
    if (all.length <= 1 || kind !== 'project' || !text(a.client_id)) return all;
    const sameClient = all.filter((key) => text(map.assignarIdFor('client', text(records.get(key)!.CUSTOMERID))) === text(a.client_id));
    return sameClient.length > 0 ? sameClient : all;
  };
  const unlinked = [...assignar.values()].filter((a) => !linkedIds.has(String(a.id)) && !a.deleted_at);
  const matchOf = (a: Row): Match | undefined => {
    const id = String(a.id);
    const v = assignarMatchValue(kind, a);
    const byId = v ? byMatchValue.get(v) : undefined;
    const idEvidence = (key: string): Evidence[] => [{ field: cat.matchKey, sage: d.matchValue(records.get(key)!), assignar: v || null, same: true }];
    if (byId?.length === 1) return { assignarId: id, sageKey: byId[0], rule: 'id', confidence: ENTITY_CONFIDENCE.id, evidence: idEvidence(byId[0]) };
    const integrationId = text(a.integration_id);
    if (integrationId && records.has(integrationId) && (!sharedObject || inScopeOf(records.get(integrationId)!))) {
      return { assignarId: id, sageKey: integrationId, rule: 'integration-id', confidence: ENTITY_CONFIDENCE.id, evidence: [{ field: 'integration_id', sage: integrationId, assignar: integrationId, same: true }] };
    }
    if (v) return undefined;
    const byN = sameName(a);
    if (byN.length === 1) {
      const r = records.get(byN[0])!;
      const evidence: Evidence[] = [{ field: 'name', sage: text(r.NAME), assignar: text(a.name), same: true }];
      if (kind === 'project' && text(a.client_id)) evidence.push({ field: 'client_id', sage: text(map.assignarIdFor('client', text(r.CUSTOMERID))) || null, assignar: text(a.client_id), same: true });
      return { assignarId: id, sageKey: byN[0], rule: 'name', confidence: ENTITY_CONFIDENCE.name, evidence };
    }
    return undefined;
  };

  const claimed = new Map<string, Match[]>();
  const matched = new Set<string>();
  for (const a of unlinked) {
    const m = matchOf(a);
    if (!m) continue;
    matched.add(m.assignarId);
    const r = records.get(m.sageKey)!;
    if (linkedKeys.has(m.sageKey) && !orphaned.has(m.sageKey)) {
      const link = activeLinks.find((l) => l.sageKey === m.sageKey)!;
      if (isActive(a)) {
        add('deactivate-duplicate', {
          confidence: m.confidence,
          sageKey: m.sageKey,
          sageId: link.sageId,
          assignarId: m.assignarId,
          summary: `deactivate ${assignarLabel(a)}: ${label(r, link.sageId)} (matched by ${m.rule}) is already linked to Assignar record ${link.assignarId}`,
          evidence: m.evidence,
        });
      }
      continue;
    }
    if (!inScopeOf(r)) {
      if (isActive(a)) {
        add('deactivate-orphan', {
          confidence: m.confidence,
          sageKey: m.sageKey,
          sageId: d.readableId(r),
          assignarId: m.assignarId,
          summary: `deactivate ${assignarLabel(a)}: it is ${label(r, m.sageKey)} (by ${m.rule}), which is inactive or outside the sync filter`,
          evidence: [...m.evidence, { field: 'status', sage: text(r.STATUS) || 'inactive', assignar: 'active', same: false }],
        });
      }
      continue;
    }
    claimed.set(m.sageKey, [...(claimed.get(m.sageKey) ?? []), m]);
  }
  for (const [sageKey, ms] of claimed) {
    const r = records.get(sageKey)!;
    const ranked = [...ms].sort((x, y) => y.confidence - x.confidence || Number(isActive(assignar.get(y.assignarId)!)) - Number(isActive(assignar.get(x.assignarId)!)) || Number(x.assignarId) - Number(y.assignarId));
    const [best, ...rest] = ranked;
    add('link', {
      confidence: best.confidence,
      sageKey,
      sageId: d.readableId(r),
      assignarId: best.assignarId,
      summary: `link ${assignarLabel(assignar.get(best.assignarId)!)} to ${label(r, sageKey)} (matched by ${best.rule}${orphaned.has(sageKey) ? `; its linked record ${orphaned.get(sageKey)} was deleted in Assignar` : ''})`,
      evidence: best.evidence,
    });
    for (const dup of rest) {
      add('deactivate-duplicate', {
        confidence: dup.confidence,
        sageKey,
        sageId: d.readableId(r),
        assignarId: dup.assignarId,
        summary: `deactivate ${assignarLabel(assignar.get(dup.assignarId)!)}: a second Assignar record for ${label(r, sageKey)} (matched by ${dup.rule}), which is linked to ${best.assignarId}`,
        evidence: dup.evidence,
      });
    }
  }

  // 3. Active Assignar records with no Sage Intacct counterpart: Assignar's own (a yard, a training day) until
  // a person says otherwise; nothing shows they are wrong, so nothing is proposed that would write.
  for (const a of unlinked) {
    if (matched.has(String(a.id)) || !isActive(a)) continue;
    const v = assignarMatchValue(kind, a);
    const ambiguous = v ? [] : sameName(a);
    add('leave', {
      confidence: null,
      sageKey: null,
      sageId: null,
      assignarId: String(a.id),
      summary:
        ambiguous.length > 1
          ? `leave ${assignarLabel(a)}: its name matches ${ambiguous.length} Sage Intacct ${cat.sageObject} records (${ambiguous.map((k) => d.readableId(records.get(k)!)).join(', ')}); set its ${cat.matchKey} in Assignar to the right one and the next re-diff links it`
          : `leave ${assignarLabel(a)}: no Sage Intacct ${cat.sageObject} has its ${v ? `${cat.matchKey} ${v}` : 'ID or name'}, so the sync leaves it alone; if it belongs in Sage Intacct, create it there with this ${cat.matchKey === 'job_number' ? 'task' : 'ID'} (the next re-diff links it), or archive it in Assignar`,
      evidence: [
        { field: cat.matchKey, sage: null, assignar: v || null, same: false },
        ...(text(a.name) ? [{ field: 'name', sage: null, assignar: text(a.name), same: false }] : []),
      ],
    });
  }

  // 4. In-scope Sage Intacct records with neither a link nor a match: missing in Assignar.
  for (const [key, r] of records) {
    if ((linkedKeys.has(key) && !orphaned.has(key)) || claimed.has(key) || !inScopeOf(r)) continue;
    if (!mapRecord(kind, r, map).ok) continue; // every sync reports it as failed, with what to fix
    const deleted = orphaned.get(key);
    add('recreate', {
      confidence: null,
      sageKey: key,
      sageId: d.readableId(r),
      assignarId: null,
      summary: deleted
        ? `recreate the Assignar record of ${label(r, key)}: its record ${deleted} was deleted in Assignar and no other has its ID`
        : `create the Assignar record of ${label(r, key)}: no Assignar record has its ID`,
      evidence: [{ field: cat.matchKey, sage: d.matchValue(r), assignar: null, same: false }],
    });
  }
  return items.sort(byItemId);
}
