import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { createTrueupActivities } from '../activities/trueup';
import { ApproveSchema, RejectSchema, TrueupInputSchema, TrueupPhaseSchema, TrueupStatusSchema, type ApproveInput, type ApproveResult, type RejectInput, type TrueupPhase, type TrueupStatus } from '../src/contracts/trueup';
import type { Progress } from '../src/contracts/sync';
import { TRUEUP_PHASE } from '../src/contracts/search-attributes';
import { accountedRun } from './accounted-run';
import { apiActivityOptions, LEDGER_ACTIVITY } from './activity-options';
import { withConnectionWriter } from './connection-writer';
import { parseInput, readCarry } from './parse-input';
import { setConnectionAttribute } from './run-phase';
import { approveSignal, approveUpdate, cancelSignal, pauseSignal, rediffSignal, rejectSignal, resumeSignal, statusQuery } from './trueup-messages';

type TrueupActivities = ReturnType<typeof createTrueupActivities>;
/** A connection's API activities, on its own task queue (see apiActivityOptions). */
const pages = (connection: string) => proxyActivities<TrueupActivities>(apiActivityOptions(connection));
const ledger = proxyActivities<TrueupActivities>(LEDGER_ACTIVITY);

const ViewSchema = TrueupStatusSchema.pick({ counts: true, withdrawn: true, page: true });
type View = z.infer<typeof ViewSchema>;

const CarrySchema = z
  .object({
    trueupId: z.string(),
    runId: z.string(),
    startedAt: z.string(),
    phase: TrueupPhaseSchema,
    paused: z.boolean(),
    generation: z.number().int().nonnegative(),
    /** Workflow-clock epoch ms. */
    lastDiffAt: z.number().nullable(),
    lastReminderAt: z.number().nullable(),
    waitingSince: z.number().nullable(),
    applyAt: z.number().nullable(),
    view: ViewSchema,
    notices: z.array(z.string()).max(50),
    continuedRuns: z.number().int().nonnegative(),
  })
  .strict();
type Carry = z.infer<typeof CarrySchema>;

/** Items that still need a person or an apply: a true-up with none left is done. */
function open(view: View): number {
  let n = 0;
  for (const [action, byState] of Object.entries(view.counts)) {
    if (action === 'leave') continue;
    n += (byState.proposed ?? 0) + (byState.withdrawn ?? 0) + (byState.approved ?? 0) + (byState.applied ?? 0) + (byState.failed ?? 0);
  }
  return n;
}

/**
 * A true-up of one connection (ID `trueUp/<connection>`): it diffs both systems into a plan of items in
 * the ledger and waits for the operator. Approvals (signal or update) are applied in waves after
 * `applyDelaySeconds`, as the connection's only writer (the lease is held only while applying), then
 * verified against both systems; rejected items are never touched. While it waits it re-diffs every
 * `rediffSeconds` (an approved item that changed is withdrawn and the operator told), records a reminder
 * every `reminderSeconds`, and continues-as-new. Pause stops applying; cancel ends it with nothing applied
 * that was not already.
 */
export async function trueUp(rawInput: unknown, rawCarry?: unknown): Promise<TrueupStatus> {
  const input = parseInput(TrueupInputSchema, rawInput, 'trueUp');
  const info = workflowInfo();
  const carry: Carry = readCarry(CarrySchema, rawCarry, 'trueUp') ?? {
    trueupId: info.runId,
    runId: info.runId,
    startedAt: new Date(info.startTime).toISOString(),
    phase: 'planning',
    paused: false,
    generation: 0,
    lastDiffAt: null,
    lastReminderAt: null,
    waitingSince: null,
    applyAt: null,
    view: { counts: {}, withdrawn: 0, page: [] },
    notices: [],
    continuedRuns: 0,
  };
  const base = { connection: input.connection, trueupId: carry.trueupId, runId: carry.runId };
  const decisions: Array<{ kind: 'approve'; input: ApproveInput } | { kind: 'reject'; input: RejectInput }> = [];
  let cancelled = false;
  // Decisions, re-diffs and waves run one at a time: an approval never races a re-diff of the same item.
  let busy: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = busy.then(fn, fn);
    busy = run.catch(() => undefined);
    return run;
  };

  const status = (): TrueupStatus => ({
    workflow: 'trueUp',
    connection: input.connection,
    trueupId: carry.trueupId,
    phase: carry.phase,
    paused: carry.paused,
    startedAt: carry.startedAt,
    generation: carry.generation,
    lastDiffAt: carry.lastDiffAt === null ? null : new Date(carry.lastDiffAt).toISOString(),
    counts: carry.view.counts,
    withdrawn: carry.view.withdrawn,
    page: carry.view.page,
    notices: carry.notices,
  });
  const note = (text: string) => {
    if (carry.notices.length >= 50) carry.notices.shift();
    carry.notices.push(text);
  };
  const setPhase = (phase: TrueupPhase) => {
    carry.phase = phase;
    upsertSearchAttributes([{ key: TRUEUP_PHASE, value: phase }]);
  };

  const approve = (raw: ApproveInput): Promise<ApproveResult> =>
    exclusive(async () => {
      const { result, view } = await ledger.recordApproval({ ...base, input: raw });
      carry.view = view;
      if (result.approved > 0) carry.applyAt = Date.now() + input.applyDelaySeconds * 1000;
      for (const e of result.errors.slice(0, 5)) note(`not approved: ${e.itemId}: ${e.reason}`);
      return result;
    });
  setHandler(approveSignal, (raw) => {
    const parsed = ApproveSchema.safeParse(raw);
    if (parsed.success) decisions.push({ kind: 'approve', input: parsed.data });
    else note(`an approve signal was ignored: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  });
  setHandler(rejectSignal, (raw) => {
    const parsed = RejectSchema.safeParse(raw);
    if (parsed.success) decisions.push({ kind: 'reject', input: parsed.data });
    else note(`a reject signal was ignored: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  });
  setHandler(pauseSignal, () => void (carry.paused = true));
  setHandler(resumeSignal, () => {
    carry.paused = false;
    // Approved items left by a pause are applied now.
    if (Object.values(carry.view.counts).some((byState) => (byState.approved ?? 0) > 0)) carry.applyAt ??= Date.now();
  });
  setHandler(cancelSignal, () => void (cancelled = true));
  let rediffRequested = false;
  setHandler(rediffSignal, (raw) => {
    rediffRequested = true;
    if (raw?.reason) note(`re-diff requested: ${raw.reason.slice(0, 300)}`);
  });
  setHandler(approveUpdate, (raw) => approve(ApproveSchema.parse(raw)), {
    validator: (raw) => {
      const parsed = ApproveSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`invalid approval: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
      if (carry.phase === 'done' || carry.phase === 'cancelled') throw new Error(`the true-up is ${carry.phase}; start a new one`);
    },
  });
  setHandler(statusQuery, status);

  const plan = () =>
    exclusive(async () => {
      const next = carry.generation + 1;
      const r = await pages(input.connection).planTrueup({ ...base, generation: next, ...(input.entities ? { entities: input.entities } : {}) });
      carry.generation = next;
      carry.lastDiffAt = Date.now();
      carry.view = { counts: r.counts, withdrawn: r.withdrawn, page: r.page };
      if (r.withdrawn > 0) note(`re-diff ${next}: ${r.withdrawn} approved item(s) changed and were withdrawn; approve them again`);
    });

  const applyAndVerify = async () => {
    carry.applyAt = null;
    setPhase('applying');
    const writer = { connection: input.connection, runId: carry.runId, waitSeconds: input.waitForWriterSeconds, held: false, onWait: () => undefined, onAcquired: () => undefined };
    await withConnectionWriter(writer, async () => {
      for (;;) {
        const wave = await exclusive(() => pages(input.connection).applyTrueupWave({ ...base, size: input.waveSize }));
        if (!wave.more || cancelled) break;
        if (carry.paused) {
          carry.applyAt = Date.now(); // the rest applies on resume
          break;
        }
      }
    });
    setPhase('verifying');
    for (;;) {
      const batch = await pages(input.connection).verifyTrueupBatch({ ...base, size: 500 });
      if (!batch.more) break;
    }
    carry.view = await ledger.trueupView(base);
  };

  const progress = (): Progress => ({
    workflow: 'trueUp',
    connection: input.connection,
    runId: carry.runId,
    dryRun: false,
    phase: carry.phase,
    startedAt: carry.startedAt,
    counts: {},
    notices: carry.notices,
    done: carry.phase === 'done' || carry.phase === 'cancelled',
  });

  setConnectionAttribute(input.connection);
  await accountedRun({ start: { connection: input.connection, runId: carry.runId, dryRun: false, workflow: 'trueUp', startedAt: carry.startedAt }, first: rawCarry === undefined, progress }, async () => {
    if (carry.phase === 'planning') {
      upsertSearchAttributes([{ key: TRUEUP_PHASE, value: 'planning' }]);
      await plan();
      setPhase('awaiting-approval');
    }
    let events = 0;
    while (!cancelled) {
      if (open(carry.view) === 0 && decisions.length === 0) {
        setPhase('done');
        return;
      }
      const now = Date.now();
      carry.waitingSince ??= now;
      const dueAt = [carry.lastDiffAt === null ? now : carry.lastDiffAt + input.rediffSeconds * 1000, (carry.lastReminderAt ?? carry.waitingSince) + input.reminderSeconds * 1000, carry.paused ? Infinity : (carry.applyAt ?? Infinity)];
      const wait = Math.min(...dueAt) - now;
      if (wait > 0) await condition(() => decisions.length > 0 || cancelled || rediffRequested || (!carry.paused && carry.applyAt !== null && Date.now() >= carry.applyAt), wait);
      if (cancelled) break;
      while (decisions.length > 0) {
        const d = decisions.shift()!;
        if (d.kind === 'approve') await approve(d.input);
        else {
          await exclusive(async () => {
            const { result, view } = await ledger.recordRejection({ ...base, input: d.input });
            carry.view = view;
            for (const e of result.errors.slice(0, 5)) note(`not rejected: ${e.itemId}: ${e.reason}`);
          });
        }
      }
      const at = Date.now();
      if (!carry.paused && carry.applyAt !== null && at >= carry.applyAt) {
        await applyAndVerify();
        setPhase('awaiting-approval');
        carry.waitingSince = Date.now();
      }
      if (rediffRequested || (carry.lastDiffAt !== null && at >= carry.lastDiffAt + input.rediffSeconds * 1000)) {
        rediffRequested = false;
        await plan();
      }
      if (at >= (carry.lastReminderAt ?? carry.waitingSince) + input.reminderSeconds * 1000 && open(carry.view) > 0) {
        carry.lastReminderAt = at;
        await ledger.recordTrueupReminder({ ...base, waiting: open(carry.view), since: new Date(carry.waitingSince).toISOString() });
      }
      events += 1;
      if (events >= input.eventsPerRun || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof trueUp>(input, { ...carry, continuedRuns: carry.continuedRuns + 1 });
      }
    }
    setPhase('cancelled');
  });
  return TrueupStatusSchema.parse(status());
}
