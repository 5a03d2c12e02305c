import {
  assignarHash,
  comparable,
  comparableFields,
  contentHash,
  deactivationPayload,
  mapRecord,
  type MapResult,
} from '../../../src/mapping';
import type { EntityKind } from '../../../src/config/schema';
import { costType, customer, employee, equipmentItem, item, makeConfig, makeContext, project, task } from './fixtures';

const ctx = makeContext();
const records: Record<EntityKind, () => Record<string, unknown>> = {
  client: customer,
  project,
  role: item,
  asset: equipmentItem,
  costCode: costType,
  worker: () => employee({ 'CONTACT.EMAIL1': '' }),
  workOrder: task,
};

function mapped(kind: EntityKind, c = ctx): { payload: Record<string, unknown>; hash: string } {
  const r = mapRecord(kind, records[kind](), c) as MapResult<Record<string, unknown>>;
  if (!r.ok) throw new Error(r.reason);
  return r;
}

/** What Assignar's GET returns for a record written with `payload`: ids, audit fields, nulls, related objects. */
function echo(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: 4321, modified_by: 'api', modified_time: '2025-06-02T01:02:03.000Z', tags: [], deleted_at: null, ...payload };
  for (const [k, v] of Object.entries(out)) {
    if (v === '') out[k] = null; // empty text comes back as null
    if (k === 'start_date' || k === 'end_date') out[k] = `${v}T00:00:00.000Z`; // dates may come back as timestamps
    if (k === 'client_id' || k === 'project_id') out[k] = String(v);
  }
  out.client = { id: 975, name: 'Acme', external_id: 'C100' };
  out.email ??= null;
  out.suppliers = [];
  return out;
}

describe('comparable / drift detection', () => {
  it.each(Object.keys(records) as EntityKind[])('%s: an untouched Assignar record hashes like the last write', (kind) => {
    const { payload, hash } = mapped(kind);
    expect(assignarHash(echo(payload), kind)).toBe(hash);
    expect(contentHash(comparable(echo(payload), kind))).toBe(hash);
  });

  it.each(Object.keys(records) as EntityKind[])('%s: an edit in Assignar of any mapped field is drift', (kind) => {
    const { payload, hash } = mapped(kind);
    for (const field of Object.keys(payload)) {
      const edited = { ...echo(payload), [field]: typeof payload[field] === 'boolean' ? !payload[field] : typeof payload[field] === 'number' ? (payload[field] as number) + 1 : 'edited in Assignar' };
      expect({ field, drift: assignarHash(edited, kind) !== hash }).toEqual({ field, drift: true });
    }
  });

  it('fields Assignar owns (not mapped) do not count', () => {
    const { payload, hash } = mapped('asset');
    expect(assignarHash({ ...echo(payload), rego_number: 'UVO 936', make: 'Cat', tags: [{ tag_id: 1 }] }, 'asset')).toBe(hash);
  });

  it('a field the mapping leaves empty but Assignar fills in is drift (e.g. an email added to a worker)', () => {
    const { payload, hash } = mapped('worker');
    expect(payload).not.toHaveProperty('email');
    expect(assignarHash({ ...echo(payload), email: 'added@example.com' }, 'worker')).not.toBe(hash);
  });

  it('follows field overrides: added fields compared, {value: null} fields ignored', () => {
    const config = makeConfig({ entities: { client: { fieldOverrides: { comments: { value: 'from Sage' }, mobile: { value: null } } } } });
    expect(comparableFields('client', config)).toContain('comments');
    expect(comparableFields('client', config)).not.toContain('mobile');
    const { payload, hash } = mapped('client', makeContext({ config }));
    expect(assignarHash({ ...echo(payload), mobile: '+1 555 0000' }, 'client', config)).toBe(hash);
    expect(assignarHash({ ...echo(payload), comments: 'edited' }, 'client', config)).not.toBe(hash);
  });
});

describe('deactivationPayload', () => {
  it('is {active: false} for users and projects', () => {
    expect(deactivationPayload('worker', { id: 1, first_name: 'Maria' })).toEqual({ active: false });
    expect(deactivationPayload('project', { id: 1, name: 'x', client_id: 975 })).toEqual({ active: false });
  });

  it("carries the fields the spec requires on every PUT, from the current record", () => {
    expect(deactivationPayload('client', { id: 1, name: 'Acme', company_name: 'Acme Pty', email: 'x@y.z' })).toEqual({ name: 'Acme', company_name: 'Acme Pty', active: false });
    for (const kind of ['role', 'asset', 'costCode'] as const) expect(deactivationPayload(kind, { name: 'N', external_id: 'E' })).toEqual({ name: 'N', active: false });
    expect(
      deactivationPayload('workOrder', { id: 9, client_id: '975', order_owner: 40, start_date: '2025-02-01T00:00:00.000Z', end_date: '2025-04-30', job_number: 'P100-T01' }),
    ).toEqual({ client_id: 975, order_owner: 40, start_date: '2025-02-01', end_date: '2025-04-30', active: false });
  });

  it('works from the last payload written too, and without a current record', () => {
    const { payload } = mapped('workOrder');
    expect(deactivationPayload('workOrder', payload)).toEqual({ client_id: 975, order_owner: 40, start_date: '2025-02-01', end_date: '2025-04-30', active: false });
    expect(deactivationPayload('asset')).toEqual({ active: false });
  });
});
