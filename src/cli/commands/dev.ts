import path from 'node:path';
import { WorkflowIdConflictPolicy } from '@temporalio/client';
import { logFormatFromEnv, logLevelFromEnv } from '../../observability/logger';
import { installTelemetry } from '../../observability/telemetry';
import type { Command } from 'commander';
import { startServiceWorker } from '../../../worker/service-worker';
import { startSandboxes } from '../../sandbox/start-both';
import { TASK_QUEUE, workflowId } from '../../temporal/constants';
import { startOrReuseDevServer } from '../../temporal/dev-server';
import { applySchedules, scheduleId, triggerSchedule } from '../../temporal/schedules';
import { ensureSearchAttributes } from '../../temporal/search-attributes';
import { createTemporalClient } from '../../temporal/client';
import { temporalTarget } from '../../temporal/connection';
import { cliContext } from '../context';
import { startDevConsole } from './console';
import { devConnection } from '../dev-connection';
import { devExport } from '../dev-export';
import { followWorkflow } from '../follow-workflow';

const DATA_DIR = '.data';

function say(message: string): void {
  process.stderr.write(`» ${message}\n`);
}

/**
 * `npm start`: the whole first run on one machine. A Temporal dev server (reused when one answers),
 * both sandboxes seeded with demo data (persisted under .data/ so a second start sees the same tenant),
 * a worker, the schedules, the initial import with live progress, one sync, then a week of field activity
 * in Assignar and one timesheet export. Ctrl-C stops everything cleanly.
 */
export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('first run: Temporal dev server + Web UI, sandboxes with demo data, worker, schedules, the initial import, a sync, and a timesheet export of a week of field activity')
    .option('--connection <id>', 'connection to import (default: the sandbox connection, `sandboxCredentials: true`; naming one runs dev on it even when it is not a sandbox)')
    .action(async (opts, command: Command) => {
      const config = cliContext(command).config();
      // Resolved before anything starts: dev imports and syncs, so it never picks a real tenant by default.
      const connection = devConnection(config, opts.connection);
      if (!connection.sandboxCredentials) say(`connection ${connection.id} is not a sandbox connection: dev will write to the Assignar at ${connection.assignar.apiBase}`);
      const target = temporalTarget();
      // The first run is for watching progress: only warnings from the SDK, not its lifecycle chatter.
      await installTelemetry(config, { format: logFormatFromEnv(process.env, 'pretty'), level: logLevelFromEnv(process.env, 'warn') });
      const [host, port] = target.address.replace('localhost', '127.0.0.1').split(':');
      const server = await startOrReuseDevServer({ host, port: Number(port), dbFile: path.join(DATA_DIR, 'temporal.sqlite'), log: say });
      say(server.reused ? `reusing the Temporal server at ${server.address}` : `Temporal dev server up at ${server.address}`);

      const sandboxes = await startSandboxes({
        sage: { seed: 'demo', dataFile: path.join(DATA_DIR, 'sage-sandbox.json') },
        assignar: { seed: 'demo', dataFile: path.join(DATA_DIR, 'assignar-sandbox.json') },
      });
      say(`sandboxes up: Sage Intacct ${sandboxes.sage.endpointUrl}, Assignar ${sandboxes.assignar.apiBase}`);

      const service = await startServiceWorker(config, target);
      const running = service.run();
      say(`worker polling task queue ${TASK_QUEUE}`);

      const shutdown = async () => {
        say('stopping: worker, sandboxes, Temporal dev server…');
        service.worker.shutdown();
        await running.catch(() => undefined);
        await sandboxes.close();
        await server.stop();
      };
      let stopping: Promise<void> | undefined;
      const onSignal = () => { stopping ??= shutdown().then(() => process.exit(0)); };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);

      const client = await createTemporalClient(target);
      const added = await ensureSearchAttributes(client.connection, target.namespace);
      if (added.length > 0) say(`search attributes registered: ${added.join(', ')}`);
      for (const r of await applySchedules(client, connection)) say(`schedule ${r.scheduleId} ${r.action}`);
      const workflowUrl = (id: string) => `${server.uiUrl}/namespaces/${target.namespace}/workflows/${encodeURIComponent(id)}`;
      await startDevConsole({ config, client, namespace: target.namespace, uiBase: server.uiUrl, say });

      const id = workflowId('initialImport', connection.id);
      const handle = await client.workflow.start('initialImport', {
        taskQueue: TASK_QUEUE,
        workflowId: id,
        args: [{ connection: connection.id }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      say(`initial import running: ${workflowUrl(id)}`);
      const summary = await followWorkflow(handle, { json: false });
      const written = Object.values(summary.counts).reduce((n, c) => n + (c ? c.created + c.updated + c.adopted + c.deactivated : 0), 0);
      const failed = Object.values(summary.counts).reduce((n, c) => n + (c?.failed ?? 0), 0);
      say(written === 0 ? 'nothing to import: Assignar already matches Sage Intacct' : `import complete: ${written} records written to Assignar`);
      if (failed) say(`${failed} records need fixing in Sage Intacct (the demo data carries real-world mess): npx intacct-assignar report`);

      // What the 06:00/12:00/18:00 schedule will do: one incremental sync, now.
      say('triggering the incremental sync schedule once (what runs at 06:00, 12:00 and 18:00):');
      const sync = await triggerSchedule(client, scheduleId('incrementalSync', connection.id));
      if (sync) await followWorkflow(sync, { json: false });

      // What the daily export will do with a week of field work: approved timesheets to Sage Intacct.
      await devExport({ client, config, connection, workflowUrl, say });
      say(
        `next: Temporal Web UI ${server.uiUrl} · schedules: npx intacct-assignar schedules list · sync now: npx intacct-assignar sync --wait · ` +
          `export now: npx intacct-assignar export --wait · what is failing or held now: npx intacct-assignar report (timesheets: --kind timesheet)`,
      );
      say(`the worker keeps serving the schedules; Ctrl-C to stop`);
      await running;
    });
}
