import type { TrueupAction } from '../contracts/trueup';
import { FIELD_WORKER_USER_TYPE_ID, inScope, mapRecord, type MapContext } from '../mapping';
import { byItemId, differences, planItem, type PlanItem } from './plan-item';
export type { PlanItem } from './plan-item';
import { matchWorkers, type AssignarWorkerFacts, type SageEmployeeFacts, type WorkerMatch } from './match-workers';

/**
 * The workers' part of a true-up plan (issue 10): both systems and the ledger's links in, plan items out.
 * Pure: the planner activity reads, this decides. Every finding becomes one item proposing one action;
 * equal, linked pairs give none.
 */

type Row = Readonly<Record<string, unknown>>;

export interface WorkerLinkFacts {
  sageKey: string;
  sageId: string;
  assignarId: string;
  status: 'active' | 'held' | 'drifted' | 'deactivated';
}

export interface WorkerPlanInput {
  /** Every Sage Intacct EMPLOYEE (any status), as read. */
  employees: readonly Row[];
  /** Every Assignar user (field workers and others, archived too), as the API returns them. */
  users: readonly Row[];
  links: readonly WorkerLinkFacts[];
  /** The mapping context (configuration, defaults): what the sync would write for each employee. */
  map: MapContext;
}

const text = (v: unknown): string | null => (v === undefined || v === null || String(v).trim() === '' ? null : String(v));

function employeeFacts(e: Row): SageEmployeeFacts {
  return {
    recordNo: String(e.RECORDNO),
    employeeId: String(e.EMPLOYEEID ?? ''),
    firstName: text(e['CONTACT.FIRSTNAME']),
    lastName: text(e['CONTACT.LASTNAME']),
    email: text(e['CONTACT.EMAIL1']),
    phone: text(e['CONTACT.PHONE1']) ?? text(e['CONTACT.CELLPHONE']),
  };
}

function workerFacts(u: Row): AssignarWorkerFacts {
  return {
    id: String(u.id),
    employeeId: text(u.employee_id),
    integrationId: text(u.integration_id),
    firstName: text(u.first_name),
    lastName: text(u.last_name),
    email: text(u.email),
    phone: text(u.contact),
  };
}

const isActiveUser = (u: Row) => u.active !== false && !u.deleted_at;
const isFieldWorker = (u: Row) => Number(u.user_type_id ?? FIELD_WORKER_USER_TYPE_ID) === FIELD_WORKER_USER_TYPE_ID;

const item = (action: TrueupAction, fields: Omit<PlanItem, 'itemId' | 'kind' | 'action' | 'contentHash'>): PlanItem => planItem('worker', action, fields);

const who = (e: SageEmployeeFacts) => `Sage Intacct employee ${e.employeeId}`;
const userName = (u: AssignarWorkerFacts) => `Assignar worker ${u.id}${u.firstName || u.lastName ? ` (${[u.firstName, u.lastName].filter(Boolean).join(' ')})` : ''}`;

export function planWorkers(input: WorkerPlanInput): PlanItem[] {
  const { map } = input;
  const items: PlanItem[] = [];
  const employees = new Map(input.employees.map((e) => [String(e.RECORDNO), e]));
  const users = new Map(input.users.map((u) => [String(u.id), u]));
  const activeLinks = input.links.filter((l) => l.status !== 'deactivated');
  const linkedEmployees = new Set(activeLinks.map((l) => l.sageKey));
  const linkedUsers = new Set(activeLinks.map((l) => l.assignarId));
  const inScopeOf = (e: Row) => inScope('worker', e, map.config);
  /** Employees whose linked Assignar worker no longer exists: sageKey → that worker's id. */
  const orphaned = new Map<string, string>();

  // 1. Linked pairs.
  for (const link of activeLinks) {
    const e = employees.get(link.sageKey);
    const u = users.get(link.assignarId);
    const ef = e ? employeeFacts(e) : undefined;
    if (!e || !inScopeOf(e)) {
      if (u && isActiveUser(u)) {
        items.push(
          item('deactivate-orphan', {
            confidence: null,
            sageKey: link.sageKey,
            sageId: link.sageId,
            assignarId: link.assignarId,
            summary: `deactivate ${userName(workerFacts(u))}: Sage Intacct employee ${link.sageId} is ${e ? 'inactive or outside the sync filter' : 'gone'}`,
            evidence: [{ field: 'status', sage: e ? String(e.STATUS ?? 'inactive') : null, assignar: 'active', same: false }],
          }),
        );
      }
      continue;
    }
    if (!u) {
      // Its worker was deleted in Assignar: another worker may be the same person (relink), else recreate.
      orphaned.set(link.sageKey, link.assignarId);
      continue;
    }
    if (!isActiveUser(u)) {
      items.push(
        item('recreate', {
          confidence: null,
          sageKey: link.sageKey,
          sageId: link.sageId,
          assignarId: link.assignarId,
          summary: `reactivate the Assignar worker of ${who(ef!)}: it was archived in Assignar`,
          evidence: [{ field: 'active', sage: 'true', assignar: 'false', same: false }],
        }),
      );
      continue;
    }
    const mapped = mapRecord('worker', e, map);
    if (!mapped.ok) continue; // reported by every sync as failed, with what to fix in Sage Intacct
    const diff = differences('worker', mapped.payload as Row, u, map.config);
    if (diff.length === 0 && link.status === 'active') continue;
    // Assignar holds more (fields empty in Sage Intacct): accepting loses nothing Sage Intacct knows.
    const action: TrueupAction = link.status === 'held' && diff.every((d) => d.sage === null || d.sage === '') ? 'accept' : 'overwrite';
    items.push(
      item(action, {
        confidence: null,
        sageKey: link.sageKey,
        sageId: link.sageId,
        assignarId: link.assignarId,
        summary:
          action === 'accept'
            ? `accept ${userName(workerFacts(u))}'s values as the new baseline for ${who(ef!)} (Assignar holds what Sage Intacct leaves empty: ${diff.map((d) => d.field).join(', ') || 'nothing differs'})`
            : `overwrite ${userName(workerFacts(u))} with ${who(ef!)}'s values (${diff.map((d) => d.field).join(', ') || 'release the hold'})`,
        evidence: diff,
      }),
    );
  }

  // 2. Unlinked Assignar users matched against employees without a link.
  const isCandidate = (key: string) => !linkedEmployees.has(key) || orphaned.has(key);
  const candidates = [...employees.values()].filter((e) => isCandidate(String(e.RECORDNO))).map(employeeFacts);
  const candidateOf = new Map(candidates.map((c) => [c.recordNo, c]));
  const unlinkedUsers = [...users.values()].filter((u) => !linkedUsers.has(String(u.id)) && !u.deleted_at);
  const matches = matchWorkers(candidates, unlinkedUsers.map(workerFacts));
  // Also match against linked employees, to find second workers of an employee that already has one.
  const linkedFacts = [...employees.values()].filter((e) => !isCandidate(String(e.RECORDNO))).map(employeeFacts);
  const againstLinked = new Map(matchWorkers(linkedFacts, unlinkedUsers.map(workerFacts)).map((m) => [m.assignarId, m]));

  const claimed = new Map<string, Array<Extract<WorkerMatch, { kind: 'match' }>>>();
  const matchedUsers = new Set<string>();
  /**
   * Employees a person must decide about (the `leave` item): a worker's keys point at them in conflict, or an
   * office user is them. Nothing is created for them.
   */
  const conflicted = new Set<string>();
  for (const m of matches) {
    const u = users.get(m.assignarId)!;
    const uf = workerFacts(u);
    if (m.kind === 'conflict') {
      matchedUsers.add(m.assignarId);
      for (const recordNo of m.recordNos) conflicted.add(recordNo);
      items.push(item('leave', { confidence: 0, sageKey: null, sageId: null, assignarId: m.assignarId, summary: m.reason, evidence: m.evidence }));
      continue;
    }
    if (m.kind === 'none') continue;
    // A stronger key (employee ID, email) naming a linked employee beats a weaker one naming an unlinked
    // employee: a worker typed in twice with its employee ID is a duplicate, whoever shares its name.
    const stronger = againstLinked.get(m.assignarId);
    if (stronger?.kind === 'match' && stronger.confidence > m.confidence) continue;
    matchedUsers.add(m.assignarId);
    const e = employees.get(m.recordNo)!;
    const ef = candidateOf.get(m.recordNo)!;
    if (!isFieldWorker(u)) {
      conflicted.add(m.recordNo); // creating a worker for the employee would collide with this user's keys
      items.push(
        item('leave', {
          confidence: m.confidence,
          sageKey: m.recordNo,
          sageId: ef.employeeId,
          assignarId: m.assignarId,
          summary: `${userName(uf)} is an office user in Assignar but matches ${who(ef)} by ${m.rule}: make them a field worker in Assignar (then the next true-up links them), or leave them`,
          evidence: m.evidence,
        }),
      );
      continue;
    }
    if (!inScopeOf(e)) {
      if (isActiveUser(u)) {
        items.push(
          item('deactivate-orphan', {
            confidence: m.confidence,
            sageKey: m.recordNo,
            sageId: ef.employeeId,
            assignarId: m.assignarId,
            summary: `deactivate ${userName(uf)}: it is ${who(ef)} (by ${m.rule}), who is inactive or outside the sync filter in Sage Intacct`,
            evidence: [...m.evidence, { field: 'status', sage: String(e.STATUS ?? 'inactive'), assignar: 'active', same: false }],
          }),
        );
      }
      continue;
    }
    claimed.set(m.recordNo, [...(claimed.get(m.recordNo) ?? []), m]);
  }
  for (const [recordNo, ms] of claimed) {
    const ef = candidateOf.get(recordNo)!;
    // The strongest match keeps the employee (then an active worker, then the oldest id); others are duplicates.
    const ranked = [...ms].sort((a, b) => b.confidence - a.confidence || Number(isActiveUser(users.get(b.assignarId)!)) - Number(isActiveUser(users.get(a.assignarId)!)) || Number(a.assignarId) - Number(b.assignarId));
    const [best, ...rest] = ranked;
    const bu = workerFacts(users.get(best.assignarId)!);
    items.push(
      item('link', {
        confidence: best.confidence,
        sageKey: recordNo,
        sageId: ef.employeeId,
        assignarId: best.assignarId,
        summary: `link ${userName(bu)} to ${who(ef)} (matched by ${best.rule}${isActiveUser(users.get(best.assignarId)!) ? '' : '; archived in Assignar, reactivated by the next sync'}${orphaned.has(recordNo) ? `; its linked worker ${orphaned.get(recordNo)} was deleted in Assignar` : ''})`,
        evidence: best.evidence,
      }),
    );
    for (const d of rest) {
      items.push(
        item('deactivate-duplicate', {
          confidence: d.confidence,
          sageKey: recordNo,
          sageId: ef.employeeId,
          assignarId: d.assignarId,
          summary: `deactivate ${userName(workerFacts(users.get(d.assignarId)!))}: a second Assignar worker for ${who(ef)} (matched by ${d.rule}), which is linked to Assignar worker ${best.assignarId}`,
          evidence: d.evidence,
        }),
      );
    }
  }

  // 3. Assignar workers with no Sage Intacct counterpart, and second workers of linked employees.
  for (const u of unlinkedUsers) {
    const id = String(u.id);
    if (matchedUsers.has(id) || !isFieldWorker(u) || !isActiveUser(u)) continue;
    const uf = workerFacts(u);
    const dup = againstLinked.get(id);
    if (dup?.kind === 'match') {
      const link = activeLinks.find((l) => l.sageKey === dup.recordNo)!;
      items.push(
        item('deactivate-duplicate', {
          confidence: dup.confidence,
          sageKey: dup.recordNo,
          sageId: link.sageId,
          assignarId: id,
          summary: `deactivate ${userName(uf)}: Sage Intacct employee ${link.sageId} (matched by ${dup.rule}) is already linked to Assignar worker ${link.assignarId}`,
          evidence: dup.evidence,
        }),
      );
      continue;
    }
    items.push(
      item('create-in-sage', {
        confidence: null,
        sageKey: null,
        sageId: null,
        assignarId: id,
        summary: `create a Sage Intacct employee (with its contact) from ${userName(uf)}, then link them — or reject to leave the worker only in Assignar`,
        evidence: (['employee_id', 'email', 'first_name', 'last_name', 'contact'] as const).filter((f) => text(u[f]) !== null).map((f) => ({ field: f, sage: null, assignar: text(u[f]), same: false })),
      }),
    );
  }

  // 4. Employees in scope with neither a link nor a match: missing in Assignar. One that shares its email with
  // another (linked first, then the lower RECORDNO keeps it, as the sync decides) cannot be created: Assignar
  // keeps emails unique among active workers, so it is left with what to fix in Sage Intacct.
  const matchedEmployees = new Set(claimed.keys());
  const emailOwner = new Map<string, string>();
  const emailOf = new Map<string, string>();
  const ranked = [...employees.values()].filter(inScopeOf).sort((a, b) => Number(!linkedEmployees.has(String(a.RECORDNO))) - Number(!linkedEmployees.has(String(b.RECORDNO))) || Number(a.RECORDNO) - Number(b.RECORDNO));
  for (const e of ranked) {
    const mapped = mapRecord('worker', e, map);
    const email = mapped.ok ? text((mapped.payload as Row).email)?.toLowerCase() : undefined;
    if (!email) continue;
    emailOf.set(String(e.RECORDNO), email);
    if (!emailOwner.has(email)) emailOwner.set(email, String(e.RECORDNO));
  }
  for (const e of employees.values()) {
    const key = String(e.RECORDNO);
    if (!isCandidate(key) || matchedEmployees.has(key) || conflicted.has(key) || !inScopeOf(e)) continue;
    if (!mapRecord('worker', e, map).ok) continue; // every sync reports it as failed, with what to fix
    const ef = employeeFacts(e);
    const email = emailOf.get(key);
    const owner = email ? emailOwner.get(email) : undefined;
    if (owner && owner !== key) {
      const other = employeeFacts(employees.get(owner)!);
      items.push(
        item('leave', {
          confidence: null,
          sageKey: key,
          sageId: ef.employeeId,
          assignarId: null,
          summary: `${who(ef)} cannot be created in Assignar: it has the same email "${email}" as ${who(other)}, and Assignar needs it unique among active workers. Give each its own email in Sage Intacct (the next re-diff proposes it)`,
          evidence: [{ field: 'email', sage: ef.email ?? null, assignar: null, same: false }],
        }),
      );
      continue;
    }
    const deleted = orphaned.get(key);
    items.push(
      item('recreate', {
        confidence: null,
        sageKey: key,
        sageId: ef.employeeId,
        assignarId: null,
        summary: deleted
          ? `recreate the Assignar worker of ${who(ef)}: its worker ${deleted} was deleted in Assignar and no other has its employee ID, email or name`
          : `create the Assignar worker of ${who(ef)}: no Assignar worker has its employee ID, email or name`,
        evidence: [{ field: 'employee_id', sage: ef.employeeId, assignar: null, same: false }],
      }),
    );
  }
  return items.sort(byItemId);
}
