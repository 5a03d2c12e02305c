import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { createExportActivities } from '../activities/export';
import { EXPORT_PHASES, EXPORT_STREAMS, ExportCarrySchema, ExportInputSchema, ExportPageResultSchema, type ExportCarry, type ExportPageResult } from '../src/contracts/export';
import type { Progress, RunSummary } from '../src/contracts/sync';
import type { WriterHolder } from '../src/contracts/writer';
import { accountedRun } from './accounted-run';
import { apiActivityOptions, LEDGER_ACTIVITY } from './activity-options';
import { withConnectionWriter } from './connection-writer';
import { progressQuery } from './messages';
import { parseInput, readCarry } from './parse-input';
import { addPage } from './run-progress';
import { runPhaseReporter } from './run-phase';

type ExportActivities = ReturnType<typeof createExportActivities>;
/** A connection's API activities, on its own task queue (see apiActivityOptions). */
const pages = (connection: string) => proxyActivities<ExportActivities>(apiActivityOptions(connection));
const ledger = proxyActivities<ExportActivities>(LEDGER_ACTIVITY);

/**
 * The timesheet export (scheduled daily, or "export now"), as the connection's only writer (a dry run takes
 * no lease and stops after planning): (1) collect approved, unprocessed timesheets — and processed ones
 * corrected since — into the run's staging, page by page; (2) plan them a batch of workers at a time into
 * export groups, one Sage Intacct timesheet per employee-week, holding what cannot go with its reason;
 * (3) send the groups, many per request, exactly once (deterministic controlids with uniqueid); (4) mark
 * the timesheets of confirmed groups processed in Assignar. The ledger holds every group's state, so a
 * crash anywhere resumes where it stopped and never sends twice.
 */
export async function timesheetExport(rawInput: unknown, rawCarry?: unknown): Promise<RunSummary> {
  const input = parseInput(ExportInputSchema, rawInput, 'timesheetExport');
  const info = workflowInfo();
  const carry: ExportCarry = readCarry(ExportCarrySchema, rawCarry, 'timesheetExport') ?? {
    runId: info.runId,
    startedAt: new Date(info.startTime).toISOString(),
    writer: false,
    phase: 'collect',
    index: 0,
    cursor: null,
    counts: {},
    totals: {},
    notices: [],
    continuedRuns: 0,
  };
  let waitingFor: WriterHolder | undefined;
  const base = { connection: input.connection, runId: carry.runId, dryRun: input.dryRun };
  const reportPhase = runPhaseReporter(input.connection, carry.runId);
  const progress = (): Progress => ({
    workflow: 'timesheetExport',
    connection: input.connection,
    runId: carry.runId,
    dryRun: input.dryRun,
    phase: waitingFor ? 'waiting' : carry.phase,
    startedAt: carry.startedAt,
    counts: carry.counts,
    totals: carry.totals,
    notices: carry.notices,
    waitingFor,
    done: carry.phase === 'done',
  });
  setHandler(progressQuery, progress);

  const isDone = () => carry.phase === 'done';
  const nextPhase = () => {
    carry.phase = input.dryRun && carry.phase === 'build' ? 'done' : EXPORT_PHASES[EXPORT_PHASES.indexOf(carry.phase) + 1];
    carry.index = 0;
    carry.cursor = null;
  };
  const tally = (raw: ExportPageResult) => {
    const page = ExportPageResultSchema.parse(raw);
    addPage(carry, page);
    for (const [k, v] of Object.entries(page.totals ?? {})) carry.totals[k] = Math.round(((carry.totals[k] ?? 0) + v) * 10_000) / 10_000;
    return page;
  };
  const take = (raw: ExportPageResult) => {
    const page = tally(raw);
    carry.cursor = page.nextCursor;
    return page.nextCursor;
  };

  let calls = 0;
  const budgetSpent = () => calls >= input.pagesPerRun || workflowInfo().continueAsNewSuggested;

  /**
   * Marking processed is the export's bottleneck (one Assignar call per timesheet, at the rate limit), so it
   * runs from the first confirmed group on: while groups are planned and sent, loops pass over the confirmed
   * groups again and again (new ones appear anywhere in key order), resting briefly after a pass that found
   * nothing; the process phase then makes one last complete pass. Two loops share the key space (group keys
   * are hex), so one prepares its batch while the other's calls use the rate limit (four measured no better:
   * the connection's concurrency limit, not the gaps, bounds the calls then).
   */
  const PARTITIONS: ReadonlyArray<{ after: string | null; before: string | null }> = [
    { after: null, before: '8' },
    { after: '8', before: null },
  ];
  let sending = false;
  let stopProcessing = false;
  const processPartition = async (part: (typeof PARTITIONS)[number], mode: 'alongside' | 'final') => {
    let cursor = part.after;
    for (;;) {
      if (stopProcessing || (mode === 'alongside' && !sending)) return;
      const page = tally(await pages(input.connection).processExportBatch({ ...base, cursor, beforeKey: part.before }));
      calls += 1;
      cursor = page.nextCursor ?? part.after;
      if (page.nextCursor !== null) continue;
      if (mode === 'final') return;
      if (!page.totals?.timesheetsProcessed) await sleep('2 seconds');
    }
  };
  const processAlongside = async () => {
    await Promise.all(PARTITIONS.map((part) => processPartition(part, 'alongside')));
  };

  const work = async () => {
    if (carry.phase === 'collect' && carry.index === 0 && carry.cursor === null) await ledger.prepareExport(base);
    let alongside: Promise<void> | undefined;
    let alongsideFailed: { error: unknown } | undefined;
    const startAlongside = () => {
      if (alongside || input.dryRun) return;
      sending = true;
      alongside = processAlongside().catch((error: unknown) => void (alongsideFailed = { error }));
    };
    const stopAlongside = async () => {
      sending = false;
      await alongside;
      if (alongsideFailed) throw alongsideFailed.error;
    };
    // A batch's groups are sent while the next batch is planned (Sage Intacct's latency and Assignar's rate
    // limit overlap); one send at a time, each awaited before the next starts and before the phase ends.
    const overlapSends = patched('overlap-build-send');
    let sendInFlight: Promise<void> | undefined;
    let sendFailed: { error: unknown } | undefined;
    const awaitSend = async () => {
      await sendInFlight;
      sendInFlight = undefined;
      if (sendFailed) throw sendFailed.error;
    };
    while (!isDone()) {
      reportPhase(carry.phase);
      const args = { ...base, cursor: carry.cursor };
      if (carry.phase === 'collect') {
        const stream = EXPORT_STREAMS[carry.index];
        if (stream === undefined) {
          nextPhase();
          continue;
        }
        if (take(await pages(input.connection).collectTimesheetsPage({ ...args, stream })) === null) carry.index += 1;
      } else if (carry.phase === 'build') {
        startAlongside();
        const planned = await pages(input.connection).planExportBatch(args);
        const next = take(planned);
        // Send what this batch planned right away (its own activity, retried on its own).
        if (!input.dryRun && planned.groupKeys && planned.groupKeys.length > 0) {
          if (overlapSends) {
            await awaitSend();
            sendInFlight = pages(input.connection)
              .sendExportGroups({ ...base, groupKeys: planned.groupKeys })
              .then((r) => void tally(r))
              .catch((error: unknown) => void (sendFailed = { error }));
          } else {
            tally(await pages(input.connection).sendExportGroups({ ...base, groupKeys: planned.groupKeys }));
          }
          calls += 1;
        }
        if (next === null) {
          await awaitSend();
          nextPhase();
        }
      } else if (carry.phase === 'send') {
        startAlongside();
        if (take(await pages(input.connection).sendExportBatch(args)) === null) {
          await stopAlongside();
          nextPhase();
        }
      } else {
        await Promise.all(PARTITIONS.map((part) => processPartition(part, 'final')));
        nextPhase();
      }
      calls += 1;
      if (alongsideFailed) await stopAlongside();
      if (!isDone() && budgetSpent()) {
        await awaitSend();
        stopProcessing = true;
        await stopAlongside();
        await condition(allHandlersFinished);
        await continueAsNew<typeof timesheetExport>(input, { ...carry, continuedRuns: carry.continuedRuns + 1 });
      }
    }
    await stopAlongside();
    await ledger.finishExport(base);
    reportPhase('done');
  };

  return accountedRun({ start: { connection: input.connection, runId: carry.runId, dryRun: input.dryRun, workflow: 'timesheetExport', startedAt: carry.startedAt }, first: rawCarry === undefined, progress }, async () => {
    if (input.dryRun) return work();
    const writer = {
      connection: input.connection,
      runId: carry.runId,
      waitSeconds: input.waitForWriterSeconds,
      held: carry.writer,
      onWait: (holder: WriterHolder | undefined) => (waitingFor = holder),
      onAcquired: () => (carry.writer = true),
    };
    return withConnectionWriter(writer, work);
  });
}
