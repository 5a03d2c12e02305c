/**
 * The ledger on both databases: the same suite runs against SQLite (a temp file) and PostgreSQL.
 *
 * PostgreSQL isolation: every fresh ledger gets its own uniquely named schema
 * (`ledger_test_<epoch ms>_<pid>_<random>_<n>`), created by the ledger's `schema` option and dropped in
 * afterAll. Schemas are cheap to create and drop and need no CREATEDB privilege, so parallel runs (two
 * checkouts, two CI jobs) on one server never see each other's tables. Schemas left by a crashed run are
 * dropped by a later run once they are over 6 hours old.
 *
 * PostgreSQL is found at DATABASE_URL, else 127.0.0.1:5432 database `test` as user postgres, then root.
 * The PostgreSQL half is skipped, with the reason printed, only when no server answers there.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Client } from 'pg';
import { sql } from 'kysely';
import { ValidationError } from '../../src/errors';
import { controlIdOf, exportGroupKey } from '../../src/export/group-key';
import {
  LedgerConstraintError,
  LedgerNotFoundError,
  MIGRATION_NAMES,
  openLedger,
  type ExportGroupPlan,
  type Json,
  type Ledger,
  type LinkInput,
  type ListTrueupItemsOptions,
  type OpenLedgerOptions,
  type RecordOutcomeInput,
  type TrueupPlanItemInput,
} from '../../src/ledger';
import { TrueupCountsSchema, TrueupItemSchema } from '../../src/contracts/trueup';
import { openPostgres, openSqlite } from '../../src/ledger/database';
import { migrateTo } from '../../src/ledger/migrate';

const ROOT = path.resolve(__dirname, '..', '..');

// ---------------------------------------------------------------------------------------------------
// Where PostgreSQL is (decided synchronously, so jest can mark the half as skipped).

interface PgProbe {
  ok: boolean;
  url?: string;
  /** A server answered (so a failure is an error, not a reason to skip). */
  answered?: boolean;
  error?: string;
}

function probePostgres(): PgProbe {
  const candidates = process.env.DATABASE_URL
    ? [process.env.DATABASE_URL]
    : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];
  const script = `
    const { Client } = require('pg');
    (async () => {
      let answered = false, error = '';
      for (const url of JSON.parse(process.argv[1])) {
        const c = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
        try {
          await c.connect(); await c.query('select 1'); await c.end();
          console.log(JSON.stringify({ ok: true, url })); return;
        } catch (e) {
          const noServer = ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(e.code) || /timeout|terminated/i.test(String(e.message));
          if (!noServer) answered = true;
          error = (e.code ? e.code + ' ' : '') + e.message;
          try { await c.end(); } catch {}
        }
      }
      console.log(JSON.stringify({ ok: false, answered, error }));
    })();`;
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(candidates)], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as PgProbe;
  } catch {
    return { ok: false, answered: false, error: `probe failed: ${r.error?.message ?? r.stderr}` };
  }
}

const pg = probePostgres();

// ---------------------------------------------------------------------------------------------------
// Targets: how to get a fresh, empty ledger location on each database.

interface Target {
  name: 'sqlite' | 'postgres';
  /** Options that open a brand-new, empty ledger location. */
  fresh(): OpenLedgerOptions;
  cleanup(): Promise<void>;
}

function sqliteTarget(): Target {
  let dir: string | undefined;
  let n = 0;
  return {
    name: 'sqlite',
    fresh() {
      dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-test-'));
      n += 1;
      return { sqlitePath: path.join(dir, `ledger-${n}`, 'ledger.sqlite') };
    },
    async cleanup() {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const STALE_SCHEMA_MS = 6 * 3600_000;

function postgresTarget(url: string): Target {
  const runTag = `ledger_test_${Date.now()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const created: string[] = [];
  return {
    name: 'postgres',
    fresh() {
      const schema = `${runTag}_${created.length + 1}`;
      created.push(schema);
      return { databaseUrl: url, schema };
    },
    async cleanup() {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>("select nspname as name from pg_namespace where nspname like 'ledger_test_%'");
        const stale = rows.map((r) => r.name).filter((name) => Date.now() - Number(name.split('_')[2]) > STALE_SCHEMA_MS);
        for (const schema of new Set([...created, ...stale])) await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

const targets: Target[] = [sqliteTarget()];
if (pg.ok && pg.url) {
  targets.push(postgresTarget(pg.url));
} else if (pg.answered) {
  // A server answered but would not let us in: that is a failure to report, not a reason to skip.
  describe('ledger on postgres', () => {
    it('connects to the PostgreSQL server that answered', () => {
      throw new Error(`PostgreSQL answered but the connection failed: ${pg.error}`);
    });
  });
} else {
  console.warn(`ledger.test: no PostgreSQL server answers (${pg.error}); skipping the PostgreSQL half. Set DATABASE_URL or start PostgreSQL on 127.0.0.1:5432.`);
  describe.skip('ledger on postgres (no server answers)', () => {
    it('runs the ledger suite on PostgreSQL', () => undefined);
  });
}

// ---------------------------------------------------------------------------------------------------
// Helpers

/** Runs `code` in a child Node process that can require the TypeScript sources. */
function runChild(code: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `require('tsx/cjs/api').register(); ${code}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, stdout, stderr }));
  });
}

function link(connection: string, n: number, overrides: Partial<LinkInput> = {}): LinkInput {
  return { connection, kind: 'worker', sageKey: String(n), sageId: `E${n}`, assignarId: String(10_000 + n), contentHash: `h${n}`, ...overrides };
}

let connectionCounter = 0;
/** A connection id of its own per test, so tests sharing one ledger never see each other's rows. */
function freshConnection(): string {
  connectionCounter += 1;
  return `conn-${connectionCounter}`;
}

// ---------------------------------------------------------------------------------------------------

describe.each(targets)('ledger on $name', (target) => {
  let ledger: Ledger;
  let options: OpenLedgerOptions;

  beforeAll(async () => {
    options = target.fresh();
    ledger = await openLedger(options);
  });

  afterAll(async () => {
    await ledger?.close();
    await target.cleanup();
  });

  describe('opening and migrations', () => {
    it('applies every migration on first open, and opening again is a no-op that keeps the data', async () => {
      const opts = target.fresh();
      const first = await openLedger(opts);
      expect(first.flavor).toBe(target.name);
      expect(await first.appliedMigrations()).toEqual([...MIGRATION_NAMES]);
      await first.upsertLinks([link('c', 1)]);
      await first.close();

      const second = await openLedger(opts);
      expect(await second.appliedMigrations()).toEqual([...MIGRATION_NAMES]);
      expect(await second.getLinksBySageKeys('c', 'worker', ['1'])).toHaveLength(1);
      await second.close();
    });

    it('opens concurrently from several processes (and twice in this one) on a fresh database', async () => {
      const opts = target.fresh();
      const childCode = `
        const { openLedger } = require('./src/ledger');
        (async () => {
          const opts = JSON.parse(process.env.LEDGER_OPTS);
          const me = Number(process.env.CHILD);
          // Everyone opens at the same moment, to make the migrations race for real.
          await new Promise((r) => setTimeout(r, Math.max(0, Number(process.env.START_AT) - Date.now())));
          const ledger = await openLedger(opts);
          const rows = Array.from({ length: 300 }, (_, i) => ({ connection: 'shared', kind: 'worker', sageKey: me + '-' + i, sageId: 'E' + me + '-' + i, assignarId: me + '-' + i, contentHash: 'h' }));
          await ledger.upsertLinks(rows);
          await ledger.startRun({ runId: 'child-' + me, connection: 'shared', workflowType: 'test' });
          await ledger.recordOutcomes(rows.map((r) => ({ runId: 'child-' + me, connection: 'shared', kind: 'worker', recordKey: r.sageKey, outcome: 'created' })));
          console.log(JSON.stringify(await ledger.appliedMigrations()));
          await ledger.close();
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const startAt = Date.now() + 2_500; // after the children have loaded tsx and the ledger code
      const children = [1, 2, 3].map((i) => runChild(childCode, { LEDGER_OPTS: JSON.stringify(opts), CHILD: String(i), START_AT: String(startAt) }));
      await new Promise((r) => setTimeout(r, startAt - Date.now()));
      const [a, b] = await Promise.all([openLedger(opts), openLedger(opts)]);
      const results = await Promise.all(children);
      for (const r of results) {
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
        expect(JSON.parse(r.stdout.trim())).toEqual([...MIGRATION_NAMES]);
      }
      expect(await a!.appliedMigrations()).toEqual([...MIGRATION_NAMES]);
      expect(await b!.linkCounts('shared')).toEqual({ worker: { active: 900 } });
      for (const i of [1, 2, 3]) expect(await a!.outcomeCounts(`child-${i}`)).toEqual({ worker: { created: 300 } });
      await a!.close();
      await b!.close();
    });

    if (target.name === 'sqlite') {
      it('uses WAL mode and enforces foreign keys, and creates the file’s directory', async () => {
        const opts = target.fresh();
        expect(fs.existsSync(path.dirname(opts.sqlitePath!))).toBe(false);
        const l = await openLedger(opts);
        await expect(
          l.recordOutcomes([{ runId: 'never-started', connection: 'c', kind: 'worker', recordKey: '1', outcome: 'created' }]),
        ).rejects.toBeInstanceOf(LedgerConstraintError);
        await l.close();
        const raw = new BetterSqlite3(opts.sqlitePath!, { readonly: true });
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
        raw.close();
      });
    }

    it('refuses use after close, and close is idempotent', async () => {
      const l = await openLedger(target.fresh());
      await l.close();
      await l.close();
      await expect(l.listRuns()).rejects.toThrow(/closed/);
    });
  });

  describe('links', () => {
    it('upserts idempotently, keeps createdAt, and updates changed fields', async () => {
      const c = freshConnection();
      const rows = [link(c, 1), link(c, 2, { assignarModifiedAt: '2024-03-01T10:00:00+02:00' })];
      await ledger.upsertLinks(rows);
      const first = await ledger.getLinksBySageKeys(c, 'worker', ['1', '2']);
      await ledger.upsertLinks(rows);
      const again = await ledger.getLinksBySageKeys(c, 'worker', ['1', '2']);
      expect(again.map(({ updatedAt: _u, ...rest }) => rest)).toEqual(first.map(({ updatedAt: _u, ...rest }) => rest));
      expect(again[1]).toMatchObject({ assignarModifiedAt: '2024-03-01T08:00:00.000Z', status: 'active', reason: null });

      await ledger.upsertLinks([link(c, 1, { contentHash: 'changed', status: 'held', reason: 'edited in Assignar' })]);
      const [updated] = await ledger.getLinksBySageKeys(c, 'worker', ['1']);
      expect(updated).toMatchObject({ contentHash: 'changed', status: 'held', reason: 'edited in Assignar', createdAt: first[0]!.createdAt });
      expect(updated!.updatedAt >= first[0]!.updatedAt).toBe(true);
    });

    it('takes the last row when a batch names the same key twice', async () => {
      const c = freshConnection();
      await ledger.upsertLinks([link(c, 1, { contentHash: 'old' }), link(c, 1, { contentHash: 'new' })]);
      expect((await ledger.getLinksBySageKeys(c, 'worker', ['1'])).map((l) => l.contentHash)).toEqual(['new']);
    });

    it('reads links by Sage keys and by Assignar ids, ignoring unknown keys', async () => {
      const c = freshConnection();
      await ledger.upsertLinks([link(c, 1), link(c, 2), link(c, 3, { kind: 'client' })]);
      expect(await ledger.getLinksBySageKeys(c, 'worker', [])).toEqual([]);
      expect((await ledger.getLinksBySageKeys(c, 'worker', ['2', '1', '3', '99', '2'])).map((l) => l.sageKey).sort()).toEqual(['1', '2']);
      expect((await ledger.getLinksByAssignarIds(c, 'worker', ['10001', '10003'])).map((l) => l.sageId)).toEqual(['E1']);
      expect((await ledger.getLinksByAssignarIds(c, 'client', ['10003'])).map((l) => l.sageId)).toEqual(['E3']);
      expect(await ledger.getLinksBySageKeys('other-connection', 'worker', ['1'])).toEqual([]);
    });

    it('handles pages larger than one statement’s bind-parameter budget', async () => {
      const c = freshConnection();
      const rows = Array.from({ length: 3_000 }, (_, i) => link(c, i));
      await ledger.upsertLinks(rows);
      const found = await ledger.getLinksBySageKeys(c, 'worker', rows.map((r) => r.sageKey));
      expect(found).toHaveLength(3_000);
      expect((await ledger.linkCounts(c)).worker).toEqual({ active: 3_000 });
    });

    it('enforces one Sage key per Assignar id, rolling back the whole batch', async () => {
      const c = freshConnection();
      await ledger.upsertLinks([link(c, 1)]);
      await expect(ledger.upsertLinks([link(c, 5), link(c, 2, { assignarId: '10001' })])).rejects.toBeInstanceOf(LedgerConstraintError);
      expect(await ledger.getLinksBySageKeys(c, 'worker', ['5', '2'])).toEqual([]);
      // The same Assignar id under another kind or connection is fine.
      await ledger.upsertLinks([link(c, 2, { assignarId: '10001', kind: 'asset' }), link(freshConnection(), 2, { assignarId: '10001' })]);
    });

    it('pages with a keyset in bytewise key order, with and without a status filter', async () => {
      const c = freshConnection();
      // Keys chosen so that text order differs from numeric order and includes non-ASCII and case.
      const keys = [...Array.from({ length: 230 }, (_, i) => String(i * 7)), 'a', 'B', 'é', 'Z-1', '_x'];
      await ledger.upsertLinks(keys.map((k, i) => link(c, i, { sageKey: k, status: i % 3 === 0 ? 'deactivated' : 'active' })));
      const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await ledger.listLinks(c, 'worker', { limit: 40, afterSageKey: after });
        if (page.length === 0) break;
        seen.push(...page.map((l) => l.sageKey));
        after = page[page.length - 1]!.sageKey;
      }
      expect(seen).toEqual(expected);

      const deactivated: string[] = [];
      after = undefined;
      for (;;) {
        const page = await ledger.listLinks(c, 'worker', { status: 'deactivated', limit: 13, afterSageKey: after });
        if (page.length === 0) break;
        deactivated.push(...page.map((l) => l.sageKey));
        after = page[page.length - 1]!.sageKey;
      }
      expect(deactivated).toEqual(expected.filter((k) => keys.indexOf(k) % 3 === 0));
      expect(await ledger.listLinks(c, 'worker', { status: ['active', 'deactivated'], limit: 10_000 })).toHaveLength(keys.length);
    });

    it('marks links in one go, optionally only from given statuses, and counts them', async () => {
      const c = freshConnection();
      await ledger.upsertLinks([link(c, 1), link(c, 2), link(c, 3), link(c, 4, { kind: 'project' })]);
      expect(await ledger.markLinks(c, 'worker', ['1', '2'], { status: 'held', reason: 'duplicate email' })).toBe(2);
      expect(await ledger.markLinks(c, 'worker', ['1', '3'], { status: 'active', fromStatus: ['held'] })).toBe(1);
      expect(await ledger.markLinks(c, 'worker', ['2'], { status: 'drifted', assignarModifiedAt: new Date('2024-05-01T00:00:00Z'), contentHash: 'x' })).toBe(1);
      const byKey = Object.fromEntries((await ledger.getLinksBySageKeys(c, 'worker', ['1', '2', '3'])).map((l) => [l.sageKey, l]));
      expect(byKey['1']).toMatchObject({ status: 'active', reason: null, contentHash: 'h1' });
      expect(byKey['2']).toMatchObject({ status: 'drifted', assignarModifiedAt: '2024-05-01T00:00:00.000Z', contentHash: 'x' });
      expect(await ledger.linkCounts(c)).toEqual({ worker: { active: 2, drifted: 1 }, project: { active: 1 } });
      expect(await ledger.markLinks(c, 'worker', [], { status: 'held' })).toBe(0);
    });

    it('rejects invalid input with a ValidationError naming the field', async () => {
      const c = freshConnection();
      await expect(ledger.upsertLinks([link(c, 1, { sageKey: '' })])).rejects.toThrow(ValidationError);
      await expect(ledger.upsertLinks([link(c, 1, { kind: 'nonsense' as never })])).rejects.toThrow(/kind/);
      await expect(ledger.upsertLinks([link(c, 1, { assignarModifiedAt: '2024-03-01 10:00' })])).rejects.toThrow(/assignarModifiedAt/);
      await expect(ledger.listLinks(c, 'worker', { limit: 0 })).rejects.toThrow(ValidationError);
    });
  });

  describe('watermarks', () => {
    it('stores ISO UTC text with an optional cursor, and overwrites', async () => {
      const c = freshConnection();
      expect(await ledger.getWatermark(c, 'EMPLOYEE', 'modified')).toBeUndefined();
      const w = await ledger.setWatermark({ connection: c, kind: 'EMPLOYEE', stream: 'modified', at: '2024-01-01T05:30:00+05:30' });
      expect(w).toMatchObject({ at: '2024-01-01T00:00:00.000Z', cursor: null });
      expect(await ledger.getWatermark(c, 'EMPLOYEE', 'modified')).toEqual(w);
      await ledger.setWatermarks([
        { connection: c, kind: 'EMPLOYEE', stream: 'modified', at: new Date('2024-02-01T00:00:00Z'), cursor: '1234' },
        { connection: c, kind: 'EMPLOYEE', stream: 'audit', at: '2024-02-02T00:00:00Z' },
      ]);
      expect(await ledger.getWatermark(c, 'EMPLOYEE', 'modified')).toMatchObject({ at: '2024-02-01T00:00:00.000Z', cursor: '1234' });
      expect((await ledger.listWatermarks(c)).map((x) => `${x.kind}/${x.stream}`)).toEqual(['EMPLOYEE/audit', 'EMPLOYEE/modified']);
      await expect(ledger.setWatermark({ connection: c, kind: 'EMPLOYEE', stream: 'modified', at: 'yesterday' })).rejects.toThrow(ValidationError);
    });
  });

  describe('runs', () => {
    it('starts idempotently, finishes with a JSON summary, and lists newest first', async () => {
      const c = freshConnection();
      const started = await ledger.startRun({ runId: `${c}-r1`, connection: c, workflowType: 'initialImport', dryRun: true, workflowId: `initialImport/${c}`, startedAt: '2024-01-01T00:00:00Z' });
      expect(started).toMatchObject({ status: 'running', dryRun: true, finishedAt: null, summary: null, startedAt: '2024-01-01T00:00:00.000Z' });
      expect(await ledger.startRun({ runId: `${c}-r1`, connection: c, workflowType: 'initialImport', startedAt: '2030-01-01T00:00:00Z' })).toEqual(started);
      await expect(ledger.startRun({ runId: `${c}-r1`, connection: 'elsewhere', workflowType: 'initialImport' })).rejects.toBeInstanceOf(LedgerConstraintError);

      const summary = { counts: { worker: { created: 3, failed: 1 } }, note: 'ünïcødé ✓ <&>', ok: true, nothing: null, list: [1, 2.5, 'x'] };
      const finished = await ledger.finishRun(`${c}-r1`, { status: 'completed', summary, finishedAt: '2024-01-01T01:00:00Z' });
      expect(finished).toMatchObject({ status: 'completed', summary, finishedAt: '2024-01-01T01:00:00.000Z', error: null });
      expect(await ledger.getRun(`${c}-r1`)).toEqual(finished);
      await expect(ledger.finishRun(`${c}-missing`, { status: 'failed' })).rejects.toBeInstanceOf(LedgerNotFoundError);

      await ledger.startRun({ runId: `${c}-r2`, connection: c, workflowType: 'incrementalSync', startedAt: '2024-01-02T00:00:00Z' });
      await ledger.startRun({ runId: `${c}-r3`, connection: c, workflowType: 'incrementalSync', startedAt: '2024-01-03T00:00:00Z' });
      expect((await ledger.listRuns({ connection: c })).map((r) => r.runId)).toEqual([`${c}-r3`, `${c}-r2`, `${c}-r1`]);
      expect((await ledger.listRuns({ connection: c, workflowType: 'incrementalSync', limit: 1 })).map((r) => r.runId)).toEqual([`${c}-r3`]);
      expect((await ledger.listRuns({ connection: c, startedBefore: '2024-01-03T00:00:00Z' })).map((r) => r.runId)).toEqual([`${c}-r2`, `${c}-r1`]);
      expect((await ledger.listRuns({ connection: c, status: 'completed' })).map((r) => r.runId)).toEqual([`${c}-r1`]);
      expect(await ledger.getRun('no-such-run')).toBeUndefined();
    });
  });

  describe('run accounting and writer leases', () => {
    it('ends a stale run only while it is still running, and lists runs by several statuses', async () => {
      const c = freshConnection();
      await ledger.startRun({ runId: `${c}-gone`, connection: c, workflowType: 'incrementalSync', startedAt: '2024-01-01T00:00:00Z' });
      await ledger.startRun({ runId: `${c}-done`, connection: c, workflowType: 'incrementalSync', startedAt: '2024-01-02T00:00:00Z' });
      await ledger.finishRun(`${c}-done`, { status: 'completed' });
      const ended = await ledger.endStaleRun(`${c}-gone`, { status: 'terminated', error: 'terminated in Temporal' });
      expect(ended).toMatchObject({ status: 'terminated', error: 'terminated in Temporal' });
      expect(ended!.finishedAt).not.toBeNull();
      // A run that recorded its own end keeps it.
      expect(await ledger.endStaleRun(`${c}-done`, { status: 'terminated', error: 'x' })).toBeUndefined();
      expect((await ledger.getRun(`${c}-done`))!.status).toBe('completed');
      expect((await ledger.listRuns({ connection: c, status: ['terminated', 'failed'] })).map((r) => r.runId)).toEqual([`${c}-gone`]);
    });

    it('gives a connection one writer: idempotent for the holder, compare-and-swap take-over, release only by the holder', async () => {
      const c = freshConnection();
      const a = { connection: c, workflowId: `initialImport/${c}`, workflowType: 'initialImport', runId: `${c}-a` };
      const b = { connection: c, workflowId: `incrementalSync/${c}`, workflowType: 'incrementalSync', runId: `${c}-b` };
      const first = await ledger.acquireWriterLease(a);
      expect(first).toMatchObject({ acquired: true, lease: { workflowId: a.workflowId, runId: a.runId } });
      expect(await ledger.acquireWriterLease(a)).toEqual(first);
      expect(await ledger.acquireWriterLease(b)).toMatchObject({ acquired: false, lease: { runId: a.runId, workflowType: 'initialImport' } });
      // Another connection has its own lease.
      expect((await ledger.acquireWriterLease({ ...b, connection: `${c}-other` })).acquired).toBe(true);

      expect(await ledger.releaseWriterLease(c, b.runId)).toBe(false);
      expect((await ledger.getWriterLease(c))!.runId).toBe(a.runId);
      expect(await ledger.takeOverWriterLease(c, 'not-the-holder', b)).toBe(false);
      expect(await ledger.takeOverWriterLease(c, a.runId, b)).toBe(true);
      expect(await ledger.takeOverWriterLease(c, a.runId, a)).toBe(false);
      expect((await ledger.getWriterLease(c))!.runId).toBe(b.runId);
      expect(await ledger.releaseWriterLease(c, b.runId)).toBe(true);
      expect(await ledger.getWriterLease(c)).toBeUndefined();
      expect((await ledger.acquireWriterLease(a)).acquired).toBe(true);
    });

    it('races: of many concurrent acquirers exactly one holds the lease', async () => {
      const c = freshConnection();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => ledger.acquireWriterLease({ connection: c, workflowId: `w${i}`, workflowType: 'incrementalSync', runId: `${c}-r${i}` })),
      );
      expect(results.filter((r) => r.acquired)).toHaveLength(1);
      expect(new Set(results.map((r) => r.lease.runId)).size).toBe(1);
    });

    it('says what is failing or held now across runs, with the run each record last failed in, ignoring dry runs', async () => {
      const c = freshConnection();
      const run = async (runId: string, startedAt: string, rows: Array<[kind: 'worker' | 'client', key: string, outcome: RecordOutcomeInput['outcome'], reason?: string]>, dryRun = false) => {
        await ledger.startRun({ runId, connection: c, workflowType: 'incrementalSync', startedAt, dryRun });
        await ledger.recordOutcomes(rows.map(([kind, recordKey, outcome, reason]) => ({ runId, connection: c, kind, recordKey, outcome, reason })));
      };
      await run(`${c}-import`, '2024-01-01T00:00:00Z', [
        ['worker', '1', 'failed', 'shared email'],
        ['worker', '2', 'failed', 'bad phone'],
        ['worker', '3', 'created'],
        ['client', '1', 'failed', 'no name'],
      ]);
      await run(`${c}-sync1`, '2024-01-02T00:00:00Z', [
        ['worker', '2', 'updated'], // fixed
        ['worker', '3', 'held', 'edited in Assignar'],
      ]);
      await run(`${c}-sync2`, '2024-01-03T00:00:00Z', [['client', '1', 'failed', 'still no name']]);
      // A dry run plans, it changes nothing: its outcomes are not the current state.
      await run(`${c}-dry`, '2024-01-04T00:00:00Z', [['worker', '1', 'created']], true);
      await ledger.startRun({ runId: `${c}-other-conn`, connection: `${c}-x`, workflowType: 'incrementalSync', startedAt: '2024-01-05T00:00:00Z' });
      await ledger.recordOutcomes([{ runId: `${c}-other-conn`, connection: `${c}-x`, kind: 'worker', recordKey: '9', outcome: 'failed' }]);

      const now = await ledger.currentOutcomes(c);
      expect(now.map((o) => [o.kind, o.recordKey, o.outcome, o.runId, o.lastFailedRunId])).toEqual([
        ['client', '1', 'failed', `${c}-sync2`, `${c}-sync2`],
        ['worker', '1', 'failed', `${c}-import`, `${c}-import`],
        ['worker', '3', 'held', `${c}-sync1`, null],
      ]);
      expect(now[0]).toMatchObject({ reason: 'still no name', lastFailedReason: 'still no name' });
      expect(now[1]!.lastFailedAt).toEqual(expect.any(String));
      expect((await ledger.currentOutcomes(c, { outcome: 'failed', kind: 'worker' })).map((o) => o.recordKey)).toEqual(['1']);
      expect((await ledger.currentOutcomes(c, { outcome: ['updated'] })).map((o) => o.recordKey)).toEqual(['2']);
      expect(await ledger.currentOutcomeCounts(c)).toEqual({ worker: { failed: 1, updated: 1, held: 1 }, client: { failed: 1 } });
    });
  });

  describe('failing records and pending deactivations', () => {
    it('remembers a failing record until it lands, pages by kind and key, and leaves out what this run just tried', async () => {
      const c = freshConnection();
      await ledger.recordFailingRecords([
        { connection: c, kind: 'project', sageKey: '20', sageId: 'P-20', reason: 'its customer has no client', runId: 'run-1' },
        { connection: c, kind: 'worker', sageKey: '5', sageId: 'E5', reason: 'email taken', refused: true, contentHash: 'h1', runId: 'run-1' },
        { connection: c, kind: 'worker', sageKey: '6', reason: 'first try', runId: 'run-1' },
        { connection: c, kind: 'worker', sageKey: '6', reason: 'second try wins', runId: 'run-2' },
      ]);
      const [worker5] = await ledger.getFailingRecords(c, 'worker', ['5']);
      expect(worker5).toMatchObject({ refused: true, contentHash: 'h1', dependsOn: null, sageId: 'E5', runId: 'run-1' });
      const all = await ledger.listFailingRecords(c, { kinds: ['worker', 'project'], limit: 10 });
      expect(all.map((f) => `${f.kind}:${f.sageKey}:${f.reason}`)).toEqual(['project:20:its customer has no client', 'worker:5:email taken', 'worker:6:second try wins']);
      expect((await ledger.listFailingRecords(c, { kinds: ['worker', 'project'], limit: 1, after: { kind: 'project', sageKey: '20' } })).map((f) => f.sageKey)).toEqual(['5']);
      expect((await ledger.listFailingRecords(c, { kinds: ['worker'], exceptRunId: 'run-2', limit: 10 })).map((f) => f.sageKey)).toEqual(['5']);
      await ledger.clearFailingRecords(c, 'worker', ['5', '6']);
      expect((await ledger.listFailingRecords(c, { kinds: ['worker', 'project'], limit: 10 })).map((f) => f.sageKey)).toEqual(['20']);
      expect(await ledger.listFailingRecords('other-connection', { kinds: ['project'], limit: 10 })).toEqual([]);
    });

    it("stages a run's deactivations, keeps held ones across runs, and forgets them when cleared", async () => {
      const c = freshConnection();
      const stage = (runId: string, keys: string[]) => ledger.stageDeactivations(keys.map((sageKey) => ({ connection: c, runId, kind: 'client', sageKey, reason: `gone ${sageKey}` })));
      await stage('run-1', ['1', '2', '3']);
      await stage('run-1', ['1']);
      expect((await ledger.listPendingDeactivations(c, 'client', 'run-1')).map((p) => [p.sageKey, p.state])).toEqual([['1', 'staged'], ['2', 'staged'], ['3', 'staged']]);
      await ledger.holdDeactivations(c, 'run-1', 'client', ['1', '2']);
      await ledger.clearPendingDeactivations(c, 'client', ['3']);
      // A later run sees the held ones (not run-1's other staged rows), plus what it staged itself.
      await stage('run-2', ['2', '4']);
      const later = await ledger.listPendingDeactivations(c, 'client', 'run-2');
      expect(later.map((p) => [p.sageKey, p.state, p.runId])).toEqual([['1', 'held', 'run-1'], ['2', 'held', 'run-1'], ['4', 'staged', 'run-2']]);
      await ledger.dropStagedDeactivations(c, 'run-2', 'client');
      expect((await ledger.listPendingDeactivations(c, 'client', 'run-2')).map((p) => p.sageKey)).toEqual(['1', '2']);
      await ledger.clearPendingDeactivations(c, 'client', ['1', '2']);
      expect(await ledger.listPendingDeactivations(c, 'client', 'run-3')).toEqual([]);
    });

    it('hands what a failed real run staged to the next run, never what a dry run or a running one staged', async () => {
      const c = freshConnection();
      const start = (runId: string, dryRun: boolean) => ledger.startRun({ runId: `${c}-${runId}`, connection: c, workflowType: 'incrementalSync', dryRun });
      await start('failed', false);
      await start('dry', true);
      await start('running', false);
      await ledger.finishRun(`${c}-failed`, { status: 'failed', error: 'boom' });
      await ledger.finishRun(`${c}-dry`, { status: 'failed', error: 'boom' });
      for (const [runId, key] of [['failed', '1'], ['dry', '2'], ['running', '3']]) {
        await ledger.stageDeactivations([{ connection: c, runId: `${c}-${runId}`, kind: 'client', sageKey: key, reason: 'inactive in Sage Intacct' }]);
      }
      expect((await ledger.listPendingDeactivations(c, 'client', `${c}-next`)).map((p) => p.sageKey)).toEqual(['1']);
    });
  });

  describe('record outcomes', () => {
    function page(runId: string, connection: string, outcome: RecordOutcomeInput['outcome'], n: number, from = 0): RecordOutcomeInput[] {
      return Array.from({ length: n }, (_, i) => ({ runId, connection, kind: 'worker' as const, recordKey: String(from + i), sageId: `E${from + i}`, outcome }));
    }

    it('keeps one outcome per record per run: a retried page overwrites, never duplicates', async () => {
      const c = freshConnection();
      const runId = `${c}-run`;
      await ledger.startRun({ runId, connection: c, workflowType: 'initialImport' });
      await ledger.recordOutcomes(page(runId, c, 'failed', 50));
      await ledger.recordOutcomes(page(runId, c, 'created', 50)); // the activity retried the page
      await ledger.recordOutcomes(page(runId, c, 'created', 50)); // and once more
      await ledger.recordOutcomes([{ runId, connection: c, kind: 'client', recordKey: '0', outcome: 'unchanged' }]);
      expect(await ledger.outcomeCounts(runId)).toEqual({ worker: { created: 50 }, client: { unchanged: 1 } });
      expect(await ledger.listOutcomes(runId, { limit: 10_000 })).toHaveLength(51);
    });

    it('counts per kind per outcome and lists with filters and paging', async () => {
      const c = freshConnection();
      const runId = `${c}-run`;
      await ledger.startRun({ runId, connection: c, workflowType: 'incrementalSync' });
      await ledger.recordOutcomes([
        ...page(runId, c, 'updated', 5, 0),
        ...page(runId, c, 'unchanged', 7, 100),
        { runId, connection: c, kind: 'project', recordKey: 'P1', outcome: 'drifted', reason: 'name edited in Assignar', details: { field: 'name', ours: 'A', theirs: 'B' } },
        { runId, connection: c, kind: 'project', recordKey: 'P2', outcome: 'failed', reason: 'customer out of scope' },
      ]);
      expect(await ledger.outcomeCounts(runId)).toEqual({ worker: { updated: 5, unchanged: 7 }, project: { drifted: 1, failed: 1 } });
      expect(await ledger.outcomeCounts('no-such-run')).toEqual({});

      const failedOrDrifted = await ledger.listOutcomes(runId, { outcome: ['failed', 'drifted'] });
      expect(failedOrDrifted.map((o) => [o.recordKey, o.outcome, o.reason])).toEqual([
        ['P1', 'drifted', 'name edited in Assignar'],
        ['P2', 'failed', 'customer out of scope'],
      ]);
      expect(failedOrDrifted[0]!.details).toEqual({ field: 'name', ours: 'A', theirs: 'B' });

      const workers: string[] = [];
      for (let offset = 0; ; offset += 5) {
        const p = await ledger.listOutcomes(runId, { kind: 'worker', limit: 5, offset });
        if (p.length === 0) break;
        workers.push(...p.map((o) => o.recordKey));
      }
      expect(workers).toHaveLength(12);
      expect(new Set(workers).size).toBe(12);
    });

    it('round-trips JSON details exactly', async () => {
      const c = freshConnection();
      const runId = `${c}-run`;
      await ledger.startRun({ runId, connection: c, workflowType: 'initialImport' });
      const details: Json[] = [
        { nested: { deep: [{ a: 1 }, [], {}] }, unicode: 'Łódź — 東京 — 🚜', xml: `<a href="x">&amp;</a> ]]>`, quote: `O'Brien "x"` },
        [1, -0.5, 1e21, true, false, null, ''],
        'just a string',
        42,
        null,
      ];
      await ledger.recordOutcomes(details.map((d, i) => ({ runId, connection: c, kind: 'worker' as const, recordKey: String(i), outcome: 'failed' as const, details: d })));
      const back = await ledger.listOutcomes(runId, { limit: 100 });
      expect(back.map((o) => o.details)).toEqual(details);
      await expect(
        ledger.recordOutcomes([{ runId, connection: c, kind: 'worker', recordKey: 'x', outcome: 'failed', details: { bad: undefined as never, f: (() => 1) as never } }]),
      ).rejects.toThrow(ValidationError);
    });

    it('refuses outcomes for a run that was never started', async () => {
      await expect(
        ledger.recordOutcomes([{ runId: 'never-started', connection: 'c', kind: 'worker', recordKey: '1', outcome: 'created' }]),
      ).rejects.toBeInstanceOf(LedgerConstraintError);
    });
  });

  describe('timesheet export groups', () => {
    const WEEK = '2024-05-06';

    /** A group as the export plans it: one labor line per timesheet on the week's first day, keyed as the export keys it. */
    function plan(connection: string, employeeId: string, weekStart: string, timesheets: Array<[id: string, version: string, minutes: number]>, extra: Partial<ExportGroupPlan> = {}): ExportGroupPlan {
      const groupKey = exportGroupKey({ connection, employeeId, weekStart, timesheets: timesheets.map(([id, version]) => ({ id, version })) });
      return {
        connection,
        groupKey,
        controlId: controlIdOf(groupKey),
        employeeId,
        weekStart,
        timesheets: timesheets.map(([assignarTimesheetId, version]) => ({ assignarTimesheetId, version })),
        lines: timesheets.map(([assignarTimesheetId, , minutes]) => ({
          entryDate: weekStart,
          qty: Math.round((minutes / 60) * 100) / 100,
          minutes,
          projectId: 'P-100',
          itemId: 'LABOR',
          assignarTimesheetId,
          kind: 'labor' as const,
        })),
        ...extra,
      };
    }
    const V1 = '2024-05-07T08:00:00.000Z';
    const V2 = '2024-05-09T15:30:00.000Z';

    it('applies 0006 on a ledger that 0001–0005 left holding data, keeping it and dropping timesheet_exports', async () => {
      const opts = target.fresh();
      const opened = opts.databaseUrl ? await openPostgres(opts.databaseUrl, { schema: opts.schema }) : openSqlite(opts.sqlitePath!);
      try {
        expect(await migrateTo(opened, '0005_writer_leases')).toEqual(MIGRATION_NAMES.slice(0, MIGRATION_NAMES.indexOf('0005_writer_leases') + 1));
        const t = '2024-05-01T06:00:00.000Z';
        await sql`insert into links (connection, kind, sage_key, sage_id, assignar_id, content_hash, status, created_at, updated_at)
                  values ('old', 'worker', '7', 'E7', '10007', 'h7', 'active', ${t}, ${t})`.execute(opened.db);
        await sql`insert into runs (run_id, connection, workflow_type, dry_run, started_at, status) values ('old-run', 'old', 'incrementalSync', 0, ${t}, 'completed')`.execute(opened.db);
        await sql`insert into writer_leases (connection, workflow_id, workflow_type, run_id, acquired_at) values ('old', 'incrementalSync/old', 'incrementalSync', 'old-run', ${t})`.execute(opened.db);
        await sql`insert into timesheet_exports (connection, assignar_timesheet_id, group_key, state, attempts, created_at, updated_at)
                  values ('old', '55', 'E7/2024-W18', 'pending', 1, ${t}, ${t})`.execute(opened.db);
      } finally {
        await opened.destroy();
      }

      const l = await openLedger(opts);
      try {
        expect(await l.appliedMigrations()).toEqual([...MIGRATION_NAMES]);
        expect(MIGRATION_NAMES).toContain('0006_export_groups');
        expect((await l.getLinksBySageKeys('old', 'worker', ['7'])).map((k) => [k.sageId, k.assignarId, k.contentHash])).toEqual([['E7', '10007', 'h7']]);
        expect((await l.getRun('old-run'))?.status).toBe('completed');
        expect((await l.getWriterLease('old'))?.runId).toBe('old-run');
        const [group] = await l.planExportGroups([plan('old', 'E7', WEEK, [['55', V1, 480]])]);
        expect(group!.state).toBe('planned');
      } finally {
        await l.close();
      }

      // The per-timesheet table is gone; the three new ones are there.
      let tables: string[];
      if (opts.databaseUrl) {
        const client = new Client({ connectionString: opts.databaseUrl });
        await client.connect();
        try {
          tables = (await client.query<{ name: string }>('select table_name as name from information_schema.tables where table_schema = $1', [opts.schema])).rows.map((r) => r.name);
        } finally {
          await client.end();
        }
      } else {
        const raw = new BetterSqlite3(opts.sqlitePath!, { readonly: true });
        tables = (raw.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
        raw.close();
      }
      expect(tables).not.toContain('timesheet_exports');
      expect(tables).toEqual(expect.arrayContaining(['export_groups', 'export_group_timesheets', 'held_timesheets', 'links', 'runs', 'writer_leases']));
    });

    it('plans a group once: planning it again changes nothing and returns what is stored, state and all', async () => {
      const c = freshConnection();
      const g1 = plan(c, 'E1', WEEK, [['200', V1, 300], ['100', V1, 120]], { runId: 'run-1' });
      const g2 = plan(c, 'E2', WEEK, [['300', V1, 450]], { runId: 'run-1' });
      const first = await ledger.planExportGroups([g1, g2, g1]);
      expect(first.map((g) => [g.groupKey, g.state, g.attempts, g.sageRecordNo, g.totalMinutes, g.runId])).toEqual([
        [g1.groupKey, 'planned', 0, null, 420, 'run-1'],
        [g2.groupKey, 'planned', 0, null, 450, 'run-1'],
      ]);
      expect(first[0]).toMatchObject({ controlId: controlIdOf(g1.groupKey), employeeId: 'E1', weekStart: WEEK, lines: g1.lines, replacesGroupKey: null });
      expect(first[0]!.timesheets).toEqual([
        { assignarTimesheetId: '100', version: V1, minutes: 120 },
        { assignarTimesheetId: '200', version: V1, minutes: 300 },
      ]);

      await ledger.markExportGroups(c, [g1.groupKey], { state: 'sent' });
      await ledger.confirmExportGroups(c, [{ groupKey: g1.groupKey, sageRecordNo: '9001' }]);
      const [confirmed] = await ledger.getExportGroups(c, [g1.groupKey]);

      // A redone activity plans the same groups again (one with lines mapped differently since): the group in
      // Sage Intacct keeps everything; the one never sent is only claimed by the run that planned it again.
      const remapped = { ...g1, runId: 'run-2', lines: g1.lines.map((l) => ({ ...l, itemId: 'OTHER' })) };
      const again = await ledger.planExportGroups([remapped, { ...g2, runId: 'run-2' }]);
      expect(again[0]).toEqual(confirmed);
      expect({ ...again[1], updatedAt: undefined }).toEqual({ ...first[1], runId: 'run-2', updatedAt: undefined });
      expect(again[0]).toMatchObject({ state: 'confirmed', sageRecordNo: '9001', attempts: 1, lines: g1.lines, runId: 'run-1' });
      expect(await ledger.listExportGroups(c, { limit: 100 })).toHaveLength(2);

      // A group that never reached Sage Intacct takes the lines as mapped now (same key, same timesheets).
      const g2Fixed = { ...g2, runId: 'run-3', lines: [{ ...g2.lines[0]!, minutes: 440, qty: 7.33, costTypeId: 'LAB' }] };
      const [replanned] = await ledger.planExportGroups([g2Fixed]);
      expect(replanned).toMatchObject({ state: 'planned', lines: g2Fixed.lines, totalMinutes: 440, runId: 'run-3', createdAt: first[1]!.createdAt });
      expect(replanned!.timesheets).toEqual([{ assignarTimesheetId: '300', version: V1, minutes: 440 }]);

      // The same key on another connection is another group.
      const other = freshConnection();
      expect((await ledger.planExportGroups([{ ...g1, connection: other }]))[0]!.state).toBe('planned');
      expect((await ledger.getExportGroups(c, [g1.groupKey]))[0]!.state).toBe('confirmed');
    });

    it('moves groups planned → sent → confirmed → processed by compare-and-set, counting sends; a stale move changes nothing', async () => {
      const c = freshConnection();
      const [a, b, d] = [plan(c, 'E1', WEEK, [['1', V1, 60]]), plan(c, 'E2', WEEK, [['2', V1, 60]]), plan(c, 'E3', WEEK, [['3', V1, 60]])];
      await ledger.planExportGroups([a, b, d]);

      expect(await ledger.markExportGroups(c, [a.groupKey, b.groupKey], { state: 'sent', runId: 'run-1' })).toBe(2);
      // The create timed out: sent again under the same controlid.
      expect(await ledger.markExportGroups(c, [a.groupKey], { state: 'sent', fromStates: ['planned', 'sent'] })).toBe(1);
      expect(await ledger.confirmExportGroups(c, [{ groupKey: a.groupKey, sageRecordNo: '9001' }, { groupKey: b.groupKey, sageRecordNo: '9002' }, { groupKey: d.groupKey, sageRecordNo: '9003' }], { runId: 'run-1' })).toBe(2);
      // A confirmed RECORDNO is never overwritten, and a never-sent group is never confirmed.
      expect(await ledger.confirmExportGroups(c, [{ groupKey: a.groupKey, sageRecordNo: '9999' }])).toBe(0);
      expect(await ledger.markExportGroups(c, [a.groupKey, d.groupKey], { state: 'processed' })).toBe(1);
      expect(await ledger.markExportGroups(c, [a.groupKey], { state: 'processed' })).toBe(0);
      expect(await ledger.markExportGroups(c, [a.groupKey], { state: 'sent' })).toBe(0);
      expect(await ledger.markExportGroups(c, [b.groupKey], { state: 'superseded' })).toBe(0);
      expect(await ledger.markExportGroups(c, [b.groupKey], { state: 'failed', reason: 'late' })).toBe(0);

      expect(await ledger.markExportGroups(c, [d.groupKey], { state: 'failed', reason: 'BL03000018 invalid project' })).toBe(1);
      expect((await ledger.getExportGroups(c, [d.groupKey]))[0]).toMatchObject({ state: 'failed', reason: 'BL03000018 invalid project', attempts: 0 });
      expect(await ledger.markExportGroups(c, [d.groupKey], { state: 'sent', fromStates: ['failed'] })).toBe(1);

      const byKey = new Map((await ledger.getExportGroups(c, [a.groupKey, b.groupKey, d.groupKey, 'unknown'])).map((g) => [g.groupKey, g]));
      expect(byKey.size).toBe(3);
      expect([a, b, d].map((g) => byKey.get(g.groupKey)).map((g) => [g!.state, g!.sageRecordNo, g!.attempts, g!.reason, g!.runId])).toEqual([
        ['processed', '9001', 2, null, 'run-1'],
        ['confirmed', '9002', 1, null, 'run-1'],
        ['sent', null, 1, null, null],
      ]);

      // Moves the ledger never makes, and a failure without a reason, are refused.
      await expect(ledger.markExportGroups(c, [a.groupKey], { state: 'processed', fromStates: ['planned'] })).rejects.toThrow(ValidationError);
      await expect(ledger.markExportGroups(c, [d.groupKey], { state: 'failed' })).rejects.toThrow(/reason/);
      await expect(ledger.markExportGroups(c, [a.groupKey], { state: 'confirmed' as never })).rejects.toThrow(ValidationError);
      await expect(ledger.confirmExportGroups(c, [{ groupKey: d.groupKey, sageRecordNo: '1' }, { groupKey: d.groupKey, sageRecordNo: '2' }])).rejects.toThrow(ValidationError);
      expect((await ledger.getExportGroups(c, [d.groupKey]))[0]!.state).toBe('sent');
    });

    it('says where each version of a timesheet went: a late approval is a new group, a confirmed correction supersedes what it replaces', async () => {
      const c = freshConnection();
      const g1 = plan(c, 'E1', WEEK, [['A', V1, 300], ['B', V1, 200]]);
      await ledger.planExportGroups([g1]);
      await ledger.markExportGroups(c, [g1.groupKey], { state: 'sent' });
      await ledger.confirmExportGroups(c, [{ groupKey: g1.groupKey, sageRecordNo: '9001' }]);
      await ledger.markExportGroups(c, [g1.groupKey], { state: 'processed' });

      // C approved after the week was exported: its own group for the same week, never merged into g1.
      const late = plan(c, 'E1', WEEK, [['C', V1, 60]]);
      await ledger.planExportGroups([late]);
      expect(late.groupKey).not.toBe(g1.groupKey);

      expect((await ledger.exportsOfTimesheets(c, ['C', 'B', 'A', 'D'])).map((e) => [e.assignarTimesheetId, e.version, e.groupKey, e.state, e.sageRecordNo, e.minutes])).toEqual([
        ['A', V1, g1.groupKey, 'processed', '9001', 300],
        ['B', V1, g1.groupKey, 'processed', '9001', 200],
        ['C', V1, late.groupKey, 'planned', null, 60],
      ]);

      // A comes back changed and re-approved: the replacement carries every timesheet of the Sage timesheet it replaces.
      const fix = plan(c, 'E1', WEEK, [['A', V2, 330], ['B', V1, 200]], { replacesGroupKey: g1.groupKey });
      await ledger.planExportGroups([fix]);
      expect((await ledger.getExportGroups(c, [g1.groupKey]))[0]!.state).toBe('processed'); // not before Sage Intacct took the update
      await ledger.markExportGroups(c, [fix.groupKey], { state: 'sent' });
      expect(await ledger.confirmExportGroups(c, [{ groupKey: fix.groupKey, sageRecordNo: '9001' }])).toBe(1);

      const [old, replacement] = [g1, fix].map((g) => g.groupKey).map(async (k) => (await ledger.getExportGroups(c, [k]))[0]!);
      expect(await old).toMatchObject({ state: 'superseded', sageRecordNo: '9001', reason: `replaced by the correction ${fix.groupKey}` });
      expect(await replacement).toMatchObject({ state: 'confirmed', sageRecordNo: '9001', replacesGroupKey: g1.groupKey, totalMinutes: 530 });

      // B (unchanged) is in both: ordered by timesheet, version, then group key.
      const bRows = [
        ['B', V1, g1.groupKey, 'superseded'],
        ['B', V1, fix.groupKey, 'confirmed'],
      ].sort((x, y) => (x[2]! < y[2]! ? -1 : 1));
      expect((await ledger.exportsOfTimesheets(c, ['B', 'A'])).map((e) => [e.assignarTimesheetId, e.version, e.groupKey, e.state])).toEqual([
        ['A', V1, g1.groupKey, 'superseded'],
        ['A', V2, fix.groupKey, 'confirmed'],
        ...bRows,
      ]);
      // Every group of the employee-week, and only those.
      await ledger.planExportGroups([plan(c, 'E1', '2024-05-13', [['Z', V1, 60]]), plan(c, 'E2', WEEK, [['Y', V1, 60]])]);
      expect((await ledger.listExportGroups(c, { employeeId: 'E1', weekStart: WEEK, limit: 100 })).map((g) => g.groupKey)).toEqual([g1.groupKey, late.groupKey, fix.groupKey].sort());
      // A correction of a group the ledger never saw is refused.
      await expect(ledger.planExportGroups([plan(c, 'E1', WEEK, [['A', '2024-05-10T00:00:00.000Z', 10]], { replacesGroupKey: 'f'.repeat(64) })])).rejects.toBeInstanceOf(LedgerConstraintError);
    });

    it('holds timesheets with a reason until they export, keeping when they were first held', async () => {
      const c = freshConnection();
      const correction = { previous: { version: V1, minutes: 300, groupKey: 'g', sageRecordNo: '9001' }, current: { version: V2, minutes: 330, notes: 'O\'Brien "quoted" \\ \u2028 ✓' } };
      await ledger.holdTimesheets([
        { connection: c, assignarTimesheetId: '20', version: V1, reason: 'worker 77 has no employee_id', runId: 'run-1' },
        { connection: c, assignarTimesheetId: '10', version: V2, reason: 'Sage timesheet 9001 is approved: cannot replace', details: correction, runId: 'run-1' },
      ]);
      const first = await ledger.listHeldTimesheets(c, { limit: 10 });
      expect(first.map((h) => [h.assignarTimesheetId, h.version, h.reason, h.details, h.runId])).toEqual([
        ['10', V2, 'Sage timesheet 9001 is approved: cannot replace', correction, 'run-1'],
        ['20', V1, 'worker 77 has no employee_id', null, 'run-1'],
      ]);

      await new Promise((r) => setTimeout(r, 5));
      await ledger.holdTimesheets([{ connection: c, assignarTimesheetId: '20', version: V2, reason: 'project P-9 is not linked', runId: 'run-2' }]);
      const [, twenty] = await ledger.listHeldTimesheets(c, { limit: 10 });
      expect(twenty).toMatchObject({ version: V2, reason: 'project P-9 is not linked', runId: 'run-2', heldAt: first[1]!.heldAt });
      expect(twenty!.updatedAt > first[1]!.updatedAt).toBe(true);
      expect((await ledger.listHeldTimesheets(c, { afterId: '10', limit: 10 })).map((h) => h.assignarTimesheetId)).toEqual(['20']);

      const other = freshConnection();
      await ledger.holdTimesheets([{ connection: other, assignarTimesheetId: '20', version: V1, reason: 'x', runId: 'run-9' }]);
      expect(await ledger.releaseHeldTimesheets(c, ['20', 'never-held'])).toBe(1);
      expect(await ledger.releaseHeldTimesheets(c, ['20'])).toBe(0);
      expect((await ledger.listHeldTimesheets(c, { limit: 10 })).map((h) => h.assignarTimesheetId)).toEqual(['10']);
      expect(await ledger.listHeldTimesheets(other, { limit: 10 })).toHaveLength(1);
      await expect(ledger.holdTimesheets([{ connection: c, assignarTimesheetId: '30', version: V1, reason: '', runId: 'run-1' }])).rejects.toThrow(ValidationError);
    });

    it('stages a run’s timesheets by worker, drops holds of timesheets the run did not read, and clears staging per run', async () => {
      const c = freshConnection();
      const body = (id: number, user: number | null) => ({ id, user_id: user, comments: 'O\'Brien <b> & "x" \u2028 ✓' });
      await ledger.stageExportCandidates([
        { connection: c, runId: 'run-1', assignarTimesheetId: '11', assignarUserId: '7', version: V1, stream: 'approved', body: body(11, 7) },
        { connection: c, runId: 'run-1', assignarTimesheetId: '12', assignarUserId: '7', version: V1, stream: 'approved', body: body(12, 7) },
        { connection: c, runId: 'run-1', assignarTimesheetId: '13', assignarUserId: '8', version: V1, stream: 'corrections', body: body(13, 8) },
        { connection: c, runId: 'run-1', assignarTimesheetId: '14', assignarUserId: '', version: V1, stream: 'approved', body: body(14, null) },
        // A redone page stages the same timesheet again: the later row wins.
        { connection: c, runId: 'run-1', assignarTimesheetId: '12', assignarUserId: '7', version: V2, stream: 'approved', body: body(12, 7) },
        { connection: c, runId: 'run-0', assignarTimesheetId: '99', assignarUserId: '9', version: V1, stream: 'approved', body: body(99, 9) },
      ]);
      expect(await ledger.listCandidateWorkers(c, 'run-1', { limit: 10 })).toEqual(['', '7', '8']);
      expect(await ledger.listCandidateWorkers(c, 'run-1', { afterUserId: '', limit: 1 })).toEqual(['7']);
      expect(await ledger.listCandidateWorkers(c, 'run-1', { afterUserId: '7', limit: 10 })).toEqual(['8']);
      const staged = await ledger.getExportCandidates(c, 'run-1', ['7', '8']);
      expect(staged.map((x) => [x.assignarTimesheetId, x.version, x.stream])).toEqual([
        ['11', V1, 'approved'],
        ['12', V2, 'approved'],
        ['13', V1, 'corrections'],
      ]);
      expect(staged[0]!.body).toEqual(body(11, 7));

      await ledger.holdTimesheets([
        { connection: c, assignarTimesheetId: '13', version: V1, reason: 'still approved and unprocessed', runId: 'run-0' },
        { connection: c, assignarTimesheetId: '50', version: V1, reason: 'since deleted in Assignar', runId: 'run-0' },
      ]);
      expect(await ledger.releaseHoldsNotStaged(c, 'run-1')).toBe(1);
      expect((await ledger.listHeldTimesheets(c, { limit: 10 })).map((h) => h.assignarTimesheetId)).toEqual(['13']);

      await ledger.clearExportCandidates(c, { exceptRunId: 'run-1' });
      expect(await ledger.listCandidateWorkers(c, 'run-0', { limit: 10 })).toEqual([]);
      expect(await ledger.listCandidateWorkers(c, 'run-1', { limit: 10 })).toHaveLength(3);
      await ledger.clearExportCandidates(c, { runId: 'run-1' });
      expect(await ledger.listCandidateWorkers(c, 'run-1', { limit: 10 })).toEqual([]);
    });

    it('round-trips lines with hostile text exactly, and refuses a group it could not send faithfully', async () => {
      const c = freshConnection();
      const hostile = [
        "'; drop table export_groups; --",
        'quotes " \' ` and \\ backslashes \\"',
        'NUL \u0000 and controls \u0001\u001f\t\r\n',
        'line sep \u2028 para sep \u2029',
        'emoji 👷‍♀️🚜 RTL \u202eevil\u202c',
        'lone surrogate \ud800 end',
        '<![CDATA[x]]> &amp; <TIMESHEETENTRY/>',
        'x'.repeat(20_000),
      ];
      const g = plan(c, 'É-👷 "7"', WEEK, [['1', V1, 60]]);
      g.lines = hostile.map((description, i) => ({
        entryDate: `2024-05-${String(6 + (i % 7)).padStart(2, '0')}`,
        qty: 0.33,
        minutes: 20,
        projectId: `P-${description.slice(0, 12)}`,
        taskId: 'T\u0000',
        costTypeId: 'LAB',
        timeType: 'OT 1.5×',
        description,
        assignarTimesheetId: '1',
        kind: i % 2 ? ('equipment' as const) : ('labor' as const),
      }));
      const [planned] = await ledger.planExportGroups([g]);
      expect(planned!.lines).toEqual(g.lines);
      const [read] = await ledger.getExportGroups(c, [g.groupKey]);
      expect(read!.lines).toEqual(g.lines);
      expect(read!.employeeId).toBe('É-👷 "7"');
      expect(read!.totalMinutes).toBe(20 * hostile.length);

      const good = plan(c, 'E1', WEEK, [['2', V1, 60]]);
      const bad: Array<[string, ExportGroupPlan, RegExp]> = [
        ['a field the ledger would drop', { ...good, lines: [{ ...good.lines[0]!, locationId: 'L1' } as never] }, /lines\.0/],
        ['a null optional field', { ...good, lines: [{ ...good.lines[0]!, taskId: null } as never] }, /lines\.0\.taskId/],
        ['a line of a timesheet not in the group', { ...good, lines: [{ ...good.lines[0]!, assignarTimesheetId: '3' }] }, /not one of the group's timesheets/],
        ['a line outside the week', { ...good, lines: [{ ...good.lines[0]!, entryDate: '2024-05-13' }] }, /outside the week/],
        ['a week that is not a date', { ...good, weekStart: '2024-02-30' }, /weekStart/],
        ['no lines', { ...good, lines: [] }, /lines/],
        ['a timesheet twice', { ...good, timesheets: [...good.timesheets, { assignarTimesheetId: '2', version: V2 }] }, /twice/],
        ['fractional minutes', { ...good, lines: [{ ...good.lines[0]!, minutes: 1.5 }] }, /minutes/],
      ];
      for (const [what, group, message] of bad) {
        const error = await ledger.planExportGroups([good, group]).then(() => undefined, (e: unknown) => e);
        expect({ what, validation: error instanceof ValidationError, message: String(error) }).toEqual({ what, validation: true, message: expect.stringMatching(message) });
      }
      // A refused batch stores nothing, not even its valid groups.
      expect(await ledger.getExportGroups(c, [good.groupKey])).toEqual([]);
    });

    it('lists by state and employee-week with keyset paging', async () => {
      const c = freshConnection();
      const groups = Array.from({ length: 25 }, (_, i) => plan(c, `E${i % 5}`, i < 15 ? WEEK : '2024-05-13', [[String(1000 + i), V1, 60]]));
      await ledger.planExportGroups(groups);
      const sent = groups.filter((_, i) => i % 4 === 0).map((g) => g.groupKey);
      expect(await ledger.markExportGroups(c, sent, { state: 'sent' })).toBe(7);

      const seen: string[] = [];
      let afterKey: string | undefined;
      for (;;) {
        const page = await ledger.listExportGroups(c, { states: ['planned'], limit: 5, afterKey });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(5);
        seen.push(...page.map((g) => g.groupKey));
        afterKey = page.at(-1)!.groupKey;
      }
      const planned = groups.map((g) => g.groupKey).filter((k) => !sent.includes(k));
      expect(seen).toEqual([...planned].sort());
      expect((await ledger.listExportGroups(c, { states: ['sent', 'confirmed'], limit: 100 })).map((g) => g.groupKey)).toEqual([...sent].sort());
      const e1Week = groups.filter((g) => g.employeeId === 'E1' && g.weekStart === WEEK).map((g) => g.groupKey);
      expect((await ledger.listExportGroups(c, { employeeId: 'E1', weekStart: WEEK, limit: 100 })).map((g) => g.groupKey)).toEqual([...e1Week].sort());
      expect(e1Week).toHaveLength(3);
      await expect(ledger.listExportGroups(c, { states: ['pending' as never], limit: 10 })).rejects.toThrow(ValidationError);
    });

    it('takes 3,000 groups in one call, past one statement’s bind-parameter budget on either database', async () => {
      const c = freshConnection();
      // 3,000 groups bind 45,000 parameters (over SQLite's 32,766); their 15,000 timesheets 75,000 (over PostgreSQL's 65,535).
      const groups = Array.from({ length: 3000 }, (_, i) =>
        plan(
          c,
          `E${i}`,
          WEEK,
          ['a', 'b', 'c', 'd', 'e'].map((s, k): [string, string, number] => [`${i}-${s}`, k % 2 ? V2 : V1, 30 + k]),
        ),
      );
      const planned = await ledger.planExportGroups(groups);
      expect(planned.map((g) => g.groupKey)).toEqual(groups.map((g) => g.groupKey));
      expect(planned.every((g) => g.state === 'planned' && g.timesheets.length === 5 && g.totalMinutes === 160)).toBe(true);
      expect((await ledger.planExportGroups(groups)).map((g) => ({ ...g, updatedAt: undefined }))).toEqual(planned.map((g) => ({ ...g, updatedAt: undefined })));

      const keys = groups.map((g) => g.groupKey);
      expect(await ledger.markExportGroups(c, keys, { state: 'sent' })).toBe(3000);
      expect(await ledger.confirmExportGroups(c, keys.map((groupKey, i) => ({ groupKey, sageRecordNo: String(50_000 + i) })))).toBe(3000);
      const confirmed = await ledger.getExportGroups(c, keys);
      expect(confirmed).toHaveLength(3000);
      const recordNos = new Map(confirmed.map((g) => [g.groupKey, g.sageRecordNo]));
      expect(keys.every((k, i) => recordNos.get(k) === String(50_000 + i))).toBe(true);

      const ids = groups.flatMap((g) => g.timesheets.map((t) => t.assignarTimesheetId));
      const exports = await ledger.exportsOfTimesheets(c, ids);
      expect(exports).toHaveLength(15_000);
      expect(exports.every((e) => e.state === 'confirmed')).toBe(true);
      expect((await ledger.listExportGroups(c, { states: ['confirmed'], limit: 10_000 })).length).toBe(3000);
    });
  });

  describe('true-up plan', () => {
    let trueupCounter = 0;
    /** A true-up of its own per test (on its own connection). */
    function freshTrueup(): [string, string] {
      trueupCounter += 1;
      return [freshConnection(), `trueUp-${trueupCounter}`];
    }
    const EVIDENCE = [
      { field: 'email', sage: 'ann@example.com', assignar: 'ann@example.com', same: true },
      { field: 'phone', sage: '+61 400 000 001', assignar: null, same: false },
    ];
    function item(id: string, overrides: Partial<TrueupPlanItemInput> = {}): TrueupPlanItemInput {
      return {
        itemId: id,
        kind: 'worker',
        action: 'link',
        confidence: 0.9,
        sageKey: `S-${id}`,
        sageId: `E-${id}`,
        assignarId: `A-${id}`,
        summary: `link ${id}`,
        evidence: EVIDENCE,
        contentHash: `h-${id}`,
        ...overrides,
      };
    }
    async function one(c: string, t: string, id: string) {
      const [found] = await ledger.getTrueupItems(c, t, [id]);
      return found!;
    }
    async function states(c: string, t: string): Promise<Record<string, string>> {
      return Object.fromEntries((await ledger.listTrueupItems(c, t, { limit: 10_000 })).map((i) => [i.itemId, i.state]));
    }
    async function failure(p: Promise<unknown>): Promise<unknown> {
      return p.then(() => undefined, (e: unknown) => e);
    }

    it('applies 0008 on a ledger that 0001–0007 left, replacing the unused trueup_items and keeping the rest', async () => {
      const opts = target.fresh();
      const opened = opts.databaseUrl ? await openPostgres(opts.databaseUrl, { schema: opts.schema }) : openSqlite(opts.sqlitePath!);
      try {
        expect(await migrateTo(opened, '0007_export_candidates')).toEqual(MIGRATION_NAMES.slice(0, MIGRATION_NAMES.indexOf('0007_export_candidates') + 1));
        const at = '2024-05-01T06:00:00.000Z';
        await sql`insert into links (connection, kind, sage_key, sage_id, assignar_id, content_hash, status, created_at, updated_at)
                  values ('old', 'worker', '7', 'E7', '10007', 'h7', 'active', ${at}, ${at})`.execute(opened.db);
        await sql`insert into trueup_items (connection, trueup_id, item_id, kind, action, status, payload, created_at, updated_at)
                  values ('old', 't', 'i1', 'worker', 'link', 'proposed', '{}', ${at}, ${at})`.execute(opened.db);
      } finally {
        await opened.destroy();
      }
      const l = await openLedger(opts);
      try {
        expect(await l.appliedMigrations()).toEqual([...MIGRATION_NAMES]);
        expect(MIGRATION_NAMES).toContain('0008_trueup_plan');
        expect((await l.getLinksBySageKeys('old', 'worker', ['7'])).map((k) => k.assignarId)).toEqual(['10007']);
        expect(await l.listTrueupItems('old', 't', { limit: 10 })).toEqual([]);
        expect(await l.upsertTrueupPlan('old', 't', 1, [item('i1')])).toEqual({ added: 1, changed: 0, withdrawn: 0, unchanged: 0 });
        expect((await l.getTrueupItems('old', 't', ['i1'])).map((i) => i.state)).toEqual(['proposed']);
      } finally {
        await l.close();
      }
    });

    it('records a diff as proposed items, keeps an approval on an unchanged re-diff and withdraws it on a change', async () => {
      const [c, t] = freshTrueup();
      expect(await ledger.upsertTrueupPlan(c, t, 1, [item('i1'), item('i2'), item('i3'), item('i4')])).toEqual({ added: 4, changed: 0, withdrawn: 0, unchanged: 0 });
      const first = await one(c, t, 'i1');
      expect(first).toEqual({
        ...item('i1'),
        state: 'proposed',
        approvedHash: null,
        reason: null,
        generation: 1,
        decidedBy: null,
        decidedAt: null,
        appliedAt: null,
        verifiedAt: null,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updatedAt: first.createdAt,
      });
      expect(TrueupItemSchema.safeParse(first).success).toBe(true);

      expect(await ledger.approveTrueupItems(c, t, { items: ['i1', 'i2'] }, 'ops@example.com')).toEqual({ approved: 2, errors: [] });
      expect(await one(c, t, 'i1')).toMatchObject({ state: 'approved', approvedHash: 'h-i1', decidedBy: 'ops@example.com', decidedAt: expect.any(String) });

      // Re-diff 2: i1 and i4 as they were, i2 (approved) and i3 (proposed) changed.
      const i2v2 = item('i2', { contentHash: 'h-i2-v2', summary: 'link i2 (email changed)', assignarId: 'A-other' });
      const r2 = await ledger.upsertTrueupPlan(c, t, 2, [item('i1'), i2v2, item('i3', { contentHash: 'h-i3-v2', confidence: 0.5 }), item('i4')]);
      expect(r2).toEqual({ added: 0, changed: 1, withdrawn: 1, unchanged: 2 });
      expect(await one(c, t, 'i1')).toMatchObject({ state: 'approved', approvedHash: 'h-i1', contentHash: 'h-i1', generation: 2, decidedBy: 'ops@example.com' });
      expect(await one(c, t, 'i2')).toMatchObject({
        state: 'withdrawn',
        reason: 'changed by re-diff 2: approve it again',
        contentHash: 'h-i2-v2',
        approvedHash: 'h-i2',
        summary: 'link i2 (email changed)',
        assignarId: 'A-other',
        generation: 2,
      });
      expect(await one(c, t, 'i3')).toMatchObject({ state: 'proposed', contentHash: 'h-i3-v2', confidence: 0.5, approvedHash: null, generation: 2 });
      // Only an approval of the current content may be applied.
      expect((await ledger.listApprovedTrueupItems(c, t, { limit: 100 })).map((i) => i.itemId)).toEqual(['i1']);
      // The same re-diff again (a retried activity) changes nothing more.
      expect(await ledger.upsertTrueupPlan(c, t, 2, [item('i1'), i2v2])).toEqual({ added: 0, changed: 0, withdrawn: 0, unchanged: 2 });

      expect(await ledger.approveTrueupItems(c, t, { items: ['i2'] })).toEqual({ approved: 1, errors: [] });
      expect(await one(c, t, 'i2')).toMatchObject({ state: 'approved', approvedHash: 'h-i2-v2', reason: null, decidedBy: null });
      expect((await ledger.listApprovedTrueupItems(c, t, { limit: 100 })).map((i) => i.itemId)).toEqual(['i1', 'i2']);

      // Rejected and failed items keep their state (and reason) when they change; withdrawn stays withdrawn.
      expect(await ledger.rejectTrueupItems(c, t, ['i3'], 'ops', 'a different Ann')).toEqual({ rejected: 1, errors: [] });
      expect(await ledger.approveTrueupItems(c, t, { items: ['i4'] })).toEqual({ approved: 1, errors: [] });
      expect(await ledger.markTrueupItems(c, t, ['i4'], { state: 'failed', reason: 'Assignar said 409' })).toBe(1);
      expect(await ledger.markTrueupItems(c, t, ['i1'], { state: 'applied' })).toBe(1);
      expect(await ledger.markTrueupItems(c, t, ['i1'], { state: 'verified' })).toBe(1);
      const r3 = await ledger.upsertTrueupPlan(c, t, 3, [
        item('i1', { contentHash: 'h-i1-v3', summary: 'changed after apply' }),
        item('i2', { contentHash: 'h-i2-v3' }),
        item('i3', { contentHash: 'h-i3-v3' }),
        item('i4', { contentHash: 'h-i4-v3' }),
        item('i5'),
      ]);
      expect(r3).toEqual({ added: 1, changed: 2, withdrawn: 1, unchanged: 1 });
      expect(await states(c, t)).toEqual({ i1: 'verified', i2: 'withdrawn', i3: 'rejected', i4: 'failed', i5: 'proposed' });
      expect(await one(c, t, 'i1')).toMatchObject({ contentHash: 'h-i1', summary: 'link i1', generation: 3, appliedAt: expect.any(String), verifiedAt: expect.any(String) });
      expect(await one(c, t, 'i2')).toMatchObject({ reason: 'changed by re-diff 3: approve it again', approvedHash: 'h-i2-v2', contentHash: 'h-i2-v3' });
      expect(await one(c, t, 'i3')).toMatchObject({ reason: 'a different Ann', contentHash: 'h-i3-v3', decidedBy: 'ops' });
      expect(await one(c, t, 'i4')).toMatchObject({ reason: 'Assignar said 409', contentHash: 'h-i4-v3' });
      const r4 = await ledger.upsertTrueupPlan(c, t, 4, [item('i2', { contentHash: 'h-i2-v4' })]);
      expect(r4).toEqual({ added: 0, changed: 1, withdrawn: 0, unchanged: 0 });
      expect(await one(c, t, 'i2')).toMatchObject({ state: 'withdrawn', reason: 'changed by re-diff 4: approve it again', approvedHash: 'h-i2-v2' });
      // Another true-up of the same connection is another plan.
      expect(await ledger.listTrueupItems(c, `${t}-other`, { limit: 10 })).toEqual([]);
    });

    it('resolves what a re-diff no longer finds, and proposes it again when it is found', async () => {
      const [c, t] = freshTrueup();
      const ids = ['a-proposed', 'b-approved', 'c-rejected', 'd-applied', 'e-withdrawn', 'f-failed', 'g-verified'];
      await ledger.upsertTrueupPlan(c, t, 1, ids.map((id) => item(id)));
      await ledger.approveTrueupItems(c, t, { items: ['b-approved', 'd-applied', 'e-withdrawn', 'f-failed', 'g-verified'] });
      await ledger.rejectTrueupItems(c, t, ['c-rejected']);
      await ledger.markTrueupItems(c, t, ['d-applied', 'g-verified'], { state: 'applied' });
      await ledger.markTrueupItems(c, t, ['g-verified'], { state: 'verified' });
      await ledger.markTrueupItems(c, t, ['f-failed'], { state: 'failed', reason: 'timeout' });
      expect((await ledger.upsertTrueupPlan(c, t, 2, [item('e-withdrawn', { contentHash: 'h2' })])).withdrawn).toBe(1);

      // Re-diff 3 sees only a new item: everything undecided or unapplied is resolved; applied and verified stay.
      await ledger.upsertTrueupPlan(c, t, 3, [item('h-new')]);
      expect(await ledger.resolveUnseenTrueupItems(c, t, 3)).toBe(5);
      expect(await states(c, t)).toEqual({
        'a-proposed': 'resolved',
        'b-approved': 'resolved',
        'c-rejected': 'resolved',
        'd-applied': 'applied',
        'e-withdrawn': 'resolved',
        'f-failed': 'resolved',
        'g-verified': 'verified',
        'h-new': 'proposed',
      });
      expect(await one(c, t, 'b-approved')).toMatchObject({ reason: 'no longer found by re-diff 3', generation: 1 });
      expect(await ledger.resolveUnseenTrueupItems(c, t, 3)).toBe(0);
      expect(await ledger.listApprovedTrueupItems(c, t, { limit: 10 })).toEqual([]);

      // A resolved item is no longer needed: neither approved nor rejected.
      expect(await ledger.approveTrueupItems(c, t, { items: ['a-proposed'] })).toEqual({ approved: 0, errors: [{ itemId: 'a-proposed', reason: 'no longer needed: no longer found by re-diff 3' }] });
      expect(await ledger.rejectTrueupItems(c, t, ['a-proposed'])).toEqual({ rejected: 0, errors: [{ itemId: 'a-proposed', reason: 'no longer needed: no longer found by re-diff 3' }] });
      expect(await ledger.approveTrueupItems(c, t, { all: true })).toEqual({ approved: 1, errors: [] }); // h-new only

      // Found again (unchanged, or changed), it is proposed again with its new content.
      expect(await ledger.upsertTrueupPlan(c, t, 4, [item('a-proposed'), item('b-approved', { contentHash: 'h-b-v4' }), item('h-new')])).toEqual({
        added: 0,
        changed: 2,
        withdrawn: 0,
        unchanged: 1,
      });
      expect(await one(c, t, 'a-proposed')).toMatchObject({ state: 'proposed', reason: null, generation: 4 });
      expect(await one(c, t, 'b-approved')).toMatchObject({ state: 'proposed', reason: null, contentHash: 'h-b-v4' });
      expect(await ledger.resolveUnseenTrueupItems(c, t, 4)).toBe(0); // the rest is resolved, applied or verified already
      expect(await one(c, t, 'h-new')).toMatchObject({ state: 'approved', generation: 4 });
    });

    it('approves by action, by confidence, all, or listed items, with an error per listed item that cannot be approved', async () => {
      const [c, t] = freshTrueup();
      await ledger.upsertTrueupPlan(c, t, 1, [
        item('l-95', { confidence: 0.95 }),
        item('l-70', { confidence: 0.7 }),
        item('l-69', { confidence: 0.69 }),
        item('o-1', { action: 'overwrite', confidence: null }),
        item('dup-80', { action: 'deactivate-duplicate', confidence: 0.8 }),
        item('leave-1', { action: 'leave', confidence: 0.99, reason: 'two Sage employees share ann@example.com: fix one in Sage Intacct' }),
        item('p-1', { kind: 'project', action: 'recreate', confidence: null }),
      ]);
      // Criteria together are ANDed; bulk selectors skip what does not qualify (leave, other actions) silently.
      expect(await ledger.approveTrueupItems(c, t, { action: 'link', minConfidence: 0.9 }, 'ops')).toEqual({ approved: 1, errors: [] });
      // The boundary is included; items without a confidence never match one; leave never.
      expect(await ledger.approveTrueupItems(c, t, { minConfidence: 0.7 })).toEqual({ approved: 2, errors: [] });
      expect(await states(c, t)).toMatchObject({ 'l-95': 'approved', 'l-70': 'approved', 'dup-80': 'approved', 'l-69': 'proposed', 'o-1': 'proposed', 'leave-1': 'proposed' });
      expect(await ledger.approveTrueupItems(c, t, { action: 'overwrite' })).toEqual({ approved: 1, errors: [] });
      expect(await ledger.approveTrueupItems(c, t, { action: 'leave' })).toEqual({ approved: 0, errors: [] });

      // A rejected item is approved only when listed.
      await ledger.rejectTrueupItems(c, t, ['l-69']);
      expect(await ledger.approveTrueupItems(c, t, { all: true })).toEqual({ approved: 1, errors: [] }); // p-1
      expect((await one(c, t, 'l-69')).state).toBe('rejected');

      await ledger.upsertTrueupPlan(c, t, 1, [item('x-applied'), item('x-verified'), item('x-failed'), item('x-withdrawn'), item('x-resolved')]);
      await ledger.approveTrueupItems(c, t, { items: ['x-applied', 'x-verified', 'x-failed', 'x-withdrawn'] });
      await ledger.markTrueupItems(c, t, ['x-applied', 'x-verified'], { state: 'applied' });
      await ledger.markTrueupItems(c, t, ['x-verified'], { state: 'verified' });
      await ledger.markTrueupItems(c, t, ['x-failed'], { state: 'failed', reason: 'HTTP 500' });
      await ledger.upsertTrueupPlan(c, t, 1, [item('x-withdrawn', { contentHash: 'changed' })]);
      // Resolve x-resolved only: everything else is seen by diff 2.
      const seen = (await ledger.listTrueupItems(c, t, { limit: 100 })).filter((i) => i.itemId !== 'x-resolved');
      await ledger.upsertTrueupPlan(c, t, 2, seen.map((i) => item(i.itemId, { action: i.action, kind: i.kind, confidence: i.confidence, contentHash: i.contentHash, reason: i.reason })));
      expect(await ledger.resolveUnseenTrueupItems(c, t, 2)).toBe(1);

      const listed = ['l-95', 'nope', 'leave-1', 'x-applied', 'x-verified', 'x-resolved', 'x-failed', 'x-withdrawn', 'l-69', 'l-95'];
      expect(await ledger.approveTrueupItems(c, t, { items: listed }, 'lead')).toEqual({
        approved: 3,
        errors: [
          { itemId: 'nope', reason: 'unknown item' },
          { itemId: 'leave-1', reason: 'nothing to apply (leave): two Sage employees share ann@example.com: fix one in Sage Intacct' },
          { itemId: 'x-applied', reason: 'already applied' },
          { itemId: 'x-verified', reason: 'already applied and verified' },
          { itemId: 'x-resolved', reason: 'no longer needed: no longer found by re-diff 2' },
        ],
      });
      expect(await states(c, t)).toMatchObject({ 'x-failed': 'approved', 'x-withdrawn': 'approved', 'l-69': 'approved', 'l-95': 'approved' });
      expect(await one(c, t, 'x-withdrawn')).toMatchObject({ approvedHash: 'changed', contentHash: 'changed', reason: null, decidedBy: 'lead' });
      // l-95 was approved before (by ops) and stays as it was: idempotent, not counted.
      expect(await one(c, t, 'l-95')).toMatchObject({ decidedBy: 'ops' });

      // Listed items must also match the other criteria.
      await ledger.upsertTrueupPlan(c, t, 2, [item('m-60', { confidence: 0.6 }), item('m-none', { confidence: null }), item('m-ow', { action: 'overwrite' })]);
      expect(await ledger.approveTrueupItems(c, t, { items: ['m-60', 'm-none', 'm-ow'], action: 'link', minConfidence: 0.65 })).toEqual({
        approved: 0,
        errors: [
          { itemId: 'm-60', reason: 'confidence 0.6 is below 0.65' },
          { itemId: 'm-none', reason: 'confidence none is below 0.65' },
          { itemId: 'm-ow', reason: 'not a link item (it is overwrite)' },
        ],
      });

      // The selector is the contract's: one criterion at least, a confidence 0–1, no unknown keys.
      for (const bad of [{}, { minConfidence: 1.5 }, { action: 'delete' }, { items: [] }, { all: false }, { every: true }]) {
        const error = await failure(ledger.approveTrueupItems(c, t, bad as never));
        expect({ bad, validation: error instanceof ValidationError }).toEqual({ bad, validation: true });
      }
      expect(await failure(ledger.approveTrueupItems(c, t, { all: true }, ''))).toBeInstanceOf(ValidationError);
      expect(await failure(ledger.approveTrueupItems(c, t, { all: true }, 'a\u0000b'))).toBeInstanceOf(ValidationError);
    });

    it('rejects listed items, idempotently, and never what is applied, resolved or unknown', async () => {
      const [c, t] = freshTrueup();
      await ledger.upsertTrueupPlan(c, t, 1, ['a', 'b', 'c', 'd', 'e'].map((id) => item(id)));
      await ledger.approveTrueupItems(c, t, { items: ['b', 'c', 'd'] });
      await ledger.markTrueupItems(c, t, ['c'], { state: 'applied' });
      await ledger.markTrueupItems(c, t, ['d'], { state: 'failed', reason: 'HTTP 500' });
      const first = await ledger.rejectTrueupItems(c, t, ['a', 'b', 'c', 'd', 'nope', 'a'], 'ops', 'not ours');
      expect(first).toEqual({
        rejected: 3,
        errors: [
          { itemId: 'c', reason: 'already applied' },
          { itemId: 'nope', reason: 'unknown item' },
        ],
      });
      expect(await one(c, t, 'b')).toMatchObject({ state: 'rejected', reason: 'not ours', decidedBy: 'ops', decidedAt: expect.any(String) });
      const again = await ledger.rejectTrueupItems(c, t, ['a', 'b', 'c', 'nope'], 'someone else');
      expect(again).toEqual({ rejected: 0, errors: first.errors });
      expect(await one(c, t, 'b')).toMatchObject({ reason: 'not ours', decidedBy: 'ops' });
      expect(await ledger.listApprovedTrueupItems(c, t, { limit: 10 })).toEqual([]);
      // A rejected item is never applied, and bulk approval leaves it.
      expect(await ledger.markTrueupItems(c, t, ['a', 'b'], { state: 'applied' })).toBe(0);
      expect(await ledger.approveTrueupItems(c, t, { all: true })).toEqual({ approved: 1, errors: [] }); // e
      expect(await states(c, t)).toEqual({ a: 'rejected', b: 'rejected', c: 'applied', d: 'rejected', e: 'approved' });
      for (const bad of [[], [''], ['x'.repeat(600)]]) expect(await failure(ledger.rejectTrueupItems(c, t, bad))).toBeInstanceOf(ValidationError);
      expect(await failure(ledger.rejectTrueupItems(c, t, ['a'], undefined, 'r'.repeat(501)))).toBeInstanceOf(ValidationError);
    });

    it('marks applied, verified and failed compare-and-set, and counts per action and state', async () => {
      const [c, t] = freshTrueup();
      await ledger.upsertTrueupPlan(c, t, 1, [
        item('a'),
        item('b'),
        item('c'),
        item('d', { action: 'recreate', confidence: null }),
        item('e', { action: 'leave', confidence: null }),
      ]);
      expect(await ledger.markTrueupItems(c, t, ['a', 'b', 'c', 'd'], { state: 'applied' })).toBe(0); // nothing approved
      await ledger.approveTrueupItems(c, t, { all: true });
      expect(await ledger.markTrueupItems(c, t, ['a', 'b', 'nope'], { state: 'applied' })).toBe(2);
      expect(await ledger.markTrueupItems(c, t, ['a', 'b'], { state: 'applied' })).toBe(0); // already
      const applied = await one(c, t, 'a');
      expect(applied).toMatchObject({ state: 'applied', appliedAt: expect.any(String), verifiedAt: null });
      expect(await ledger.markTrueupItems(c, t, ['a', 'c'], { state: 'verified' })).toBe(1); // c is not applied
      expect(await one(c, t, 'a')).toMatchObject({ state: 'verified', appliedAt: applied.appliedAt, verifiedAt: expect.any(String) });
      expect(await ledger.markTrueupItems(c, t, ['b', 'c'], { state: 'failed', reason: 'not found in Assignar after the write' })).toBe(2);
      expect(await one(c, t, 'b')).toMatchObject({ state: 'failed', reason: 'not found in Assignar after the write' });
      // failed → applied (found done after all), clearing the reason; only from the states asked.
      expect(await ledger.markTrueupItems(c, t, ['b', 'd'], { state: 'applied', fromStates: ['failed'] })).toBe(1);
      expect(await one(c, t, 'b')).toMatchObject({ state: 'applied', reason: null });

      for (const bad of [
        { state: 'failed' },
        { state: 'approved' },
        { state: 'applied', fromStates: ['proposed'] },
        { state: 'verified', fromStates: ['approved'] },
        { state: 'resolved' },
      ]) {
        const error = await failure(ledger.markTrueupItems(c, t, ['a'], bad as never));
        expect({ bad, validation: error instanceof ValidationError }).toEqual({ bad, validation: true });
      }
      expect(await ledger.markTrueupItems(c, t, ['d'], { state: 'applied', fromStates: [] })).toBe(0);

      expect(await ledger.trueupCounts(c, t)).toEqual({ link: { verified: 1, applied: 1, failed: 1 }, recreate: { approved: 1 }, leave: { proposed: 1 } });
      expect(TrueupCountsSchema.safeParse(await ledger.trueupCounts(c, t)).success).toBe(true);
      expect(await ledger.trueupCounts(c, `${t}-none`)).toEqual({});
    });

    it('lists by state, action, kind and confidence with keyset paging in bytewise order, and gets listed items', async () => {
      const [c, t] = freshTrueup();
      const ids = ['b', 'B', 'a', 'É', 'Z-1', 'z', 'é', '10', '9', 'a b'];
      await ledger.upsertTrueupPlan(
        c,
        t,
        1,
        ids.map((id, i) => item(id, { kind: i % 2 ? 'project' : 'worker', action: i % 3 ? 'link' : 'overwrite', confidence: i / 10 })),
      );
      const bytewise = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await ledger.listTrueupItems(c, t, { limit: 3, ...(after !== undefined ? { afterItemId: after } : {}) });
        if (page.length === 0) break;
        pages.push(page.map((i) => i.itemId));
        after = page.at(-1)!.itemId;
      }
      expect(pages.flat()).toEqual(bytewise);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 1]);

      const expected = (pred: (id: string, i: number) => boolean) => bytewise.filter((id) => pred(id, ids.indexOf(id)));
      const list = async (o: Partial<ListTrueupItemsOptions>) => (await ledger.listTrueupItems(c, t, { limit: 100, ...o })).map((i) => i.itemId);
      expect(await list({ kind: 'project' })).toEqual(expected((_, i) => i % 2 === 1));
      expect(await list({ actions: ['overwrite'] })).toEqual(expected((_, i) => i % 3 === 0));
      expect(await list({ actions: ['overwrite', 'link'], kind: 'worker', minConfidence: 0.4 })).toEqual(expected((_, i) => i % 2 === 0 && i >= 4));
      await ledger.approveTrueupItems(c, t, { items: ['a', 'z'] });
      expect(await list({ states: ['approved'] })).toEqual(['a', 'z']);
      expect(await list({ states: ['approved', 'proposed'], afterItemId: 'a', limit: 2 })).toEqual(expected((id) => id > 'a').slice(0, 2));
      expect((await ledger.listApprovedTrueupItems(c, t, { afterItemId: 'a', limit: 10 })).map((i) => i.itemId)).toEqual(['z']);

      const got = await ledger.getTrueupItems(c, t, ['é', 'nope', 'B', 'é']);
      expect(got.map((i) => i.itemId)).toEqual(['B', 'é']);
      expect(got[1]).toMatchObject({ kind: 'worker', confidence: 0.6, evidence: EVIDENCE });
      expect(await ledger.getTrueupItems(c, t, [])).toEqual([]);
      for (const bad of [{ limit: 0 }, { limit: 10_001 }, { states: [] }, { states: ['skipped'] }, { actions: ['delete'] }, { minConfidence: -0.1 }, { kind: 'employee' }]) {
        const error = await failure(ledger.listTrueupItems(c, t, { limit: 10, ...bad } as never));
        expect({ bad, validation: error instanceof ValidationError }).toEqual({ bad, validation: true });
      }
    });

    it('upserts, approves, withdraws, gets and resolves 3,000 items a call (over both bind-parameter limits)', async () => {
      const [c, t] = freshTrueup();
      // 3,000 items bind 66,000 parameters: over SQLite's 32,766 and PostgreSQL's 65,535.
      const items = Array.from({ length: 3000 }, (_, i) => item(`worker:link:${String(i).padStart(5, '0')}`, { confidence: (i % 100) / 100 }));
      expect(await ledger.upsertTrueupPlan(c, t, 1, items)).toEqual({ added: 3000, changed: 0, withdrawn: 0, unchanged: 0 });
      expect(await ledger.upsertTrueupPlan(c, t, 2, items)).toEqual({ added: 0, changed: 0, withdrawn: 0, unchanged: 3000 });
      expect(await ledger.approveTrueupItems(c, t, { items: items.map((i) => i.itemId) })).toEqual({ approved: 3000, errors: [] });
      const changed = items.map((i, n) => (n % 2 ? { ...i, contentHash: `${i.contentHash}-v3` } : i));
      expect(await ledger.upsertTrueupPlan(c, t, 3, changed)).toEqual({ added: 0, changed: 0, withdrawn: 1500, unchanged: 1500 });
      const approved: string[] = [];
      for (let after: string | undefined; ; ) {
        const page = await ledger.listApprovedTrueupItems(c, t, { limit: 1000, ...(after ? { afterItemId: after } : {}) });
        if (page.length === 0) break;
        approved.push(...page.map((i) => i.itemId));
        after = page.at(-1)!.itemId;
      }
      expect(approved).toEqual(items.filter((_, n) => n % 2 === 0).map((i) => i.itemId));
      const got = await ledger.getTrueupItems(c, t, items.map((i) => i.itemId).reverse());
      expect(got.map((i) => i.itemId)).toEqual(items.map((i) => i.itemId));
      expect(got.every((i) => i.generation === 3)).toBe(true);
      expect(await ledger.markTrueupItems(c, t, approved, { state: 'applied' })).toBe(1500);
      expect(await ledger.rejectTrueupItems(c, t, items.map((i) => i.itemId))).toEqual({
        rejected: 1500,
        errors: approved.map((itemId) => ({ itemId, reason: 'already applied' })),
      });
      expect(await ledger.resolveUnseenTrueupItems(c, t, 4)).toBe(1500);
      expect(await ledger.trueupCounts(c, t)).toEqual({ link: { applied: 1500, resolved: 1500 } });
    });

    it('round-trips hostile text in summaries, evidence and reasons exactly, and refuses what it could not store faithfully', async () => {
      const [c, t] = freshTrueup();
      const hostile = [
        "'; drop table trueup_items; --",
        'quotes " \' ` and \\ backslashes \\"',
        'controls \u0001\u001f\t\r\n',
        'line sep \u2028 para sep \u2029',
        'emoji 👷‍♀️🚜 RTL \u202eevil\u202c',
        '<![CDATA[x]]> &amp; <EMPLOYEE/>',
        'x'.repeat(20_000),
      ];
      // JSON escapes NUL and lone surrogates, so evidence carries them too.
      const evidence = [...hostile, 'NUL \u0000 end', 'lone surrogate \ud800 end'].map((s, i) => ({ field: `f${i} ${s.slice(0, 20)}`, sage: s, assignar: i % 2 ? null : s.toUpperCase(), same: i % 3 === 0 }));
      const items = hostile.map((summary, i) =>
        item(`worker:link:É-👷 "${i}"`, { summary, evidence, sageId: `E'${i}"`, assignarId: `\\${i}`, reason: i === 0 ? summary : null, action: i === 0 ? 'leave' : 'link' }),
      );
      await ledger.upsertTrueupPlan(c, t, 1, items);
      const got = await ledger.getTrueupItems(c, t, items.map((i) => i.itemId));
      expect(got.map((i) => ({ itemId: i.itemId, summary: i.summary, evidence: i.evidence, sageId: i.sageId, assignarId: i.assignarId, reason: i.reason }))).toEqual(
        [...items]
          .sort((a, b) => Buffer.compare(Buffer.from(a.itemId), Buffer.from(b.itemId)))
          .map((i) => ({ itemId: i.itemId, summary: i.summary, evidence: i.evidence, sageId: i.sageId, assignarId: i.assignarId, reason: i.reason ?? null })),
      );
      expect(await ledger.rejectTrueupItems(c, t, [items[1]!.itemId], hostile[4], hostile[1])).toEqual({ rejected: 1, errors: [] });
      expect(await one(c, t, items[1]!.itemId)).toMatchObject({ reason: hostile[1], decidedBy: hostile[4] });
      expect((await ledger.approveTrueupItems(c, t, { items: [items[0]!.itemId] })).errors).toEqual([{ itemId: items[0]!.itemId, reason: `nothing to apply (leave): ${hostile[0]}` }]);

      const good = item('good');
      const bad: Array<[string, TrueupPlanItemInput, RegExp]> = [
        ['NUL in a summary', item('x', { summary: 'a\u0000b' }), /summary: NUL/],
        ['a lone surrogate in a summary', item('x', { summary: 'a\udc00b' }), /summary: a lone/],
        ['NUL in an item id', item('x\u0000'), /itemId/],
        ['a field the ledger would drop', { ...item('x'), payload: {} } as never, /payload|Unrecognized/],
        ['an unknown action', item('x', { action: 'delete' as never }), /action/],
        ['an unknown kind', item('x', { kind: 'employee' as never }), /kind/],
        ['a confidence over 1', item('x', { confidence: 1.01 }), /confidence/],
        ['evidence of the wrong shape', item('x', { evidence: [{ field: 'email' }] as never }), /evidence/],
        ['no content hash', item('x', { contentHash: '' }), /contentHash/],
      ];
      for (const [what, it, message] of bad) {
        const error = await failure(ledger.upsertTrueupPlan(c, t, 2, [good, it]));
        expect({ what, validation: error instanceof ValidationError, message: String(error) }).toEqual({ what, validation: true, message: expect.stringMatching(message) });
      }
      for (const generation of [-1, 1.5, 2 ** 31]) expect(await failure(ledger.upsertTrueupPlan(c, t, generation, [good]))).toBeInstanceOf(ValidationError);
      // A refused batch stores nothing, not even its valid items.
      expect(await ledger.getTrueupItems(c, t, ['good'])).toEqual([]);
    });
  });
});
