import type { PreflightHalf, PreflightInput } from '../src/contracts/preflight';
import type { ActivityDeps } from './deps';

export function createPreflightActivities(deps: ActivityDeps) {
  return {
    async sagePreflight(input: PreflightInput): Promise<PreflightHalf> {
      return deps.preflight.sage(input.connection);
    },
    async assignarPreflight(input: PreflightInput): Promise<PreflightHalf> {
      return deps.preflight.assignar(input.connection);
    },
  };
}
