/**
 * The task queue of a connection's API activities: `<workflow task queue>@<connection>`. Exactly one worker
 * process polls it at a time (the holder of the connection's queue lease, src/temporal/connection-queues.ts),
 * so that process's limiters are the tenant's limits however many workers serve the main queue.
 */
export function connectionTaskQueue(taskQueue: string, connection: string): string {
  return `${taskQueue}@${connection}`;
}
