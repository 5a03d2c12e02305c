/**
 * The Sage Intacct client against the Sage Intacct sandbox over real HTTP (sandbox on a random port in this
 * process): keyset and offset paging of 5,000 records, sessions expiring mid-paging, the concurrency cap
 * and 429 backoff, 5xx and timeouts, uniqueid/controlid "already done" on the `execute` path the export
 * writes by, hostile values, `read` by RECORDNO, and bad credentials. Every count asserted here is the
 * sandbox's own.
 */
import { SageConfigSchema, type SageConfig } from '../../src/config/schema';
import {
  buildCreate,
  equalTo,
  greaterThanOrEqualTo,
  inList,
  resetCompanyLimiters,
  SageAlreadyDoneError,
  SageAuthenticationError,
  SageClient,
  SageTransientError,
  toSageTimestamp,
  type SageClientOptions,
  type SageError,
  type SageSecrets,
  type SageWriteRecord,
} from '../../src/sage';
import { startSageSandbox, type SageSandbox } from '../../src/sandbox/sage';

const N = 5_000;

let sb: SageSandbox;

function config(box: SageSandbox, overrides: Record<string, unknown> = {}): SageConfig {
  return SageConfigSchema.parse({
    endpoint: box.endpointUrl,
    senderId: box.credentials.senderId,
    senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
    userId: box.credentials.userId,
    companyId: box.credentials.companyId,
    userPassword: { env: 'SAGE_USER_PASSWORD' },
    userTimeZoneOffset: box.userTimeZoneOffset,
    requestTimeoutMs: 5_000,
    ...overrides,
  });
}

function secrets(box: SageSandbox): SageSecrets {
  return { senderPassword: box.credentials.senderPassword, userPassword: box.credentials.userPassword };
}

interface Retries {
  backoff: number;
  session: number;
}

/** A client with a short backoff (so tests stay quick) that counts its retries by reason. */
function makeClient(
  overrides: Record<string, unknown> = {},
  opts: SageClientOptions = {},
  box: SageSandbox = sb,
  creds: SageSecrets = secrets(box),
): { client: SageClient; retries: Retries } {
  const retries: Retries = { backoff: 0, session: 0 };
  const client = new SageClient(config(box, overrides), creds, {
    backoff: { baseMs: 20, maxMs: 500 },
    ...opts,
    onRetry: (info) => {
      retries[info.reason]++;
      opts.onRetry?.(info);
    },
  });
  return { client, retries };
}

const NO_FAULTS = {
  latencyMs: 0,
  concurrencyCap: 2,
  errorRate: 0,
  errorStatus: 503,
  timeoutRate: 0,
  hangMs: 600_000,
  failNextRequests: 0,
  hangNextRequests: 0,
  faultsAfterExecute: false,
  offline: false,
  sessionTimeoutSeconds: 3600,
};

/** 7 distinct WHENMODIFIED values, so a WHENMODIFIED filter selects a known share of the records. */
const STAMPS = ['2025-01-05T10:00:00.000Z', '2025-02-11T08:30:00.000Z', '2025-03-01T00:00:00.000Z', '2025-03-01T00:00:01.000Z', '2025-04-20T23:59:59.000Z', '2025-05-31T12:00:00.000Z', '2025-06-30T06:45:10.000Z'];

/** 5,000 employees with gaps in RECORDNO, loaded in a shuffled order (so storage order ≠ key order). */
function employeeRecords(): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (let i = 0; i < N; i++) {
    out.push({
      RECORDNO: String(10_000 + i * 3 + (i % 5 === 0 ? 1 : 0)),
      // Numeric IDs with leading zeros for some: must stay strings.
      EMPLOYEEID: i % 250 === 12 ? String(i).padStart(6, '0') : `E${String(i + 1).padStart(5, '0')}`,
      STATUS: i % 10 === 3 ? 'inactive' : 'active',
      'CONTACT.FIRSTNAME': `First${i}`,
      'CONTACT.LASTNAME': `Last${i}`,
      WHENMODIFIED: STAMPS[(i * 7919) % STAMPS.length],
    });
  }
  // Deterministic shuffle.
  let seed = 42;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const EMPLOYEES = employeeRecords();
const EXPECTED_IDS = EMPLOYEES.map((e) => e.EMPLOYEEID).sort();

function seedEmployees(): void {
  sb.seed({ EMPLOYEE: EMPLOYEES }, true);
}

/** Every id read, and those read more than once. */
function tally(ids: string[]): { sorted: string[]; duplicates: string[] } {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const id of ids) {
    if (seen.has(id)) duplicates.push(id);
    seen.add(id);
  }
  return { sorted: [...ids].sort(), duplicates };
}

const minTransactions = (n: number, pageSize: number) => Math.ceil(n / pageSize);

/** How many employees Sage Intacct holds, from `totalcount` of a one-row query (one metered transaction). */
const countEmployees = async (client: SageClient): Promise<number> => (await client.query({ object: 'EMPLOYEE', select: ['RECORDNO'], pageSize: 1 })).totalCount;

beforeAll(async () => {
  sb = await startSageSandbox({ port: 0, seed: 'none' });
});

afterAll(async () => {
  await sb?.close();
});

beforeEach(() => {
  // The concurrency limit is per company per process and only ever lowered: start each test fresh.
  resetCompanyLimiters();
  sb.faults(NO_FAULTS);
  sb.expireSessions();
});

describe('paging 5,000 records', () => {
  beforeAll(() => seedEmployees());
  beforeEach(() => sb.resetStats());

  test('keyset on RECORDNO returns each record exactly once, in order, in ceil(N/2000) queries', async () => {
    const { client } = makeClient();
    const ids: string[] = [];
    const recordNos: number[] = [];
    let pages = 0;
    for await (const page of client.pagesByRecordNo({ object: 'EMPLOYEE' })) {
      pages++;
      expect(page.rejected).toEqual([]);
      for (const r of page.records) {
        ids.push(r.EMPLOYEEID);
        recordNos.push(Number(r.RECORDNO));
      }
    }
    const { sorted, duplicates } = tally(ids);
    expect(duplicates).toEqual([]);
    expect(sorted).toEqual(EXPECTED_IDS);
    expect(recordNos).toEqual([...recordNos].sort((a, b) => a - b));
    // IDs with leading zeros stay strings.
    expect(ids).toContain('000012');
    const stats = sb.stats();
    expect(pages).toBe(minTransactions(N, 2000));
    expect(stats.transactions.total).toBe(minTransactions(N, 2000));
    expect(stats.transactions.byFunction).toEqual({ query: 3 });
  });

  test('a page size dividing N exactly still stops without an extra query', async () => {
    const { client } = makeClient({ pageSize: 1000 });
    const ids: string[] = [];
    for await (const page of client.pagesByRecordNo({ object: 'EMPLOYEE', select: ['EMPLOYEEID'] })) ids.push(...page.records.map((r) => r.EMPLOYEEID));
    expect(tally(ids).duplicates).toEqual([]);
    expect(tally(ids).sorted).toEqual(EXPECTED_IDS);
    expect(sb.stats().transactions.total).toBe(minTransactions(N, 1000));
  });

  test('keyset on RECORDNO under a WHENMODIFIED filter (the incremental read) returns exactly the changed records, once each', async () => {
    const { client } = makeClient();
    const since = STAMPS[3];
    const rows: Array<{ id: string; t: string; r: number }> = [];
    const filter = greaterThanOrEqualTo('WHENMODIFIED', toSageTimestamp(since, await client.effectiveTimeZoneOffset()));
    for await (const page of client.pagesByRecordNo({ object: 'EMPLOYEE', filter, pageSize: 1000 })) {
      for (const rec of page.records) rows.push({ id: rec.EMPLOYEEID, t: String(rec.WHENMODIFIED), r: Number(rec.RECORDNO) });
    }
    const expected = EMPLOYEES.filter((e) => e.WHENMODIFIED >= since);
    const { sorted, duplicates } = tally(rows.map((x) => x.id));
    expect(duplicates).toEqual([]);
    expect(sorted).toEqual(expected.map((e) => e.EMPLOYEEID).sort());
    // Timestamps come back as ISO UTC, equal to what was seeded; the order is RECORDNO.
    const byId = new Map(EMPLOYEES.map((e) => [e.EMPLOYEEID, e.WHENMODIFIED]));
    for (const x of rows) expect(x.t).toBe(byId.get(x.id));
    for (let k = 1; k < rows.length; k++) expect(rows[k - 1].r).toBeLessThan(rows[k].r);
    expect(sb.stats().transactions.total).toBe(minTransactions(expected.length, 1000));
  });

  test('a cursor handed back resumes exactly after the last record read', async () => {
    const { client } = makeClient({ pageSize: 1500 });
    const first = await client.pageByRecordNo({ object: 'EMPLOYEE', select: ['EMPLOYEEID'] });
    expect(first.done).toBe(false);
    // A new client (as a retried activity would have) continues from the heartbeated cursor.
    const { client: again } = makeClient({ pageSize: 1500 });
    const ids = first.records.map((r) => r.EMPLOYEEID);
    for await (const page of again.pagesByRecordNo({ object: 'EMPLOYEE', select: ['EMPLOYEEID'] }, first.cursor)) ids.push(...page.records.map((r) => r.EMPLOYEEID));
    expect(tally(ids).duplicates).toEqual([]);
    expect(tally(ids).sorted).toEqual(EXPECTED_IDS);
    expect(sb.stats().transactions.total).toBe(minTransactions(N, 1500));
  });

  test('pagesByOffset reads every record once in exactly ceil(N/pageSize) queries', async () => {
    const { client } = makeClient({ concurrency: 2 });
    const ids: string[] = [];
    for await (const page of client.pagesByOffset({ object: 'EMPLOYEE', select: ['RECORDNO', 'EMPLOYEEID'], pageSize: 700 })) {
      expect(page.rejected).toEqual([]);
      ids.push(...page.records.map((r) => r.EMPLOYEEID));
    }
    expect(tally(ids).duplicates).toEqual([]);
    expect(tally(ids).sorted).toEqual(EXPECTED_IDS);
    expect(sb.stats().transactions.total).toBe(minTransactions(N, 700));
  });
});

describe('sessions', () => {
  beforeAll(() => seedEmployees());
  beforeEach(() => sb.resetStats());

  test('a session expiring mid-paging is renewed by one re-login and every record still comes once', async () => {
    const { client, retries } = makeClient({ pageSize: 1000 });
    const ids: string[] = [];
    let pages = 0;
    for await (const page of client.pagesByRecordNo({ object: 'EMPLOYEE', select: ['EMPLOYEEID'] })) {
      ids.push(...page.records.map((r) => r.EMPLOYEEID));
      if (++pages === 2) expect(sb.expireSessions()).toBe(1);
    }
    expect(tally(ids).duplicates).toEqual([]);
    expect(tally(ids).sorted).toEqual(EXPECTED_IDS);
    expect(retries.session).toBe(1);
    const stats = sb.stats();
    expect(stats.sessionsOpened).toBe(2);
    expect(stats.responses.authFailure).toBe(1);
    // The refused request ran nothing: still exactly one query per page.
    expect(stats.transactions.total).toBe(minTransactions(N, 1000));
  });

  test('a session timing out on the server (its clock moves on) mid-paging recovers the same way', async () => {
    let skewMs = 0;
    const box = await startSageSandbox({ port: 0, seed: 'none', sessionTimeoutSeconds: 600, now: () => Date.now() + skewMs });
    try {
      box.seed({ EMPLOYEE: EMPLOYEES }, true);
      const { client, retries } = makeClient({ pageSize: 2000 }, {}, box);
      const ids: string[] = [];
      let pages = 0;
      for await (const page of client.pagesByRecordNo({ object: 'EMPLOYEE', select: ['EMPLOYEEID'] })) {
        ids.push(...page.records.map((r) => r.EMPLOYEEID));
        if (++pages === 1) skewMs += 3_600_000; // an hour passes on the server between pages
      }
      expect(tally(ids).duplicates).toEqual([]);
      expect(tally(ids).sorted).toEqual(EXPECTED_IDS);
      expect(retries.session).toBe(1);
      expect(box.stats().sessionsOpened).toBe(2);
      expect(box.stats().transactions.total).toBe(minTransactions(N, 2000));
    } finally {
      await box.close();
    }
  });

  test('the client renews a session before its sessiontimeout instead of running into it', async () => {
    sb.faults({ sessionTimeoutSeconds: 60 });
    let clockMs = Date.now();
    const { client, retries } = makeClient({}, { now: () => clockMs });
    await countEmployees(client);
    clockMs += 58_000; // inside the renewal margin of the 60 s window (not yet expired on the server)
    await countEmployees(client);
    expect(retries.session).toBe(0);
    const stats = sb.stats();
    expect(stats.sessionsOpened).toBe(2);
    expect(stats.responses.authFailure).toBe(0);
  });

  test('one session serves many calls', async () => {
    const { client } = makeClient();
    for (let i = 0; i < 5; i++) await countEmployees(client);
    expect(sb.stats().sessionsOpened).toBe(1);
  });
});

describe('the concurrency cap', () => {
  beforeAll(() => seedEmployees());
  beforeEach(() => sb.resetStats());

  const parallelQueries = (client: SageClient, n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => client.query({ object: 'EMPLOYEE', select: ['RECORDNO', 'EMPLOYEEID'], filter: equalTo('EMPLOYEEID', `E${String(i * 97 + 1).padStart(5, '0')}`) })));

  test('more parallel calls than the cap are answered 429/GW-0010, back off, and all complete', async () => {
    sb.faults({ latencyMs: 100, concurrencyCap: 2 });
    // The client's own limit is above the sandbox's cap, so the sandbox has to refuse some.
    const { client, retries } = makeClient({ concurrency: 8, maxRetries: 12 }, { backoff: { baseMs: 100, maxMs: 2_000 } });
    await client.connect();
    const results = await parallelQueries(client, 8);
    for (const [i, r] of results.entries()) {
      expect(r.rejected).toEqual([]);
      expect(r.records.map((x) => x.EMPLOYEEID)).toEqual([`E${String(i * 97 + 1).padStart(5, '0')}`]);
    }
    const stats = sb.stats();
    expect(stats.rejectedForRate).toBeGreaterThan(0);
    expect(stats.responses.rateLimited).toBe(stats.rejectedForRate);
    expect(retries.backoff).toBe(stats.rejectedForRate);
    expect(stats.peakConcurrency).toBeLessThanOrEqual(2);
    // Refused requests ran nothing: one metered query per call.
    expect(stats.transactions.total).toBe(8);
  });

  test('with the client limited to the cap, the sandbox never sees more than the cap and refuses nothing', async () => {
    sb.faults({ latencyMs: 50, concurrencyCap: 2 });
    const { client, retries } = makeClient({ concurrency: 2 });
    await parallelQueries(client, 8);
    const stats = sb.stats();
    expect(stats.rejectedForRate).toBe(0);
    expect(retries.backoff).toBe(0);
    expect(stats.peakConcurrency).toBe(2);
    expect(stats.transactions.total).toBe(8);
  });

  test('two clients of the same company in one process share the limit', async () => {
    sb.faults({ latencyMs: 50, concurrencyCap: 2 });
    const { client: a } = makeClient({ concurrency: 2 });
    const { client: b } = makeClient({ concurrency: 2 });
    await Promise.all([parallelQueries(a, 6), parallelQueries(b, 6)]);
    const stats = sb.stats();
    expect(stats.rejectedForRate).toBe(0);
    expect(stats.peakConcurrency).toBeLessThanOrEqual(2);
    expect(stats.transactions.total).toBe(12);
  });
});

describe('server errors and timeouts', () => {
  beforeAll(() => seedEmployees());
  beforeEach(() => sb.resetStats());

  test('HTTP 5xx with no body is retried and the call completes', async () => {
    const { client, retries } = makeClient();
    await client.connect();
    sb.faults({ failNextRequests: 2, errorStatus: 502 });
    const n = await countEmployees(client);
    expect(n).toBe(N);
    expect(retries.backoff).toBe(2);
    const stats = sb.stats();
    expect(stats.faultsInjected.serverErrors).toBe(2);
    expect(stats.responses.serverError).toBe(2);
    expect(stats.transactions.total).toBe(1);
  });

  test('paging under a 25 % random 5xx rate still returns every record once', async () => {
    sb.faults({ errorRate: 0.25, seed: 7 });
    const { client, retries } = makeClient({ pageSize: 500, maxRetries: 10 });
    const ids: string[] = [];
    for await (const page of client.pagesByRecordNo({ object: 'EMPLOYEE', select: ['EMPLOYEEID'] })) ids.push(...page.records.map((r) => r.EMPLOYEEID));
    expect(tally(ids).duplicates).toEqual([]);
    expect(tally(ids).sorted).toEqual(EXPECTED_IDS);
    const stats = sb.stats();
    expect(stats.faultsInjected.serverErrors).toBeGreaterThan(0);
    expect(retries.backoff).toBe(stats.faultsInjected.serverErrors);
    expect(stats.transactions.total).toBe(minTransactions(N, 500));
  });

  test('a hung request times out and is retried', async () => {
    const errors: SageError[] = [];
    const { client, retries } = makeClient({ requestTimeoutMs: 1_000 }, { onRetry: (i) => errors.push(i.error) });
    await client.connect();
    sb.faults({ hangNextRequests: 1 });
    expect(await countEmployees(client)).toBe(N);
    expect(retries.backoff).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SageTransientError);
    expect((errors[0] as SageTransientError).kind).toBe('timeout');
    expect(sb.stats().faultsInjected.timeouts).toBe(1);
    expect(sb.stats().transactions.total).toBe(1);
  });

  test('bad credentials fail at once as SageAuthenticationError, without the password in the message', async () => {
    const badUser = 'Wr0ng-User-Pa$$word-1234';
    const { client } = makeClient({}, {}, sb, { senderPassword: sb.credentials.senderPassword, userPassword: badUser });
    const err = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SageAuthenticationError);
    const auth = err as SageAuthenticationError;
    expect(auth.retryable).toBe(false);
    expect(auth.message).not.toContain(badUser);
    expect(auth.message).not.toContain(sb.credentials.senderPassword);
    expect(JSON.stringify(auth.errors)).not.toContain(badUser);
    expect(String(auth.stack)).not.toContain(badUser);
    expect(sb.stats().requests).toBe(1); // not retried
  });

  test('a wrong sender password fails as SageAuthenticationError (control level), without the password', async () => {
    const badSender = 'Wr0ng-Sender-Secret-5678';
    const { client } = makeClient({}, {}, sb, { senderPassword: badSender, userPassword: sb.credentials.userPassword });
    const err = await countEmployees(client).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SageAuthenticationError);
    expect((err as SageAuthenticationError).retryable).toBe(false);
    expect((err as Error).message).not.toContain(badSender);
    expect((err as Error).message).not.toContain(sb.credentials.userPassword);
    expect(sb.stats().requests).toBe(1);
  });
});

describe('writes: uniqueid and controlid', () => {
  const begin = (week: number) => {
    const d = new Date(Date.UTC(2025, 5, 2 + week * 7));
    return `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()}`;
  };
  const timesheet = (employeeId: string, week: number): SageWriteRecord => ({
    EMPLOYEEID: employeeId,
    BEGINDATE: begin(week),
    DESCRIPTION: `Week ${week} for ${employeeId}`,
    STATE: 'Draft',
    TIMESHEETENTRIES: {
      TIMESHEETENTRY: [
        { ENTRYDATE: begin(week), QTY: '8', PROJECTID: 'P-1', TASKID: 'T-1', DESCRIPTION: 'Formwork' },
        { ENTRYDATE: begin(week), QTY: '1.5', PROJECTID: 'P-1', DESCRIPTION: 'Overtime' },
      ],
    },
  });
  /** One TIMESHEET create under uniqueid=true with a deterministic controlid, sent as the export sends it (`execute`). */
  const createTimesheet = async (client: SageClient, record: SageWriteRecord, controlId: string): Promise<{ recordNo: string }> => {
    const [r] = await client.execute([buildCreate('TIMESHEET', [record], controlId)], { uniqueId: true });
    if (r.error) throw r.error;
    const recordNo = r.data?.records[0]?.RECORDNO;
    return { recordNo: typeof recordNo === 'string' ? recordNo : String(r.key) };
  };
  const timesheetsOf = (employeeId: string) => sb.records('TIMESHEET').filter((t) => t.EMPLOYEEID === employeeId);

  beforeAll(() => {
    sb.seed(
      {
        CUSTOMER: [{ CUSTOMERID: 'C-1', NAME: 'Acme Builders' }],
        PROJECT: [{ PROJECTID: 'P-1', NAME: 'Tower', CUSTOMERID: 'C-1' }],
        TASK: [{ TASKID: 'T-1', NAME: 'Formwork', PROJECTID: 'P-1' }],
        EMPLOYEE: [
          { EMPLOYEEID: 'W-1', 'CONTACT.FIRSTNAME': 'Ann' },
          { EMPLOYEEID: 'W-2', 'CONTACT.FIRSTNAME': 'Bob' },
          { EMPLOYEEID: 'W-3', 'CONTACT.FIRSTNAME': 'Cy' },
          { EMPLOYEEID: 'W-4', 'CONTACT.FIRSTNAME': 'Di' },
          { EMPLOYEEID: 'W-5', 'CONTACT.FIRSTNAME': 'Ed' },
        ],
      },
      true,
    );
  });
  beforeEach(() => sb.resetStats());

  test('the same controlid twice: the second create is reported as already done and one TIMESHEET exists', async () => {
    const { client } = makeClient();
    const controlId = 'ts-W-1-2025-06-02';
    const { recordNo } = await createTimesheet(client, timesheet('W-1', 0), controlId);
    expect(recordNo).toMatch(/^\d+$/);
    // A second worker (or a retried activity) with the same deterministic controlid.
    const { client: other } = makeClient();
    const err = await createTimesheet(other, timesheet('W-1', 0), controlId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SageAlreadyDoneError);
    expect((err as SageAlreadyDoneError).controlId).toBe(controlId);
    const sheets = timesheetsOf('W-1');
    expect(sheets).toHaveLength(1);
    expect(sheets[0].RECORDNO).toBe(recordNo);
    expect(sb.records('TIMESHEETENTRY').filter((e) => e.TIMESHEETKEY === recordNo)).toHaveLength(2);
    expect(sb.stats().transactions.total).toBe(1);
  });

  test('a 5xx after the write ran: the resend is reported as already done and exactly one TIMESHEET exists', async () => {
    const { client, retries } = makeClient();
    await client.connect();
    sb.faults({ failNextRequests: 1, faultsAfterExecute: true });
    const err = await createTimesheet(client, timesheet('W-2', 0), 'ts-W-2-2025-06-02').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SageAlreadyDoneError);
    expect(retries.backoff).toBe(1);
    expect(timesheetsOf('W-2')).toHaveLength(1);
    expect(sb.stats().faultsInjected.serverErrors).toBe(1);
    expect(sb.stats().transactions.total).toBe(1);
  });

  test('a hang after the write ran: the client times out, resends, and exactly one record exists', async () => {
    const { client } = makeClient({ requestTimeoutMs: 1_000 });
    await client.connect();
    sb.faults({ hangNextRequests: 1, faultsAfterExecute: true });
    const err = await client.create('CUSTOMER', [{ CUSTOMERID: 'C-HANG', NAME: 'Hung Holdings' }], { controlId: 'create-C-HANG' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SageAlreadyDoneError);
    expect(sb.records('CUSTOMER').filter((c) => c.CUSTOMERID === 'C-HANG')).toHaveLength(1);
  });

  test('a 5xx before the write ran: the resend executes it once and reports success', async () => {
    const { client, retries } = makeClient();
    await client.connect();
    sb.faults({ failNextRequests: 1, faultsAfterExecute: false });
    const { recordNo } = await createTimesheet(client, timesheet('W-3', 0), 'ts-W-3-2025-06-02');
    expect(retries.backoff).toBe(1);
    const sheets = timesheetsOf('W-3');
    expect(sheets.map((s) => s.RECORDNO)).toEqual([recordNo]);
  });

  test('a different controlid for another week creates another timesheet', async () => {
    const { client } = makeClient();
    const a = await createTimesheet(client, timesheet('W-4', 0), 'ts-W-4-2025-06-02');
    const b = await createTimesheet(client, timesheet('W-4', 1), 'ts-W-4-2025-06-09');
    expect(a.recordNo).not.toBe(b.recordNo);
    expect(timesheetsOf('W-4').map((t) => t.BEGINDATE).sort()).toEqual([begin(0), begin(1)]);
  });
});

describe('hostile values', () => {
  const HOSTILE = `Smith & Sons <Civil> 'O'Neil' "Q" ]]> 🏗️👷🏽‍♀️ 山田建設 Łódź Ωmega – C:\\dir\\`;
  const HOSTILE_2 = `]]><![CDATA[x]]> &amp; &lt;not-an-entity&gt; &#38; 'a''b' \\' \\\\ “curly” ñ 한국어 العربية 🧱`;

  beforeAll(() => {
    sb.seed(
      {
        CUSTOMER: [
          // Decoys that differ from the hostile name only slightly.
          { CUSTOMERID: 'D-1', NAME: HOSTILE.replace('🏗️👷🏽‍♀️', '') },
          { CUSTOMERID: 'D-2', NAME: `${HOSTILE} ` },
          { CUSTOMERID: 'D-3', NAME: HOSTILE.replace('&', '&amp;') },
          { CUSTOMERID: 'D-4', NAME: HOSTILE.toUpperCase() },
        ],
      },
      true,
    );
  });

  test('a CUSTOMER NAME with & < > \' " ]]>, emoji and non-Latin text round-trips through create, query, read and update', async () => {
    const { client } = makeClient();
    const created = await client.create('CUSTOMER', [{ CUSTOMERID: 'C-HOSTILE', NAME: HOSTILE }]);
    const recordNo = String(created[0]?.RECORDNO);
    expect(recordNo).toMatch(/^\d+$/);
    // What the sandbox stored is exactly what was sent.
    expect(sb.records('CUSTOMER').find((c) => c.CUSTOMERID === 'C-HOSTILE')?.NAME).toBe(HOSTILE);

    // A query filter whose value holds every hostile character matches exactly that record.
    const found = await client.query({ object: 'CUSTOMER', filter: equalTo('NAME', HOSTILE) });
    expect(found.records.map((r) => r.CUSTOMERID)).toEqual(['C-HOSTILE']);
    expect(found.records[0].NAME).toBe(HOSTILE);

    const byKey = await client.read('CUSTOMER', [recordNo]);
    expect(byKey.records.map((r) => r.NAME)).toEqual([HOSTILE]);

    await client.update('CUSTOMER', [{ CUSTOMERID: 'C-HOSTILE', NAME: HOSTILE_2 }]);
    const updated = await client.read('CUSTOMER', [recordNo]);
    expect(updated.records.map((r) => r.NAME)).toEqual([HOSTILE_2]);
    const again = await client.query({ object: 'CUSTOMER', filter: equalTo('NAME', HOSTILE_2) });
    expect(again.records.map((r) => r.CUSTOMERID)).toEqual(['C-HOSTILE']);
    // The old name now matches only the decoys' absence: nothing.
    expect((await client.query({ object: 'CUSTOMER', filter: equalTo('NAME', HOSTILE) })).records).toEqual([]);
    // The decoys are untouched.
    const decoys = await client.query({ object: 'CUSTOMER', filter: inList('CUSTOMERID', ['D-1', 'D-2', 'D-3', 'D-4']) });
    expect(decoys.records.map((r) => r.NAME).sort()).toEqual(
      [HOSTILE.replace('🏗️👷🏽‍♀️', ''), `${HOSTILE} `, HOSTILE.replace('&', '&amp;'), HOSTILE.toUpperCase()].sort(),
    );
  });
});

describe('reads by key', () => {
  beforeAll(() => seedEmployees());
  beforeEach(() => sb.resetStats());

  test('read by RECORDNO: more than 100 keys go in one request, unknown keys return nothing', async () => {
    const { client } = makeClient();
    const sample = EMPLOYEES.slice(0, 150);
    const byKey = await client.read('EMPLOYEE', [...sample.map((e) => e.RECORDNO), '999999999']);
    expect(byKey.records.map((r) => r.RECORDNO).sort()).toEqual(sample.map((e) => e.RECORDNO).sort());
    for (const r of byKey.records) {
      const seeded = sample.find((e) => e.RECORDNO === r.RECORDNO);
      expect(r.EMPLOYEEID).toBe(seeded?.EMPLOYEEID);
      expect(r['CONTACT.LASTNAME']).toBe(seeded?.['CONTACT.LASTNAME']);
    }
    // IDs with leading zeros stay strings.
    const zeros = EMPLOYEES.find((e) => e.EMPLOYEEID === '000012');
    const zero = await client.read('EMPLOYEE', [String(zeros?.RECORDNO)]);
    expect(zero.records.map((r) => r.EMPLOYEEID)).toEqual(['000012']);
    const stats = sb.stats();
    // login + one request per call; two functions (100 + 51 keys) in the first.
    expect(stats.requests).toBe(3);
    expect(stats.transactions.byFunction).toEqual({ read: 3 });
  });
});
