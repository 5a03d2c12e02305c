import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createSyncActivities } from '../activities/sync';
import type { EntityKind } from '../src/config/schema';
import { addCounts, emptyCounts, type Counts } from '../src/contracts/outcomes';
import { IMPORT_ORDER, SYNC_STREAMS, SyncInputSchema, type Progress, type RunSummary, type SyncCarry } from '../src/contracts/sync';
import { LEDGER_ACTIVITY, PAGE_ACTIVITY } from './activity-options';
import { progressQuery } from './messages';
import { parseInput } from './parse-input';

type SyncActivities = ReturnType<typeof createSyncActivities>;
const pages = proxyActivities<SyncActivities>(PAGE_ACTIVITY);
const ledger = proxyActivities<SyncActivities>(LEDGER_ACTIVITY);

const PHASES = ['scope', 'changes', 'deletions', 'drift', 'done'] as const;

/**
 * One scheduled sync: (1) filters that changed since the last sync apply retroactively, (2) records
 * changed in Sage Intacct since the watermark (minus a lookback) are applied, one query per Sage object,
 * (3) deletions are deactivated, (4) drift — Intacct-owned records edited, deleted or duplicated in
 * Assignar — is recorded and, per policy, overwritten. Watermarks move only after a complete, real run.
 */
export async function incrementalSync(rawInput: unknown): Promise<RunSummary> {
  const input = parseInput(SyncInputSchema, rawInput, 'incrementalSync');
  const kinds: EntityKind[] = IMPORT_ORDER.filter((k) => !input.entities || input.entities.includes(k));
  const streams = SYNC_STREAMS.filter((s) => s.kinds.some((k) => kinds.includes(k)));
  const info = workflowInfo();
  const carry: SyncCarry = input.carry ?? {
    runId: info.runId,
    startedAt: new Date(info.startTime).toISOString(),
    phase: 'scope',
    index: 0,
    cursor: null,
    counts: {},
    continuedRuns: 0,
  };
  const base = { connection: input.connection, runId: carry.runId, dryRun: input.dryRun };
  const progress = (): Progress => ({
    workflow: 'incrementalSync',
    connection: input.connection,
    runId: carry.runId,
    dryRun: input.dryRun,
    phase: carry.phase,
    entity: carry.phase === 'scope' || carry.phase === 'drift' ? kinds[carry.index] : undefined,
    startedAt: carry.startedAt,
    counts: carry.counts,
    done: carry.phase === 'done',
  });
  setHandler(progressQuery, progress);

  const add = (counts: Partial<Record<EntityKind, Counts>>) => {
    for (const [k, c] of Object.entries(counts) as [EntityKind, Counts][]) carry.counts[k] = addCounts(carry.counts[k] ?? emptyCounts(), c);
  };
  const isDone = () => carry.phase === 'done';
  const nextPhase = () => {
    carry.phase = PHASES[PHASES.indexOf(carry.phase) + 1];
    carry.index = 0;
    carry.cursor = null;
  };

  if (!input.carry) await ledger.startRun({ ...base, workflow: 'incrementalSync', startedAt: carry.startedAt });

  let pagesThisRun = 0;
  while (!isDone()) {
    if (carry.phase === 'scope') {
      if (carry.index >= kinds.length) { nextPhase(); continue; }
      add((await pages.applyScope({ ...base, kind: kinds[carry.index] })).counts);
      carry.index += 1;
    } else if (carry.phase === 'changes') {
      if (carry.index >= streams.length) { nextPhase(); continue; }
      const stream = streams[carry.index];
      const page = await pages.syncChangesPage({ ...base, object: stream.object, kinds: stream.kinds.filter((k) => kinds.includes(k)), cursor: carry.cursor });
      add(page.counts);
      carry.cursor = page.nextCursor;
      if (carry.cursor === null) carry.index += 1;
    } else if (carry.phase === 'deletions') {
      add((await pages.syncDeletions({ ...base, kinds })).counts);
      nextPhase();
    } else if (carry.phase === 'drift') {
      if (carry.index >= kinds.length) { nextPhase(); continue; }
      add((await pages.detectDrift({ ...base, kind: kinds[carry.index] })).counts);
      carry.index += 1;
    }
    pagesThisRun += 1;
    if (!isDone() && (pagesThisRun >= input.pagesPerRun || workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof incrementalSync>({ ...input, carry: { ...carry, continuedRuns: carry.continuedRuns + 1 } });
    }
  }

  if (!input.dryRun) await ledger.commitWatermarks({ connection: input.connection, runId: carry.runId, startedAt: carry.startedAt, objects: streams.map((s) => s.object), kinds });
  const summary: RunSummary = { ...progress(), finishedAt: new Date(Date.now()).toISOString() };
  await ledger.finishRun({ runId: carry.runId, status: 'completed', summary });
  return summary;
}
