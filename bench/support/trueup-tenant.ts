/**
 * The 5 % drift bench:trueup puts on a linked 10,000-worker tenant (bench/trueup.ts): what a tenant looks
 * like a while after go-live, made the way it happens — people editing in Assignar and in Sage Intacct,
 * through the sandboxes' control APIs (`POST /_sandbox/records/…` is a person in the app; `DELETE` is the
 * app's delete, `?hard=true` a purge). Nothing here writes the ledger: the links are the ones the real
 * `initialImport` wrote, and the held ones are held by a real `incrementalSync`.
 *
 * Every pick is deterministic (a stride over Sage RECORDNO order), and each category says which plan item
 * it should become, so the bench can hold the plan against what was done.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { TrueupAction } from '../../src/contracts/trueup';
import { normaliseEmail, normaliseName, normalisePhone } from '../../src/trueup/match-workers';
import { CONNECTION_ID, sage, type Sandboxes } from './sync-rig';

type Sage = Record<string, string>;
type User = Record<string, unknown>;

const WORKER = 2;

export type DriftCategory =
  | 'held-edit'
  | 'held-accept'
  | 'edited-name'
  | 'edited-email'
  | 'edited-nick'
  | 'archived'
  | 'purged'
  | 'duplicate'
  | 'returning-id'
  | 'returning-email'
  | 'returning-name'
  | 'new-hire'
  | 'leaver'
  | 'assignar-only'
  | 'conflict';

export interface CategorySpec {
  n: number;
  /** The plan item this should become. */
  expect: TrueupAction;
  /** For the printed mix. */
  what: string;
  /** Done before the sync that holds drift (stage 1) or after it (stage 2). */
  stage: 1 | 2;
}

/** 500 workers of 10,000 (5 %). */
export const DRIFT_MIX: Record<DriftCategory, CategorySpec> = {
  'held-edit': { n: 70, expect: 'overwrite', stage: 1, what: 'edited in Assignar (last name, phone), then a sync held them (worker drift policy hold)' },
  'held-accept': { n: 30, expect: 'accept', stage: 1, what: 'a phone added in Assignar where Sage Intacct has none, then a sync held them' },
  'edited-name': { n: 105, expect: 'overwrite', stage: 2, what: 'last name edited in Assignar since the last sync' },
  'edited-email': { n: 55, expect: 'overwrite', stage: 2, what: 'email changed to a personal address in Assignar' },
  'edited-nick': { n: 50, expect: 'overwrite', stage: 2, what: 'first name shortened and phone changed in Assignar' },
  archived: { n: 40, expect: 'recreate', stage: 2, what: 'archived in Assignar (the app\'s delete), active in Sage Intacct' },
  purged: { n: 20, expect: 'recreate', stage: 2, what: 'purged from Assignar (hard delete), active in Sage Intacct' },
  duplicate: { n: 30, expect: 'deactivate-duplicate', stage: 2, what: 'a second worker typed by hand for a linked employee (same employee ID, no email)' },
  'returning-id': { n: 20, expect: 'link', stage: 2, what: 'rehired (reactivated in Sage Intacct), entered by hand in Assignar with employee ID and email' },
  'returning-email': { n: 15, expect: 'link', stage: 2, what: 'rehired, entered by hand in Assignar with the email only' },
  'returning-name': { n: 5, expect: 'link', stage: 2, what: 'rehired, entered by hand in Assignar with name and phone (personal email)' },
  'new-hire': { n: 10, expect: 'recreate', stage: 2, what: 'rehired in Sage Intacct, not in Assignar yet' },
  leaver: { n: 30, expect: 'deactivate-orphan', stage: 2, what: 'left: inactive in Sage Intacct, still active in Assignar' },
  'assignar-only': { n: 15, expect: 'create-in-sage', stage: 2, what: 'labour-hire workers that exist only in Assignar' },
  conflict: { n: 5, expect: 'leave', stage: 2, what: 'entered by hand with one employee\'s ID and another\'s email' },
};

export const DRIFTED = Object.values(DRIFT_MIX).reduce((n, c) => n + c.n, 0);

/** What was done to one worker: the Sage RECORDNO and/or Assignar id an item should name. */
export interface DriftRecord {
  category: DriftCategory;
  sageKey: string | null;
  assignarId: string | null;
}

export interface LinkRow {
  sage_key: string;
  sage_id: string;
  assignar_id: string;
  status: string;
  content_hash: string | null;
}

/** The ledger's worker links (read-only). */
export function readLinks(ledgerFile: string): LinkRow[] {
  const db = new BetterSqlite3(ledgerFile, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    return db.prepare(`select sage_key, sage_id, assignar_id, status, content_hash from links where connection = ? and kind = 'worker'`).all(CONNECTION_ID) as LinkRow[];
  } finally {
    db.close();
  }
}

async function control<T>(base: string, method: 'POST' | 'DELETE', route: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(route, base), {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox control ${method} ${route} → HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Assignar as a person in the app: create or update users (by id), delete (archive) or purge one. */
export const assignarUi = {
  upsertUsers: (sb: Sandboxes, users: User[]) => control<User[]>(sb.info.assignar.control, 'POST', 'records/users', users),
  deleteUser: (sb: Sandboxes, id: string, hard: boolean) => control<unknown>(sb.info.assignar.control, 'DELETE', `records/users/${id}${hard ? '?hard=true' : ''}`),
};

const phoneOf = (e: Sage) => e['CONTACT.PHONE1'] || e['CONTACT.CELLPHONE'] || '';
const nameKey = (e: Sage) => normaliseName(e['CONTACT.FIRSTNAME'], e['CONTACT.LASTNAME']);

/** n evenly spread picks from a pool (deterministic), removed from the pool. */
function take<T>(pool: T[], n: number, label: string): T[] {
  if (pool.length < n) throw new Error(`only ${pool.length} candidates for ${label} (need ${n})`);
  const step = pool.length / n;
  const idx = Array.from({ length: n }, (_, i) => Math.floor(i * step));
  const picked = idx.map((i) => pool[i]);
  const gone = new Set(idx);
  const rest = pool.filter((_, i) => !gone.has(i));
  pool.length = 0;
  pool.push(...rest);
  return picked;
}

function altPhone(seed: number): string {
  return `(555) 01${String(seed % 10).padStart(1, '0')}-${String((seed * 7919) % 10000).padStart(4, '0')}`;
}

export interface TenantFacts {
  employees: Sage[];
  users: User[];
  links: LinkRow[];
}

interface Pools {
  /** Linked, active in both, with an email no other employee has. */
  linked: Sage[];
  linkedNoPhone: Sage[];
  /** Inactive in Sage Intacct (never imported), with an email no other employee has. */
  inactive: Sage[];
  userOf: Map<string, User>;
}

function pools(t: TenantFacts): Pools {
  const emailCount = new Map<string, number>();
  for (const e of t.employees) {
    const m = normaliseEmail(e['CONTACT.EMAIL1']);
    if (m) emailCount.set(m, (emailCount.get(m) ?? 0) + 1);
  }
  const usersById = new Map(t.users.map((u) => [String(u.id), u]));
  const userOf = new Map<string, User>();
  for (const l of t.links) {
    const u = usersById.get(l.assignar_id);
    if (l.status === 'active' && u && u.active !== false) userOf.set(l.sage_key, u);
  }
  // Names are not unique in this seed (2,175 names for 10,000 employees, as in a real workforce): only the
  // email must be, so that the hand-made workers below can be saved in Assignar (unique among active ones).
  const clean = (e: Sage) => !!e['CONTACT.EMAIL1'] && emailCount.get(normaliseEmail(e['CONTACT.EMAIL1'])) === 1;
  const byKey = (a: Sage, b: Sage) => Number(a.RECORDNO) - Number(b.RECORDNO);
  const everLinked = new Set(t.links.map((l) => l.sage_key));
  const linkedAll = t.employees.filter((e) => e.STATUS === 'active' && userOf.has(e.RECORDNO) && clean(e)).sort(byKey);
  return {
    linked: linkedAll.filter((e) => phoneOf(e) !== ''),
    linkedNoPhone: linkedAll.filter((e) => phoneOf(e) === ''),
    inactive: t.employees.filter((e) => e.STATUS === 'inactive' && !everLinked.has(e.RECORDNO) && clean(e)).sort(byKey),
    userOf,
  };
}

export interface Stage1 {
  records: DriftRecord[];
  /** Picks kept for stage 2 (so stage 2 never touches a stage-1 worker). */
  pools: Pools;
}

/** Stage 1: the Assignar edits a sync will see and hold. */
export async function driftStage1(sb: Sandboxes, t: TenantFacts): Promise<Stage1> {
  const p = pools(t);
  const records: DriftRecord[] = [];
  const edits: User[] = [];
  for (const [i, e] of take(p.linked, DRIFT_MIX['held-edit'].n, 'held-edit').entries()) {
    const u = p.userOf.get(e.RECORDNO)!;
    edits.push({ id: u.id, last_name: `${e['CONTACT.LASTNAME']}-Reyes`, contact: altPhone(1000 + i) });
    records.push({ category: 'held-edit', sageKey: e.RECORDNO, assignarId: String(u.id) });
  }
  for (const [i, e] of take(p.linkedNoPhone, DRIFT_MIX['held-accept'].n, 'held-accept').entries()) {
    const u = p.userOf.get(e.RECORDNO)!;
    edits.push({ id: u.id, contact: altPhone(2000 + i) });
    records.push({ category: 'held-accept', sageKey: e.RECORDNO, assignarId: String(u.id) });
  }
  await assignarUi.upsertUsers(sb, edits);
  return { records, pools: p };
}

const LABOUR_HIRE: Array<[string, string]> = [
  ['Quinn', 'Ashdown'], ['Rory', 'Blackwood'], ['Tegan', 'Carrow'], ['Ulric', 'Dunmore'], ['Vesna', 'Elkins'],
  ['Wade', 'Fairlie'], ['Xanthe', 'Gorrie'], ['Yusuf', 'Hallam'], ['Zelda', 'Inchcape'], ['Arlo', 'Jessop'],
  ['Bryn', 'Kershaw'], ['Cato', 'Lindqvist'], ['Dara', 'Moorcroft'], ['Elio', 'Northam'], ['Fenn', 'Ottley'],
];

/** Stage 2: everything else, after the sync — Assignar edits, deletes, hand-made workers; Sage Intacct rehires and leavers. */
export async function driftStage2(sb: Sandboxes, t: TenantFacts, s1: Stage1): Promise<DriftRecord[]> {
  const p = s1.pools;
  const records: DriftRecord[] = [];
  const edits: User[] = [];
  const created: Array<{ category: DriftCategory; sageKey: string | null; user: User }> = [];
  const sageEdits: Array<Record<string, string>> = [];
  const userOf = (e: Sage) => p.userOf.get(e.RECORDNO)!;
  const rec = (category: DriftCategory, e: Sage | null, assignarId: string | null) => records.push({ category, sageKey: e ? e.RECORDNO : null, assignarId });

  for (const [i, e] of take(p.linked, DRIFT_MIX['edited-name'].n, 'edited-name').entries()) {
    edits.push({ id: userOf(e).id, last_name: `${e['CONTACT.LASTNAME']}${i % 2 ? '-Smith' : ' Jr'}` });
    rec('edited-name', e, String(userOf(e).id));
  }
  for (const e of take(p.linked, DRIFT_MIX['edited-email'].n, 'edited-email')) {
    const personal = `${e.EMPLOYEEID.toLowerCase()}.${normaliseName(e['CONTACT.FIRSTNAME'], '').replace(/\s+/g, '')}@personal-mail.example.com`;
    edits.push({ id: userOf(e).id, email: personal, username: personal });
    rec('edited-email', e, String(userOf(e).id));
  }
  for (const [i, e] of take(p.linked, DRIFT_MIX['edited-nick'].n, 'edited-nick').entries()) {
    edits.push({ id: userOf(e).id, first_name: e['CONTACT.FIRSTNAME'].slice(0, 3), contact: altPhone(3000 + i) });
    rec('edited-nick', e, String(userOf(e).id));
  }
  await assignarUi.upsertUsers(sb, edits);

  for (const e of take(p.linked, DRIFT_MIX.archived.n, 'archived')) {
    await assignarUi.deleteUser(sb, String(userOf(e).id), false);
    rec('archived', e, String(userOf(e).id));
  }
  for (const e of take(p.linked, DRIFT_MIX.purged.n, 'purged')) {
    await assignarUi.deleteUser(sb, String(userOf(e).id), true);
    rec('purged', e, null);
  }
  for (const e of take(p.linked, DRIFT_MIX.duplicate.n, 'duplicate')) {
    const u = userOf(e);
    created.push({
      category: 'duplicate',
      sageKey: e.RECORDNO,
      user: { user_type_id: WORKER, first_name: e['CONTACT.FIRSTNAME'], last_name: e['CONTACT.LASTNAME'], employee_id: e.EMPLOYEEID, username: `${e.EMPLOYEEID.toLowerCase()}.second`, employment_type: u.employment_type ?? 1, active: true },
    });
  }
  for (const e of take(p.linked, DRIFT_MIX.leaver.n, 'leaver')) {
    sageEdits.push({ RECORDNO: e.RECORDNO, STATUS: 'inactive' });
    rec('leaver', e, String(userOf(e).id));
  }

  // Rehires: reactivated in Sage Intacct; most were entered by hand in Assignar first.
  const hand = (e: Sage, patch: User): User => ({
    user_type_id: WORKER, first_name: e['CONTACT.FIRSTNAME'], last_name: e['CONTACT.LASTNAME'], email: e['CONTACT.EMAIL1'], username: e['CONTACT.EMAIL1'],
    employee_id: e.EMPLOYEEID, contact: phoneOf(e) || undefined, employment_type: 1, active: true, ...patch,
  });
  for (const e of take(p.inactive, DRIFT_MIX['returning-id'].n, 'returning-id')) {
    sageEdits.push({ RECORDNO: e.RECORDNO, STATUS: 'active' });
    created.push({ category: 'returning-id', sageKey: e.RECORDNO, user: hand(e, {}) });
  }
  for (const e of take(p.inactive, DRIFT_MIX['returning-email'].n, 'returning-email')) {
    sageEdits.push({ RECORDNO: e.RECORDNO, STATUS: 'active' });
    created.push({ category: 'returning-email', sageKey: e.RECORDNO, user: hand(e, { employee_id: undefined }) });
  }
  const withPhone = p.inactive.filter((e) => normalisePhone(phoneOf(e)) !== '');
  for (const e of take(withPhone, DRIFT_MIX['returning-name'].n, 'returning-name')) {
    p.inactive.splice(p.inactive.indexOf(e), 1);
    const personal = `${normaliseName(e['CONTACT.FIRSTNAME'], e['CONTACT.LASTNAME']).replace(/\s+/g, '.')}.${e.RECORDNO}@personal-mail.example.com`;
    sageEdits.push({ RECORDNO: e.RECORDNO, STATUS: 'active' });
    created.push({ category: 'returning-name', sageKey: e.RECORDNO, user: hand(e, { employee_id: undefined, email: personal, username: personal }) });
  }
  for (const e of take(p.inactive, DRIFT_MIX['new-hire'].n, 'new-hire')) {
    sageEdits.push({ RECORDNO: e.RECORDNO, STATUS: 'active' });
    rec('new-hire', e, null);
  }
  // Conflicts: one inactive employee's ID with another inactive employee's email.
  const pairs = take(p.inactive, DRIFT_MIX.conflict.n * 2, 'conflict');
  for (let i = 0; i < DRIFT_MIX.conflict.n; i++) {
    const [a, b] = [pairs[2 * i], pairs[2 * i + 1]];
    created.push({ category: 'conflict', sageKey: null, user: hand(a, { email: b['CONTACT.EMAIL1'], username: b['CONTACT.EMAIL1'] }) });
  }
  const sageNames = new Set(t.employees.map(nameKey));
  for (const [i, [first, last]] of LABOUR_HIRE.slice(0, DRIFT_MIX['assignar-only'].n).entries()) {
    if (sageNames.has(normaliseName(first, last))) throw new Error(`labour-hire name ${first} ${last} is also a Sage Intacct employee`);
    const email = `${first.toLowerCase()}.${last.toLowerCase()}@labour-hire.example.com`;
    created.push({ category: 'assignar-only', sageKey: null, user: { user_type_id: WORKER, first_name: first, last_name: last, email, username: email, contact: altPhone(4000 + i), employment_type: 4, active: true } });
  }

  if (sageEdits.length) await sage.upsert(sb, 'EMPLOYEE', sageEdits);
  const bodies = created.map((c) => Object.fromEntries(Object.entries(c.user).filter(([, v]) => v !== undefined)));
  const saved = await assignarUi.upsertUsers(sb, bodies);
  created.forEach((c, i) => rec(c.category, c.sageKey === null ? null : ({ RECORDNO: c.sageKey } as Sage), String(saved[i].id)));
  return records;
}

/** A plan item as the ledger holds it (the fields the bench looks at). */
export interface ItemRow {
  item_id: string;
  action: TrueupAction;
  state: string;
  confidence: number | null;
  sage_key: string | null;
  assignar_id: string | null;
  summary: string;
  reason: string | null;
}

export function readItems(ledgerFile: string, trueupId: string): ItemRow[] {
  const db = new BetterSqlite3(ledgerFile, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    return db
      .prepare(`select item_id, action, state, confidence, sage_key, assignar_id, summary, reason from trueup_items where connection = ? and trueup_id = ? and kind = 'worker' order by item_id`)
      .all(CONNECTION_ID, trueupId) as ItemRow[];
  } finally {
    db.close();
  }
}

export interface Classified {
  /** Per category: how many drifted workers got the expected item. */
  byCategory: Array<{ category: DriftCategory; n: number; expected: TrueupAction; asExpected: number; other: Record<string, number> }>;
  /** Items that name no drifted worker: the seed's own mess (shared emails, …). */
  baseline: ItemRow[];
}

/** Holds the plan against what was done: each drifted worker's item(s), and the items nobody made. */
export function classify(items: readonly ItemRow[], drift: readonly DriftRecord[]): Classified {
  const bySage = new Map<string, ItemRow[]>();
  const byUser = new Map<string, ItemRow[]>();
  for (const i of items) {
    if (i.sage_key) bySage.set(i.sage_key, [...(bySage.get(i.sage_key) ?? []), i]);
    if (i.assignar_id) byUser.set(i.assignar_id, [...(byUser.get(i.assignar_id) ?? []), i]);
  }
  const claimed = new Set<string>();
  const out = new Map<DriftCategory, Classified['byCategory'][number]>();
  for (const d of drift) {
    const spec = DRIFT_MIX[d.category];
    const row = out.get(d.category) ?? { category: d.category, n: 0, expected: spec.expect, asExpected: 0, other: {} };
    row.n++;
    // A duplicate's item names the employee and the second worker; others name one of the two.
    const found = [...(d.assignarId ? (byUser.get(d.assignarId) ?? []) : []), ...(d.sageKey && d.category !== 'duplicate' ? (bySage.get(d.sageKey) ?? []) : [])];
    const unique = [...new Map(found.map((i) => [i.item_id, i])).values()];
    for (const i of unique) claimed.add(i.item_id);
    if (unique.some((i) => i.action === spec.expect)) row.asExpected++;
    else {
      const key = unique.map((i) => i.action).sort().join('+') || 'no item';
      row.other[key] = (row.other[key] ?? 0) + 1;
    }
    out.set(d.category, row);
  }
  return {
    byCategory: (Object.keys(DRIFT_MIX) as DriftCategory[]).map((c) => out.get(c) ?? { category: c, n: 0, expected: DRIFT_MIX[c].expect, asExpected: 0, other: {} }),
    baseline: items.filter((i) => !claimed.has(i.item_id)),
  };
}

export interface Checked {
  action: TrueupAction;
  n: number;
  ok: number;
  bad: string[];
}

/**
 * The bench's own check of applied items, against the sandboxes' tables and the ledger's links (not the
 * workflow's verification): link / overwrite / recreate → an active link whose Assignar worker is active
 * and holds Sage Intacct's name, email, employee ID and RECORDNO; accept → an active link, Assignar's
 * phone kept; deactivate-* → the Assignar worker is inactive.
 */
export function checkApplied(items: readonly ItemRow[], employees: readonly Sage[], users: readonly User[], links: readonly LinkRow[]): Checked[] {
  const emp = new Map(employees.map((e) => [e.RECORDNO, e]));
  const usr = new Map(users.map((u) => [String(u.id), u]));
  const lnk = new Map(links.map((l) => [l.sage_key, l]));
  const same = (a: unknown, b: unknown) => String(a ?? '').trim() === String(b ?? '').trim();
  const out = new Map<TrueupAction, Checked>();
  for (const i of items) {
    const c = out.get(i.action) ?? { action: i.action, n: 0, ok: 0, bad: [] };
    c.n++;
    let problem: string | undefined;
    if (i.action === 'deactivate-duplicate' || i.action === 'deactivate-orphan') {
      const u = i.assignar_id ? usr.get(i.assignar_id) : undefined;
      if (u && u.active !== false) problem = `Assignar worker ${i.assignar_id} is still active`;
    } else {
      // A created employee is found through the worker's link (the item names no employee).
      const l = i.action === 'create-in-sage' ? links.find((x) => x.assignar_id === i.assignar_id && x.status === 'active') : i.sage_key ? lnk.get(i.sage_key) : undefined;
      const e = l ? emp.get(l.sage_key) : undefined;
      const u = l ? usr.get(l.assignar_id) : undefined;
      if (!l || l.status !== 'active') problem = `no active link (${l?.status ?? 'none'})`;
      else if (!u) problem = `linked Assignar worker ${l.assignar_id} does not exist`;
      else if (!e) problem = `Sage Intacct employee ${i.sage_key} is gone`;
      else if (i.action === 'accept') {
        if (!u.contact) problem = `Assignar worker ${u.id} lost the phone that was accepted`;
      } else if (u.active === false) problem = `Assignar worker ${u.id} is inactive`;
      else {
        const diffs = [
          ['first_name', e['CONTACT.FIRSTNAME']],
          ['last_name', e['CONTACT.LASTNAME']],
          ['employee_id', e.EMPLOYEEID],
          ['integration_id', e.RECORDNO],
          ...(e['CONTACT.EMAIL1'] ? [['email', e['CONTACT.EMAIL1']]] : []),
        ].filter(([f, v]) => !same(u[f], v));
        if (diffs.length) problem = `Assignar worker ${u.id} differs from Sage Intacct in ${diffs.map(([f]) => f).join(', ')}`;
      }
    }
    if (problem) c.bad.push(`${i.item_id}: ${problem}`);
    else c.ok++;
    out.set(i.action, c);
  }
  return [...out.values()];
}
