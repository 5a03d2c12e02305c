import { AssignarAuthError, AssignarError, AssignarNotFoundError, type AssignarClient } from '../assignar';
import type { ConnectionConfig } from '../config';
import type { PreflightCheck, PreflightHalf } from '../contracts/preflight';
import { defaultHeartbeat, errorText, plural } from './check-text';
import { FIELD_WORKER_USER_TYPE_ID } from '../mapping';

/**
 * The Assignar half of `preflight` (DESIGN.md §3, issue 4 §3): the client credentials work; every resource
 * the service writes, and `timesheets-expanded`, is readable; how many records the tenant already holds;
 * and whether it already holds workers, clients or projects that no integration created — the
 * existing-tenant case, where a true-up must link them before sync is enabled or they get duplicated.
 *
 * Cost: one token request, then per resource ceil(records / assignar.pageSize) list requests with
 * `fields=id,integration_id,active` (users also `user_type_id`), and one `page_size=1` request for
 * timesheets-expanded. List calls are counted rather than trusting the envelope's `count`, whose meaning
 * the spec does not define.
 *
 * "Not created by an integration" means no `integration_id`: the sync writes the Sage RECORDNO there on
 * every record it creates or adopts, and people creating records in the Assignar app leave it empty.
 */

export interface AssignarPreflightOptions {
  /** Told as the checks progress; default: the Temporal activity heartbeat when running in one. */
  heartbeat?: (detail?: unknown) => void;
}

/** The resources the service writes, in report order, with what they hold for the operator. */
const RESOURCES = [
  { name: 'users', path: '/users', label: 'workers' },
  { name: 'tasks', path: '/tasks', label: 'roles' },
  { name: 'assets', path: '/assets', label: 'assets' },
  { name: 'clients', path: '/clients/', label: 'clients' },
  { name: 'projects', path: '/projects/', label: 'projects' },
  { name: 'orders', path: '/orders', label: 'work orders' },
  { name: 'activities', path: '/activities', label: 'cost codes' },
] as const;
type ResourceName = (typeof RESOURCES)[number]['name'];

interface Tally {
  total: number;
  active: number;
  /** Records with no integration_id. */
  unlinked: number;
  /** users only: field workers (user type 2), and those of them with no integration_id. */
  workers?: number;
  activeWorkers?: number;
  unlinkedWorkers?: number;
}

interface Row {
  integration_id?: string | null;
  active?: boolean | null;
  user_type_id?: number | null;
}

function hasIntegrationId(row: Row): boolean {
  return typeof row.integration_id === 'string' && row.integration_id.trim() !== '';
}

function authFailure(connection: ConnectionConfig, err: unknown): PreflightCheck {
  const a = connection.assignar;
  const base = { id: 'assignar.auth', system: 'assignar' as const, status: 'fail' as const, title: 'Assignar API client credentials work' };
  if (err instanceof AssignarAuthError) {
    const scope = /invalid_scope/i.test(err.serverMessage ?? err.message);
    return {
      ...base,
      detail: scope
        ? `The token endpoint ${a.tokenUrl} refused the fixed API scope: ${err.message}`
        : `The token endpoint ${a.tokenUrl} refused client ID "${a.clientId}" or its secret: ${err.message}`,
      action: scope
        ? 'Check assignar.tokenUrl: it must be Assignar\'s OAuth2 token endpoint (https://login.assignar.com/oauth2/token).'
        : `Check assignar.clientId ("${a.clientId}") in the configuration and the client secret in environment variable ` +
          `${a.clientSecret.env} of the worker; both come from Settings → API Access in Assignar (ask Assignar support if the menu is missing).`,
    };
  }
  return {
    ...base,
    detail: `Could not get a token from ${a.tokenUrl}: ${errorText(err)}`,
    action:
      err instanceof AssignarError && err.retryable
        ? 'The token endpoint did not answer usefully after the client retried; check assignar.tokenUrl and the network, then run preflight again.'
        : 'Check assignar.tokenUrl in the configuration and the network path from the worker, then run preflight again.',
  };
}

function readFailure(connection: ConnectionConfig, path: string, label: string, err: unknown): PreflightCheck {
  const id = `assignar.read.${path.replace(/\//g, '')}`;
  const base = { id, system: 'assignar' as const, status: 'fail' as const, title: `${path} is not readable (${label})` };
  if (err instanceof AssignarAuthError) {
    return {
      ...base,
      detail: errorText(err),
      action: `Give API client "${connection.assignar.clientId}" access to ${label} (Settings → API Access in Assignar), or ask Assignar support to enable it.`,
    };
  }
  if (err instanceof AssignarNotFoundError) {
    return {
      ...base,
      detail: errorText(err),
      action: `Check assignar.apiBase ("${connection.assignar.apiBase}"): it must be the API v2 base of the tenant's region, e.g. https://api.assignar.com/v2 or https://api.assignar.com.au/v2.`,
    };
  }
  return {
    ...base,
    detail: errorText(err),
    action: 'Run preflight again; if it keeps failing, check https://status.assignar.com/ and the network path from the worker.',
  };
}

async function tally(assignar: AssignarClient, name: ResourceName): Promise<Tally> {
  const t: Tally = { total: 0, active: 0, unlinked: 0 };
  const count = (row: Row) => {
    t.total++;
    if (row.active !== false) t.active++;
    if (!hasIntegrationId(row)) t.unlinked++;
    if (name === 'users' && row.user_type_id === FIELD_WORKER_USER_TYPE_ID) {
      t.workers = (t.workers ?? 0) + 1;
      if (row.active !== false) t.activeWorkers = (t.activeWorkers ?? 0) + 1;
      if (!hasIntegrationId(row)) t.unlinkedWorkers = (t.unlinkedWorkers ?? 0) + 1;
    }
  };
  const fields = name === 'users' ? ['integration_id', 'active', 'user_type_id'] : ['integration_id', 'active'];
  if (name === 'users') {
    t.workers = 0;
    t.activeWorkers = 0;
    t.unlinkedWorkers = 0;
  }
  const resource = assignar[name];
  for await (const page of resource.pages({ fields })) for (const row of page.items as Row[]) count(row);
  return t;
}

/**
 * The Assignar half of preflight. Every problem becomes a check with what to do; nothing here throws for an
 * Assignar refusal, so the report always arrives.
 */
export async function assignarPreflightChecks(connection: ConnectionConfig, assignar: AssignarClient, options: AssignarPreflightOptions = {}): Promise<PreflightHalf> {
  const heartbeat = options.heartbeat ?? defaultHeartbeat;
  const checks: PreflightCheck[] = [];
  const counts: Record<string, number> = {};
  const a = connection.assignar;

  // 1. Credentials: without a token nothing else can be asked.
  try {
    await assignar.authenticate();
  } catch (err) {
    checks.push(authFailure(connection, err));
    return { checks, counts };
  }
  checks.push({ id: 'assignar.auth', system: 'assignar', status: 'ok', title: 'Assignar API client credentials work', detail: `client ${a.clientId}, ${a.apiBase}` });
  heartbeat({ step: 'assignar token' });

  // 2. Every resource the service writes, read and counted (in parallel: the client keeps to the tenant's limits).
  const tallies = new Map<ResourceName, Tally>();
  const outcomes = await Promise.all(
    RESOURCES.map(async (r) => {
      try {
        const t = await tally(assignar, r.name);
        heartbeat({ step: `assignar ${r.name}` });
        return { r, t };
      } catch (err) {
        return { r, err };
      }
    }),
  );
  for (const { r, t, err } of outcomes) {
    if (!t) {
      checks.push(readFailure(connection, r.path, r.label, err));
      continue;
    }
    tallies.set(r.name, t);
    counts[r.name] = t.total;
    const detail =
      r.name === 'users'
        ? `${plural(t.total, 'user')}, of them ${plural(t.workers ?? 0, 'field worker')} (${t.activeWorkers ?? 0} active)`
        : `${plural(t.total, 'record')} (${t.active} active, ${t.total - t.unlinked} with an integration_id)`;
    checks.push({ id: `assignar.read.${r.name}`, system: 'assignar', status: 'ok', title: `${r.path} is readable (${r.label})`, detail });
  }
  const users = tallies.get('users');
  if (users) {
    counts.workers = users.workers ?? 0;
    counts.unlinkedWorkers = users.unlinkedWorkers ?? 0;
  }
  const clients = tallies.get('clients');
  if (clients) counts.unlinkedClients = clients.unlinked;
  const projects = tallies.get('projects');
  if (projects) counts.unlinkedProjects = projects.unlinked;

  // 3. Timesheets are read (not written) through timesheets-expanded.
  try {
    await assignar.timesheetsExpanded.listPage({ pageSize: 1 });
    checks.push({ id: 'assignar.read.timesheets-expanded', system: 'assignar', status: 'ok', title: '/timesheets-expanded is readable (approved timesheets to export)' });
  } catch (err) {
    checks.push(readFailure(connection, '/timesheets-expanded', 'timesheets', err));
  }

  // 4. The existing-tenant case.
  if (users && clients && projects) checks.push(existingTenantCheck(connection, users, clients, projects, tallies));
  return { checks, counts };
}

/**
 * Workers, clients or projects that no integration created → `warn`, not `fail`: the connection itself is
 * fine and the true-up is the product's own answer. `fail` would keep the report red on a tenant whose
 * people keep Assignar-only records on purpose (labour-hire workers, an internal yard project) even after
 * the true-up has linked everything it can, and preflight also runs on demand after go-live.
 */
function existingTenantCheck(connection: ConnectionConfig, users: Tally, clients: Tally, projects: Tally, tallies: Map<ResourceName, Tally>): PreflightCheck {
  const w = users.unlinkedWorkers ?? 0;
  const c = clients.unlinked;
  const p = projects.unlinked;
  const id = 'assignar.existing';
  const held = `${plural(users.workers ?? 0, 'worker')}, ${plural(clients.total, 'client')}, ${plural(projects.total, 'project')}`;
  if (w + c + p === 0) {
    return {
      id,
      system: 'assignar',
      status: 'ok',
      title: 'Assignar holds no workers, clients or projects that an integration did not create',
      detail: users.workers || clients.total || projects.total ? `${held}, every one with an integration_id.` : 'A new tenant: nothing to reconcile before the first import.',
    };
  }
  const others = (['tasks', 'assets', 'orders', 'activities'] as const)
    .map((name) => [name, tallies.get(name)?.unlinked ?? 0] as const)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${n} ${name}`);
  const otherUsers = users.total - (users.workers ?? 0);
  return {
    id,
    system: 'assignar',
    status: 'warn',
    title: `Assignar already holds ${plural(w, 'worker')}, ${plural(c, 'client')}, ${plural(p, 'project')}: run a true-up before enabling sync, so they are linked instead of duplicated`,
    detail:
      `These have no integration_id, so they were made in Assignar, not by an integration ` +
      `(in all: ${held}${otherUsers > 0 ? `, plus ${plural(otherUsers, 'office or admin user')}` : ''}). ` +
      `The true-up matches them to Sage Intacct by employee ID, email or name, and plans links, updates and deactivations for approval.` +
      (others.length > 0 ? ` Also without integration_id: ${others.join(', ')} (the import adopts those whose external_id matches a Sage Intacct ID).` : ''),
    action:
      `Run a true-up and approve its plan before enabling the sync and timesheet schedules: ` +
      `intacct-assignar trueup start --connection ${connection.id} (or start workflow type trueUp with input ` +
      `{"connection":"${connection.id}"} on task queue intacct-assignar), then review it with trueup status and approve it.`,
  };
}
