/**
 * The queue lease that makes one worker process at a time serve a connection's API task queue, on both
 * databases: claimed by one, refused to another until it expires or is released, renewed by its holder.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { Ledger } from '../../src/ledger';
import { claimQueueLease } from '../../src/ledger/queue-leases';
import { openPostgres, openSqlite } from '../../src/ledger/database';
import { testLedgerTarget, type TestLedgerTarget } from '../helpers/test-ledger';

describe.each(['sqlite', 'postgres'] as const)('queue leases on %s', (flavor) => {
  let target: TestLedgerTarget;
  let ledger: Ledger;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(`${os.tmpdir()}/queue-leases-`);
    target = testLedgerTarget(dir, flavor);
    ledger = await target.open();
  });
  afterAll(async () => {
    await ledger?.close();
    await target?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('one holder at a time; renewal keeps it; another takes it only once it expired or was released', async () => {
    const a = await ledger.claimQueueLease({ connection: 'acme', holder: 'host:1:a', ttlMs: 60_000 });
    expect(a.held).toBe(true);
    const b = await ledger.claimQueueLease({ connection: 'acme', holder: 'host:2:b', ttlMs: 60_000 });
    expect(b).toMatchObject({ held: false, lease: { holder: 'host:1:a' } });
    const renewed = await ledger.claimQueueLease({ connection: 'acme', holder: 'host:1:a', ttlMs: 60_000 });
    expect(renewed.held).toBe(true);
    expect(renewed.lease.acquiredAt).toBe(a.lease.acquiredAt);
    expect(renewed.lease.expiresAt >= a.lease.expiresAt).toBe(true);
    // Another connection is a lease of its own.
    expect((await ledger.claimQueueLease({ connection: 'other', holder: 'host:2:b', ttlMs: 60_000 })).held).toBe(true);

    expect(await ledger.releaseQueueLease('acme', 'host:2:b')).toBe(false); // not the holder: no-op
    expect(await ledger.releaseQueueLease('acme', 'host:1:a')).toBe(true);
    expect((await ledger.claimQueueLease({ connection: 'acme', holder: 'host:2:b', ttlMs: 60_000 })).held).toBe(true);
    expect(await ledger.getQueueLease('acme')).toMatchObject({ holder: 'host:2:b' });
  });

  test('an expired lease goes to the next claimant, with a new acquisition time', async () => {
    // Claims at chosen clock readings, through the module on the same database (the Ledger reads the wall clock).
    const opened = flavor === 'postgres' ? await openPostgres(target.options.databaseUrl!, { schema: target.options.schema }) : openSqlite(target.options.sqlitePath!);
    try {
      const t0 = Date.parse('2026-01-01T00:00:00Z');
      expect((await claimQueueLease(opened.db, { connection: 'exp', holder: 'dead', ttlMs: 15_000 }, t0)).held).toBe(true);
      expect((await claimQueueLease(opened.db, { connection: 'exp', holder: 'next', ttlMs: 15_000 }, t0 + 14_000)).held).toBe(false);
      const taken = await claimQueueLease(opened.db, { connection: 'exp', holder: 'next', ttlMs: 15_000 }, t0 + 15_001);
      expect(taken).toMatchObject({ held: true, lease: { holder: 'next', acquiredAt: new Date(t0 + 15_001).toISOString() } });
      expect((await claimQueueLease(opened.db, { connection: 'exp', holder: 'dead', ttlMs: 15_000 }, t0 + 16_000)).held).toBe(false);
    } finally {
      await opened.destroy();
    }
  });
});
