/**
 * Bundles the workflow code (webpack) into one file. Run in its own short-lived process by
 * src/temporal/workflow-bundle.ts, so the worker never holds webpack's memory, and by the Dockerfile at image
 * build time (the worker then loads it through INTACCT_ASSIGNAR_WORKFLOW_BUNDLE and writes nothing).
 *   tsx scripts/build-workflow-bundle.ts <output file>
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../src/temporal/workflow-bundle';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: build-workflow-bundle.ts <output file>');
  const noop = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    // Activity summaries (entity and page) in every event history.
    workflowInterceptorModules: [path.join(__dirname, '..', 'src', 'observability', 'activity-summary.ts')],
    logger: { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop },
  });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, out);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
