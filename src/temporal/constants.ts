/** The task queue every workflow and activity of this service runs on (DESIGN.md §3). */
export const TASK_QUEUE = 'intacct-assignar';

/** Deterministic workflow IDs: `<kind>/<connection>`, so a second start joins or is refused. */
export function workflowId(kind: string, connection: string): string {
  return `${kind}/${connection}`;
}

export { connectionTaskQueue } from '../contracts/task-queues';
