/**
 * True-up matching of workers (issue 10): which Assignar worker is which Sage Intacct employee, when no link
 * says so. Pure (no I/O, no clock): the planner feeds it both systems' records and the ledger's links and
 * turns its matches into plan items. Rules, strongest first:
 * 1. employee ID: Assignar `employee_id` = EMPLOYEEID, or `integration_id` = RECORDNO;
 * 2. email: Assignar `email` = CONTACT.EMAIL1, compared without case;
 * 3. normalised name (accents, case, punctuation and spacing ignored) plus phone (digits, last 9);
 * 4. normalised name alone: proposed at low confidence, for a person to confirm.
 * Two keys of one Assignar worker naming different employees is a conflict: never matched, reported.
 */

export interface SageEmployeeFacts {
  recordNo: string;
  employeeId: string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface AssignarWorkerFacts {
  id: string;
  employeeId?: string | null;
  integrationId?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
}

export type MatchRule = 'employee-id' | 'integration-id' | 'email' | 'name-phone' | 'name';

export interface Evidence {
  field: 'employee_id' | 'integration_id' | 'email' | 'name' | 'phone';
  sage: string | null;
  assignar: string | null;
  same: boolean;
}

export type WorkerMatch =
  | { kind: 'match'; assignarId: string; recordNo: string; rule: MatchRule; confidence: number; evidence: Evidence[] }
  | { kind: 'conflict'; assignarId: string; recordNos: string[]; evidence: Evidence[]; reason: string }
  | { kind: 'none'; assignarId: string };

/** How sure each rule is, raised to 1 when the email agrees with an ID match. */
export const CONFIDENCE: Record<MatchRule, number> = { 'employee-id': 0.95, 'integration-id': 0.95, email: 0.9, 'name-phone': 0.75, name: 0.4 };

const clean = (s: string | null | undefined): string => (s ?? '').trim();

export function normaliseEmail(s: string | null | undefined): string {
  return clean(s).toLowerCase();
}

/** `José O'Brien-Smith` and `jose obrien smith` are the same name. */
export function normaliseName(first: string | null | undefined, last: string | null | undefined): string {
  const full = `${clean(first)} ${clean(last)}`.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return full.replace(/['’.]/g, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** The last 9 digits: country codes, trunk prefixes and formatting ignored. */
export function normalisePhone(s: string | null | undefined): string {
  const digits = clean(s).replace(/\D/g, '');
  return digits.length >= 6 ? digits.slice(-9) : '';
}

function index<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    if (!k) continue;
    out.set(k, [...(out.get(k) ?? []), t]);
  }
  return out;
}

function evidenceOf(e: SageEmployeeFacts, a: AssignarWorkerFacts): Evidence[] {
  const out: Evidence[] = [];
  const push = (field: Evidence['field'], sage: string, assignar: string, same: boolean) => {
    if (sage || assignar) out.push({ field, sage: sage || null, assignar: assignar || null, same });
  };
  push('employee_id', clean(e.employeeId), clean(a.employeeId), clean(e.employeeId).toUpperCase() === clean(a.employeeId).toUpperCase() && clean(e.employeeId) !== '');
  if (clean(a.integrationId)) push('integration_id', e.recordNo, clean(a.integrationId), e.recordNo === clean(a.integrationId));
  push('email', clean(e.email), clean(a.email), normaliseEmail(e.email) !== '' && normaliseEmail(e.email) === normaliseEmail(a.email));
  const [sn, an] = [normaliseName(e.firstName, e.lastName), normaliseName(a.firstName, a.lastName)];
  push('name', `${clean(e.firstName)} ${clean(e.lastName)}`.trim(), `${clean(a.firstName)} ${clean(a.lastName)}`.trim(), sn !== '' && sn === an);
  push('phone', clean(e.phone), clean(a.phone), normalisePhone(e.phone) !== '' && normalisePhone(e.phone) === normalisePhone(a.phone));
  return out;
}

/**
 * Matches each Assignar worker to at most one Sage Intacct employee among `employees` (the candidates: in
 * the planner, those not linked yet). Several Assignar workers may match one employee (duplicates): the
 * planner keeps the strongest and proposes deactivating the others.
 */
export function matchWorkers(employees: readonly SageEmployeeFacts[], workers: readonly AssignarWorkerFacts[]): WorkerMatch[] {
  const byEmployeeId = index(employees, (e) => clean(e.employeeId).toUpperCase());
  const byRecordNo = index(employees, (e) => e.recordNo);
  const byEmail = index(employees, (e) => normaliseEmail(e.email));
  const byName = index(employees, (e) => normaliseName(e.firstName, e.lastName));
  const unique = (found: SageEmployeeFacts[] | undefined) => (found && found.length === 1 ? found[0] : undefined);

  return workers.map((a): WorkerMatch => {
    const byId = unique(byEmployeeId.get(clean(a.employeeId).toUpperCase()));
    const byIntegration = unique(byRecordNo.get(clean(a.integrationId)));
    const byMail = unique(byEmail.get(normaliseEmail(a.email)));
    const keyed = [byId, byIntegration, byMail].filter((e): e is SageEmployeeFacts => e !== undefined);
    const distinctKeyed = [...new Map(keyed.map((e) => [e.recordNo, e])).values()];
    if (distinctKeyed.length > 1) {
      return {
        kind: 'conflict',
        assignarId: a.id,
        recordNos: distinctKeyed.map((e) => e.recordNo),
        evidence: distinctKeyed.flatMap((e) => evidenceOf(e, a)),
        reason: `Assignar worker ${a.id}'s keys name different Sage Intacct employees (${distinctKeyed.map((e) => e.employeeId).join(', ')}): correct its employee ID or email in Assignar`,
      };
    }
    const match = (e: SageEmployeeFacts, rule: MatchRule, confidence: number): WorkerMatch => ({ kind: 'match', assignarId: a.id, recordNo: e.recordNo, rule, confidence, evidence: evidenceOf(e, a) });
    if (byId) return match(byId, 'employee-id', byMail ? 1 : CONFIDENCE['employee-id']);
    if (byIntegration) return match(byIntegration, 'integration-id', byMail ? 1 : CONFIDENCE['integration-id']);
    if (byMail) return match(byMail, 'email', CONFIDENCE.email);
    const named = byName.get(normaliseName(a.firstName, a.lastName)) ?? [];
    const phone = normalisePhone(a.phone);
    const withPhone = phone ? named.filter((e) => normalisePhone(e.phone) === phone) : [];
    if (withPhone.length === 1) return match(withPhone[0], 'name-phone', CONFIDENCE['name-phone']);
    if (named.length === 1) return match(named[0], 'name', CONFIDENCE.name);
    return { kind: 'none', assignarId: a.id };
  });
}
