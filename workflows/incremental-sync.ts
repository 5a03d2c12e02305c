import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createSyncActivities } from '../activities/sync';
import type { createTrueupFeedActivities } from '../activities/trueup-feed';
import type { EntityKind } from '../src/config/schema';
import { RunPlanSchema, SYNC_PHASES, SYNC_STREAMS, SyncCarrySchema, SyncInputSchema, type Progress, type RunSummary, type SyncCarry } from '../src/contracts/sync';
import type { WriterHolder } from '../src/contracts/writer';
import { accountedRun } from './accounted-run';
import { apiActivityOptions, LEDGER_ACTIVITY } from './activity-options';
import { withConnectionWriter } from './connection-writer';
import { progressQuery } from './messages';
import { parseInput, readCarry } from './parse-input';
import { addPage } from './run-progress';
import { runPhaseReporter } from './run-phase';

type SyncActivities = ReturnType<typeof createSyncActivities> & ReturnType<typeof createTrueupFeedActivities>;
/** A connection's API activities, on its own task queue (see apiActivityOptions). */
const pages = (connection: string) => proxyActivities<SyncActivities>(apiActivityOptions(connection));
const ledger = proxyActivities<SyncActivities>(LEDGER_ACTIVITY);

/** Phases that work one kind at a time (the others work per Sage object, or once). */
const PER_KIND = new Set<SyncCarry['phase']>(['scope', 'drift', 'deactivate']);

/**
 * One sync (scheduled, or "sync now"), as the connection's only writer (a dry run takes no lease):
 * (1) filters that changed since the last sync apply retroactively, (2) records changed in Sage Intacct
 * since the watermark (minus a lookback) are applied, one query per Sage object, (3) records that failed
 * before are revisited, (4) deletions are found, (5) drift — Intacct-owned records edited, deleted or
 * duplicated in Assignar — is recorded and, per policy, overwritten, (6) the deactivations found are
 * applied, unless the mass-change guard holds them for the operator (`confirmDeactivations` releases
 * them). Watermarks move only after a complete, real run, and only those of what it covered.
 */
export async function incrementalSync(rawInput: unknown, rawCarry?: unknown): Promise<RunSummary> {
  const input = parseInput(SyncInputSchema, rawInput, 'incrementalSync');
  const info = workflowInfo();
  const carry: SyncCarry = readCarry(SyncCarrySchema, rawCarry, 'incrementalSync') ?? {
    runId: info.runId,
    startedAt: new Date(info.startTime).toISOString(),
    kinds: null,
    writer: false,
    phase: 'scope',
    index: 0,
    cursor: null,
    counts: {},
    notices: [],
    continuedRuns: 0,
  };
  let waitingFor: WriterHolder | undefined;
  const base = { connection: input.connection, runId: carry.runId, dryRun: input.dryRun, confirmDeactivations: input.confirmDeactivations };
  const reportPhase = runPhaseReporter(input.connection, carry.runId);
  const progress = (): Progress => ({
    workflow: 'incrementalSync',
    connection: input.connection,
    runId: carry.runId,
    dryRun: input.dryRun,
    phase: waitingFor ? 'waiting' : carry.phase,
    entity: PER_KIND.has(carry.phase) ? carry.kinds?.[carry.index] : undefined,
    startedAt: carry.startedAt,
    counts: carry.counts,
    notices: carry.notices,
    waitingFor,
    done: carry.phase === 'done',
  });
  setHandler(progressQuery, progress);

  const isDone = () => carry.phase === 'done';
  const nextPhase = () => {
    carry.phase = SYNC_PHASES[SYNC_PHASES.indexOf(carry.phase) + 1];
    carry.index = 0;
    carry.cursor = null;
  };

  const work = async (kinds: EntityKind[]) => {
    const streams = SYNC_STREAMS.filter((s) => s.kinds.some((k) => kinds.includes(k))).map((s) => ({ object: s.object, kinds: s.kinds.filter((k) => kinds.includes(k)) }));
    let pagesThisRun = 0;
    while (!isDone()) {
      reportPhase(carry.phase);
      if (PER_KIND.has(carry.phase)) {
        if (carry.index >= kinds.length) { nextPhase(); continue; }
        const kind = kinds[carry.index];
        if (carry.phase === 'scope') addPage(carry, await pages(input.connection).applyScope({ ...base, kind }));
        else if (carry.phase === 'drift') addPage(carry, await pages(input.connection).detectDrift({ ...base, kind }));
        else addPage(carry, await pages(input.connection).applyDeactivations({ ...base, kind }));
        carry.index += 1;
      } else if (carry.phase === 'changes' || carry.phase === 'revisit') {
        if (carry.index >= streams.length) { nextPhase(); continue; }
        const args = { ...base, ...streams[carry.index], cursor: carry.cursor };
        const page = carry.phase === 'changes' ? await pages(input.connection).syncChangesPage(args) : await pages(input.connection).revisitFailuresPage(args);
        addPage(carry, page);
        carry.cursor = page.nextCursor;
        if (carry.cursor === null) carry.index += 1;
      } else if (carry.phase === 'deletions') {
        addPage(carry, await pages(input.connection).syncDeletions({ ...base, kinds }));
        nextPhase();
      }
      pagesThisRun += 1;
      if (!isDone() && (pagesThisRun >= input.pagesPerRun || workflowInfo().continueAsNewSuggested)) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof incrementalSync>(input, { ...carry, continuedRuns: carry.continuedRuns + 1 });
      }
    }
    if (!input.dryRun) await ledger.commitWatermarks({ connection: input.connection, runId: carry.runId, startedAt: carry.startedAt, kinds });
    // Records held for the true-up feed it (versioned: histories recorded before this replay unchanged).
    const held = Object.values(carry.counts).reduce((n, c) => n + (c?.held ?? 0), 0);
    if (!input.dryRun && held > 0 && patched('feed-trueup')) await ledger.feedTrueup({ connection: input.connection, held, runId: carry.runId });
    reportPhase('done');
  };

  return accountedRun({ start: { connection: input.connection, runId: carry.runId, dryRun: input.dryRun, workflow: 'incrementalSync', startedAt: carry.startedAt }, first: rawCarry === undefined, progress }, async () => {
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
