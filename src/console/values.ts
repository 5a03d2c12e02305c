import { html, type Markup } from './html';

/** A JSON value as one line of text (strings as they are, the rest as JSON). */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Sage Intacct's and Assignar's values side by side, one row per field; rows that differ (or that `fields`
 * names) are marked, in text as well as colour.
 */
export function sideBySide(rows: ReadonlyArray<{ field: string; sage: unknown; assignar: unknown; same?: boolean }>, label: string): Markup {
  if (rows.length === 0) return html``;
  return html`<div class="side" role="table" aria-label="${label}">
<div class="h" role="columnheader">Field</div><div class="h" role="columnheader">Sage Intacct</div><div class="h" role="columnheader">Assignar</div>
${rows.map((r) => {
    const same = r.same ?? valueText(r.sage) === valueText(r.assignar);
    const cls = same ? '' : ' diff';
    return html`<div role="rowheader" class="${cls}">${r.field}${same ? '' : html` <span class="warn">(differs)</span>`}</div><div role="cell" class="${cls}">${valueText(r.sage)}</div><div role="cell" class="${cls}">${valueText(r.assignar)}</div>`;
  })}</div>`;
}

/** An outcome's details: Sage/Assignar values side by side when it carries both, else the JSON as text. */
export function detailsView(details: unknown, label: string): Markup {
  if (details === null || details === undefined) return html``;
  if (isObject(details) && (isObject(details.sage) || isObject(details.assignar))) {
    const sage = isObject(details.sage) ? details.sage : {};
    const assignar = isObject(details.assignar) ? details.assignar : {};
    const fields = [...new Set([...Object.keys(sage), ...Object.keys(assignar)])].sort();
    const rest = Object.fromEntries(Object.entries(details).filter(([k]) => k !== 'sage' && k !== 'assignar'));
    return html`${sideBySide(fields.map((f) => ({ field: f, sage: sage[f], assignar: assignar[f] })), label)}${Object.keys(rest).length ? html`<details><summary>More details</summary><pre>${JSON.stringify(rest, null, 1)}</pre></details>` : ''}`;
  }
  return html`<details><summary>Details</summary><pre>${JSON.stringify(details, null, 1)}</pre></details>`;
}
