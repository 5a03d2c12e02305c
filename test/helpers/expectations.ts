import type { SageSandbox } from '../../src/sandbox/sage';
import type { AssignarSandbox } from '../../src/sandbox/assignar';

type Rec = Record<string, string>;
type Row = Record<string, unknown>;

/** What the default configuration brings over, written out independently of the product's filter code. */
export function expectedInScope(sage: SageSandbox) {
  const active = (r: Rec) => r.STATUS === 'active';
  return {
    client: sage.records('CUSTOMER').filter(active),
    project: sage.records('PROJECT').filter(active),
    role: sage.records('ITEM').filter((r) => active(r) && r.GLGROUP === 'Labor'),
    asset: sage.records('ITEM').filter((r) => active(r) && r.GLGROUP === 'Equipment'),
    costCode: sage.records('STANDARDCOSTTYPE').filter(active),
    worker: sage.records('EMPLOYEE').filter(active),
    workOrder: sage.records('TASK').filter(active),
  };
}

/** Assignar records of a resource grouped by `integration_id` (the Sage RECORDNO they came from). */
export function byIntegrationId(assignar: AssignarSandbox, resource: 'clients' | 'projects' | 'tasks' | 'assets' | 'activities' | 'users' | 'orders'): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of assignar.records(resource)) {
    const key = r.integration_id == null ? '' : String(r.integration_id);
    if (!key) continue;
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

export const RESOURCE_OF = {
  client: 'clients',
  project: 'projects',
  role: 'tasks',
  asset: 'assets',
  costCode: 'activities',
  worker: 'users',
  workOrder: 'orders',
} as const;
