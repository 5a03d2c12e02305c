import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { log, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { CONNECTION, RUN_PHASE } from '../src/contracts/search-attributes';

/** The patch that versions the search attributes below: histories recorded before it replay unchanged. */
const PATCH = 'run-search-attributes';

/** `Connection`, unless the starter set it already (the service's client and schedules do; others may not). */
function connectionPair(connection: string): SearchAttributeUpdatePair[] {
  return workflowInfo().typedSearchAttributes.get(CONNECTION) === undefined ? [{ key: CONNECTION, value: connection }] : [];
}

/**
 * Reports a long run's phase as the `RunPhase` search attribute (one upsert per change, and once at the start
 * of each continued run), with a workflow log line, so operators filter runs by phase in the Web UI.
 */
export function runPhaseReporter(connection: string, runId: string): (phase: string) => void {
  let last: string | undefined;
  return (phase) => {
    if (phase === last || !patched(PATCH)) return;
    const pairs: SearchAttributeUpdatePair[] = [{ key: RUN_PHASE, value: phase }, ...(last === undefined ? connectionPair(connection) : [])];
    last = phase;
    upsertSearchAttributes(pairs);
    log.info(`phase ${phase}`, { connection, run: runId, phase });
  };
}

/** `Connection` for workflows without a RunPhase (the true-up has its own TrueupPhase). */
export function setConnectionAttribute(connection: string): void {
  if (!patched(PATCH)) return;
  const pairs = connectionPair(connection);
  if (pairs.length > 0) upsertSearchAttributes(pairs);
}
