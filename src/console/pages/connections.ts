import { ScheduleNotFoundError } from '@temporalio/client';
import { OUTCOMES, type Outcome } from '../../contracts/outcomes';
import type { OutcomeCounts, Run } from '../../ledger';
import { scheduleId, SCHEDULED_WORKFLOWS } from '../../temporal/schedules';
import { webUiUrl, type ConsoleDeps } from '../deps';
import { href, html, type Markup } from '../html';

/** The runs an operator follows per connection, in the order a connection lives them. */
export const RUN_TYPES = [
  ['initialImport', 'Import'],
  ['incrementalSync', 'Sync'],
  ['timesheetExport', 'Timesheet export'],
  ['trueUp', 'True-up'],
] as const;

function statusBadge(status: string): Markup {
  const tone = status === 'completed' ? 'ok' : status === 'running' ? 'warn' : 'bad';
  return html`<span class="badge ${tone}">${status}</span>`;
}

/** A kind × outcome table; each cell carries a test id, so a test can compare it with the ledger. */
export function countsTable(counts: OutcomeCounts, testPrefix: string, caption: string): Markup {
  const kinds = Object.keys(counts).sort();
  if (kinds.length === 0) return html`<p class="muted">No records.</p>`;
  const outcomes = OUTCOMES.filter((o) => kinds.some((k) => (counts as Record<string, Partial<Record<Outcome, number>>>)[k]?.[o]));
  return html`<div class="scroll"><table>
<caption class="muted" style="text-align:left">${caption}</caption>
<thead><tr><th scope="col">Kind</th>${outcomes.map((o) => html`<th scope="col" class="num">${o}</th>`)}</tr></thead>
<tbody>${kinds.map((k) => {
    const row = (counts as Record<string, Partial<Record<Outcome, number>>>)[k] ?? {};
    return html`<tr><th scope="row">${k}</th>${outcomes.map((o) => html`<td class="num" data-testid="${`${testPrefix}-${k}-${o}`}">${row[o] ?? 0}</td>`)}</tr>`;
  })}</tbody></table></div>`;
}

async function nextRuns(deps: ConsoleDeps, connection: string): Promise<Markup> {
  const rows: Markup[] = [];
  for (const wf of SCHEDULED_WORKFLOWS) {
    const id = scheduleId(wf, connection);
    try {
      const d = await deps.temporal.schedule.getHandle(id).describe();
      const next = d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString());
      rows.push(html`<tr><td>${wf}</td><td>${d.state.paused ? 'paused' : 'active'}</td><td>${next.join(', ') || '—'}</td></tr>`);
    } catch (err) {
      const text = err instanceof ScheduleNotFoundError ? 'no schedule (intacct-assignar schedules apply)' : `Temporal did not answer: ${(err as Error).message}`;
      rows.push(html`<tr><td>${wf}</td><td colspan="2" class="muted">${text}</td></tr>`);
    }
  }
  return html`<table><caption class="muted" style="text-align:left">Next scheduled runs (UTC)</caption>
<thead><tr><th scope="col">Workflow</th><th scope="col">Schedule</th><th scope="col">Next runs</th></tr></thead><tbody>${rows}</tbody></table>`;
}

async function runCard(deps: ConsoleDeps, connection: string, type: string, label: string): Promise<Markup> {
  const [run]: Run[] = await deps.ledger.listRuns({ connection, workflowType: type, limit: 1 });
  if (!run) return html`<section class="card" data-testid="${`run-${type}`}"><h3>${label}</h3><p class="muted">Never ran.</p></section>`;
  const counts = await deps.ledger.outcomeCounts(run.runId);
  const link = run.workflowId ? webUiUrl(deps, run.workflowId, run.runId) : undefined;
  return html`<section class="card" data-testid="${`run-${type}`}">
<h3>${label} ${statusBadge(run.status)}${run.dryRun ? html` <span class="badge">dry run</span>` : ''}</h3>
<p>Started ${run.startedAt}${run.finishedAt ? html`, finished ${run.finishedAt}` : ''}<br>
Run <code data-testid="${`run-id-${type}`}">${run.runId}</code>${link ? html` · <a href="${link}">in the Temporal Web UI</a>` : ''}</p>
${run.error ? html`<p class="bad">${run.error}</p>` : ''}
${countsTable(counts, `count-${type}`, 'Records by kind and outcome')}
</section>`;
}

/** This month's metered Sage Intacct transactions (UTC days, as the ledger counts them), with the busiest days. */
async function usageBlock(deps: ConsoleDeps, connection: string): Promise<Markup> {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0));
  const days = await deps.ledger.listSageUsage({ fromDay: first.toISOString().slice(0, 10), toDay: last.toISOString().slice(0, 10), connection });
  const used = days.reduce((n, d) => n + d.transactions, 0);
  const top = [...days].sort((a, b) => b.transactions - a.transactions).slice(0, 5);
  return html`<h3>Sage Intacct transactions this month</h3>
<p data-testid="${`transactions-${connection}`}"><strong>${used}</strong> in ${first.toISOString().slice(0, 7)} (UTC)${top.length ? html`; busiest days: ${top.map((d, i) => html`${i ? ', ' : ''}${d.day} (${d.transactions})`)}` : ''}.
<span class="muted">The same figures: <code>intacct-assignar usage</code>.</span></p>`;
}

/** The latest actions taken from the console on this connection: who, when, what, and how it went. */
async function auditTable(deps: ConsoleDeps, connection: string): Promise<Markup> {
  const actions = await deps.ledger.listConsoleActions(connection, { limit: 10 });
  if (actions.length === 0) return html`<h3>Console actions</h3><p class="muted">None yet.</p>`;
  return html`<h3>Console actions</h3><div class="scroll"><table data-testid="${`audit-${connection}`}"><caption class="muted" style="text-align:left">The latest ${actions.length}, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Result</th></tr></thead>
<tbody>${actions.map((a) => html`<tr><td>${a.at}</td><td>${a.who}</td><td>${a.action}</td><td><span class="${a.result === 'ok' ? 'ok' : 'bad'}">${a.result}</span> ${a.message ?? ''}</td></tr>`)}</tbody></table></div>`;
}

export async function connectionsPage(deps: ConsoleDeps): Promise<Markup> {
  const sections: Markup[] = [];
  for (const c of deps.config.connections) {
    const cards = await Promise.all(RUN_TYPES.map(([type, label]) => runCard(deps, c.id, type, label)));
    const now = await deps.ledger.currentOutcomeCounts(c.id);
    const attention = Object.fromEntries(
      Object.entries(now)
        .map(([k, byOutcome]) => [k, Object.fromEntries(Object.entries(byOutcome ?? {}).filter(([o]) => o === 'failed' || o === 'held'))])
        .filter(([, v]) => Object.keys(v as object).length > 0),
    ) as OutcomeCounts;
    const heldTimesheets = await deps.ledger.listHeldTimesheets(c.id, { limit: 1001 });
    sections.push(html`<section aria-labelledby="${`conn-${c.id}`}" data-testid="${`connection-${c.id}`}">
<h2 id="${`conn-${c.id}`}">Connection ${c.id}</h2>
<p class="muted">Sage Intacct company ${c.sage.companyId} · Assignar ${c.assignar.apiBase}</p>
<div class="cards">${cards}</div>
<h3>Failing or held now</h3>
${countsTable(attention, `now-${c.id}`, 'The latest outcome of each record, across runs')}
<p><a href="${href('/records', { connection: c.id })}">See each record, why, and what to do</a> ·
${heldTimesheets.length > 1000 ? 'more than 1000' : heldTimesheets.length} timesheet(s) held: <a href="${href('/timesheets', { connection: c.id })}">timesheets</a></p>
${await nextRuns(deps, c.id)}
${await auditTable(deps, c.id)}
${await usageBlock(deps, c.id)}
</section>`);
  }
  return html`${sections}`;
}
