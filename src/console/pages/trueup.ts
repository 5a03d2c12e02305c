import { WorkflowNotFoundError } from '@temporalio/client';
import { TRUEUP_ACTIONS, TRUEUP_ITEM_STATES, TrueupStatusSchema, type TrueupItemState, type TrueupStatus } from '../../contracts/trueup';
import type { TrueupPlanItem } from '../../ledger';
import { webUiUrl, type ConsoleDeps } from '../deps';
import { html, type Markup } from '../html';
import { connectionPicker } from '../layout';
import { sideBySide } from '../values';

const ITEMS_SHOWN = 5000;
/** A query waits for a worker; with none polling, the page shows the ledger's plan instead of hanging. */
const STATUS_TIMEOUT_MS = 5000;
/** Items that wait for a decision (a withdrawn one was approved, then changed by a re-diff). */
const UNDECIDED: readonly TrueupItemState[] = ['proposed', 'withdrawn'];

export const CONFIDENCE_BANDS = [
  { id: 'certain', label: 'certain (90 % or more)', min: 0.9 },
  { id: 'likely', label: 'likely (50–89 %)', min: 0.5 },
  { id: 'guess', label: 'a guess (under 50 %)', min: 0 },
  { id: 'none', label: 'nothing guessed', min: -1 },
] as const;

export function bandOf(confidence: number | null): (typeof CONFIDENCE_BANDS)[number] {
  if (confidence === null) return CONFIDENCE_BANDS[3];
  return CONFIDENCE_BANDS.find((b) => b.min >= 0 && confidence >= b.min)!;
}

export interface TrueupView {
  workflowId: string;
  status?: TrueupStatus;
  /** Why there is no live status (no true-up, or Temporal did not answer). */
  note?: string;
  trueupId?: string;
}

/** The true-up's status (its `status` query), or the latest true-up's id from the ledger when none answers. */
export async function trueupView(deps: ConsoleDeps, connection: string): Promise<TrueupView> {
  const id = deps.trueup.workflowId(connection);
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${STATUS_TIMEOUT_MS / 1000} s: is a worker running?`)), STATUS_TIMEOUT_MS);
    });
    const raw = await Promise.race([deps.trueup.status(connection), timeout]).finally(() => clearTimeout(timer));
    const status = TrueupStatusSchema.parse(raw);
    return { workflowId: id, status, trueupId: status.trueupId };
  } catch (err) {
    const [run] = await deps.ledger.listRuns({ connection, workflowType: 'trueUp', limit: 1 });
    const note = err instanceof WorkflowNotFoundError
      ? `No true-up for connection ${connection} yet: start one with \`intacct-assignar trueup start --connection ${connection}\`.`
      : `The true-up did not answer its status query (${(err as Error).message}); showing the plan from the ledger.`;
    return { workflowId: id, note, trueupId: run?.runId };
  }
}

function stateTotals(status: TrueupStatus | undefined, items: readonly TrueupPlanItem[]): Record<string, number> {
  const totals: Record<string, number> = {};
  if (status) for (const byState of Object.values(status.counts)) for (const [s, n] of Object.entries(byState ?? {})) totals[s] = (totals[s] ?? 0) + (n ?? 0);
  else for (const i of items) totals[i.state] = (totals[i.state] ?? 0) + 1;
  return totals;
}

/** Applied or verified of everything approved so far: what the live progress bar shows. */
export function progressOf(totals: Record<string, number>): { done: number; of: number } {
  const done = (totals.applied ?? 0) + (totals.verified ?? 0) + (totals.failed ?? 0);
  return { done, of: done + (totals.approved ?? 0) };
}

function countsBlock(view: TrueupView, items: readonly TrueupPlanItem[]): Markup {
  const s = view.status;
  const totals = stateTotals(s, items);
  const p = progressOf(totals);
  const pct = p.of === 0 ? 0 : Math.round((100 * p.done) / p.of);
  const actions = s ? Object.keys(s.counts) : [...new Set(items.map((i) => i.action))];
  const counts = (a: string, st: string) => (s ? (s.counts[a]?.[st as TrueupItemState] ?? 0) : items.filter((i) => i.action === a && i.state === st).length);
  return html`<section aria-labelledby="trueup-progress" id="live" data-connection="${s?.connection ?? ''}">
<h2 id="trueup-progress">Progress</h2>
<p>Phase <strong data-live="phase" data-testid="phase">${s?.phase ?? 'unknown'}</strong>${s?.paused ? html` <span class="badge warn" data-live="paused">paused</span>` : html` <span data-live="paused"></span>`}
${s ? html` · diff ${s.generation}${s.lastDiffAt ? html` at ${s.lastDiffAt}` : ''} · started ${s.startedAt}` : ''}</p>
<p><span id="applied-label">Applied of approved:</span> <span data-live="progress-text">${p.done} of ${p.of}</span></p>
<div class="progress" role="progressbar" aria-labelledby="applied-label" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct}" data-live="progress"><span style="${`width:${pct}%`}"></span></div>
<div class="scroll"><table data-testid="trueup-counts">
<thead><tr><th scope="col">Action</th>${TRUEUP_ITEM_STATES.map((st) => html`<th scope="col" class="num">${st}</th>`)}</tr></thead>
<tbody>${actions.map((a) => html`<tr><th scope="row">${a}</th>${TRUEUP_ITEM_STATES.map((st) => html`<td class="num" data-live="${`count-${a}-${st}`}">${counts(a, st)}</td>`)}</tr>`)}</tbody>
</table></div>
${s && s.withdrawn > 0 ? html`<p class="notice error" data-testid="withdrawn-notice">${s.withdrawn} approval(s) withdrawn: a re-diff changed those items after they were approved. Look at them again (flagged below) and approve them again.</p>` : ''}
${s?.notices.length ? html`<ul>${s.notices.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
</section>`;
}

function controls(connection: string, s: TrueupStatus | undefined): Markup {
  if (!s || s.phase === 'done' || s.phase === 'cancelled') return html``;
  const button = (what: string, label: string, cls = '') =>
    html`<form method="post" action="/trueup/control"><input type="hidden" name="connection" value="${connection}"><input type="hidden" name="what" value="${what}"><button type="submit" class="${cls}" data-testid="${`control-${what}`}">${label}</button></form>`;
  return html`<div class="inline" aria-label="Run the true-up">${s.paused ? button('resume', 'Resume applying', 'primary') : button('pause', 'Pause (apply nothing until resume)')}${button('cancel', 'Cancel the true-up', 'danger')}</div>`;
}

function bulkForms(connection: string): Markup {
  return html`<div class="cards">
<form method="post" action="/trueup/approve" class="card" aria-labelledby="by-confidence">
<h3 id="by-confidence">Approve by confidence</h3>
<input type="hidden" name="connection" value="${connection}"><input type="hidden" name="mode" value="confidence">
<div class="inline"><label>Action<select name="action"><option value="">any action</option>${TRUEUP_ACTIONS.map((a) => html`<option>${a}</option>`)}</select></label>
<label>At or above (%)<input type="number" name="minConfidence" min="0" max="100" step="1" value="90" required size="4"></label>
<button type="submit" class="primary" data-testid="approve-confidence">Approve</button></div>
<p class="muted">Every match waiting for a decision at or above this confidence.</p>
</form>
<form method="post" action="/trueup/approve" class="card" aria-labelledby="approve-all">
<h3 id="approve-all">Approve everything waiting</h3>
<input type="hidden" name="connection" value="${connection}"><input type="hidden" name="mode" value="all">
<label><input type="checkbox" name="confirm" value="yes" required> I have looked at the plan</label>
<p><button type="submit" class="primary" data-testid="approve-all">Approve all</button></p>
</form></div>`;
}

function itemRow(i: TrueupPlanItem): Markup {
  const undecided = UNDECIDED.includes(i.state);
  const label = `Select ${i.action} ${i.kind} item ${i.itemId}`;
  return html`<tr data-testid="${`item-${i.itemId}`}" data-state="${i.state}">
<td>${undecided ? html`<input type="checkbox" name="items" value="${i.itemId}" form="decide" aria-label="${label}" data-testid="${`select-${i.itemId}`}">` : ''}</td>
<td><code>${i.itemId}</code><br>${i.kind}${i.confidence !== null ? html` · ${Math.round(i.confidence * 100)} %` : ''}</td>
<td><span class="badge ${i.state === 'failed' ? 'bad' : i.state === 'withdrawn' ? 'bad' : i.state === 'verified' ? 'ok' : ''}" data-testid="state">${i.state}</span>
${i.state === 'withdrawn' ? html`<br><strong class="bad">approval withdrawn: approve again</strong>` : ''}${i.decidedBy ? html`<br><span class="muted">by ${i.decidedBy}</span>` : ''}</td>
<td>${i.summary}${i.reason ? html`<br><span class="muted">${i.reason}</span>` : ''}</td>
<td>${sideBySide(i.evidence, `Evidence for ${i.itemId}`)}</td></tr>`;
}

function groups(connection: string, items: readonly TrueupPlanItem[]): Markup {
  const out: Markup[] = [];
  for (const action of TRUEUP_ACTIONS) {
    const ofAction = items.filter((i) => i.action === action);
    if (ofAction.length === 0) continue;
    const bands: Markup[] = [];
    for (const band of CONFIDENCE_BANDS) {
      const inBand = ofAction.filter((i) => bandOf(i.confidence).id === band.id);
      if (inBand.length === 0) continue;
      const waiting = inBand.filter((i) => UNDECIDED.includes(i.state));
      const groupId = `${action}-${band.id}`;
      bands.push(html`<section aria-labelledby="${`g-${groupId}`}" data-testid="${`group-${groupId}`}">
<h3 id="${`g-${groupId}`}">${action}: ${band.label} · ${inBand.length} item(s), ${waiting.length} waiting</h3>
${waiting.length > 0 && action !== 'leave'
          ? html`<form method="post" action="/trueup/approve" class="inline"><input type="hidden" name="connection" value="${connection}"><input type="hidden" name="mode" value="group">
<input type="hidden" name="itemList" value="${waiting.map((i) => i.itemId).join('\n')}">
<button type="submit" class="primary" data-testid="${`approve-group-${groupId}`}">Approve these ${waiting.length}</button></form>`
          : ''}
<div class="scroll"><table><thead><tr><th scope="col"><span class="muted">Select</span></th><th scope="col">Item</th><th scope="col">State</th><th scope="col">What it does</th><th scope="col">Evidence</th></tr></thead>
<tbody>${inBand.map(itemRow)}</tbody></table></div></section>`);
    }
    out.push(html`<section aria-labelledby="${`a-${action}`}"><h2 id="${`a-${action}`}">${action}</h2>${bands}</section>`);
  }
  return html`${out}`;
}

export async function trueupPage(deps: ConsoleDeps, connection: string): Promise<Markup> {
  const view = await trueupView(deps, connection);
  const items = view.trueupId ? await deps.ledger.listTrueupItems(connection, view.trueupId, { limit: ITEMS_SHOWN }) : [];
  const picker = connectionPicker('/trueup', deps.config.connections.map((c) => c.id), connection);
  if (!view.trueupId) return html`${picker}<p data-testid="no-trueup">${view.note ?? ''}</p>`;
  const open = view.status && view.status.phase !== 'done' && view.status.phase !== 'cancelled';
  return html`${picker}
${view.note ? html`<p class="notice">${view.note}</p>` : ''}
<p>Workflow <a href="${webUiUrl(deps, view.workflowId)}">${view.workflowId}</a> · plan <code>${view.trueupId}</code></p>
${countsBlock(view, items)}
${controls(connection, view.status)}
${open
    ? html`<h2>Decide</h2>${bulkForms(connection)}
<form method="post" action="/trueup/decide" id="decide" class="card" aria-labelledby="decide-h">
<h3 id="decide-h">Selected items</h3>
<input type="hidden" name="connection" value="${connection}">
<div class="inline"><button type="submit" name="decision" value="approve" class="primary" data-testid="approve-selected">Approve selected</button>
<label>Reason for a rejection<input type="text" name="reason" maxlength="500" size="40"></label>
<button type="submit" name="decision" value="reject" class="danger" data-testid="reject-selected">Reject selected</button></div>
<p class="muted">Tick items in the plan below, then approve or reject them here. A rejected item is never applied.</p>
</form>`
    : ''}
<h2>The plan</h2>
${items.length >= ITEMS_SHOWN ? html`<p>The first ${ITEMS_SHOWN} items are shown.</p>` : ''}
${groups(connection, items)}`;
}
