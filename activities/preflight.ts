import { cancellationSignal } from '@temporalio/activity';
import type { PreflightHalf, PreflightInput } from '../src/contracts/preflight';
import { assignarPreflightChecks } from '../src/preflight/assignar-checks';
import { sagePreflightChecks } from '../src/preflight/sage-checks';
import type { ActivityDeps } from './deps';

export function createPreflightActivities(deps: ActivityDeps) {
  return {
    async sagePreflight(input: PreflightInput): Promise<PreflightHalf> {
      return sagePreflightChecks(deps.clients.connection(input.connection), deps.clients.sage(input.connection), { signal: cancellationSignal() });
    },
    async assignarPreflight(input: PreflightInput): Promise<PreflightHalf> {
      return assignarPreflightChecks(deps.clients.connection(input.connection), deps.clients.assignar(input.connection));
    },
  };
}
