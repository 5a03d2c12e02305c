import type { PayCoding } from '../../../src/export/coded-times';
import type { ExportLookups, TimesheetLineOptions, WorkerLinkStatus } from '../../../src/export/timesheet-lines';

/** A tiny seeded PRNG (mulberry32) so "random" cases are the same on every run. */
export function prng(seed: number): { next(): number; int(min: number, max: number): number; pick<T>(xs: readonly T[]): T; shuffle<T>(xs: readonly T[]): T[] } {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    shuffle: (xs) => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}

type Json = Record<string, unknown>;

/** An activity entry as `/timesheets-expanded` returns it (the sandbox's shape). */
export function activityEntry(id: number, startAt: string, duration: number, activity: { id: number; external_id?: string } | null, tz = 'America/Chicago'): Json {
  const end = new Date(Date.parse(startAt) + duration * 60_000).toISOString();
  return {
    id,
    start_at: startAt,
    start_at_tz: tz,
    end_at: end,
    end_at_tz: tz,
    is_naive_datetime: false,
    duration,
    ...(activity ? { activity: { id: activity.id, name: `Activity ${activity.id}`, external_id: activity.external_id ?? `ACT-${activity.id}`, is_payable: true } } : {}),
    related_asset_entries: [],
  };
}

export function assetEntry(id: number, startAt: string, duration: number, asset: { id: number; external_id?: string } | null, tz = 'America/Chicago'): Json {
  return {
    id,
    start_at: startAt,
    start_at_tz: tz,
    end_at: new Date(Date.parse(startAt) + duration * 60_000).toISOString(),
    end_at_tz: tz,
    is_naive_datetime: false,
    duration,
    uses_whole_shift: false,
    ...(asset ? { asset: { id: asset.id, name: `Asset ${asset.id}`, external_id: asset.external_id ?? `EQ-${asset.id}` } } : {}),
  };
}

/**
 * An approved TimesheetExpanded: worker 512 (E1012) on project 77 (P-100), work order 5 (P-100-T1), role 3,
 * Wednesday 4 March 2026 in Chicago (CST, UTC-6): 07:00-11:00 Formwork (activity 41), 11:30-16:00 Concrete
 * (activity 42), and the excavator (asset 61) for 5 hours from 07:00.
 */
export function timesheet(overrides: Json = {}): Json {
  return {
    id: 1001,
    user_id: 512,
    client_id: 11,
    project_id: 77,
    task_id: 3,
    order_id: 5,
    supplier_id: null,
    job_number: 'P-100-T1',
    start_time: '07:00',
    end_time: '16:00',
    start_datetime: '2026-03-04T13:00:00.000Z',
    end_datetime: '2026-03-04T22:00:00.000Z',
    total_time: '08:30',
    comments: 'Formwork and pour on level 2',
    submitted_date: '2026-03-04',
    modified_time: '2026-03-05T15:10:00.000Z',
    integration_id: null,
    status: 'APPROVED_WITH_PAY_AND_CHARGE_RATES',
    is_processed: false,
    deleted_time: null,
    user: { user_id: 512, username: 'jane.doe', full_name: 'Jane Doe', employee_id: 'E1012', email: 'jane@example.com' },
    client: { name: 'Acme', external_id: 'C-1' },
    project: { name: 'Tower', external_id: 'P-100' },
    task: { name: 'Carpenter', external_id: 'LAB-CARP' },
    order: { id: 5, job_number: 'P-100-T1', job_description: 'Level 2' },
    activity_entries: [
      activityEntry(9001, '2026-03-04T13:00:00.000Z', 240, { id: 41, external_id: 'FORM' }),
      activityEntry(9002, '2026-03-04T17:30:00.000Z', 270, { id: 42, external_id: 'CONC' }),
    ],
    asset_entries: [assetEntry(7001, '2026-03-04T13:00:00.000Z', 300, { id: 61, external_id: 'EQ-EX20' })],
    leave_request_entries: [],
    ...overrides,
  };
}

export interface Tables {
  workers: Map<string, { employeeId: string; status: WorkerLinkStatus }>;
  projects: Map<string, { projectId: string }>;
  workOrders: Map<string, { projectId: string; taskId: string }>;
  costCodes: Map<string, { costTypeId: string }>;
  roles: Map<string, { itemId: string }>;
  assets: Map<string, { itemId: string }>;
  payCodes: Map<string, PayCoding>;
}

export function tables(): Tables {
  return {
    workers: new Map([['512', { employeeId: 'E1012', status: 'active' }]]),
    projects: new Map([['77', { projectId: 'P-100' }]]),
    workOrders: new Map([['5', { projectId: 'P-100', taskId: 'T1' }]]),
    costCodes: new Map([
      ['41', { costTypeId: 'FORM' }],
      ['42', { costTypeId: 'CONC' }],
    ]),
    roles: new Map([['3', { itemId: 'LAB-CARP' }]]),
    assets: new Map([['61', { itemId: 'EQ-EX20' }]]),
    payCodes: new Map(),
  };
}

export function lookupsOf(t: Tables = tables()): ExportLookups {
  return {
    worker: (id) => t.workers.get(id),
    project: (id) => t.projects.get(id),
    workOrder: (id) => t.workOrders.get(id),
    costCode: (id) => t.costCodes.get(id),
    role: (id) => t.roles.get(id),
    asset: (id) => t.assets.get(id),
    payCodes: (id) => t.payCodes.get(id),
  };
}

export const OPTIONS: TimesheetLineOptions = {
  timeZone: 'America/Chicago',
  timeTypes: { ORD: 'Regular', OT15: 'Overtime 1.5', OT20: 'Overtime 2', NIGHT: 'Night' },
  equipmentCostType: 'EQUIPMENT',
};
