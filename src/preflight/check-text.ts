import { heartbeat as activityHeartbeat } from '@temporalio/activity';

/** Shared by both halves of preflight: the heartbeat outside an activity, and the wording of checks. */

/** The Temporal activity heartbeat, or nothing when not inside an activity (a test or a script). */
export function defaultHeartbeat(detail?: unknown): void {
  try {
    activityHeartbeat(detail);
  } catch {
    // Not inside an activity: nothing to tell.
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
