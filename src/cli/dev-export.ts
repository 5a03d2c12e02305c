import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { AppConfig, ConnectionConfig } from '../config';
import type { ExportInput } from '../contracts/export';
import type { RunSummary } from '../contracts/sync';
import { TASK_QUEUE, workflowId } from '../temporal/constants';
import { assignarControlBase, sandboxTimesheetCount, simulateTimesheets } from './assignar-sandbox-control';
import { readExportOutcomes } from './export-outcomes';
import { followWorkflow } from './follow-workflow';
import { noticesText } from './render';
import { exportSummaryLine, renderExportSummary } from './render-export';

/** Rows per list in dev's export summary: enough to see what is held and why. */
const DEV_SUMMARY_ROWS = 10;
const SIMULATED_DAYS = 5;

export interface DevExportOptions {
  client: Client;
  config: AppConfig;
  connection: ConnectionConfig;
  /** Link to the workflow in the Web UI. */
  workflowUrl: (workflowId: string) => string;
  say: (message: string) => void;
}

/** A week of field work on a sandbox tenant that has none yet (a second start keeps the data it has). */
async function generateFieldActivity(connection: ConnectionConfig, say: (message: string) => void): Promise<void> {
  try {
    const base = assignarControlBase(connection.assignar.apiBase);
    const existing = await sandboxTimesheetCount(base);
    if (existing > 0) {
      say(`Assignar already holds ${existing} timesheets: no field activity generated`);
      return;
    }
    const r = await simulateTimesheets(base, { days: SIMULATED_DAYS });
    if (r.skipped || r.created === 0) {
      say(`no field activity generated${r.skipped ? `: ${r.skipped}` : ''}`);
      return;
    }
    const extras = [
      r.withAssetTime ? `${r.withAssetTime} with equipment time` : '',
      r.overnight ? `${r.overnight} overnight` : '',
      r.withUnusualPayCode ? `${r.withUnusualPayCode} with a supervisor's ${r.unusualPayCode} pay code` : '',
      r.unlinkedWorkers ? `${r.unlinkedWorkers} workers not linked to a Sage Intacct employee` : '',
    ].filter(Boolean);
    say(
      `a week of field activity in Assignar (${r.days[0]} to ${r.days.at(-1)}): ${r.created} timesheets of ${r.workers} workers in ${r.crews} crews, ` +
        `${r.approved} approved${extras.length ? `; ${extras.join(', ')}` : ''}`,
    );
  } catch (err) {
    say(`could not generate field activity on the Assignar sandbox (${(err as Error).message}); exporting what Assignar holds`);
  }
}

/**
 * dev's last step: field activity on the Assignar sandbox, then one timesheet export (what the daily
 * schedule runs), its summary and a line saying what went where. Only on a sandbox connection: an export
 * writes timesheets to the Sage Intacct company and marks them processed in Assignar.
 */
export async function devExport(opts: DevExportOptions): Promise<RunSummary | undefined> {
  const { client, config, connection, say } = opts;
  if (!connection.sandboxCredentials) {
    say(
      `no timesheet export: ${connection.id} is not a sandbox connection and an export writes to its Sage Intacct company; ` +
        `to see what it would send: npx intacct-assignar export --connection ${connection.id} --dry-run --wait`,
    );
    return undefined;
  }
  await generateFieldActivity(connection, say);
  const id = workflowId('timesheetExport', connection.id);
  const input: ExportInput = { connection: connection.id };
  const handle = await client.workflow.start('timesheetExport', {
    taskQueue: TASK_QUEUE,
    workflowId: id,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  say(`timesheet export running (what the daily schedule runs): ${opts.workflowUrl(id)}`);
  try {
    const summary = await followWorkflow(handle, {
      json: false,
      render: async (s) => `${renderExportSummary(s, await readExportOutcomes(config, s, DEV_SUMMARY_ROWS), { maxRows: DEV_SUMMARY_ROWS })}${noticesText(s)}`,
    });
    say(exportSummaryLine(summary));
    return summary;
  } catch (err) {
    // The worker keeps serving the schedules: say what failed and where to look, and carry on.
    say(`${(err as Error).message}; what is failing or held: npx intacct-assignar report --kind timesheet`);
    return undefined;
  }
}
