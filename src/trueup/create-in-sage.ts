import { isConnectionFailure } from '../errors';
import type { TrueupPlanItem } from '../ledger';
import { inScope, mapRecord, selectFieldsFor, sha256Hex } from '../mapping';
import { inList, SageAlreadyDoneError, type SageEmployeeWithContact } from '../sage';
import { applyMapped } from '../sync/apply-records';
import { describeError, isRetryableError } from '../sync/describe-error';
import { OutcomeSink } from '../sync/outcome-sink';
import { GIVE_UP_AFTER_ATTEMPT, type SyncContext } from '../sync/sync-context';

/**
 * The true-up's `create-in-sage` action (the go-live case): an approved Assignar-only field worker becomes a
 * Sage Intacct employee with its contact, is linked, and gets Sage Intacct's values (integration_id above
 * all) through the sync engine, exactly as a `link` item does.
 *
 * Redo-safe without remembering anything between attempts: the employee's EMPLOYEEID and the contact's
 * CONTACTNAME are derived from the Assignar worker, so an attempt redone after a crash (after the Sage
 * Intacct create, before the ledger knew) looks them up first and finds what it created, checking it is the
 * same person by email, else by name. The create itself goes with function controlids derived from the
 * approval (see `createControlId`), so a request resent after a lost response is refused as already done.
 */

type Row = Readonly<Record<string, unknown>>;

export interface CreateInSageResult {
  done: Set<string>;
  failures: Map<string, string>;
}

interface Person {
  first: string | null;
  last: string | null;
  email: string | null;
}

const text = (v: unknown): string | null => (v === undefined || v === null || String(v).trim() === '' ? null : String(v).trim());
const norm = (s: string | null): string => (s ?? '').toLowerCase();

const personOfUser = (u: Row): Person => ({ first: text(u.first_name), last: text(u.last_name), email: text(u.email) });
const personOfEmployee = (e: Row): Person => ({ first: text(e['CONTACT.FIRSTNAME']), last: text(e['CONTACT.LASTNAME']), email: text(e['CONTACT.EMAIL1']) });
const personOfContact = (c: Row): Person => ({ first: text(c.FIRSTNAME), last: text(c.LASTNAME), email: text(c.EMAIL1) });
const describePerson = (p: Person): string => [[p.first, p.last].filter(Boolean).join(' ') || '(no name)', p.email ? `<${p.email}>` : ''].filter(Boolean).join(' ');

/** The same person: the same email when both have one, else the same first and last name (case aside). */
export function samePerson(a: Person, b: Person): boolean {
  if (a.email && b.email) return norm(a.email) === norm(b.email);
  const named = norm(a.first) !== '' || norm(a.last) !== '';
  return named && norm(a.first) === norm(b.first) && norm(a.last) === norm(b.last);
}

/** The EMPLOYEEID used when the worker has no employee ID of its own, or another person has it in Sage Intacct. */
export const derivedEmployeeId = (assignarId: string): string => `A${assignarId}`;

/** Unique because the EMPLOYEEID is: `Last, First (EMPLOYEEID)`. */
export function contactNameFor(p: Person, employeeId: string): string {
  return `${[p.last, p.first].filter(Boolean).join(', ')} (${employeeId})`;
}

/**
 * Function controlids for one approval of one item creating one employee: a redo of the same approval resends
 * the same ids (Sage Intacct refuses what already ran); approving the item again (its decidedAt moves) starts
 * afresh, so an employee deleted in Sage Intacct since can be created anew.
 */
export function createControlId(connection: string, trueupId: string, item: Pick<TrueupPlanItem, 'itemId' | 'decidedAt'>, employeeId: string, contactName: string): string {
  return `tu-${sha256Hex(JSON.stringify([connection, trueupId, item.itemId, item.decidedAt, employeeId, contactName])).slice(0, 40)}`;
}

export type CreateDecision =
  | { kind: 'existing'; employee: Row }
  | { kind: 'create'; employeeId: string; contactName: string; contactExists: boolean }
  | { kind: 'fail'; reason: string };

export interface DecideInput {
  assignarId: string;
  user: Row;
  /** Sage Intacct employees whose EMPLOYEEID is the worker's employee ID or the derived one. */
  employeesById: ReadonlyMap<string, Row>;
  /** Sage Intacct contacts by CONTACTNAME (those the worker's candidate contact names name). */
  contactsByName: ReadonlyMap<string, Row>;
}

/**
 * What to do for one worker (pure). Its own employee ID when that is free in Sage Intacct, else the derived
 * one; an employee already there under either ID that is the same person is the one an earlier attempt
 * created (or someone made by hand): it is linked, never created again.
 */
export function decideCreate(input: DecideInput): CreateDecision {
  const { assignarId, user } = input;
  const person = personOfUser(user);
  if (!person.first && !person.last) return { kind: 'fail', reason: `Assignar worker ${assignarId} has no name: enter the worker's first and last name in Assignar, then approve this item again` };
  const own = text(user.employee_id);
  const derived = derivedEmployeeId(assignarId);
  const ownHolder = own ? input.employeesById.get(own) : undefined;
  const derivedHolder = input.employeesById.get(derived);
  const mine = [ownHolder, derivedHolder].find((e) => e && samePerson(personOfEmployee(e), person));
  if (mine) return { kind: 'existing', employee: mine };
  const employeeId = own && !ownHolder ? own : derived;
  if (employeeId === derived && derivedHolder) {
    const taken = own ? `its employee ID ${own} is Sage Intacct employee ${own} (${describePerson(personOfEmployee(ownHolder!))}), and ` : '';
    return {
      kind: 'fail',
      reason:
        `cannot create a Sage Intacct employee for Assignar worker ${assignarId} (${describePerson(person)}): ${taken}the employee ID ${derived} is taken by ` +
        `another person (${describePerson(personOfEmployee(derivedHolder))}). Give the worker an employee ID that is unused in Sage Intacct (or change that employee's), then approve this item again`,
    };
  }
  const contactName = contactNameFor(person, employeeId);
  const contact = input.contactsByName.get(contactName);
  if (contact && !samePerson(personOfContact(contact), person)) {
    return {
      kind: 'fail',
      reason: `a Sage Intacct contact named "${contactName}" already exists for another person (${describePerson(personOfContact(contact))}): rename or remove that contact in Sage Intacct, then approve this item again`,
    };
  }
  return { kind: 'create', employeeId, contactName, contactExists: contact !== undefined };
}

/** The contact and employee a worker becomes: Assignar's names, email and phone (`contact`, as PHONE1, which the mapping reads first). */
function employeeWithContact(user: Row, employeeId: string, contactName: string, contactExists: boolean): SageEmployeeWithContact {
  const p = personOfUser(user);
  const phone = text(user.contact);
  return {
    contact: {
      CONTACTNAME: contactName,
      PRINTAS: [p.first, p.last].filter(Boolean).join(' '),
      ...(p.first ? { FIRSTNAME: p.first } : {}),
      ...(p.last ? { LASTNAME: p.last } : {}),
      ...(phone ? { PHONE1: phone } : {}),
      ...(p.email ? { EMAIL1: p.email } : {}),
      STATUS: 'active',
    },
    employee: { EMPLOYEEID: employeeId, STATUS: 'active' },
    contactExists,
  };
}

/** What the employee reads as once created: enough for the worker filter (which only sees the fields it names). */
function wouldBe(user: Row, employeeId: string, contactName: string): Row {
  const p = personOfUser(user);
  return {
    EMPLOYEEID: employeeId,
    STATUS: 'active',
    'CONTACT.CONTACTNAME': contactName,
    'CONTACT.FIRSTNAME': p.first ?? '',
    'CONTACT.LASTNAME': p.last ?? '',
    'CONTACT.EMAIL1': p.email ?? '',
    'CONTACT.PHONE1': text(user.contact) ?? '',
  };
}

const IDENTITY_FIELDS = ['RECORDNO', 'EMPLOYEEID', 'STATUS', 'CONTACT.FIRSTNAME', 'CONTACT.LASTNAME', 'CONTACT.EMAIL1'];

async function employeesByIds(ctx: SyncContext, ids: readonly string[]): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const part = unique.slice(i, i + 500);
    const r = await ctx.sage.query({ object: 'EMPLOYEE', select: IDENTITY_FIELDS, filter: inList('EMPLOYEEID', part), pageSize: 2 * part.length }, { signal: ctx.signal });
    for (const e of r.records) out.set(String(e.EMPLOYEEID), e as Row);
  }
  return out;
}

async function contactsByNames(ctx: SyncContext, names: readonly string[]): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += 500) {
    const part = unique.slice(i, i + 500);
    const r = await ctx.sage.query({ object: 'CONTACT', select: ['RECORDNO', 'CONTACTNAME', 'FIRSTNAME', 'LASTNAME', 'EMAIL1'], filter: inList('CONTACTNAME', part), pageSize: 2 * part.length }, { signal: ctx.signal });
    for (const c of r.records) out.set(String(c.CONTACTNAME), c as Row);
  }
  return out;
}

/** A write's failure: the connection's (or one a retry may cure) fails the wave; the record's fails the item. */
function itemFailure(ctx: SyncContext, err: unknown): string {
  if (isConnectionFailure(err) || (isRetryableError(err) && ctx.attempt < GIVE_UP_AFTER_ATTEMPT)) throw err;
  return describeError(err);
}

/**
 * Applies approved `create-in-sage` items of one wave. `users` holds the Assignar users as they are now
 * (deleted ones absent). Each item ends applied (employee and contact in Sage Intacct, link in the ledger,
 * the worker written with Sage Intacct's values) or failed with a reason the operator can act on; a failure
 * of the connection throws (the activity retries the wave, and the redo finds what landed).
 */
export async function applyCreateInSage(ctx: SyncContext, trueupId: string, items: readonly TrueupPlanItem[], users: ReadonlyMap<string, Row>): Promise<CreateInSageResult> {
  const conn = ctx.connection.id;
  const done = new Set<string>();
  const failures = new Map<string, string>();
  const live: Array<{ item: TrueupPlanItem; user: Row; assignarId: string }> = [];
  for (const item of items) {
    const user = item.assignarId ? users.get(item.assignarId) : undefined;
    if (!item.assignarId || !user) failures.set(item.itemId, `Assignar worker ${item.assignarId} no longer exists; the next re-diff drops this item`);
    else if (user.active === false) failures.set(item.itemId, `Assignar worker ${item.assignarId} was archived since the plan; reactivate it in Assignar and approve this item again, or reject it`);
    else live.push({ item, user, assignarId: item.assignarId });
  }
  if (live.length === 0) return { done, failures };

  const ownIds = live.flatMap((l) => (text(l.user.employee_id) ? [text(l.user.employee_id)!] : []));
  const employees = await employeesByIds(ctx, [...ownIds, ...live.map((l) => derivedEmployeeId(l.assignarId))]);
  const candidateNames = live.flatMap((l) => {
    const p = personOfUser(l.user);
    const own = text(l.user.employee_id);
    return [...(own ? [contactNameFor(p, own)] : []), contactNameFor(p, derivedEmployeeId(l.assignarId))];
  });
  const contacts = await contactsByNames(ctx, candidateNames);
  const userLinks = new Map<string, string>();
  for (const l of await ctx.ledger.getLinksByAssignarIds(conn, 'worker', live.map((x) => x.assignarId))) if (l.status !== 'deactivated') userLinks.set(l.assignarId, l.sageKey);

  /** assignarId → RECORDNO of its employee in Sage Intacct (found or created). */
  const employeeOf = new Map<string, string>();
  const createOne = async ({ item, user, assignarId }: (typeof live)[number]): Promise<void> => {
    const decision = decideCreate({ assignarId, user, employeesById: employees, contactsByName: contacts });
    if (decision.kind === 'fail') {
      failures.set(item.itemId, decision.reason);
      return;
    }
    const linked = userLinks.get(assignarId);
    const target = decision.kind === 'existing' ? String(decision.employee.RECORDNO) : undefined;
    if (linked !== undefined && linked !== target) {
      failures.set(item.itemId, `Assignar worker ${assignarId} is linked to Sage Intacct employee RECORDNO ${linked} since the plan: nothing to create; the next re-diff drops this item`);
      return;
    }
    if (decision.kind === 'existing') {
      employeeOf.set(assignarId, target!);
      return;
    }
    if (!inScope('worker', wouldBe(user, decision.employeeId, decision.contactName), ctx.connection)) {
      failures.set(
        item.itemId,
        `a new Sage Intacct employee ${decision.employeeId} would be outside the worker filter of connection ${conn} (and so deactivated in Assignar by the next sync): create the employee in Sage Intacct by hand with the fields the filter asks for, then the next re-diff proposes a link`,
      );
      return;
    }
    const controlId = createControlId(conn, trueupId, item, decision.employeeId, decision.contactName);
    try {
      const created = await ctx.sage.createEmployeeWithContact(employeeWithContact(user, decision.employeeId, decision.contactName, decision.contactExists), { controlId, signal: ctx.signal });
      employeeOf.set(assignarId, created.recordNo);
    } catch (err) {
      if (!(err instanceof SageAlreadyDoneError)) {
        failures.set(item.itemId, `Sage Intacct refused to create employee ${decision.employeeId} for Assignar worker ${assignarId}: ${itemFailure(ctx, err)}`);
        return;
      }
      // These controlids ran before (a lost response, or a redo): the employee was created then.
      const found = (await employeesByIds(ctx, [decision.employeeId])).get(decision.employeeId);
      if (found && samePerson(personOfEmployee(found), personOfUser(user))) employeeOf.set(assignarId, String(found.RECORDNO));
      else failures.set(item.itemId, `Sage Intacct says employee ${decision.employeeId} was created for this approval, but it is no longer there (deleted since?): approve this item again to create it anew`);
    }
    ctx.progress();
  };
  // As many creates at once as the connection's Sage Intacct concurrency: each is one request (two functions).
  const queue = [...live];
  await Promise.all(
    Array.from({ length: Math.min(ctx.connection.sage.concurrency, queue.length) }, async () => {
      try {
        for (let next = queue.shift(); next; next = queue.shift()) await createOne(next);
      } catch (err) {
        queue.length = 0; // the other lanes stop after their current create: the activity is failing
        throw err;
      }
    }),
  );
  if (employeeOf.size === 0) return { done, failures };

  // Link and write, as the `link` action does: the sync engine writes Sage Intacct's values over the worker.
  const read = await ctx.sage.read('EMPLOYEE', [...employeeOf.values()], selectFieldsFor('worker', ctx.connection), { signal: ctx.signal });
  const byKey = new Map(read.records.map((r) => [String(r.RECORDNO), r as Row]));
  const takenBy = new Map((await ctx.ledger.getLinksBySageKeys(conn, 'worker', [...employeeOf.values()])).filter((l) => l.status !== 'deactivated').map((l) => [l.sageKey, l.assignarId]));
  const mapped = [];
  const written: Array<{ item: TrueupPlanItem; sageKey: string; sageId: string }> = [];
  for (const { item, assignarId } of live) {
    const sageKey = employeeOf.get(assignarId);
    if (sageKey === undefined) continue;
    const e = byKey.get(sageKey);
    const other = takenBy.get(sageKey);
    if (!e) failures.set(item.itemId, `Sage Intacct employee RECORDNO ${sageKey} could not be read back; approve this item again (it finds the employee instead of creating another)`);
    else if (other !== undefined && other !== assignarId) failures.set(item.itemId, `Sage Intacct employee ${String(e.EMPLOYEEID)} is already linked to Assignar worker ${other}; reject this item, or deactivate one of the two workers`);
    else if (!inScope('worker', e, ctx.connection)) failures.set(item.itemId, `Sage Intacct employee ${String(e.EMPLOYEEID)} is inactive or outside the worker filter: activate it (or widen the filter), then approve this item again`);
    else {
      const sageId = String(e.EMPLOYEEID);
      await ctx.ledger.upsertLinks([{ connection: conn, kind: 'worker', sageKey, sageId, assignarId, contentHash: null, status: 'active' }]);
      mapped.push(mapRecord('worker', e, { config: ctx.connection, defaults: ctx.defaults, assignarIdFor: () => undefined }));
      written.push({ item, sageKey, sageId });
    }
  }
  if (written.length === 0) return { done, failures };
  const sink = new OutcomeSink(ctx);
  await applyMapped(ctx, 'worker', mapped, sink);
  await sink.flush();
  const outcomes = new Map((await ctx.ledger.getOutcomes(ctx.runId, 'worker', written.map((w) => w.sageKey))).map((o) => [o.recordKey, o]));
  for (const w of written) {
    const o = outcomes.get(w.sageKey);
    if (o && ['created', 'updated', 'adopted', 'unchanged'].includes(o.outcome)) done.add(w.item.itemId);
    else failures.set(w.item.itemId, `Sage Intacct employee ${w.sageId} exists and is linked, but writing it to Assignar failed: ${o?.reason ?? 'no outcome was recorded'}; approve this item again to retry`);
  }
  return { done, failures };
}
