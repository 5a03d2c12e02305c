import type { EntityKind } from '../config/schema';
import { isConnectionFailure } from '../errors';
import type { Link } from '../ledger';
import { WORK_ORDER_ID_SEPARATOR } from '../mapping/keys';
import { indexCodedTimes, type CodedWorkerTimesInput } from '../export/coded-times';
import type { ExportContext } from './export-context';
import type { ExportLookups, WorkerLinkStatus } from '../export/timesheet-lines';

const DAY_MS = 86_400_000;

/** The Assignar ids a batch of timesheets refers to, per link kind. */
function referencedIds(bodies: readonly unknown[]): Record<Exclude<EntityKind, 'client'>, Set<string>> {
  const ids = { worker: new Set<string>(), project: new Set<string>(), workOrder: new Set<string>(), costCode: new Set<string>(), role: new Set<string>(), asset: new Set<string>() };
  const add = (set: Set<string>, v: unknown) => {
    if (typeof v === 'number' && Number.isInteger(v)) set.add(String(v));
  };
  for (const body of bodies) {
    // Only ids are picked here, defensively; the line builder validates each timesheet (and holds a malformed one).
    const ts = loose(body);
    if (!ts) continue;
    add(ids.worker, ts.user_id ?? ts.user?.user_id);
    add(ids.project, ts.project_id);
    add(ids.workOrder, ts.order_id ?? ts.order?.id);
    add(ids.role, ts.task_id);
    for (const e of Array.isArray(ts.activity_entries) ? ts.activity_entries : []) add(ids.costCode, e?.activity?.id);
    for (const e of Array.isArray(ts.asset_entries) ? ts.asset_entries : []) add(ids.asset, e?.asset?.id);
  }
  return ids;
}

/**
 * The ledger's links for a batch of timesheets, as the line builder asks for them: one query per kind.
 * Only an active (or, for master data, held or drifted: the Sage record still exists) link counts; the
 * worker's status is handed over as it is, so held and drifted workers hold their timesheets.
 */
export async function loadLinkLookups(ctx: ExportContext, bodies: readonly unknown[]): Promise<Omit<ExportLookups, 'payCodes'>> {
  const ids = referencedIds(bodies);
  const load = async (kind: keyof typeof ids): Promise<Map<string, Link>> => {
    const links = ids[kind].size === 0 ? [] : await ctx.ledger.getLinksByAssignarIds(ctx.connection.id, kind, [...ids[kind]]);
    return new Map(links.map((l) => [l.assignarId, l]));
  };
  const [workers, projects, orders, costCodes, roles, assets] = await Promise.all([load('worker'), load('project'), load('workOrder'), load('costCode'), load('role'), load('asset')]);
  const usable = (l: Link | undefined) => (l && l.status !== 'deactivated' ? l : undefined);
  return {
    worker: (id) => {
      const l = workers.get(id);
      return l ? { employeeId: l.sageId, status: l.status as WorkerLinkStatus } : undefined;
    },
    project: (id) => {
      const l = usable(projects.get(id));
      return l ? { projectId: l.sageId } : undefined;
    },
    workOrder: (id) => {
      const l = usable(orders.get(id));
      if (!l) return undefined;
      const at = l.sageId.indexOf(WORK_ORDER_ID_SEPARATOR);
      return at < 0 ? undefined : { projectId: l.sageId.slice(0, at), taskId: l.sageId.slice(at + 1) };
    },
    costCode: (id) => {
      const l = usable(costCodes.get(id));
      return l ? { costTypeId: l.sageId } : undefined;
    },
    role: (id) => {
      const l = usable(roles.get(id));
      return l ? { itemId: l.sageId } : undefined;
    },
    asset: (id) => {
      const l = usable(assets.get(id));
      return l ? { itemId: l.sageId } : undefined;
    },
  };
}

/** The few fields read here, typed loosely (bodies were validated by the Assignar client when read). */
interface LooseTimesheet {
  user_id?: unknown;
  user?: { user_id?: unknown } | null;
  project_id?: unknown;
  order_id?: unknown;
  order?: { id?: unknown } | null;
  task_id?: unknown;
  submitted_date?: unknown;
  start_datetime?: unknown;
  activity_entries?: Array<{ activity?: { id?: unknown } | null }> | null;
  asset_entries?: Array<{ asset?: { id?: unknown } | null }> | null;
}

function loose(body: unknown): LooseTimesheet | undefined {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as LooseTimesheet) : undefined;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Pay codes of the batch's labor time, only when the connection maps pay codes to time types
 * (`timesheets.timeTypes`); otherwise every line takes `defaultTimeType` (or none) and nothing is read.
 * One `coded-worker-times` call per worker over the dates of its timesheets (± 1 day for time zones),
 * concurrently at the connection's rate limit. A worker whose call fails alone has its timesheets held
 * (the reason names the error); a failure of the connection fails the batch.
 */
export async function loadPayCodes(ctx: ExportContext, bodies: readonly unknown[]): Promise<ExportLookups['payCodes']> {
  if (Object.keys(ctx.connection.timesheets.timeTypes).length === 0) return () => undefined;
  const ranges = new Map<string, { from: number; to: number }>();
  for (const body of bodies) {
    const ts = loose(body);
    if (!ts) continue;
    const user = ts.user_id ?? ts.user?.user_id;
    if (typeof user !== 'number' || !Array.isArray(ts.activity_entries) || ts.activity_entries.length === 0) continue;
    const when = Date.parse(typeof ts.submitted_date === 'string' ? ts.submitted_date : typeof ts.start_datetime === 'string' ? ts.start_datetime : '');
    if (Number.isNaN(when)) continue;
    const r = ranges.get(String(user));
    ranges.set(String(user), r ? { from: Math.min(r.from, when), to: Math.max(r.to, when) } : { from: when, to: when });
  }
  const users = [...ranges.keys()];
  const failed = new Map<string, string>();
  const inputs: CodedWorkerTimesInput[] = [];
  const results = await ctx.assignar.bulk(
    users,
    async (user) => {
      const r = ranges.get(user)!;
      const body = await ctx.assignar.codedWorkerTimes(user, { startDate: isoDay(r.from - DAY_MS), endDate: isoDay(r.to + DAY_MS) }, { signal: ctx.signal });
      ctx.progress({ payCodesOf: user });
      return body;
    },
    { signal: ctx.signal },
  );
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') inputs.push({ assignarUserId: users[i], body: result.value });
    else if (isConnectionFailure(result.error)) throw result.error;
    else failed.set(users[i], result.error.message);
  });
  const index = indexCodedTimes(inputs);
  return (entryId, context) => {
    const why = failed.get(context.assignarUserId);
    if (why !== undefined) return { unavailable: `reading the pay codes of Assignar user ${context.assignarUserId} failed (${why}); it is retried on the next export` };
    return index.payCodes(entryId, context);
  };
}
