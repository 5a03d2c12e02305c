import { TRUEUP_ACTIONS, TRUEUP_ITEM_STATES, type ApproveResult, type Evidence, type TrueupCounts, type TrueupItem, type TrueupPhase, type TrueupStatus } from '../contracts/trueup';
import { table } from './table';

/**
 * What `intacct-assignar trueup …` prints (issue 10). Pure: every function takes what the workflow or the
 * client answered and returns text, so the command file only talks to Temporal.
 */

/** How many items of the status page show their evidence, and how many fields each. */
export const EVIDENCE_ITEMS = 5;
export const EVIDENCE_FIELDS = 8;
/** At most this many withdrawn item ids in the suggested re-approval command. */
const WITHDRAWN_IDS = 20;

const PHASE_TEXT: Record<TrueupPhase, string> = {
  planning: 'planning (diffing Sage Intacct and Assignar)',
  'awaiting-approval': 'awaiting approval',
  applying: 'applying approved items',
  verifying: 'verifying applied items against both systems',
  done: 'done',
  cancelled: 'cancelled',
};

/** The command an operator types, for a connection. */
export function trueupCommand(sub: string, connection: string): string {
  return `npx intacct-assignar trueup ${sub} --connection ${connection}`;
}

/** A link to the workflow in the Temporal Web UI. */
export function workflowUrl(uiBase: string, namespace: string, workflowId: string): string {
  return `${uiBase.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export interface StartedTrueup {
  connection: string;
  workflowId: string;
  runId: string;
  /** A true-up was already running for the connection: this start joined it (its options were not applied). */
  joined: boolean;
  /** Options beyond the connection given on the command line (ignored when joined). */
  options: readonly string[];
  url: string;
}

export function trueupStartText(s: StartedTrueup): string {
  const head = s.joined
    ? `trueUp for ${s.connection}: joined the running workflow ${s.workflowId} (run ${s.runId})`
    : `trueUp for ${s.connection}: started workflow ${s.workflowId} (run ${s.runId})`;
  const lines = [head];
  if (s.joined && s.options.length) lines.push(`  ${s.options.join(', ')} not applied: they only apply to a new true-up (cancel this one first to change them)`);
  lines.push(`Web UI: ${s.url}`, `next: ${trueupCommand('status', s.connection)}`);
  return lines.join('\n');
}

/** No trueUp workflow (running, or at all) for the connection. */
export function trueupMissingText(connection: string, workflowId: string, running = false): string {
  return `No ${running ? 'running ' : ''}true-up for connection ${connection} (workflow ${workflowId} not found); start one with: ${trueupCommand('start', connection)}`;
}

/** A match confidence as a whole percentage; `—` where nothing is guessed. */
export function confidenceText(confidence: number | null): string {
  return confidence === null ? '—' : `${Math.round(confidence * 100)}%`;
}

function valueText(v: string | null): string {
  return v === null || v === '' ? '(none)' : v;
}

/** One compared field: `field: sage ≠ assignar` (or `=` where the two systems agree). */
export function evidenceLine(e: Evidence): string {
  return `${e.field}: ${valueText(e.sage)} ${e.same ? '=' : '≠'} ${valueText(e.assignar)}`;
}

/** Evidence lines: differences first, then agreements, at most `max` (the rest counted). */
export function evidenceLines(evidence: readonly Evidence[], max = EVIDENCE_FIELDS): string[] {
  const ordered = [...evidence.filter((e) => !e.same), ...evidence.filter((e) => e.same)];
  const lines = ordered.slice(0, max).map(evidenceLine);
  if (ordered.length > max) lines.push(`… ${ordered.length - max} more field(s)`);
  return lines;
}

/** Counts by action (rows) × state (columns, only states with any item), with totals. */
export function trueupCountsTable(counts: TrueupCounts): string {
  const known = TRUEUP_ACTIONS.filter((a) => a in counts) as string[];
  const actions = [...known, ...Object.keys(counts).filter((a) => !known.includes(a)).sort()];
  const n = (action: string, state: string) => counts[action]?.[state as keyof TrueupCounts[string]] ?? 0;
  const states = TRUEUP_ITEM_STATES.filter((s) => actions.some((a) => n(a, s) > 0));
  const rowTotal = (a: string) => states.reduce((t, s) => t + n(a, s), 0);
  const rows = actions.filter((a) => rowTotal(a) > 0);
  if (rows.length === 0) return 'no items yet';
  const cells = rows.map((a) => [a, ...states.map((s) => String(n(a, s) || '')), String(rowTotal(a))]);
  if (rows.length > 1) cells.push(['total', ...states.map((s) => String(rows.reduce((t, a) => t + n(a, s), 0) || '')), String(rows.reduce((t, a) => t + rowTotal(a), 0))]);
  const header = ['action', ...states, 'total'];
  return table(header, cells, { right: header.map((_, i) => i).slice(1) });
}

function waitingItemsText(status: TrueupStatus, evidenceItems: number): string[] {
  const page = status.page;
  if (page.length === 0) return ['No item is waiting for a decision.'];
  const waiting = Object.values(status.counts).reduce((t, c) => t + (c?.proposed ?? 0) + (c?.withdrawn ?? 0), 0);
  const lines = [
    `Waiting for a decision${waiting > page.length ? ` (the first ${page.length} of ${waiting})` : ` (${page.length})`}:`,
    table(
      ['item', 'action', 'state', 'confidence', 'summary'],
      page.map((i) => [i.itemId, i.action, i.state, confidenceText(i.confidence), i.summary]),
      { right: [3] },
    ),
  ];
  const withEvidence = page.filter((i) => i.evidence.length > 0 || i.reason).slice(0, evidenceItems);
  if (withEvidence.length) {
    lines.push('', `Evidence (sage ≠ assignar)${page.length > withEvidence.length ? ` for the first ${withEvidence.length} item(s)` : ''}:`);
    for (const item of withEvidence) lines.push(...itemEvidenceText(item));
  }
  return lines;
}

function itemEvidenceText(item: TrueupItem): string[] {
  const keys = [item.sageKey ? `Sage Intacct ${item.sageKey}` : '', item.assignarId ? `Assignar ${item.assignarId}` : ''].filter(Boolean).join(', ');
  return [
    `  ${item.itemId}${keys ? ` (${keys})` : ''}`,
    ...(item.reason ? [`      why: ${item.reason}`] : []),
    ...evidenceLines(item.evidence).map((l) => `      ${l}`),
  ];
}

function nextStepText(status: TrueupStatus): string[] {
  const c = status.connection;
  if (status.phase === 'done' || status.phase === 'cancelled') return [`next: a new true-up: ${trueupCommand('start', c)}`];
  if (status.paused) return [`next: ${trueupCommand('resume', c)} (paused: nothing is applied until resumed)`];
  if (status.phase !== 'awaiting-approval' || status.page.length === 0) return [];
  return [
    'next: approve with one of',
    `  ${trueupCommand('approve', c)} --items ID,…`,
    `  ${trueupCommand('approve', c)} --action link --min-confidence 0.9`,
    `  ${trueupCommand('approve', c)} --all`,
    `or reject: ${trueupCommand('reject', c)} --items ID,… [--reason TEXT]`,
  ];
}

/** `trueup status` for a person: phase, counts by action × state, withdrawn approvals, the page of waiting items. */
export function trueupStatusText(status: TrueupStatus, opts: { evidenceItems?: number } = {}): string {
  const lines = [
    `True-up ${status.trueupId} for connection ${status.connection}: ${PHASE_TEXT[status.phase]}${status.paused ? ' — PAUSED' : ''}`,
    `started ${status.startedAt} · generation ${status.generation} · last diff ${status.lastDiffAt ?? 'not yet'}`,
    '',
    trueupCountsTable(status.counts),
  ];
  if (status.withdrawn > 0) {
    lines.push(
      '',
      `! ${status.withdrawn} approval(s) withdrawn: a re-diff changed those items after they were approved, so they will not be applied. ` +
        `Review them below (state "withdrawn") and approve them again.`,
    );
    const again = status.page.filter((i) => i.state === 'withdrawn').map((i) => i.itemId);
    if (again.length) lines.push(`  after review: ${trueupCommand('approve', status.connection)} --items ${again.slice(0, WITHDRAWN_IDS).join(',')}`);
  }
  lines.push('', ...waitingItemsText(status, opts.evidenceItems ?? EVIDENCE_ITEMS));
  if (status.notices.length) lines.push('', 'Notices:', ...status.notices.map((n) => `  ! ${n}`));
  const next = nextStepText(status);
  if (next.length) lines.push('', ...next);
  return lines.join('\n');
}

/** The `approveItems` update's answer: `approved N`, then each listed item that could not be approved. */
export function approveResultText(result: ApproveResult): string {
  const lines = [`approved ${result.approved}`];
  if (result.errors.length) {
    lines.push(`${result.errors.length} item(s) not approved:`, ...result.errors.map((e) => `  ${e.itemId}: ${e.reason}`));
  }
  return lines.join('\n');
}

const SIGNAL_TEXT: Record<'pause' | 'resume' | 'cancel', string> = {
  pause: 'pause sent: the true-up applies nothing until resumed (re-diffs go on)',
  resume: 'resume sent',
  cancel: 'cancel sent: the true-up stops; items already applied stay applied',
};

/** What a signal did, from the CLI's point of view (signals answer nothing; `status` shows the effect). */
export function signalSentText(signal: 'reject' | keyof typeof SIGNAL_TEXT, connection: string, workflowId: string, items?: readonly string[]): string {
  const what = signal === 'reject' ? `reject sent for ${items?.length ?? 0} item(s)` : SIGNAL_TEXT[signal];
  return `${workflowId}: ${what}; see ${trueupCommand('status', connection)}`;
}
