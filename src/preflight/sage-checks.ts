import type { ConnectionConfig, EntityKind } from '../config';
import type { PreflightCheck, PreflightHalf } from '../contracts/preflight';
import { scopeFilter, toSageQueryFilter } from '../mapping';
import { SageAuthenticationError, SageError, SagePermissionError, type SageClient } from '../sage';
import { defaultHeartbeat, errorText, plural } from './check-text';
import {
  ENTITY_OBJECT,
  EXAMPLES,
  failed,
  field,
  OBJECTS,
  planBatch,
  recordsOf,
  runBatch,
  scanEmployees,
  STALE_OBJECTS,
  STALE_YEARS,
  totalCount,
  type Batch,
  type EmployeeScan,
  type ObjectName,
  type Planned,
} from './sage-batch';
import { timeZoneCheck } from './sage-time-zone';

export { STALE_YEARS } from './sage-batch';

/**
 * The Sage Intacct half of `preflight` (DESIGN.md §3; reference assignar-api.md §1.5–1.6).
 *
 * Cost, with every entity enabled and AUDITHISTORY on (metered API transactions: each `query` is 1,
 * `getAPISession` is not metered by the sandbox and is believed free on the real gateway):
 *  - sign-in: `getAPISession`, alone in its request (0);
 *  - one request with 16 `query` functions: an active-record count per entity except workers (6,
 *    pagesize 1), the item GL group names (1), TIMESHEET and AUDITHISTORY readability (2, pagesize 1;
 *    AUDITHISTORY only over the last week's deletions), active records untouched for three years per
 *    object other than EMPLOYEE (5, pagesize 5 for the examples), active items in no GL group (1,
 *    pagesize 5), and the first page of the in-scope employees;
 *  - the remaining pages of the in-scope employees, by RECORDNO keyset, selecting only EMPLOYEEID,
 *    STATUS, CONTACT.EMAIL1 and the audit timestamps. That one read gives the worker count, the stale
 *    employees, employees without email and duplicate emails: ceil(workers / sage.pageSize) in all.
 * Total 15 + ceil(workers / 2000) transactions in 1 + ceil(workers / 2000) requests; the demo seed
 * costs 16. A permission failure of one object does not stop the others (the functions of a request
 * run independently); a failed sign-in stops the half right there.
 */

export interface SagePreflightOptions {
  /** The clock (the stale cut-off is `now − 3 years`). */
  now?: () => Date;
  /** Told as the checks progress; default: the Temporal activity heartbeat when running in one. */
  heartbeat?: (detail?: unknown) => void;
  /** Cancels the Sage Intacct calls (the activity's cancellation signal). */
  signal?: AbortSignal;
}

/** What each object is read for, and the role permission it needs (reference assignar-api.md §1.6). */
const OBJECT_INFO: Record<ObjectName, { use: string; permission: string; note?: string }> = {
  CUSTOMER: { use: 'clients', permission: 'Accounts Receivable: Read Only (Customers: List, View)' },
  PROJECT: { use: 'projects', permission: 'Projects (Jobs): Read Only (Projects: List, View)' },
  ITEM: { use: 'roles and assets', permission: 'Inventory Control: Read Only (Items: List, View)' },
  ITEMGLGROUP: { use: 'the Labor and Equipment item GL groups', permission: 'Inventory Control: Read Only (Item GL groups: List, View)' },
  EMPLOYEE: { use: 'workers', permission: 'Company: Read Only (Employees: List, View)' },
  TASK: { use: 'work orders', permission: 'Projects (Jobs): Read Only (Tasks: List, View)' },
  STANDARDCOSTTYPE: {
    use: 'cost codes',
    permission: 'Construction: Read Only (Standard cost types: List, View)',
    note: 'Standard cost types also need the Construction subscription (Company > Subscriptions).',
  },
  TIMESHEET: { use: 'the timesheet export (read and create)', permission: 'Time & Expenses: All (Timesheets: List, View, Add, Edit)' },
  AUDITHISTORY: { use: 'finding deletions', permission: 'Company: Read Only (Audit trail: List, View)' },
};

const ENTITY_LABEL: Record<EntityKind, string> = {
  client: 'clients',
  project: 'projects',
  role: 'roles',
  asset: 'assets',
  costCode: 'cost codes (activities)',
  worker: 'workers',
  workOrder: 'work orders',
};

function examples(ids: readonly string[], total: number): string {
  const shown = ids.slice(0, EXAMPLES).map((id) => id || '(no ID)');
  if (shown.length === 0) return '';
  return `e.g. ${shown.join(', ')}${total > shown.length ? ', …' : ''}`;
}

/** Which credential a refused sign-in points at, and what to do about it. Never echoes a secret. */
function authFailure(connection: ConnectionConfig, err: unknown): PreflightCheck {
  const s = connection.sage;
  const id = 'sage.auth';
  const title = 'Sage Intacct sender and web-services user sign in';
  const where = `company ${s.companyId}${s.entityId ? `, entity ${s.entityId}` : ''}`;
  if (err instanceof SageAuthenticationError) {
    const text = `${err.message} ${err.errors.map((e) => `${e.errorno} ${e.description ?? ''} ${e.description2 ?? ''}`).join(' ')}`;
    const senderLevel = err.level === 'control' || (err.level === 'http' && err.httpStatus !== 401);
    if (/PL04000055|demo company/i.test(text)) {
      return {
        id,
        system: 'sage',
        status: 'fail',
        title,
        detail: `Sage Intacct refused the request: company ${s.companyId} is an expired demo company. ${err.message}`,
        action: `Point sage.companyId (and sage.endpoint) at the live company, or ask Sage to extend the demo company.`,
      };
    }
    if (senderLevel && /authori[sz]ation|not authori[sz]ed/i.test(text)) {
      return {
        id,
        system: 'sage',
        status: 'fail',
        title,
        detail: `The Web Services sender ID "${s.senderId}" is not authorized for ${where}. ${err.message}`,
        action:
          `In Sage Intacct, open Company > Setup > Company > Security > Web Services authorizations, add sender ID "${s.senderId}" ` +
          `with status Active, and run preflight again.`,
      };
    }
    if (senderLevel) {
      return {
        id,
        system: 'sage',
        status: 'fail',
        title,
        detail: `Sage Intacct refused the Web Services sender: sender ID "${s.senderId}" or its password is wrong. ${err.message}`,
        action:
          `Check sage.senderId ("${s.senderId}") in the configuration and the sender password in environment variable ` +
          `${s.senderPassword.env} of the worker (the Web Services developer credentials issued by Sage, not a company user's). ` +
          `If they are right, authorize the sender in Company > Setup > Company > Security > Web Services authorizations.`,
      };
    }
    return {
      id,
      system: 'sage',
      status: 'fail',
      title,
      detail: `The sender was accepted, but Sage Intacct refused the sign-in of web-services user "${s.userId}" in ${where}. ${err.message}`,
      action:
        `Check sage.userId ("${s.userId}") and sage.companyId ("${s.companyId}")${s.entityId ? ` and sage.entityId ("${s.entityId}")` : ''} ` +
        `in the configuration and the user's password in environment variable ${s.userPassword.env} of the worker. The user must be an ` +
        `active Web Services user (Company > Admin > Web Services users, user type Business) whose password has not expired.`,
    };
  }
  return {
    id,
    system: 'sage',
    status: 'fail',
    title,
    detail: `Could not sign in to Sage Intacct at ${s.endpoint}: ${errorText(err)}`,
    action:
      err instanceof SageError && err.retryable
        ? 'Sage Intacct did not answer usefully after the client retried; check sage.endpoint and the network, then run preflight again.'
        : 'Check sage.endpoint in the configuration and the network path from the worker, then run preflight again.',
  };
}

function permissionCheck(connection: ConnectionConfig, object: ObjectName, queries: Planned[], timesheetCount?: number): PreflightCheck {
  const info = OBJECT_INFO[object];
  const id = `sage.permission.${object}`;
  const denied = queries.find((q) => q.error instanceof SagePermissionError);
  const succeeded = queries.some((q) => q.result);
  const grant =
    `In Sage Intacct, grant web-services user "${connection.sage.userId}" ${info.permission}, through the role assigned to the user ` +
    `(Company > Admin > Roles, e.g. the integration role) or the user's own permissions (Company > Admin > Web Services users > Permissions).` +
    (info.note ? ` ${info.note}` : '');
  if (object === 'AUDITHISTORY' && !succeeded) {
    const err = denied?.error ?? queries.find((q) => q.error)?.error;
    return {
      id,
      system: 'sage',
      status: 'warn',
      title: 'AUDITHISTORY is not readable: deletions will be found by key reconciliation',
      detail: `Deletions in Sage Intacct are then found by comparing keys, which reads more. ${err ? errorText(err) : ''}`.trim(),
      action: `${grant} Or set sage.auditHistory: false in the configuration to stop reading it.`,
    };
  }
  if (denied) {
    return {
      id,
      system: 'sage',
      status: 'fail',
      title: `${object} is not permitted (needed for ${info.use})`,
      detail: errorText(denied.error),
      action: grant,
    };
  }
  if (!succeeded) {
    const err = queries.find((q) => q.error)?.error;
    return {
      id,
      system: 'sage',
      status: 'fail',
      title: `${object} could not be read (needed for ${info.use})`,
      detail: err ? errorText(err) : 'no query ran',
      action:
        object === 'STANDARDCOSTTYPE'
          ? `Turn on the Construction subscription (Company > Subscriptions). ${grant}`
          : `Check that the Sage Intacct application holding ${object} is subscribed and that the user can read it. ${grant}`,
    };
  }
  if (object === 'TIMESHEET') {
    return {
      id,
      system: 'sage',
      status: 'ok',
      title: 'TIMESHEET is readable; creating timesheets is verified by the first export',
      detail:
        `${timesheetCount !== undefined ? `${plural(timesheetCount, 'timesheet')} on file. ` : ''}Sage Intacct has no way to test a ` +
        `create permission without creating a record, so the first timesheetExport run proves it; it needs ${info.permission}.`,
    };
  }
  return { id, system: 'sage', status: 'ok', title: `${object} is readable (${info.use})` };
}

/**
 * The Sage Intacct half of preflight: sign-in, object permissions, the item GL groups, active-record counts per
 * entity, and clean-up hints. Every problem is a check with what to do; nothing here throws for a Sage
 * Intacct refusal (only for a bug), so the report always arrives.
 */
export async function sagePreflightChecks(connection: ConnectionConfig, sage: SageClient, options: SagePreflightOptions = {}): Promise<PreflightHalf> {
  const heartbeat = options.heartbeat ?? defaultHeartbeat;
  const now = (options.now ?? (() => new Date()))();
  const checks: PreflightCheck[] = [];
  const counts: Record<string, number> = {};

  // 1. Sign-in: the sender and the web-services user. Nothing else is worth asking when it fails.
  try {
    await sage.connect({ signal: options.signal });
  } catch (err) {
    checks.push(authFailure(connection, err));
    return { checks, counts };
  }
  checks.push(signedIn(connection));
  heartbeat({ step: 'sage signed in' });

  // The offset every timestamp below is written in; unknown stops here, since each query would be off.
  checks.push(timeZoneCheck(connection, sage));
  const offset = sage.userTimeZoneOffset();
  if (offset === undefined) return { checks, counts };

  // 2. One request with every count, existence and clean-up query (the functions run independently).
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - STALE_YEARS);
  const batch = planBatch(connection, now, cutoff, offset);
  try {
    await runBatch(sage, batch.planned, options.signal);
  } catch (err) {
    checks.push(queryFailure(err));
    return { checks, counts };
  }
  heartbeat({ step: 'sage queries' });

  // 3. The in-scope employees, page by page (the first page came with the batch).
  let scan: EmployeeScan | undefined;
  let scanError: unknown;
  const firstEmployees = batch.byKey('employees');
  if (firstEmployees?.result) {
    try {
      scan = await scanEmployees(sage, connection, firstEmployees.result, batch.employeePage, cutoff.toISOString(), { heartbeat, offset, signal: options.signal });
    } catch (err) {
      scanError = err;
    }
  }

  // 4. Object permissions, in report order.
  for (const object of OBJECTS) {
    const queries = batch.planned.filter((p) => p.object === object);
    if (queries.length > 0) checks.push(permissionCheck(connection, object, queries, totalCount(batch.byKey('timesheets'))));
  }
  if (scanError) checks.push(scanFailure(scanError));

  // 5. Item GL groups.
  checks.push(...glGroupChecks(connection, batch));

  // 6. Counts of active records each entity would bring over; an entity with nothing to bring is worth a look.
  for (const kind of ['client', 'project', 'role', 'asset', 'costCode', 'worker', 'workOrder'] as const) {
    if (!connection.entities[kind].enabled) continue;
    const q = kind === 'worker' ? firstEmployees : batch.byKey(`count.${kind}`);
    const n = kind === 'worker' ? scan?.total : totalCount(q);
    if (n !== undefined) counts[kind] = n;
    const check = n !== undefined ? emptyScopeCheck(connection, kind, n) : refusedScopeCheck(connection, kind, q, batch);
    if (check) checks.push(check);
  }

  // 7. Clean-up hints (Assignar's prerequisite article: set old records inactive before go-live).
  for (const st of STALE_OBJECTS) {
    const q = batch.byKey(`stale.${st.object}`);
    const n = totalCount(q);
    if (q && n) checks.push(staleCheck(st.object, n, recordsOf(q).map(st.idOf), cutoff));
  }
  if (scan && scan.staleCount > 0) checks.push(staleCheck('EMPLOYEE', scan.staleCount, scan.stale, cutoff));
  const noGroup = noGlGroupCheck(connection, batch.byKey('nogroup'));
  if (noGroup) checks.push(noGroup);
  if (scan) {
    for (const check of [noEmailCheck(scan), duplicateEmailCheck(scan), unreadableEmployeesCheck(scan)]) if (check) checks.push(check);
  }

  return { checks, counts };
}

function signedIn(connection: ConnectionConfig): PreflightCheck {
  const s = connection.sage;
  return {
    id: 'sage.auth',
    system: 'sage',
    status: 'ok',
    title: 'Sage Intacct sender and web-services user sign in',
    detail: `sender ${s.senderId}, user ${s.userId}, company ${s.companyId}${s.entityId ? `, entity ${s.entityId}` : ''}`,
  };
}

function queryFailure(err: unknown): PreflightCheck {
  return {
    id: 'sage.read',
    system: 'sage',
    status: 'fail',
    title: 'Sage Intacct answers queries',
    detail: `The sign-in worked but the queries failed: ${errorText(err)}`,
    action: 'Run preflight again; if it keeps failing, check the Sage Intacct status page and the network path from the worker.',
  };
}

function scanFailure(err: unknown): PreflightCheck {
  return {
    id: 'sage.scan.EMPLOYEE',
    system: 'sage',
    status: 'fail',
    title: 'Reading the active employees failed part-way',
    detail: errorText(err),
    action: 'Run preflight again; if it keeps failing, check the Sage Intacct status page.',
  };
}

function glGroupChecks(connection: ConnectionConfig, batch: Batch): PreflightCheck[] {
  const glGroups = batch.byKey('glgroups');
  const groupNames = recordsOf(glGroups).map((r) => field(r, 'NAME'));
  const out: PreflightCheck[] = [];
  for (const [kind, label, configKey] of [
    ['role', 'Labor', 'labor'],
    ['asset', 'Equipment', 'equipment'],
  ] as const) {
    if (!connection.entities[kind].enabled) continue;
    const name = connection.glGroups[configKey];
    const itemCount = totalCount(batch.byKey(`count.${kind}`));
    out.push(glGroupCheck({ label, name, configKey, kind, glGroups, groupNames, itemCount }));
  }
  return out;
}

/** An enabled entity with nothing in scope is worth a look. */
function emptyScopeCheck(connection: ConnectionConfig, kind: EntityKind, n: number): PreflightCheck | undefined {
  if (n !== 0) return undefined;
  const object = ENTITY_OBJECT[kind];
  return {
    id: `sage.scope.${kind}`,
    system: 'sage',
    status: 'warn',
    title: `No ${object} records in scope: no ${ENTITY_LABEL[kind]} would be brought over`,
    detail: `Scope: ${describeScope(kind, connection)}.`,
    action:
      kind === 'role' || kind === 'asset'
        ? `Assign the ${kind === 'role' ? 'labor' : 'equipment'} items to item GL group "${connection.glGroups[kind === 'role' ? 'labor' : 'equipment']}" (Inventory Control > Items), or set glGroups.${kind === 'role' ? 'labor' : 'equipment'} to the group that holds them.`
        : `If ${ENTITY_LABEL[kind]} are expected, check entities.${kind} in the configuration (status, filters) against the ${object} records in Sage Intacct.`,
  };
}

/** The object is readable but this entity's filter was refused: the configured conditions are wrong. */
function refusedScopeCheck(connection: ConnectionConfig, kind: EntityKind, q: Planned | undefined, batch: Batch): PreflightCheck | undefined {
  const object = ENTITY_OBJECT[kind];
  const err = failed(q);
  if (!err || err instanceof SagePermissionError || !batch.planned.some((p) => p.object === object && p !== q && p.result)) return undefined;
  return {
    id: `sage.scope.${kind}`,
    system: 'sage',
    status: 'fail',
    title: `Sage Intacct refused the ${ENTITY_LABEL[kind]} filter`,
    detail: `Scope: ${describeScope(kind, connection)}. ${errorText(err)}`,
    action: `Fix entities.${kind}${kind === 'worker' ? ' (departmentIds, employeeTypes, locationIds, filter)' : '.filter'} in the configuration: every field must be a ${object} field that query accepts.`,
  };
}

function noGlGroupCheck(connection: ConnectionConfig, noGroup: Planned | undefined): PreflightCheck | undefined {
  const n = totalCount(noGroup);
  if (!n) return undefined;
  return {
    id: 'sage.cleanup.ITEM.noGlGroup',
    system: 'sage',
    status: 'warn',
    title: `${plural(n, 'active item is', 'active items are')} in no item GL group`,
    detail:
      `They become neither roles (group "${connection.glGroups.labor}") nor assets (group "${connection.glGroups.equipment}"): ` +
      `${examples(recordsOf(noGroup).map((r) => field(r, 'ITEMID')), n)}.`,
    action: `Assign each to item GL group "${connection.glGroups.labor}", "${connection.glGroups.equipment}" or another group (Inventory Control > Items), or make it inactive.`,
  };
}

function noEmailCheck(scan: EmployeeScan): PreflightCheck | undefined {
  const n = scan.noEmail.length;
  if (n === 0) return undefined;
  return {
    id: 'sage.cleanup.EMPLOYEE.noEmail',
    system: 'sage',
    status: 'warn',
    title: `${plural(n, 'active employee has', 'active employees have')} no email`,
    detail:
      `Their workers are created in Assignar without email (no mobile app sign-in), with a placeholder username: ` +
      `${examples(scan.noEmail, n)}.`,
    action: "Enter each employee's primary email on their contact in Sage Intacct (Company > Employees), or accept workers without app access.",
  };
}

function duplicateEmailCheck(scan: EmployeeScan): PreflightCheck | undefined {
  const shared = [...scan.byEmail.values()].filter((ids) => ids.length > 1);
  if (shared.length === 0) return undefined;
  const people = shared.reduce((sum, ids) => sum + ids.length, 0);
  const groups = shared.slice(0, EXAMPLES).map((ids) => ids.slice(0, 4).join(' = ') + (ids.length > 4 ? ' = …' : ''));
  return {
    id: 'sage.cleanup.EMPLOYEE.duplicateEmail',
    system: 'sage',
    status: 'warn',
    title: `${plural(shared.length, 'email address is', 'email addresses are')} shared by ${people} active employees`,
    detail:
      `Assignar allows one active worker per email, so all but one employee of each group would fail to sync. ` +
      `Employees sharing an email: ${groups.join('; ')}${shared.length > EXAMPLES ? '; …' : ''}.`,
    action: "Give each employee their own primary email on their contact in Sage Intacct (Company > Employees), or clear the shared one.",
  };
}

function unreadableEmployeesCheck(scan: EmployeeScan): PreflightCheck | undefined {
  if (scan.rejected === 0) return undefined;
  return {
    id: 'sage.cleanup.EMPLOYEE.unreadable',
    system: 'sage',
    status: 'warn',
    title: `${plural(scan.rejected, 'employee record', 'employee records')} could not be read`,
    detail: 'Sage Intacct returned employee records the service cannot parse (for example a malformed timestamp); they would fail to sync.',
    action: 'Look at the import report for these employees after the first import, or ask Sage Intacct support.',
  };
}

function staleCheck(object: ObjectName, n: number, ids: string[], cutoff: Date): PreflightCheck {
  return {
    id: `sage.cleanup.${object}.stale`,
    system: 'sage',
    status: 'warn',
    title: `${plural(n, `active ${object} record has`, `active ${object} records have`)} not been modified for over ${STALE_YEARS} years`,
    detail: `Untouched since before ${cutoff.toISOString().slice(0, 10)} but active, so they would be brought over: ${examples(ids, n)}.`,
    action: `Set the ones no longer in use to Inactive in Sage Intacct before go-live (everything active is brought over), or narrow entities.*.filter.`,
  };
}

function describeScope(kind: EntityKind, connection: ConnectionConfig): string {
  const f = toSageQueryFilter(scopeFilter(kind, connection));
  if (!f) return `every ${ENTITY_OBJECT[kind]} record`;
  const render = (x: NonNullable<typeof f>): string => {
    switch (x.op) {
      case 'and':
      case 'or':
        return x.filters.map(render).join(` ${x.op.toUpperCase()} `);
      case 'in':
      case 'notin':
        return `${x.field} ${x.op} (${x.values.join(', ')})`;
      case 'isnull':
      case 'isnotnull':
        return `${x.field} ${x.op}`;
      case 'between':
        return `${x.field} between ${x.from} and ${x.to}`;
      default:
        return `${x.field} ${x.op} ${x.value}`;
    }
  };
  return `${ENTITY_OBJECT[kind]} where ${render(f)}`;
}

function normaliseName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

function glGroupCheck(a: {
  label: 'Labor' | 'Equipment';
  name: string;
  configKey: 'labor' | 'equipment';
  kind: 'role' | 'asset';
  glGroups: Planned | undefined;
  groupNames: string[];
  itemCount: number | undefined;
}): PreflightCheck {
  const id = `sage.glgroup.${a.label}`;
  const what = a.kind === 'role' ? 'labor items, which become Assignar roles' : 'equipment items, which become Assignar assets';
  const title = `Item GL group "${a.name}" exists (${what})`;
  if (!a.glGroups?.result) {
    const detail = `The item GL groups could not be read, so "${a.name}" was not verified${a.itemCount !== undefined ? `; ${plural(a.itemCount, 'active item names', 'active items name')} it` : ''}.`;
    return { id, system: 'sage', status: 'warn', title, detail, action: 'Fix the ITEMGLGROUP permission above and run preflight again.' };
  }
  if (a.groupNames.includes(a.name)) {
    return { id, system: 'sage', status: 'ok', title, detail: a.itemCount !== undefined ? `${plural(a.itemCount, 'active item')} in it` : undefined };
  }
  const nearMiss = a.groupNames.find((g) => normaliseName(g) === normaliseName(a.name));
  const total = totalCount(a.glGroups) ?? a.groupNames.length;
  const listed = a.groupNames.length > 0 ? `Item GL groups in Sage Intacct: ${a.groupNames.slice(0, 15).map((g) => `"${g}"`).join(', ')}${total > 15 ? ', …' : ''}.` : 'Sage Intacct has no item GL groups.';
  const stillNamed = a.itemCount ? ` ${plural(a.itemCount, 'active item still names', 'active items still name')} "${a.name}" as ${a.itemCount === 1 ? 'its' : 'their'} group.` : '';
  if (nearMiss !== undefined) {
    return {
      id,
      system: 'sage',
      status: 'fail',
      title: `Item GL group "${a.name}" does not exist (a group "${nearMiss}" does)`,
      detail: `Group names are compared exactly. ${listed}${stillNamed}`,
      action: `Set glGroups.${a.configKey}: "${nearMiss}" in the configuration, or rename the item GL group to "${a.name}" in Sage Intacct (Inventory Control > Setup > Item GL groups).`,
    };
  }
  return {
    id,
    system: 'sage',
    status: 'fail',
    title: `Item GL group "${a.name}" does not exist (needed for ${what})`,
    detail: `${listed}${stillNamed}`,
    action:
      `In Sage Intacct, add item GL group "${a.name}" (Inventory Control > Setup > Item GL groups > Add) and assign the ${a.kind === 'role' ? 'labor' : 'equipment'} ` +
      `items to it (Inventory Control > Items), or set glGroups.${a.configKey} in the configuration to the existing group that holds them.`,
  };
}
