import { ApplicationFailure, proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { createPreflightActivities } from '../activities/preflight';
import { PreflightInputSchema, type PreflightReport } from '../src/contracts/preflight';
import { apiActivityOptions } from './activity-options';
import { parseInput } from './parse-input';

const PREFLIGHT_ACTIVITY: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
};

/** Checks a connection's prerequisites on both systems; failed checks say what to do. */
export async function preflight(rawInput: unknown): Promise<PreflightReport> {
  const input = parseInput(PreflightInputSchema, rawInput, 'preflight');
  const { sagePreflight, assignarPreflight } = proxyActivities<ReturnType<typeof createPreflightActivities>>(apiActivityOptions(input.connection, PREFLIGHT_ACTIVITY));
  const [sage, assignar] = await Promise.all([sagePreflight(input), assignarPreflight(input)]);
  if (!sage || !assignar) throw ApplicationFailure.nonRetryable('preflight activity returned nothing', 'PreflightError');
  return {
    connection: input.connection,
    ok: [...sage.checks, ...assignar.checks].every((c) => c.status !== 'fail'),
    checkedAt: new Date(workflowInfo().startTime).toISOString(),
    sage,
    assignar,
  };
}
