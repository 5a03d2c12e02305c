#!/usr/bin/env node
// `npm test`: type-check, lint, then every jest test (unit, integration on a real Temporal dev server
// and the sandboxes over HTTP, reliability, replay) in band. Ends with one plain "N passed, N failed" line.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureTemporalCli } = require('./ensure-temporal-cli');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function step(title, cmd, args) {
  process.stderr.write(`\n== ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  return r.status === 0;
}

(async () => {
  process.env.TEMPORAL_CLI_PATH = await ensureTemporalCli();
  const extra = process.argv.slice(2);
  let ok = step('type-check (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  ok = step('lint (eslint)', bin('eslint'), ['.']) && ok;
  const results = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jest-')), 'results.json');
  const jestOk = step('tests (jest)', bin('jest'), ['--runInBand', '--forceExit', '--json', `--outputFile=${results}`, ...extra]);
  ok = jestOk && ok;
  let summary = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0 };
  try { summary = JSON.parse(fs.readFileSync(results, 'utf8')); } catch { /* jest did not get far enough to write results */ }
  const failed = summary.numFailedTests + (jestOk ? 0 : summary.numFailedTests === 0 ? 1 : 0);
  process.stdout.write(`\n${summary.numPassedTests} passed, ${failed} failed${summary.numPendingTests ? `, ${summary.numPendingTests} skipped` : ''}\n`);
  process.exit(ok ? 0 : 1);
})().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
