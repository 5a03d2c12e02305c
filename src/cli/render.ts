import { OUTCOMES } from '../contracts/outcomes';
import type { Progress } from '../contracts/sync';
import { describeHolder } from '../contracts/writer';
import { exportProgressLine } from './render-export';

const COLUMNS = ['seen', ...OUTCOMES] as const;

/** A fixed-width table of counts per entity and outcome. */
export function countsTable(progress: Pick<Progress, 'counts'>): string {
  const rows = Object.entries(progress.counts).map(([kind, c]) => [kind, ...COLUMNS.map((col) => String(c?.[col] ?? 0))]);
  const header = ['entity', ...COLUMNS];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  if (rows.length === 0) return 'nothing to do: no record changed';
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The run's notices for the operator (e.g. deactivations held by the mass-change guard), one per line. */
export function noticesText(progress: Pick<Progress, 'notices'>): string {
  const notices = progress.notices ?? [];
  return notices.length ? ['', 'Notices:', ...notices.map((n) => `  ! ${n}`)].join('\n') : '';
}

/** One line for a live progress display. */
export function progressLine(p: Progress): string {
  const who = `${p.workflow} ${p.connection}${p.dryRun ? ' (dry run)' : ''}`;
  if (p.waitingFor) return `${who}: waiting for ${describeHolder(p.waitingFor)} to finish writing to the connection`;
  // Timesheets and the Sage Intacct timesheets made of them are not one tally.
  if (p.workflow === 'timesheetExport') return exportProgressLine(p);
  const totals = Object.values(p.counts).reduce(
    (acc, c) => {
      acc.seen += c?.seen ?? 0;
      acc.written += (c?.created ?? 0) + (c?.updated ?? 0) + (c?.deactivated ?? 0) + (c?.adopted ?? 0);
      acc.failed += c?.failed ?? 0;
      return acc;
    },
    { seen: 0, written: 0, failed: 0 },
  );
  return `${who}: ${p.phase}${p.entity ? ` ${p.entity}` : ''} — seen ${totals.seen}, written ${totals.written}, failed ${totals.failed}`;
}
