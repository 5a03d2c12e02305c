import type { EntityKind } from '../src/config/schema';
import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { ApproveSchema, RejectSchema, type ApproveInput, type ApproveResult, type RejectInput } from '../src/contracts/trueup';
import { mappingDefaults } from '../src/sync/run-defaults';
import type { SyncContext } from '../src/sync/sync-context';
import { applyTrueupWave, type WaveResult } from '../src/trueup/apply-items';
import { planTrueup, trueupKinds, trueupView, type TrueupPlanSummary, type TrueupView } from '../src/trueup/plan-trueup';
import { verifyTrueupBatch, type VerifyResult } from '../src/trueup/verify-items';
import { Notifier } from '../src/notifications/notifier';
import type { ActivityDeps } from './deps';

interface TrueupArgs {
  connection: string;
  trueupId: string;
  /** The ledger run the true-up's outcomes belong to. */
  runId: string;
}

/** The true-up's activities: diff and plan, record decisions, apply and verify waves. The plan lives in the ledger. */
export function createTrueupActivities(deps: ActivityDeps) {
  async function context(args: TrueupArgs): Promise<SyncContext> {
    const connection = deps.clients.connection(args.connection);
    const assignar = deps.clients.assignar(args.connection);
    return {
      connection,
      sage: deps.clients.sage(args.connection),
      assignar,
      ledger: deps.ledger,
      runId: args.runId,
      dryRun: false,
      defaults: await mappingDefaults(connection, assignar, trueupKinds({ connection })),
      progress: (detail?: unknown) => heartbeat(detail),
      signal: cancellationSignal(),
      attempt: activityInfo().attempt,
    };
  }
  const view = async (args: TrueupArgs): Promise<TrueupView> => trueupView({ ledger: deps.ledger, connection: deps.clients.connection(args.connection) }, args.trueupId);

  return {
    async planTrueup(args: TrueupArgs & { generation: number; entities?: EntityKind[] }): Promise<TrueupPlanSummary & TrueupView> {
      const summary = await planTrueup(await context(args), args.trueupId, args.generation, args.entities);
      const planned = await view(args);
      // The workflow now waits for the operator: tell them (once per true-up) when something waits.
      const byAction = Object.fromEntries(Object.entries(planned.counts).filter(([action]) => action !== 'leave').map(([action, byState]) => [action, byState.proposed ?? 0]));
      const waiting = Object.values(byAction).reduce((n, c) => n + c, 0);
      if (waiting > 0) log.info(`true-up of ${args.connection} waits for approval: ${waiting} item(s)`, { connection: args.connection, trueup: args.trueupId });
      await new Notifier(deps.config.notifications, deps.ledger, log).trueupAwaiting({ connection: args.connection, trueupId: args.trueupId, waiting, byAction });
      return { ...summary, ...planned };
    },
    async trueupView(args: TrueupArgs): Promise<TrueupView> {
      return view(args);
    },
    async recordApproval(args: TrueupArgs & { input: ApproveInput }): Promise<{ result: ApproveResult; view: TrueupView }> {
      const { by, ...selector } = ApproveSchema.parse(args.input);
      const result = await deps.ledger.approveTrueupItems(args.connection, args.trueupId, selector, by);
      return { result, view: await view(args) };
    },
    async recordRejection(args: TrueupArgs & { input: RejectInput }): Promise<{ result: { rejected: number; errors: Array<{ itemId: string; reason: string }> }; view: TrueupView }> {
      const input = RejectSchema.parse(args.input);
      const result = await deps.ledger.rejectTrueupItems(args.connection, args.trueupId, input.items, input.by, input.reason);
      return { result, view: await view(args) };
    },
    async applyTrueupWave(args: TrueupArgs & { size: number }): Promise<WaveResult> {
      return applyTrueupWave(await context(args), args.trueupId, args.size);
    },
    async verifyTrueupBatch(args: TrueupArgs & { size: number }): Promise<VerifyResult> {
      return verifyTrueupBatch(await context(args), args.trueupId, args.size);
    },
    /** A reminder in the ledger while items wait: `report` and the notifications see it. */
    async recordTrueupReminder(args: TrueupArgs & { waiting: number; since: string }): Promise<void> {
      await deps.ledger.recordOutcomes([
        {
          runId: args.runId,
          connection: args.connection,
          kind: 'trueup',
          recordKey: `reminder-${new Date().toISOString()}`,
          outcome: 'held',
          reason: `${args.waiting} true-up item(s) of ${args.connection} wait for a decision since ${args.since}: intacct-assignar trueup status --connection ${args.connection}`,
        },
      ]);
    },
  };
}
