import { approveInput, rejectInput, parseConfidence, parseItems, trueupStartInput } from '../../../src/cli/commands/trueup';
import {
  approveResultText,
  confidenceText,
  evidenceLine,
  evidenceLines,
  signalSentText,
  trueupCountsTable,
  trueupMissingText,
  trueupStartText,
  trueupStatusText,
  workflowUrl,
} from '../../../src/cli/render-trueup';
import { TrueupStatusSchema, type TrueupItem, type TrueupStatus } from '../../../src/contracts/trueup';

function item(over: Partial<TrueupItem>): TrueupItem {
  return {
    itemId: 'worker:link:88:E1001',
    kind: 'worker',
    action: 'link',
    state: 'proposed',
    confidence: 0.953,
    sageKey: 'E1001',
    sageId: '1001',
    assignarId: '88',
    summary: 'link Assignar worker 88 to employee E1001 (same email)',
    evidence: [
      { field: 'email', sage: 'ann@example.com', assignar: 'ann@example.com', same: true },
      { field: 'mobile', sage: '0400 000 001', assignar: '0400 000 002', same: false },
    ],
    contentHash: 'h1',
    approvedHash: null,
    reason: null,
    ...over,
  };
}

function status(over: Partial<TrueupStatus> = {}): TrueupStatus {
  return {
    workflow: 'trueUp',
    connection: 'demo',
    trueupId: 'trueUp/demo',
    phase: 'awaiting-approval',
    paused: false,
    startedAt: '2025-01-14T07:00:00.000Z',
    generation: 3,
    lastDiffAt: '2025-01-15T07:00:00.000Z',
    counts: { link: { proposed: 12, approved: 3 }, recreate: { proposed: 2, withdrawn: 1 }, leave: { proposed: 1 } },
    withdrawn: 1,
    page: [
      item({}),
      item({ itemId: 'worker:recreate:E1002', action: 'recreate', state: 'withdrawn', confidence: null, assignarId: null, sageKey: 'E1002', summary: 'recreate E1002 (deleted in Assignar)', evidence: [] , reason: 'the Sage record changed after approval' }),
    ],
    notices: ['reminder: 15 items wait for a decision since 2025-01-14'],
    ...over,
  };
}

describe('status', () => {
  test('phase, generation, last diff, counts, withdrawn approvals, page and evidence', () => {
    const text = trueupStatusText(status());
    const rows = text.split('\n');
    expect(rows[0]).toBe('True-up trueUp/demo for connection demo: awaiting approval');
    expect(rows[1]).toBe('started 2025-01-14T07:00:00.000Z · generation 3 · last diff 2025-01-15T07:00:00.000Z');
    expect(text).toMatch(/^action +proposed +approved +withdrawn +total$/m);
    expect(text).toMatch(/^link +12 +3 +15$/m);
    expect(text).toMatch(/^recreate +2 +1 +3$/m);
    expect(text).toMatch(/^total +15 +3 +1 +19$/m);
    expect(text).toContain('1 approval(s) withdrawn');
    expect(text).toContain('approve them again');
    expect(text).toContain('  after review: npx intacct-assignar trueup approve --connection demo --items worker:recreate:E1002');
    expect(text).toContain('Waiting for a decision (the first 2 of 16):');
    expect(text).toMatch(/^worker:link:88:E1001 +link +proposed +95% +link Assignar worker 88 to employee E1001 \(same email\)$/m);
    expect(text).toMatch(/^worker:recreate:E1002 +recreate +withdrawn +— +recreate E1002/m);
    expect(text).toContain('  worker:link:88:E1001 (Sage Intacct E1001, Assignar 88)');
    // differences first, then agreements
    const mobile = rows.findIndex((r) => r.trim() === 'mobile: 0400 000 001 ≠ 0400 000 002');
    const email = rows.findIndex((r) => r.trim() === 'email: ann@example.com = ann@example.com');
    expect(mobile).toBeGreaterThan(0);
    expect(email).toBeGreaterThan(mobile);
    expect(text).toContain('      why: the Sage record changed after approval');
    expect(text).toContain('  ! reminder: 15 items wait for a decision since 2025-01-14');
    expect(text).toContain('npx intacct-assignar trueup approve --connection demo --all');
  });

  test('paused, planning, nothing waiting, done', () => {
    expect(trueupStatusText(status({ paused: true }))).toMatch(/awaiting approval — PAUSED[\s\S]*trueup resume --connection demo/);
    const planning = trueupStatusText(status({ phase: 'planning', generation: 0, lastDiffAt: null, counts: {}, withdrawn: 0, page: [], notices: [] }));
    expect(planning).toContain('generation 0 · last diff not yet');
    expect(planning).toContain('no items yet');
    expect(planning).toContain('No item is waiting for a decision.');
    expect(planning).not.toContain('withdrawn');
    expect(planning).not.toContain('Notices');
    expect(trueupStatusText(status({ phase: 'done', page: [] }))).toContain('next: a new true-up: npx intacct-assignar trueup start --connection demo');
  });

  test('evidence is shown for the first few items only', () => {
    const page = Array.from({ length: 8 }, (_, i) => item({ itemId: `worker:link:${i}:E${i}` }));
    const text = trueupStatusText(status({ page }), { evidenceItems: 2 });
    expect(text).toContain('Evidence (sage ≠ assignar) for the first 2 item(s):');
    expect(text).toContain('  worker:link:1:E1 (');
    expect(text).not.toContain('  worker:link:2:E2 (');
  });

  test('the fixture is a valid TrueupStatus (what --json prints)', () => {
    const parsed = TrueupStatusSchema.parse(JSON.parse(JSON.stringify(status())));
    expect(parsed.phase).toBe('awaiting-approval');
  });
});

test('counts table: actions in contract order, only states with items, empty rows dropped', () => {
  const text = trueupCountsTable({ leave: { proposed: 1 }, link: { verified: 4, failed: 0 }, 'create-in-sage': {} });
  expect(text.split('\n')).toEqual([
    expect.stringMatching(/^action +proposed +verified +total$/),
    expect.stringMatching(/^link +4 +4$/),
    expect.stringMatching(/^leave +1 +1$/),
    expect.stringMatching(/^total +1 +4 +5$/),
  ]);
  expect(trueupCountsTable({})).toBe('no items yet');
});

test('confidence and evidence', () => {
  expect(confidenceText(0.953)).toBe('95%');
  expect(confidenceText(1)).toBe('100%');
  expect(confidenceText(null)).toBe('—');
  expect(evidenceLine({ field: 'employeeId', sage: 'E1', assignar: null, same: false })).toBe('employeeId: E1 ≠ (none)');
  const many = Array.from({ length: 10 }, (_, i) => ({ field: `f${i}`, sage: 'a', assignar: 'b', same: false }));
  expect(evidenceLines(many, 3)).toEqual(['f0: a ≠ b', 'f1: a ≠ b', 'f2: a ≠ b', '… 7 more field(s)']);
});

test('start: started or joined, with the Web UI link', () => {
  const url = workflowUrl('http://localhost:8233/', 'default', 'trueUp/demo');
  expect(url).toBe('http://localhost:8233/namespaces/default/workflows/trueUp%2Fdemo');
  const started = trueupStartText({ connection: 'demo', workflowId: 'trueUp/demo', runId: 'r1', joined: false, options: ['--rediff-seconds'], url });
  expect(started.split('\n')).toEqual([
    'trueUp for demo: started workflow trueUp/demo (run r1)',
    `Web UI: ${url}`,
    'next: npx intacct-assignar trueup status --connection demo',
  ]);
  const joined = trueupStartText({ connection: 'demo', workflowId: 'trueUp/demo', runId: 'r0', joined: true, options: ['--rediff-seconds'], url });
  expect(joined).toMatch(/^trueUp for demo: joined the running workflow trueUp\/demo \(run r0\)\n {2}--rediff-seconds not applied/);
});

test('approve result, signals, missing workflow', () => {
  expect(approveResultText({ approved: 12, errors: [] })).toBe('approved 12');
  expect(approveResultText({ approved: 1, errors: [{ itemId: 'worker:link:9:E9', reason: 'unknown item' }, { itemId: 'x', reason: 'already applied' }] }).split('\n')).toEqual([
    'approved 1',
    '2 item(s) not approved:',
    '  worker:link:9:E9: unknown item',
    '  x: already applied',
  ]);
  expect(signalSentText('reject', 'demo', 'trueUp/demo', ['a', 'b'])).toBe('trueUp/demo: reject sent for 2 item(s); see npx intacct-assignar trueup status --connection demo');
  expect(signalSentText('pause', 'demo', 'trueUp/demo')).toMatch(/^trueUp\/demo: pause sent/);
  expect(trueupMissingText('demo', 'trueUp/demo')).toBe(
    'No true-up for connection demo (workflow trueUp/demo not found); start one with: npx intacct-assignar trueup start --connection demo',
  );
});

describe('flags', () => {
  test('approve: one or more selectors, validated, one-line errors naming the flag', () => {
    expect(approveInput({ all: true }, 'ann')).toEqual({ all: true, by: 'ann' });
    expect(approveInput({ action: 'link', minConfidence: '90%' }, undefined)).toEqual({ action: 'link', minConfidence: 0.9 });
    expect(approveInput({ items: ' a, b,,a ' }, 'ann')).toEqual({ items: ['a', 'b'], by: 'ann' });
    expect(() => approveInput({}, 'ann')).toThrow(/^approve: give at least one of --all, --action A, --min-confidence C or --items ID,…$/);
    expect(() => approveInput({ action: 'merge' }, 'ann')).toThrow(/^--action: expected one of link, overwrite, .*; got "merge"$/);
    expect(() => approveInput({ minConfidence: '1.5' }, 'ann')).toThrow(/^--min-confidence: expected a number from 0 to 1/);
    expect(() => approveInput({ minConfidence: 'high' }, 'ann')).toThrow(/^--min-confidence:/);
    expect(() => approveInput({ items: ' , ' }, 'ann')).toThrow(/^--items: expected a comma-separated list/);
    expect(() => approveInput({ all: true }, 'x'.repeat(300).slice(0, 201))).toThrow(/^the user name/);
  });

  test('reject: --items required, --reason optional', () => {
    expect(rejectInput({ items: 'a,b', reason: 'keep the contractor' }, 'ann')).toEqual({ items: ['a', 'b'], reason: 'keep the contractor', by: 'ann' });
    expect(() => rejectInput({}, 'ann')).toThrow(/^--items: required/);
    expect(() => rejectInput({ items: 'a', reason: 'x'.repeat(501) }, 'ann')).toThrow(/^--reason: /);
  });

  test('start: only the flags given, validated with TrueupInputSchema', () => {
    expect(trueupStartInput('demo', {})).toEqual({ input: { connection: 'demo' }, options: [] });
    expect(trueupStartInput('demo', { rediffSeconds: '5', entities: 'worker, client', waitForWriter: '0' })).toEqual({
      input: { connection: 'demo', rediffSeconds: 5, entities: ['worker', 'client'], waitForWriterSeconds: 0 },
      options: ['--entities', '--rediff-seconds', '--wait-for-writer'],
    });
    expect(() => trueupStartInput('demo', { rediffSeconds: '0' })).toThrow(/^--rediff-seconds: /);
    expect(() => trueupStartInput('demo', { waveSize: 'ten' })).toThrow(/^--wave-size: expected a non-negative whole number, got "ten"$/);
    expect(() => trueupStartInput('demo', { entities: 'worker,crew' })).toThrow(/^--entities: unknown entity kind "crew"/);
  });

  test('parsers', () => {
    expect(parseConfidence('0.75')).toBe(0.75);
    expect(parseConfidence('80%')).toBeCloseTo(0.8);
    expect(() => parseConfidence('')).toThrow(/--min-confidence/);
    expect(parseItems('--items', 'worker:link:1:E1')).toEqual(['worker:link:1:E1']);
  });
});
