import type { ActivityDeps } from './deps';
import { createExportActivities } from './export';
import { createPreflightActivities } from './preflight';
import { createSyncActivities } from './sync';
import { createTrueupActivities } from './trueup';
import { createTrueupFeedActivities } from './trueup-feed';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, built from injected dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPreflightActivities(deps),
    ...createSyncActivities(deps),
    ...createExportActivities(deps),
    ...createTrueupActivities(deps),
    ...createTrueupFeedActivities(deps),
  };
}
