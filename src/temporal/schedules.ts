import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type DayOfWeek, type ScheduleOptions, type ScheduleSpec, type WorkflowHandle } from '@temporalio/client';
import type { ConnectionConfig, Weekday } from '../config/schema';
import { CONNECTION } from '../contracts/search-attributes';
import { TASK_QUEUE } from './constants';

const DAY: Record<Weekday, DayOfWeek> = {
  MON: 'MONDAY', TUE: 'TUESDAY', WED: 'WEDNESDAY', THU: 'THURSDAY', FRI: 'FRIDAY', SAT: 'SATURDAY', SUN: 'SUNDAY',
};

export type ScheduledWorkflow = 'incrementalSync' | 'timesheetExport';

/** Every workflow a connection runs on a Schedule; each starts with `{connection}` only. */
export const SCHEDULED_WORKFLOWS: readonly ScheduledWorkflow[] = ['incrementalSync', 'timesheetExport'];

/** Schedule IDs are deterministic per connection, like workflow IDs. */
export function scheduleId(workflow: ScheduledWorkflow, connection: string): string {
  return `${workflow}/${connection}`;
}

export function scheduleSpec(times: string[], days: Weekday[], timeZone: string): ScheduleSpec {
  return {
    calendars: times.map((t) => {
      const [hour, minute] = t.split(':').map(Number);
      return { hour, minute, dayOfWeek: days.map((d) => DAY[d]), comment: `${t} ${days.join(',')}` };
    }),
    timezone: timeZone,
  };
}

/** The desired Schedules of one connection, from its configuration. */
export function desiredSchedules(connection: ConnectionConfig, workflows: readonly ScheduledWorkflow[]): Array<ScheduleOptions & { workflow: ScheduledWorkflow }> {
  return workflows.map((workflow) => {
    const cfg = connection.schedules[workflow];
    return {
      workflow,
      scheduleId: scheduleId(workflow, connection.id),
      spec: scheduleSpec(cfg.times, cfg.days, connection.timeZone),
      action: {
        type: 'startWorkflow' as const,
        workflowType: workflow,
        // The server appends the scheduled time to this ID, so each scheduled run has its own.
        workflowId: `${workflow}/${connection.id}/scheduled`,
        taskQueue: TASK_QUEUE,
        args: [{ connection: connection.id }],
        // Scheduled runs are filtered like started ones (`Connection = "<id>"` in the Web UI).
        typedSearchAttributes: [{ key: CONNECTION, value: connection.id }],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: cfg.catchupWindow, pauseOnFailure: false },
      state: { paused: !cfg.enabled, note: cfg.enabled ? 'applied from configuration' : 'disabled in configuration' },
    } as ScheduleOptions & { workflow: ScheduledWorkflow };
  });
}

export interface ApplyResult {
  scheduleId: string;
  action: 'created' | 'updated';
}

/** Creates each Schedule, or updates it in place when it exists (spec, action, policies, paused state). */
export async function applySchedules(client: Client, connection: ConnectionConfig, workflows: readonly ScheduledWorkflow[] = SCHEDULED_WORKFLOWS): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const desired of desiredSchedules(connection, workflows)) {
    const handle = client.schedule.getHandle(desired.scheduleId);
    try {
      await handle.update((prev) => ({
        ...prev,
        spec: desired.spec,
        action: desired.action,
        policies: { ...prev.policies, ...desired.policies },
        state: { ...prev.state, paused: desired.state?.paused ?? false, note: desired.state?.note },
      }));
      results.push({ scheduleId: desired.scheduleId, action: 'updated' });
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await client.schedule.create(desired);
      results.push({ scheduleId: desired.scheduleId, action: 'created' });
    }
  }
  return results;
}

/**
 * Triggers a Schedule now ("sync now"; its overlap policy still applies) and returns the handle of the
 * run it started (or the run already in progress), or undefined when the Schedule does not exist.
 */
export async function triggerSchedule(client: Client, id: string): Promise<WorkflowHandle | undefined> {
  const schedule = client.schedule.getHandle(id);
  const before = await schedule.describe().catch((err) => {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  });
  if (!before) return undefined;
  // The overlap policy skips a trigger while a run is in progress: join that run instead.
  const running = before.info.runningActions[0];
  if (running) return client.workflow.getHandle(running.workflow.workflowId);
  const seen = new Set(before.info.recentActions.map((a) => a.action.workflow.workflowId));
  await schedule.trigger();
  for (let i = 0; i < 40; i++) {
    const info = (await schedule.describe()).info;
    const started = [...info.runningActions, ...info.recentActions.map((a) => a.action)].find((a) => !seen.has(a.workflow.workflowId));
    if (started) return client.workflow.getHandle(started.workflow.workflowId);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Triggered schedule ${id} but no run started within 10 s (is a worker running?)`);
}
