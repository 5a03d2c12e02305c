import type { ConnectionConfig, EntityKind } from '../config';
import { readableId, scopeFilter, toSageQueryFilter } from '../mapping';
import {
  and,
  buildQuery,
  equalTo,
  greaterThan,
  isNull,
  lessThan,
  or,
  toSageTimestamp,
  validateRecords,
  type SageClient,
  type SageFilter,
  type SageFunction,
  type SageFunctionResult,
  type SageRawRecord,
} from '../sage';
import { textOf } from '../sage/response';

/**
 * The Sage Intacct half of preflight asks everything it checks in one request of independent `query`
 * functions, then reads the in-scope employees page by page (cost: see sage-checks.ts). This is that
 * request, the scan, and what the checks read from their answers.
 */

/** How far back "untouched" starts: active records not modified for this many years are flagged. */
export const STALE_YEARS = 3;
/** Example IDs listed per clean-up hint. */
export const EXAMPLES = 5;

/** Sage Intacct objects the service reads or writes, in report order. */
export const OBJECTS = ['CUSTOMER', 'PROJECT', 'ITEM', 'ITEMGLGROUP', 'EMPLOYEE', 'TASK', 'STANDARDCOSTTYPE', 'TIMESHEET', 'AUDITHISTORY'] as const;
export type ObjectName = (typeof OBJECTS)[number];

export const ENTITY_OBJECT: Record<EntityKind, ObjectName> = {
  client: 'CUSTOMER',
  project: 'PROJECT',
  role: 'ITEM',
  asset: 'ITEM',
  costCode: 'STANDARDCOSTTYPE',
  worker: 'EMPLOYEE',
  workOrder: 'TASK',
};

/** Objects checked for records untouched for years, with the entities whose scope decides "would come over". */
export const STALE_OBJECTS: ReadonlyArray<{ object: ObjectName; kinds: EntityKind[]; select: string[]; idOf: (r: SageRawRecord) => string }> = [
  { object: 'CUSTOMER', kinds: ['client'], select: ['CUSTOMERID'], idOf: (r) => field(r, 'CUSTOMERID') },
  { object: 'PROJECT', kinds: ['project'], select: ['PROJECTID'], idOf: (r) => field(r, 'PROJECTID') },
  { object: 'ITEM', kinds: ['role', 'asset'], select: ['ITEMID'], idOf: (r) => field(r, 'ITEMID') },
  { object: 'TASK', kinds: ['workOrder'], select: ['PROJECTID', 'TASKID'], idOf: (r) => readableId('workOrder', { PROJECTID: field(r, 'PROJECTID'), TASKID: field(r, 'TASKID') }) },
  { object: 'STANDARDCOSTTYPE', kinds: ['costCode'], select: ['STANDARDCOSTTYPEID'], idOf: (r) => field(r, 'STANDARDCOSTTYPEID') },
];

const EMPLOYEE_SELECT = ['RECORDNO', 'EMPLOYEEID', 'STATUS', 'CONTACT.EMAIL1', 'WHENMODIFIED', 'WHENCREATED'];
/** AUDITHISTORY is large in a real tenant: its readability probe looks at recent deletions only. */
const AUDIT_PROBE_DAYS = 7;

export function field(record: SageRawRecord, name: string): string {
  return (textOf(record[name]) ?? '').trim();
}

/** One planned `query` of the batch request, and what came back. */
export interface Planned {
  key: string;
  object: ObjectName;
  fn: SageFunction;
  result?: SageFunctionResult;
  error?: unknown;
}

export function totalCount(p: Planned | undefined): number | undefined {
  const raw = p?.result?.data?.attributes.totalcount;
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

export function recordsOf(p: Planned | undefined): SageRawRecord[] {
  return p?.result?.data?.records ?? [];
}

export function failed(p: Planned | undefined): unknown {
  return p?.error;
}

/**
 * Runs the planned queries in one request. A function refused for a passing reason (rate limit,
 * off-line, session) is sent again alone, where the client backs off and retries it.
 */
export async function runBatch(sage: SageClient, planned: Planned[], signal: AbortSignal | undefined): Promise<void> {
  const results = await sage.execute(
    planned.map((p) => p.fn),
    { uniqueId: false, signal },
  );
  for (const [i, p] of planned.entries()) {
    let r = results[i];
    if (r.error?.retryable) {
      try {
        [r] = await sage.execute([p.fn], { uniqueId: false, signal });
      } catch (err) {
        p.error = err;
        continue;
      }
    }
    if (r.error) p.error = r.error;
    else p.result = r;
  }
}

/** One `query` alone in its request; throws the function's error. */
export async function queryAlone(sage: SageClient, fn: SageFunction, signal: AbortSignal | undefined): Promise<SageFunctionResult> {
  const [r] = await sage.execute([fn], { uniqueId: false, signal });
  if (r.error) throw r.error;
  return r;
}

/** The batch request's planned queries, looked up by key. */
export interface Batch {
  planned: Planned[];
  byKey(key: string): Planned | undefined;
  /** The EMPLOYEE query of the page after `after` (the first page when undefined). */
  employeePage(after?: string): SageFunction;
}

/** The batch of queries that answers every check but the employee scan's later pages. */
export function planBatch(connection: ConnectionConfig, now: Date, cutoff: Date, offset: string): Batch {
  const s = connection.sage;
  const enabled = (kind: EntityKind) => connection.entities[kind].enabled;
  const scope = (kind: EntityKind): SageFilter | undefined => toSageQueryFilter(scopeFilter(kind, connection)) as SageFilter | undefined;
  /** The scope, restricted to active records (status `all` brings inactive ones too, which are harmless). */
  const activeScope = (kind: EntityKind): SageFilter | undefined =>
    connection.entities[kind].status === 'active' ? scope(kind) : and(scope(kind), equalTo('STATUS', 'active'));
  const cutoffText = toSageTimestamp(cutoff, offset);
  const staleCondition = or(lessThan('WHENMODIFIED', cutoffText), and(isNull('WHENMODIFIED'), lessThan('WHENCREATED', cutoffText)));

  const planned: Planned[] = [];
  const plan = (key: string, object: ObjectName, fn: SageFunction) => planned.push({ key, object, fn });

  for (const kind of ['client', 'project', 'role', 'asset', 'costCode', 'workOrder'] as const) {
    if (enabled(kind)) plan(`count.${kind}`, ENTITY_OBJECT[kind], buildQuery({ object: ENTITY_OBJECT[kind], select: ['RECORDNO'], filter: scope(kind), pageSize: 1 }));
  }
  const itemsUsed = enabled('role') || enabled('asset');
  if (itemsUsed) plan('glgroups', 'ITEMGLGROUP', buildQuery({ object: 'ITEMGLGROUP', select: ['NAME'], orderBy: [{ field: 'NAME' }], pageSize: 2000 }));
  plan('timesheets', 'TIMESHEET', buildQuery({ object: 'TIMESHEET', select: ['RECORDNO'], pageSize: 1 }));
  if (s.auditHistory) {
    const since = toSageTimestamp(now.getTime() - AUDIT_PROBE_DAYS * 86_400_000, offset);
    plan('audit', 'AUDITHISTORY', buildQuery({ object: 'AUDITHISTORY', select: ['RECORDNO'], filter: and(equalTo('ACCESSMODE', 'D'), greaterThan('ACCESSTIME', since)), pageSize: 1 }));
  }
  for (const st of STALE_OBJECTS) {
    const kinds = st.kinds.filter(enabled);
    if (kinds.length === 0) continue;
    plan(
      `stale.${st.object}`,
      st.object,
      buildQuery({
        object: st.object,
        select: st.select,
        filter: and(or(...kinds.map(activeScope)), staleCondition),
        orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO' }],
        pageSize: EXAMPLES,
      }),
    );
  }
  if (itemsUsed) {
    plan('nogroup', 'ITEM', buildQuery({ object: 'ITEM', select: ['ITEMID'], filter: and(equalTo('STATUS', 'active'), isNull('GLGROUP')), orderBy: [{ field: 'ITEMID' }], pageSize: EXAMPLES }));
  }
  const workerScope = scope('worker');
  const employeePage = (after?: string) =>
    buildQuery({
      object: 'EMPLOYEE',
      select: EMPLOYEE_SELECT,
      filter: and(workerScope, after !== undefined && greaterThan('RECORDNO', after)),
      orderBy: [{ field: 'RECORDNO' }],
      pageSize: s.pageSize,
    });
  if (enabled('worker')) plan('employees', 'EMPLOYEE', employeePage());
  return { planned, byKey: (key) => planned.find((p) => p.key === key), employeePage };
}

export interface EmployeeScan {
  total: number;
  stale: string[];
  staleCount: number;
  noEmail: string[];
  /** Normalised email → the employee IDs that share it. */
  byEmail: Map<string, string[]>;
  rejected: number;
}

/** Every in-scope employee, page by page from the batch's first page: counts and clean-up findings. */
export async function scanEmployees(
  sage: SageClient,
  connection: ConnectionConfig,
  first: SageFunctionResult,
  page: (after?: string) => SageFunction,
  cutoffIso: string,
  how: { heartbeat: (detail?: unknown) => void; offset: string; signal: AbortSignal | undefined },
): Promise<EmployeeScan> {
  const { heartbeat, offset } = how;
  const scan: EmployeeScan = { total: 0, stale: [], staleCount: 0, noEmail: [], byEmail: new Map(), rejected: 0 };
  let result = first;
  let pages = 0;
  for (;;) {
    const data = result.data ?? { attributes: {}, records: [] };
    if (pages === 0) {
      const total = data.attributes.totalcount;
      scan.total = total !== undefined && /^\d+$/.test(total) ? Number(total) : data.records.length;
    }
    pages++;
    const { records, rejected } = validateRecords('EMPLOYEE', data.records, offset);
    scan.rejected += rejected.length;
    for (const e of records) {
      // With entities.worker.status `all` inactive employees come over too (as inactive): the hints are about active ones.
      if (e.STATUS !== undefined && e.STATUS !== 'active') continue;
      const id = (e.EMPLOYEEID ?? '').trim();
      const email = (e['CONTACT.EMAIL1'] ?? '').trim().toLowerCase();
      if (email === '') scan.noEmail.push(id);
      else {
        const ids = scan.byEmail.get(email);
        if (ids) ids.push(id);
        else scan.byEmail.set(email, [id]);
      }
      const modified = e.WHENMODIFIED ?? null;
      const created = e.WHENCREATED ?? null;
      const stale = modified !== null ? modified < cutoffIso : created !== null && created < cutoffIso;
      if (stale) {
        scan.staleCount++;
        if (scan.stale.length < EXAMPLES) scan.stale.push(id);
      }
    }
    const remaining = data.attributes.numremaining;
    const more = remaining !== undefined ? Number(remaining) > 0 : data.records.length >= connection.sage.pageSize;
    const last = data.records.length > 0 ? field(data.records[data.records.length - 1], 'RECORDNO') : '';
    if (!more || !/^\d+$/.test(last)) break;
    heartbeat({ step: 'sage employees', pages });
    result = await queryAlone(sage, page(last), how.signal);
  }
  return scan;
}
