import { cancellationSignal } from '@temporalio/activity';
import type { PreflightHalf, PreflightInput } from '../src/contracts/preflight';
import { assignarPreflightChecks } from '../src/preflight/assignar-checks';
import { sageBudgetCheck } from '../src/preflight/sage-budget';
import { sagePreflightChecks } from '../src/preflight/sage-checks';
import type { ActivityDeps } from './deps';

export function createPreflightActivities(deps: ActivityDeps) {
  return {
    async sagePreflight(input: PreflightInput): Promise<PreflightHalf> {
      const connection = deps.clients.connection(input.connection);
      const half = await sagePreflightChecks(connection, deps.clients.sage(input.connection), { signal: cancellationSignal() });
      const budget = await sageBudgetCheck(connection, deps.ledger);
      return budget ? { ...half, checks: [...half.checks, budget] } : half;
    },
    async assignarPreflight(input: PreflightInput): Promise<PreflightHalf> {
      return assignarPreflightChecks(deps.clients.connection(input.connection), deps.clients.assignar(input.connection));
    },
  };
}
