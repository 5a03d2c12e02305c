import { Command } from 'commander';
import { RUNNABLE, registerRunCommands } from '../../../src/cli/commands/run-workflow';
import { parseConfig } from '../../../src/config';
import { embeddedDefaultConfig } from '../../../src/config/embedded-default';
import { desiredSchedules, SCHEDULED_WORKFLOWS } from '../../../src/temporal/schedules';

test('schedules apply creates the incremental sync and the timesheet export schedule, each started with {connection} only', () => {
  const connection = parseConfig(embeddedDefaultConfig(), 'embedded').connections[0];
  const desired = desiredSchedules(connection, SCHEDULED_WORKFLOWS);
  expect(desired.map((d) => d.scheduleId)).toEqual(['incrementalSync/demo', 'timesheetExport/demo']);
  const exportSchedule = desired[1];
  expect(exportSchedule.action).toMatchObject({ workflowType: 'timesheetExport', taskQueue: 'intacct-assignar', args: [{ connection: 'demo' }] });
  expect(exportSchedule.spec.timezone).toBe('America/Chicago');
  expect(exportSchedule.spec.calendars).toEqual([expect.objectContaining({ hour: 1, minute: 0, dayOfWeek: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] })]);
});

test('`export` runs timesheetExport like `sync`: through its schedule, with --dry-run, --wait, --json and --wait-for-writer', () => {
  expect(RUNNABLE.find((r) => r.name === 'export')).toMatchObject({ workflowType: 'timesheetExport', viaSchedule: 'timesheetExport' });
  const program = new Command();
  registerRunCommands(program);
  const command = program.commands.find((c) => c.name() === 'export')!;
  expect(command.options.map((o) => o.long)).toEqual(['--connection', '--dry-run', '--wait', '--json', '--wait-for-writer']);
});
