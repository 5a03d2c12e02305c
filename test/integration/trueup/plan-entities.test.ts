import { getConnection } from '../../../src/config';
import { mapRecord } from '../../../src/mapping';
import { startAssignarSandbox, type AssignarSandbox } from '../../../src/sandbox/assignar';
import { startSageSandbox, type SageSandbox } from '../../../src/sandbox/sage';
import { planEntities, type EntityPlanInput, type LinkFacts } from '../../../src/trueup/plan-entities';
import { sandboxConfig } from '../../helpers/sync-harness';

type Row = Record<string, unknown>;
let sage: SageSandbox;
let assignar: AssignarSandbox;

beforeAll(async () => {
  sage = await startSageSandbox({ port: 0, seed: 'demo' });
  assignar = await startAssignarSandbox({ port: 0, seed: 'existing-tenant' });
});
afterAll(async () => {
  await Promise.all([sage?.close(), assignar?.close()]);
});

const connection = () => getConnection(sandboxConfig(sage, assignar), 'demo');

function plan(kind: EntityPlanInput['kind'], links: LinkFacts[] = [], assignarIdFor: (kind: string, id: string) => string | undefined = () => undefined) {
  const object = kind === 'client' ? 'CUSTOMER' : 'PROJECT';
  const resource = kind === 'client' ? 'clients' : 'projects';
  return planEntities({ kind, records: sage.records(object) as Row[], assignar: assignar.records(resource) as Row[], links, map: { config: connection(), assignarIdFor } });
}

test('go-live clients on the existing-tenant seed: ID matches, a name-only match, the duplicate and Assignar-only clients', () => {
  const items = plan('client');
  const clients = assignar.records('clients') as Row[];
  const note = (id: string | null) => String(clients.find((c) => String(c.id) === id)?.comments ?? '').replace('existing-tenant: ', '');
  const byNote = new Map<string, Array<[string, number | null]>>();
  for (const i of items) if (i.assignarId) byNote.set(note(i.assignarId), [...(byNote.get(note(i.assignarId)) ?? []), [i.action, i.confidence]]);
  expect(byNote.get('match by external_id and name')).toEqual([['link', 0.95], ['link', 0.95]]);
  expect(byNote.get('match by name only (no external_id)')).toEqual([['link', 0.7]]);
  expect(byNote.get('edited in Assignar: name differs')).toEqual([['link', 0.95]]);
  expect(byNote.get('duplicated: first of two clients for one customer')).toEqual([['link', 0.95]]);
  expect(byNote.get('duplicated: second client with the same name, no external_id')).toEqual([['deactivate-duplicate', 0.7]]);
  expect(byNote.get('archived in Assignar, active in Sage Intacct')).toEqual([['link', 0.95]]);
  // Nothing shows an Assignar-only client is wrong: left, never proposed for a write.
  expect(byNote.get('Assignar only')).toEqual([['leave', null]]);
  expect(byNote.get('Assignar only (test record)')).toEqual([['leave', null]]);
  // The duplicate points at the customer its twin is linked to.
  const dup = items.find((i) => i.action === 'deactivate-duplicate')!;
  const first = items.find((i) => i.action === 'link' && note(i.assignarId) === 'duplicated: first of two clients for one customer')!;
  expect(dup.sageKey).toBe(first.sageKey);
  // Every other active, in-scope customer is missing in Assignar: one create each, and no customer twice.
  const linked = new Set(items.filter((i) => i.action === 'link').map((i) => i.sageKey));
  const creates = items.filter((i) => i.action === 'recreate');
  const activeCustomers = (sage.records('CUSTOMER') as Row[]).filter((c) => c.STATUS === 'active');
  expect(creates.length + linked.size).toBe(activeCustomers.length);
  expect(creates.every((i) => !linked.has(i.sageKey))).toBe(true);
  // Ids are deterministic: the same diff gives the same items.
  expect(plan('client').map((i) => [i.itemId, i.contentHash])).toEqual(items.map((i) => [i.itemId, i.contentHash]));
});

test('go-live projects: ID and name matches, the duplicate, a project deleted in Assignar is missing, Assignar-only projects are left', () => {
  const clients = assignar.records('clients') as Row[];
  const clientOf = (customerId: string) => clients.find((c) => c.external_id === customerId && c.active !== false);
  const items = plan('project', [], (kind, id) => (kind === 'client' ? (clientOf(id) ? String(clientOf(id)!.id) : undefined) : undefined));
  const projects = assignar.records('projects') as Row[];
  const nameOf = (id: string | null) => String(projects.find((p) => String(p.id) === id)?.name ?? '');
  const deleted = projects.find((p) => p.deleted_at)!;
  const actionsFor = (name: string) => items.filter((i) => i.assignarId && nameOf(i.assignarId) === name).map((i) => i.action).sort();
  expect(actionsFor('Yard & Workshop')).toEqual(['leave']);
  expect(actionsFor('Training Day')).toEqual(['leave']);
  // Nothing proposes to touch the deleted record; its Sage project is proposed for recreation when its client is there.
  expect(items.some((i) => i.assignarId === String(deleted.id))).toBe(false);
  const sageOfDeleted = (sage.records('PROJECT') as Row[]).find((p) => p.PROJECTID === deleted.external_id)!;
  const recreate = items.find((i) => i.sageKey === String(sageOfDeleted.RECORDNO));
  if (clientOf(String(sageOfDeleted.CUSTOMERID))) expect(recreate?.action).toBe('recreate');
  else expect(recreate).toBeUndefined(); // its client is not linked: every sync reports the project failed
  // Projects without an external_id go by name; a name several Sage projects share is narrowed by the client.
  const sageProjects = sage.records('PROJECT') as Row[];
  for (const p of projects.filter((x) => !x.deleted_at && !x.external_id && x.name !== 'Yard & Workshop' && x.name !== 'Training Day')) {
    const named = sageProjects.filter((s) => s.NAME === p.name);
    const sameClient = named.filter((s) => clientOf(String(s.CUSTOMERID)) && String(clientOf(String(s.CUSTOMERID))!.id) === String(p.client_id));
    const candidates = named.length > 1 && sameClient.length > 0 ? sameClient : named;
    const mine = items.filter((i) => i.assignarId === String(p.id));
    expect(mine).toHaveLength(1);
    if (candidates.length === 1) {
      expect(mine[0]).toMatchObject({ sageKey: String(candidates[0].RECORDNO), confidence: 0.7, action: expect.stringMatching(/^(link|deactivate-duplicate)$/) });
      // Its twin with the ID keeps the link; this one is the duplicate.
      if (projects.some((x) => x.external_id === candidates[0].PROJECTID && !x.deleted_at)) expect(mine[0].action).toBe('deactivate-duplicate');
    } else {
      expect(mine[0]).toMatchObject({ action: 'leave', summary: expect.stringMatching(new RegExp(`matches ${candidates.length} Sage Intacct PROJECT`)) });
    }
  }
  for (const p of projects.filter((x) => !x.deleted_at && x.external_id)) {
    const s = sageProjects.find((x) => x.PROJECTID === p.external_id);
    const mine = items.filter((i) => i.assignarId === String(p.id));
    if (s) expect(mine).toEqual([expect.objectContaining({ action: 'link', sageKey: String(s.RECORDNO), confidence: 0.95 })]);
    else expect(mine).toEqual([expect.objectContaining({ action: 'leave' })]);
  }
});

test('linked clients: edits, a held link with extra Assignar values, an archived record, a deleted record, an inactive customer', () => {
  const config = connection();
  const seeded = new Set((assignar.records('clients') as Row[]).flatMap((c) => [c.external_id, c.name]));
  const customers = (sage.records('CUSTOMER') as Row[]).filter((c) => c.STATUS === 'active' && !seeded.has(c.CUSTOMERID) && !seeded.has(c.NAME)).slice(0, 5);
  // What an import writes: the mapped payload, with the link key.
  const payloads = customers.map((c) => {
    const mapped = mapRecord('client', c, { config, assignarIdFor: () => undefined });
    if (!mapped.ok) throw new Error(`customer ${String(c.CUSTOMERID)} does not map`);
    return mapped.payload;
  });
  assignar.upsertRecords('clients', payloads as never);
  const ids = customers.map((c) => String((assignar.records('clients') as Row[]).find((x) => String(x.integration_id) === String(c.RECORDNO))!.id));
  const rec = (i: number) => (assignar.records('clients') as Row[]).find((c) => String(c.id) === ids[i])!;
  // 0 equal; 1 renamed in Assignar; 2 held with a mobile only Assignar has; 3 archived; 4 deleted.
  expect((payloads[2] as Row).mobile ?? '').toBe('');
  assignar.upsertRecords('clients', [{ ...rec(1), name: 'Renamed by hand' }, { ...rec(2), mobile: '+1 555 0100' }, { ...rec(3), active: false }] as never);
  const links: LinkFacts[] = customers.map((c, i) => ({ sageKey: String(c.RECORDNO), sageId: String(c.CUSTOMERID), assignarId: ids[i], status: i === 2 ? 'held' : 'active' }));
  const records = sage.records('CUSTOMER') as Row[];
  const withoutDeleted = (assignar.records('clients') as Row[]).filter((c) => String(c.id) !== ids[4]);
  const items = planEntities({ kind: 'client', records, assignar: withoutDeleted, links, map: { config, assignarIdFor: () => undefined } }).filter((i) => links.some((l) => l.sageKey === i.sageKey));
  const forLink = (n: number) => items.filter((i) => i.sageKey === links[n].sageKey).map((i) => i.action);
  expect(forLink(0)).toEqual([]);
  expect(forLink(1)).toEqual(['overwrite']);
  expect(items.find((i) => i.sageKey === links[1].sageKey)!.evidence).toContainEqual(expect.objectContaining({ field: 'name', assignar: 'Renamed by hand' }));
  expect(forLink(2)).toEqual(['accept']);
  expect(forLink(3)).toEqual(['recreate']);
  expect(forLink(4)).toEqual(['recreate']);
  expect(items.find((i) => i.sageKey === links[4].sageKey)!.summary).toMatch(/was deleted in Assignar/);

  // The customer of link 0 turns inactive in Sage Intacct: its client is proposed for deactivation.
  const inactive = records.map((c) => (String(c.RECORDNO) === links[0].sageKey ? { ...c, STATUS: 'inactive' } : c));
  const again = planEntities({ kind: 'client', records: inactive, assignar: withoutDeleted, links, map: { config, assignarIdFor: () => undefined } });
  expect(again.filter((i) => i.sageKey === links[0].sageKey).map((i) => i.action)).toEqual(['deactivate-orphan']);
});
