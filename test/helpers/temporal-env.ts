import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../src/contracts/search-attributes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureTemporalCli } = require('../../scripts/ensure-temporal-cli') as { ensureTemporalCli: () => Promise<string> };

let runtimeInstalled = false;

/**
 * A real Temporal dev server (the CLI built by scripts/ensure-temporal-cli.js) for one test file. The SDK
 * gives the server only 5 s to come up, which a cold, busy 2-core machine can miss, so startup is retried.
 */
export async function startTemporal(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const path = await ensureTemporalCli();
  let lastError: unknown;
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      return await TestWorkflowEnvironment.createLocal({
        server: { executable: { type: 'existing-path', path }, ui: false, extraArgs, searchAttributes: [...SEARCH_ATTRIBUTES] },
      });
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
  throw lastError;
}
