import { AsyncLocalStorage } from 'node:async_hooks';
import { log } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { logKeysOfInput, type LogKeys } from './log-keys';

export { logKeysOfInput, type LogKeys } from './log-keys';

const storage = new AsyncLocalStorage<LogKeys>();

export function currentLogKeys(): LogKeys | undefined {
  return storage.getStore();
}

/** Runs `fn` with `keys` added to every log line written inside it (nested calls add to the outer keys). */
export function withLogKeys<T>(keys: LogKeys, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...keys }, fn);
}

/** `created 3, failed 1` from a page's counts by kind (zeros left out). */
function countsText(counts: unknown): string {
  if (typeof counts !== 'object' || counts === null) return '';
  const total: Record<string, number> = {};
  for (const byOutcome of Object.values(counts as Record<string, Record<string, unknown>>)) {
    for (const [outcome, n] of Object.entries(byOutcome ?? {})) if (typeof n === 'number' && n > 0 && outcome !== 'seen') total[outcome] = (total[outcome] ?? 0) + n;
  }
  return Object.entries(total)
    .map(([o, n]) => `${o} ${n}`)
    .join(', ');
}

/** The line a page activity ends with (its result is a page summary: counts and the next cursor). */
function pageDone(name: string, result: unknown): void {
  if (typeof result !== 'object' || result === null || !('counts' in result)) return;
  const r = result as { counts: unknown; nextCursor?: unknown };
  const counts = countsText(r.counts);
  // The keys go in explicitly: the Runtime buffers SDK log lines (to order them with the core's), so the
  // logger sees them later, outside this activity's context.
  log.info(`${name} done${counts ? `: ${counts}` : ''}`, { ...currentLogKeys(), ...(typeof r.nextCursor === 'string' ? { nextPage: r.nextCursor } : {}), ...(r.nextCursor === null ? { lastPage: true } : {}) });
}

/**
 * Wraps every activity so that it runs with the log keys of its input, and a page activity ends with one info
 * line of what the page did. The keys reach every pino line written inside the activity (the API clients'
 * retry, rate-limit and renewal warnings) through the logger's mixin. Lines written through Temporal's
 * activity logger are buffered by the Runtime and written later, outside this context: they get the keys from
 * activityLogKeysInterceptor, or explicitly. Applied where the worker is composed (worker/service-worker.ts).
 */
export function withActivityLogKeys<A extends object>(activities: A): A {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    if (typeof fn !== 'function') {
      wrapped[name] = fn;
      continue;
    }
    wrapped[name] = (...args: unknown[]) =>
      withLogKeys(logKeysOfInput(args[0]), async () => {
        const result: unknown = await (fn as (...a: unknown[]) => unknown)(...args);
        pageDone(name, result);
        return result;
      });
  }
  return wrapped as A;
}

/**
 * The same keys on every line of Temporal's activity logger (`log` from @temporalio/activity, and the SDK's
 * own "Activity failed" lines) when registered as an activity interceptor (src/temporal/worker-interceptors.ts):
 * the logger's attributes are taken when the line is written, before the Runtime buffers it.
 */
export const activityLogKeysInterceptor: ActivityInterceptorsFactory = () => {
  let keys: LogKeys = {};
  return {
    inbound: {
      execute(input, next) {
        keys = logKeysOfInput(input.args[0]);
        return withLogKeys(keys, () => next(input));
      },
    },
    outbound: {
      getLogAttributes(attributes) {
        return { ...attributes, ...keys };
      },
    },
  };
};
