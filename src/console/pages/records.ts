import { ENTITY_KINDS, type EntityKind } from '../../config/schema';
import { RECORD_KINDS, type Link, type RecordKind } from '../../ledger';
import type { CurrentOutcome } from '../../ledger/outcomes';
import type { ConsoleDeps } from '../deps';
import { href, html, type Markup } from '../html';
import { connectionPicker } from '../layout';
import { detailsView } from '../values';

export const RECORD_OUTCOMES = ['failed', 'held'] as const;
export type RecordOutcomeFilter = (typeof RECORD_OUTCOMES)[number];
const LIMIT = 500;

export interface RecordsQuery {
  connection: string;
  kind?: RecordKind;
  outcome?: RecordOutcomeFilter;
}

const isEntity = (k: string): k is EntityKind => (ENTITY_KINDS as readonly string[]).includes(k);

function whatToDo(r: CurrentOutcome, link: Link | undefined): string {
  if (r.outcome === 'held' && link?.status === 'held') {
    return "Edited or deleted in Assignar since the last write, so the sync leaves it alone. Release it: overwrite to write Sage Intacct's values on the next sync (recreating a deleted record), or accept to keep Assignar's values as the new baseline.";
  }
  if (r.outcome === 'held' && link) return `The link is ${link.status} now (${link.reason ?? 'released'}); the next sync shows the result.`;
  if (r.outcome === 'held' && (r.kind === 'timesheet' || r.kind === 'exportGroup')) return 'See the Timesheets page: the reason says what to correct in Assignar or Sage Intacct.';
  if (r.outcome === 'held') return 'Held for an operator: the reason says what to decide (a true-up may propose it).';
  return 'Fix what the reason names (usually in Sage Intacct or the mapping); every sync retries failing records.';
}

function releaseForm(connection: string, r: CurrentOutcome, link: Link): Markup {
  const key = link.sageId || link.sageKey;
  return html`<form method="post" action="/records/release" class="inline" aria-label="${`Release held ${r.kind} ${key}`}">
<input type="hidden" name="connection" value="${connection}"><input type="hidden" name="kind" value="${r.kind}"><input type="hidden" name="key" value="${key}">
<button type="submit" name="mode" value="overwrite" class="primary" data-testid="${`release-overwrite-${r.kind}-${key}`}">Release: overwrite with Sage Intacct</button>
<button type="submit" name="mode" value="accept" data-testid="${`release-accept-${r.kind}-${key}`}">Release: accept Assignar's values</button>
</form>`;
}

export async function recordsPage(deps: ConsoleDeps, q: RecordsQuery): Promise<Markup> {
  const rows = await deps.ledger.currentOutcomes(q.connection, { outcome: q.outcome ? [q.outcome] : [...RECORD_OUTCOMES], kind: q.kind, limit: LIMIT + 1 });
  const shown = rows.slice(0, LIMIT);
  const links = new Map<string, Link>();
  const byKind = new Map<EntityKind, string[]>();
  for (const r of shown) if (r.outcome === 'held' && isEntity(r.kind)) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.recordKey]);
  for (const [kind, keys] of byKind) for (const l of await deps.ledger.getLinksBySageKeys(q.connection, kind, keys)) links.set(`${kind}:${l.sageKey}`, l);

  const filters = html`<form method="get" action="/records" class="filters" aria-label="Filter records">
<input type="hidden" name="connection" value="${q.connection}">
<label>Entity<select name="kind"><option value="">every kind</option>${RECORD_KINDS.map((k) => html`<option${k === q.kind ? html` selected` : ''}>${k}</option>`)}</select></label>
<label>Outcome<select name="outcome"><option value="">failed and held</option>${RECORD_OUTCOMES.map((o) => html`<option${o === q.outcome ? html` selected` : ''}>${o}</option>`)}</select></label>
<button type="submit">Filter</button></form>`;

  const body = shown.length === 0
    ? html`<p data-testid="records-empty">Nothing ${q.outcome ?? 'failing or held'} now${q.kind ? html` among ${q.kind} records` : ''}.</p>`
    : html`<p>${rows.length > LIMIT ? `The first ${LIMIT}` : shown.length} record(s), the latest outcome of each across runs (dry runs left out).</p>
<div class="scroll"><table data-testid="records">
<thead><tr><th scope="col">Record</th><th scope="col">Outcome</th><th scope="col">Reason and what to do</th><th scope="col">Sage Intacct and Assignar</th></tr></thead>
<tbody>${shown.map((r) => {
        const link = links.get(`${r.kind}:${r.recordKey}`);
        return html`<tr data-testid="${`record-${r.kind}-${r.recordKey}`}">
<td><strong>${r.kind}</strong> ${r.sageId ?? r.recordKey}<br><span class="muted">key ${r.recordKey}${r.assignarId ? html` · Assignar ${r.assignarId}` : ''}<br>since run ${r.runId}, ${r.at}</span></td>
<td><span class="badge ${r.outcome === 'failed' ? 'bad' : 'warn'}">${r.outcome}</span></td>
<td><p data-testid="reason">${r.reason ?? ''}</p><p class="muted">${whatToDo(r, link)}</p>${link?.status === 'held' ? releaseForm(q.connection, r, link) : ''}</td>
<td>${detailsView(r.details, `Values of ${r.kind} ${r.sageId ?? r.recordKey}`)}</td></tr>`;
      })}</tbody></table></div>`;
  return html`${connectionPicker('/records', deps.config.connections.map((c) => c.id), q.connection)}${filters}${body}
<p class="muted">The same list from the CLI: <code>intacct-assignar report --connection ${q.connection}</code> · <a href="${href('/', {})}">connections</a></p>`;
}
