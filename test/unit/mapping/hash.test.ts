import { createHash } from 'node:crypto';
import {
  canonicalJson,
  contentHash,
  mapAsset,
  mapClient,
  mapCostCode,
  mapProject,
  mapRole,
  mapWorker,
  mapWorkOrder,
  MAPPING_VERSION,
  sha256Hex,
  type MapResult,
} from '../../../src/mapping';
import { costType, customer, employee, equipmentItem, HOSTILE, item, makeContext, project, task } from './fixtures';

const nodeSha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('sha256Hex (pure JS)', () => {
  it('matches the FIPS test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto at every padding boundary and for any Unicode', () => {
    for (let n = 0; n <= 130; n++) expect(sha256Hex('x'.repeat(n))).toBe(nodeSha('x'.repeat(n)));
    for (const s of [HOSTILE, 'é', '€', '𝄞', '🏗️👷‍♀️', '\u0000\u007f\u0080\u07ff\u0800\uffff', 'a'.repeat(10_000)]) expect(sha256Hex(s)).toBe(nodeSha(s));
    // Lone surrogates hash as U+FFFD, like TextEncoder / Buffer.
    expect(sha256Hex('a\ud800b')).toBe(nodeSha('a\ufffdb'));
  });
});

describe('canonical form and content hash', () => {
  it('is independent of key order, surrounding whitespace and Unicode normalisation', () => {
    const a = { name: 'Café', active: true, nested: { b: 1, a: 'x' } };
    const b = { nested: { a: ' x ', b: 1 }, active: true, name: 'Cafe\u0301  ' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(contentHash(a)).toBe(contentHash(b));
  });

  it('treats null, undefined and empty text as no value, and numbers/booleans by their text', () => {
    expect(contentHash({ a: 'x', email: '' })).toBe(contentHash({ a: 'x', email: null }));
    expect(contentHash({ a: 'x', email: undefined })).toBe(contentHash({ a: 'x' }));
    expect(contentHash({ client_id: 975 })).toBe(contentHash({ client_id: '975' }));
    expect(contentHash({ active: false })).not.toBe(contentHash({}));
    expect(contentHash({ active: false })).not.toBe(contentHash({ active: true }));
  });

  it('is SHA-256 hex of the versioned canonical JSON', () => {
    const payload = { b: 2, a: 'x' };
    expect(contentHash(payload)).toBe(nodeSha(`${MAPPING_VERSION}\n{"a":"x","b":"2"}`));
    expect(contentHash(payload)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps array order', () => {
    expect(contentHash({ t: [1, 2] })).not.toBe(contentHash({ t: [2, 1] }));
  });
});

describe('mapped payload hashes', () => {
  const ctx = makeContext();
  const hashOf = <P>(r: MapResult<P>) => {
    if (!r.ok) throw new Error(r.reason);
    return r.hash;
  };

  it('are stable: same record, record with reordered keys, or padded values → same hash', () => {
    const reversed = Object.fromEntries(Object.entries(customer()).reverse()) as ReturnType<typeof customer>;
    expect(hashOf(mapClient(reversed, ctx))).toBe(hashOf(mapClient(customer(), ctx)));
    expect(hashOf(mapClient(customer({ NAME: '  Acme Construction \n' }), ctx))).toBe(hashOf(mapClient(customer(), ctx)));
    // Fields the mapping does not read do not matter (WHENMODIFIED changes on every save in Sage).
    expect(hashOf(mapClient(customer({ WHENMODIFIED: '2030-01-01T00:00:00.000Z' }), ctx))).toBe(hashOf(mapClient(customer(), ctx)));
    expect(hashOf(mapWorkOrder(task({ PBEGINDATE: '2/1/2025' }), ctx))).toBe(hashOf(mapWorkOrder(task(), ctx)));
  });

  // Every Sage field the mapping reads, per entity: changing it must change the hash.
  const cases: [string, (extra: Record<string, string>) => MapResult<unknown>, Record<string, string>][] = [
    ['client', (e) => mapClient(customer(e), ctx), {
      NAME: 'Acme Holdings', 'DISPLAYCONTACT.EMAIL1': 'new@acme.example.com', 'DISPLAYCONTACT.PHONE1': '1', 'DISPLAYCONTACT.CELLPHONE': '2',
      'DISPLAYCONTACT.MAILADDRESS.ADDRESS1': 'a', 'DISPLAYCONTACT.MAILADDRESS.ADDRESS2': 'b', 'DISPLAYCONTACT.MAILADDRESS.CITY': 'c',
      'DISPLAYCONTACT.MAILADDRESS.STATE': 'd', 'DISPLAYCONTACT.MAILADDRESS.ZIP': 'e', CUSTOMERID: 'C101', RECORDNO: '13', STATUS: 'inactive',
    }],
    ['project', (e) => mapProject(project(e), ctx), { NAME: 'x', CUSTOMERID: 'C200', PROJECTID: 'P101', RECORDNO: '302', STATUS: 'inactive' }],
    ['role', (e) => mapRole(item(e), ctx), { NAME: 'x', ITEMID: 'y', RECORDNO: '502', STATUS: 'inactive' }],
    ['asset', (e) => mapAsset(equipmentItem(e), ctx), { NAME: 'x', EXTENDED_DESCRIPTION: 'y', ITEMID: 'z', RECORDNO: '602', STATUS: 'inactive' }],
    ['costCode', (e) => mapCostCode(costType(e), ctx), { NAME: 'x', STANDARDCOSTTYPEID: 'y', RECORDNO: '702', STATUS: 'inactive' }],
    ['worker', (e) => mapWorker(employee(e), ctx), {
      'CONTACT.FIRSTNAME': 'x', 'CONTACT.LASTNAME': 'y', 'CONTACT.EMAIL1': 'z@example.com', 'CONTACT.PHONE1': '1', EMPLOYEEID: 'E2', RECORDNO: '802', STATUS: 'inactive',
    }],
    ['workOrder', (e) => mapWorkOrder(task(e), ctx), {
      TASKID: 'T02', PROJECTID: 'P-200', NAME: 'x', DESCRIPTION: 'y', PBEGINDATE: '02/02/2025', PENDDATE: '05/01/2025', RECORDNO: '902', STATUS: 'inactive',
    }],
  ];

  it.each(cases)('%s: any change of a mapped field changes the hash', (_kind, map, changes) => {
    const base = hashOf(map({}));
    const seen = new Set([base]);
    for (const [field, value] of Object.entries(changes)) {
      const h = hashOf(map({ [field]: value }));
      expect({ field, changed: h !== base }).toEqual({ field, changed: true });
      seen.add(h);
    }
    expect(seen.size).toBe(Object.keys(changes).length + 1);
  });

  it('worker: the cell phone matters only when there is no primary phone; the link defaults matter', () => {
    const base = hashOf(mapWorker(employee(), ctx));
    expect(hashOf(mapWorker(employee({ 'CONTACT.CELLPHONE': '9' }), ctx))).toBe(base);
    expect(hashOf(mapWorker(employee({ 'CONTACT.PHONE1': '', 'CONTACT.CELLPHONE': '9' }), ctx))).not.toBe(
      hashOf(mapWorker(employee({ 'CONTACT.PHONE1': '', 'CONTACT.CELLPHONE': '8' }), ctx)),
    );
    expect(hashOf(mapWorker(employee(), makeContext({ defaults: { employmentTypeId: 3 } })))).not.toBe(base);
  });

  it('links: a changed Assignar id behind a link changes the hash', () => {
    const moved = makeContext({ links: { 'client:C100': 999, 'project:P100': 4100 } });
    expect(hashOf(mapProject(project(), moved))).not.toBe(hashOf(mapProject(project(), ctx)));
    const order = makeContext({ defaults: { orderOwnerId: 41 } });
    expect(hashOf(mapWorkOrder(task(), order))).not.toBe(hashOf(mapWorkOrder(task(), ctx)));
  });
});
