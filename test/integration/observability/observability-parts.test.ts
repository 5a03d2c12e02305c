import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { log as activityLog } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Client } from 'pg';
import { embeddedDefaultConfig } from '../../../src/config/embedded-default';
import { parseConfig, type AppConfig, type ConnectionConfig } from '../../../src/config';
import { openLedger, type Ledger } from '../../../src/ledger';
import { ObservedApiEvents } from '../../../src/observability/api-event-sink';
import { activityLogKeysInterceptor } from '../../../src/observability/log-context';
import { createLogger, prettyLine } from '../../../src/observability/logger';
import { ServiceMetrics } from '../../../src/observability/metrics';
import { monthUsage, scheduledRunsLeftThisMonth } from '../../../src/observability/sage-usage-report';
import { UsageRecorder } from '../../../src/observability/usage-recorder';
import { Notifier } from '../../../src/notifications/notifier';
import { sageBudgetCheck } from '../../../src/preflight/sage-budget';
import { POSTGRES_URL } from '../../helpers/test-ledger';

/** The parts behind logs, metrics, usage and notifications, on real SQLite and PostgreSQL ledgers. */
function config(edit: (raw: { connections: Array<Record<string, Record<string, unknown>>>; notifications?: unknown }) => void = () => undefined): AppConfig {
  const raw = embeddedDefaultConfig() as { connections: Array<Record<string, Record<string, unknown>>>; notifications?: unknown };
  edit(raw);
  return parseConfig(raw, 'test configuration');
}

const lines = () => {
  const out: string[] = [];
  return { out, sink: { write: (s: string) => void out.push(s) } };
};

let dir: string;
const schema = `obs_parts_${Date.now()}_${process.pid}`;
const ledgers: Record<'sqlite' | 'postgres', () => Promise<Ledger>> = {
  sqlite: () => openLedger({ sqlitePath: path.join(dir, 'ledger.sqlite') }),
  postgres: () => openLedger({ databaseUrl: POSTGRES_URL, schema }),
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'obs-parts-'));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  const pg = new Client({ connectionString: POSTGRES_URL });
  await pg.connect();
  await pg.query(`drop schema if exists "${schema}" cascade`);
  await pg.end();
});

describe.each(['sqlite', 'postgres'] as const)('on %s', (flavor) => {
  let ledger: Ledger;
  beforeAll(async () => {
    ledger = await ledgers[flavor]();
  });
  afterAll(() => ledger?.close());

  test('usage is batched per connection and day, added to, and read back per month; each notification claimed once', async () => {
    let now = new Date('2026-03-10T12:00:00Z');
    const writes: number[] = [];
    const recorder = new UsageRecorder({ addSageUsage: (rows) => (writes.push(rows.length), ledger.addSageUsage(rows)) }, { flushEveryMs: 60_000, now: () => now });
    for (let i = 0; i < 500; i++) recorder.add('acme', 2);
    recorder.add('beta', 7);
    now = new Date('2026-03-11T08:00:00Z');
    recorder.add('acme', 5);
    await recorder.flush();
    expect(writes).toEqual([3]); // 502 requests, one write of three rows
    recorder.add('acme', 1);
    await recorder.close();
    expect(await ledger.listSageUsage({ fromDay: '2026-03-01', toDay: '2026-03-31' })).toEqual([
      { connection: 'acme', day: '2026-03-10', transactions: 1000 },
      { connection: 'acme', day: '2026-03-11', transactions: 6 },
      { connection: 'beta', day: '2026-03-10', transactions: 7 },
    ]);

    const acme = config((raw) => {
      raw.connections[0].id = 'acme' as never;
      raw.connections[0].sage.monthlyTransactionBudget = 2000;
    }).connections[0];
    const [usage] = await monthUsage(ledger, [acme], new Date('2026-03-11T00:00:00Z'));
    // 1006 in ten days of a 31-day month.
    expect(usage).toMatchObject({ connection: 'acme', month: '2026-03', used: 1006, daysInMonth: 31, projected: Math.round((1006 / 10) * 31), budget: 2000 });

    const claims = [
      { eventKey: `run-failed:${flavor}`, connection: 'acme', event: 'run-failed' },
      { eventKey: `failed:acme:worker:1`, connection: 'acme', event: 'records-failed' },
    ];
    expect((await ledger.claimNotifications(claims)).sort()).toEqual(claims.map((c) => c.eventKey).sort());
    expect(await ledger.claimNotifications([...claims, { eventKey: 'failed:acme:worker:2', connection: 'acme', event: 'records-failed' }])).toEqual(['failed:acme:worker:2']);
    await ledger.releaseNotifications([`run-failed:${flavor}`]);
    expect(await ledger.claimNotifications(claims)).toEqual([`run-failed:${flavor}`]);
  });
});

test('the budget check: ok within it, warn when the schedules would exceed it, nothing without one', async () => {
  const ledger = await ledgers.sqlite();
  try {
    const now = new Date('2026-04-15T12:00:00Z');
    await ledger.addSageUsage([{ connection: 'budget', day: '2026-04-14', transactions: 3000 }]);
    for (let i = 0; i < 3; i++) {
      await ledger.startRun({ runId: `budget-run-${i}`, connection: 'budget', workflowType: 'incrementalSync', startedAt: `2026-04-1${i}T06:00:00Z` });
    }
    const connection = (budget?: number): ConnectionConfig =>
      config((raw) => {
        raw.connections[0].id = 'budget' as never;
        raw.connections[0].timeZone = 'UTC' as never;
        if (budget) raw.connections[0].sage.monthlyTransactionBudget = budget;
      }).connections[0];
    // Defaults: syncs 06:00/12:00/18:00 MON–FRI, export 01:00 daily (UTC). From Wed 15 April 12:00 to the 30th:
    // syncs 18:00 on the 15th, then 11 weekdays × 3; exports 15 days.
    expect(scheduledRunsLeftThisMonth(connection(), now)).toBe(1 + 11 * 3 + 15);
    expect(await sageBudgetCheck(connection(), ledger, now)).toBeUndefined();
    // 1000 per run × 49 runs left + 3000 = 52,000.
    expect(await sageBudgetCheck(connection(60_000), ledger, now)).toMatchObject({ id: 'sage.budget', status: 'ok', detail: expect.stringContaining('about 52000') });
    expect(await sageBudgetCheck(connection(50_000), ledger, now)).toMatchObject({ id: 'sage.budget', status: 'warn', title: expect.stringMatching(/would exceed/), action: expect.stringContaining('intacct-assignar usage') });
    expect(await sageBudgetCheck(connection(2_000), ledger, now)).toMatchObject({ status: 'warn', title: expect.stringMatching(/already exceeded/) });
  } finally {
    await ledger.close();
  }
});

test('API events: counters by system and outcome, metered transactions to the usage, warn lines for retries, pauses and renewals', async () => {
  const metrics = new ServiceMetrics();
  const { out, sink } = lines();
  const usage: Array<[string, number]> = [];
  const events = new ObservedApiEvents(metrics, createLogger({ out: sink }), { add: (c, n) => void usage.push([c, n]) });
  events.emit({ type: 'request', system: 'sage', connection: 'acme', operation: 'readByQuery', outcome: 'ok', durationMs: 120, transactions: 3 });
  events.emit({ type: 'request', system: 'assignar', connection: 'acme', operation: 'POST /users', outcome: 'error', status: 429, durationMs: 5 });
  events.emit({ type: 'rate-limited', system: 'assignar', connection: 'acme', pauseMs: 2000 });
  events.emit({ type: 'retry', system: 'assignar', connection: 'acme', operation: 'POST /users', attempt: 1, delayMs: 2000, reason: 'rate limited' });
  events.emit({ type: 'limit-wait', system: 'sage', connection: 'acme', waitMs: 250 });
  events.emit({ type: 'session-renewed', system: 'sage', connection: 'acme' });
  const text = await metrics.registry.metrics();
  expect(text).toContain('intacct_assignar_sage_transactions_total{connection="acme"} 3');
  expect(text).toContain('intacct_assignar_api_errors_total{system="assignar",connection="acme",code="429"} 1');
  expect(text).toContain('intacct_assignar_rate_limited_pause_seconds_total{system="assignar",connection="acme"} 2');
  expect(text).toContain('intacct_assignar_rate_limit_wait_seconds_total{system="sage",connection="acme"} 0.25');
  expect(usage).toEqual([['acme', 3]]);
  const logged = out.map((l) => JSON.parse(l) as { level: number; msg: string });
  expect(logged.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
    'assignar rate limit reached: every request of acme pauses 2000 ms',
    'assignar POST /users: retrying in 2000 ms (attempt 1)',
    'sage session renewed for acme',
  ]);
});

test('log lines: secrets scrubbed in every form, readable lines for dev', () => {
  const { out, sink } = lines();
  const logger = createLogger({ out: sink, secrets: ['pa"ss word!'] });
  logger.warn({ connection: 'acme', detail: 'login with pa"ss word! failed', url: `https://x/?p=${encodeURIComponent('pa"ss word!')}`, password: 'short' }, 'oops');
  expect(out.join('')).not.toMatch(/ss word/);
  expect(JSON.parse(out[0])).toMatchObject({ level: 40, connection: 'acme', detail: 'login with [redacted] failed', password: '[redacted]' });
  const pretty = prettyLine(JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1, 12, 0, 1), msg: 'held', connection: 'acme', entity: 'worker', record: '42', sdkComponent: 'activity' }));
  expect(pretty).toBe('12:00:01 WARN  held connection=acme entity=worker record=42\n');
});

test('the notifier posts Slack-compatible JSON once per event and gives the claim back when the webhook fails', async () => {
  const received: Array<{ text: string; blocks: unknown[] }> = [];
  let failNext = 1;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(400).end();
        return;
      }
      received.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const ledger = await ledgers.sqlite();
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const warnings: string[] = [];
    const notifier = new Notifier({ webhookUrl: { env: 'HOOK' } }, ledger, { info: () => undefined, warn: (m) => void warnings.push(m) }, { HOOK: url });
    const waiting = { connection: 'acme', trueupId: 't-1', waiting: 3, byAction: { link: 2, recreate: 1 } };
    await notifier.trueupAwaiting(waiting); // the webhook says 400: not sent, claim given back
    expect(received).toHaveLength(0);
    expect(warnings).toEqual(['notification not sent: trueup-awaiting-approval: the webhook answered 400']);
    await notifier.trueupAwaiting(waiting);
    await notifier.trueupAwaiting(waiting);
    expect(received).toHaveLength(1);
    expect(received[0].text).toBe(':hourglass: The true-up of acme waits for approval: 3 items (link 2, recreate 1). See: intacct-assignar trueup status --connection acme');
    expect(received[0].blocks).toHaveLength(2);
    // Not configured: nothing is sent, nothing claimed.
    await new Notifier(undefined, ledger, { info: () => undefined, warn: () => undefined }).trueupAwaiting({ ...waiting, trueupId: 't-2' });
    expect(await ledger.claimNotifications([{ eventKey: 'trueup-awaiting-approval:t-2', connection: 'acme', event: 'trueup-awaiting-approval' }])).toHaveLength(1);
  } finally {
    await ledger.close();
    await new Promise((r) => server.close(r));
  }
});

test("the activity log-keys interceptor adds connection, run, entity and page to the lines of Temporal's activity logger", async () => {
  const seen: Array<{ message: string; meta?: Record<string, unknown> }> = [];
  const logger = {
    log: (_level: string, message: string, meta?: Record<string, unknown>) => void seen.push({ message, meta }),
    trace: () => undefined,
    debug: () => undefined,
    info: (message: string, meta?: Record<string, unknown>) => void seen.push({ message, meta }),
    warn: (message: string, meta?: Record<string, unknown>) => void seen.push({ message, meta }),
    error: (message: string, meta?: Record<string, unknown>) => void seen.push({ message, meta }),
  };
  const mock = new MockActivityEnvironment(undefined, { interceptors: [activityLogKeysInterceptor], logger });
  await mock.run(async (_input: unknown) => activityLog.warn('page held a record'), { connection: 'acme', runId: 'r-1', kind: 'worker', cursor: '500' });
  expect(seen.find((l) => l.message === 'page held a record')?.meta).toMatchObject({ connection: 'acme', run: 'r-1', entity: 'worker', page: '500' });
});
