import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createSyncActivities } from '../activities/sync';
import type { EntityKind } from '../src/config/schema';
import type { WriterHolder } from '../src/contracts/writer';
import { ImportCarrySchema, ImportInputSchema, RunPlanSchema, type ImportCarry, type Progress, type RunSummary } from '../src/contracts/sync';
import { accountedRun } from './accounted-run';
import { apiActivityOptions, LEDGER_ACTIVITY } from './activity-options';
import { withConnectionWriter } from './connection-writer';
import { progressQuery } from './messages';
import { parseInput, readCarry } from './parse-input';
import { addPage } from './run-progress';
import { runPhaseReporter } from './run-phase';

type SyncActivities = ReturnType<typeof createSyncActivities>;
/** A connection's API activities, on its own task queue (see apiActivityOptions). */
const pages = (connection: string) => proxyActivities<SyncActivities>(apiActivityOptions(connection));
const ledger = proxyActivities<SyncActivities>(LEDGER_ACTIVITY);

/**
 * Imports every enabled entity in dependency order, a Sage Intacct page per activity, as the connection's
 * only writer (a dry run writes nothing and takes no lease). Idempotent by construction (links and content
 * hashes in the ledger), so a re-run on an unchanged source writes nothing; resumable from the carried
 * cursor after continue-as-new or any crash.
 */
export async function initialImport(rawInput: unknown, rawCarry?: unknown): Promise<RunSummary> {
  const input = parseInput(ImportInputSchema, rawInput, 'initialImport');
  const info = workflowInfo();
  const carry: ImportCarry = readCarry(ImportCarrySchema, rawCarry, 'initialImport') ?? {
    runId: info.runId,
    startedAt: new Date(info.startTime).toISOString(),
    kinds: null,
    writer: false,
    entityIndex: 0,
    prepared: false,
    cursor: null,
    counts: {},
    notices: [],
    continuedRuns: 0,
  };
  let waitingFor: WriterHolder | undefined;
  const done = () => carry.kinds !== null && carry.entityIndex >= carry.kinds.length;
  const progress = (): Progress => ({
    workflow: 'initialImport',
    connection: input.connection,
    runId: carry.runId,
    dryRun: input.dryRun,
    phase: waitingFor ? 'waiting' : done() ? 'done' : 'importing',
    entity: carry.kinds?.[carry.entityIndex],
    startedAt: carry.startedAt,
    counts: carry.counts,
    notices: carry.notices,
    waitingFor,
    done: done(),
  });
  setHandler(progressQuery, progress);
  const base = { connection: input.connection, runId: carry.runId, dryRun: input.dryRun };
  const reportPhase = runPhaseReporter(input.connection, carry.runId);

  const work = async (kinds: EntityKind[]) => {
    let pagesThisRun = 0;
    while (carry.entityIndex < kinds.length) {
      const kind = kinds[carry.entityIndex];
      reportPhase(`importing:${kind}`);
      if (!carry.prepared) {
        await pages(input.connection).prepareEntity({ ...base, kind });
        carry.prepared = true;
      }
      const page = await pages(input.connection).importPage({ ...base, kind, cursor: carry.cursor });
      addPage(carry, page);
      carry.cursor = page.nextCursor;
      if (carry.cursor === null) {
        carry.entityIndex += 1;
        carry.prepared = false;
      }
      pagesThisRun += 1;
      if (carry.entityIndex < kinds.length && (pagesThisRun >= input.pagesPerRun || workflowInfo().continueAsNewSuggested)) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof initialImport>(input, { ...carry, continuedRuns: carry.continuedRuns + 1 });
      }
    }
    // The next incremental sync reads changes from this import's start (minus the lookback).
    if (!input.dryRun) await ledger.commitWatermarks({ connection: input.connection, runId: carry.runId, startedAt: carry.startedAt, kinds });
    reportPhase('done');
  };

  return accountedRun({ start: { ...base, workflow: 'initialImport', startedAt: carry.startedAt }, first: rawCarry === undefined, progress }, async () => {
    const kinds = (carry.kinds ??= RunPlanSchema.parse(await ledger.planRun({ connection: input.connection, entities: input.entities })).kinds);
    if (input.dryRun) return work(kinds);
    const writer = {
      connection: input.connection,
      runId: carry.runId,
      waitSeconds: input.waitForWriterSeconds,
      held: carry.writer,
      onWait: (holder: WriterHolder | undefined) => (waitingFor = holder),
      onAcquired: () => (carry.writer = true),
    };
    return withConnectionWriter(writer, () => work(kinds));
  });
}
