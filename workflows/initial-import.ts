import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createSyncActivities } from '../activities/sync';
import { addCounts, emptyCounts } from '../src/contracts/outcomes';
import { IMPORT_ORDER, ImportInputSchema, SYNC_STREAMS, type ImportCarry, type Progress, type RunSummary } from '../src/contracts/sync';
import { LEDGER_ACTIVITY, PAGE_ACTIVITY } from './activity-options';
import { progressQuery } from './messages';
import { parseInput } from './parse-input';

type SyncActivities = ReturnType<typeof createSyncActivities>;
const pages = proxyActivities<SyncActivities>(PAGE_ACTIVITY);
const ledger = proxyActivities<SyncActivities>(LEDGER_ACTIVITY);

/**
 * Imports every entity in dependency order, a Sage Intacct page per activity. Idempotent by construction
 * (links and content hashes in the ledger), so a re-run on an unchanged source writes nothing; resumable
 * from the carried cursor after continue-as-new or any crash.
 */
export async function initialImport(rawInput: unknown): Promise<RunSummary> {
  const input = parseInput(ImportInputSchema, rawInput, 'initialImport');
  const entities = IMPORT_ORDER.filter((k) => !input.entities || input.entities.includes(k));
  const info = workflowInfo();
  const carry: ImportCarry = input.carry ?? {
    runId: info.runId,
    startedAt: new Date(info.startTime).toISOString(),
    entityIndex: 0,
    prepared: false,
    cursor: null,
    counts: {},
    continuedRuns: 0,
  };
  const progress = (): Progress => ({
    workflow: 'initialImport',
    connection: input.connection,
    runId: carry.runId,
    dryRun: input.dryRun,
    phase: carry.entityIndex >= entities.length ? 'done' : 'importing',
    entity: entities[carry.entityIndex],
    startedAt: carry.startedAt,
    counts: carry.counts,
    done: carry.entityIndex >= entities.length,
  });
  setHandler(progressQuery, progress);

  if (!input.carry) {
    await ledger.startRun({ connection: input.connection, runId: carry.runId, workflow: 'initialImport', dryRun: input.dryRun, startedAt: carry.startedAt });
  }

  let pagesThisRun = 0;
  while (carry.entityIndex < entities.length) {
    const kind = entities[carry.entityIndex];
    if (!carry.prepared) {
      await pages.prepareEntity({ connection: input.connection, runId: carry.runId, dryRun: input.dryRun, kind });
      carry.prepared = true;
    }
    const page = await pages.importPage({ connection: input.connection, runId: carry.runId, kind, cursor: carry.cursor, dryRun: input.dryRun });
    for (const [k, c] of Object.entries(page.counts)) {
      const key = k as keyof typeof carry.counts;
      carry.counts[key] = addCounts(carry.counts[key] ?? emptyCounts(), c);
    }
    carry.cursor = page.nextCursor;
    if (carry.cursor === null) {
      carry.entityIndex += 1;
      carry.prepared = false;
    }
    pagesThisRun += 1;
    if (carry.entityIndex < entities.length && (pagesThisRun >= input.pagesPerRun || workflowInfo().continueAsNewSuggested)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof initialImport>({ ...input, carry: { ...carry, continuedRuns: carry.continuedRuns + 1 } });
    }
  }

  if (!input.dryRun) {
    // The next incremental sync reads changes from this import's start (minus the lookback).
    const objects = SYNC_STREAMS.filter((s) => s.kinds.some((k) => entities.includes(k))).map((s) => s.object);
    await ledger.commitWatermarks({ connection: input.connection, runId: carry.runId, startedAt: carry.startedAt, objects, kinds: entities });
  }
  const summary: RunSummary = { ...progress(), finishedAt: new Date(Date.now()).toISOString() };
  await ledger.finishRun({ runId: carry.runId, status: 'completed', summary });
  return summary;
}
