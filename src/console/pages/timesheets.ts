import type { ExportGroup, HeldTimesheet } from '../../ledger';
import type { ConsoleDeps } from '../deps';
import { html, type Markup } from '../html';
import { connectionPicker } from '../layout';

const LIMIT = 500;
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function addDays(isoDate: string, n: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Hours per day of the group's week (the week starts on `weekStart`, whatever weekday that is). */
function hoursByDay(g: ExportGroup): number[] {
  const days = Array.from({ length: 7 }, (_, i) => addDays(g.weekStart, i));
  return days.map((day) => g.lines.filter((l) => l.entryDate === day).reduce((n, l) => n + l.qty, 0));
}

const fmt = (h: number) => (h === 0 ? '' : String(Math.round(h * 100) / 100));

function groupsTable(groups: readonly ExportGroup[]): Markup {
  if (groups.length === 0) return html`<p>No timesheets exported yet.</p>`;
  const first = groups[0]!.weekStart;
  const weekday = new Date(`${first}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  const labels = Array.from({ length: 7 }, (_, i) => DAYS[(weekday + 6 + i) % 7]!);
  const sameStart = groups.every((g) => new Date(`${g.weekStart}T00:00:00Z`).getUTCDay() === weekday);
  return html`<div class="scroll"><table data-testid="export-groups">
<thead><tr><th scope="col">Employee</th><th scope="col">Week of</th><th scope="col">State</th><th scope="col">Sage RECORDNO</th>
${(sameStart ? labels : DAYS.map((_, i) => `day ${i + 1}`)).map((d) => html`<th scope="col" class="num">${d}</th>`)}<th scope="col" class="num">Total h</th><th scope="col">Timesheets</th><th scope="col">Note</th></tr></thead>
<tbody>${groups.map((g) => {
    const hours = hoursByDay(g);
    return html`<tr data-testid="${`group-${g.employeeId}-${g.weekStart}`}"><td>${g.employeeId}</td><td>${g.weekStart}</td>
<td><span class="badge ${g.state === 'failed' ? 'bad' : g.state === 'processed' || g.state === 'confirmed' ? 'ok' : ''}">${g.state}</span>${g.replacesGroupKey ? html`<br><span class="muted">correction</span>` : ''}</td>
<td>${g.sageRecordNo ?? '—'}</td>${hours.map((h) => html`<td class="num">${fmt(h)}</td>`)}<td class="num">${fmt(g.totalMinutes / 60) || '0'}</td>
<td>${g.timesheets.map((t) => t.assignarTimesheetId).join(', ')}</td><td>${g.reason ?? ''}</td></tr>`;
  })}</tbody></table></div>`;
}

function heldTable(held: readonly HeldTimesheet[], testId: string): Markup {
  if (held.length === 0) return html`<p data-testid="${`${testId}-empty`}">None.</p>`;
  return html`<div class="scroll"><table data-testid="${testId}"><thead><tr><th scope="col">Assignar timesheet</th><th scope="col">Version</th><th scope="col">Why, and what to do</th><th scope="col">Held since</th><th scope="col">Details</th></tr></thead>
<tbody>${held.map((t) => html`<tr><td>${t.assignarTimesheetId}</td><td>${t.version}</td><td>${t.reason}</td><td>${t.heldAt}</td>
<td>${t.details === null ? '' : html`<details><summary>Details</summary><pre>${JSON.stringify(t.details, null, 1)}</pre></details>`}</td></tr>`)}</tbody></table></div>`;
}

export async function timesheetsPage(deps: ConsoleDeps, connection: string): Promise<Markup> {
  const groups = await deps.ledger.listExportGroups(connection, { limit: LIMIT + 1 });
  const held = await deps.ledger.listHeldTimesheets(connection, { limit: LIMIT + 1 });
  const corrections = held.filter((t) => /correct/i.test(t.reason));
  const others = held.filter((t) => !/correct/i.test(t.reason));
  const shownGroups = [...groups.slice(0, LIMIT)].sort((a, b) => b.weekStart.localeCompare(a.weekStart) || a.employeeId.localeCompare(b.employeeId));
  return html`${connectionPicker('/timesheets', deps.config.connections.map((c) => c.id), connection)}
<h2>Corrections waiting for an operator</h2>
${heldTable(corrections.slice(0, LIMIT), 'corrections')}
<h2>Held timesheets</h2>
${heldTable(others.slice(0, LIMIT), 'held-timesheets')}
<h2>Sage Intacct timesheets (export groups)</h2>
<p class="muted">One row per employee-week sent (or to be sent) to Sage Intacct, hours per day as exported.${groups.length > LIMIT ? ` The first ${LIMIT} are shown.` : ''}</p>
${groupsTable(shownGroups)}`;
}
