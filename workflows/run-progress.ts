import { addCounts, emptyCounts, type Counts, type CountsByKind, type RecordKind } from '../src/contracts/outcomes';
import { MAX_NOTICES, type PageResult } from '../src/contracts/sync';

/** Adds a page's counts and notices to a run's carried tally (counts approximate until the ledger's at the end). */
export function addPage(carry: { counts: CountsByKind; notices: string[] }, page: Pick<PageResult, 'counts' | 'notices'>): void {
  for (const [k, c] of Object.entries(page.counts) as [RecordKind, Counts][]) carry.counts[k] = addCounts(carry.counts[k] ?? emptyCounts(), c);
  for (const notice of page.notices ?? []) {
    if (carry.notices.length >= MAX_NOTICES) break;
    if (!carry.notices.includes(notice)) carry.notices.push(notice);
  }
}
