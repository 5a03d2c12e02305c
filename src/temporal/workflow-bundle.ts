import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../errors';

const ROOT = path.resolve(__dirname, '..', '..');
export const WORKFLOWS_PATH = path.join(ROOT, 'workflows', 'index.ts');

/**
 * Names a workflow bundle built ahead of time (the Docker image builds one into /app/dist at build time with
 * scripts/build-workflow-bundle.ts). When set, the worker loads that file and never bundles or writes
 * anything: the application directory may be read-only and owned by someone else.
 */
export const WORKFLOW_BUNDLE_ENV = 'INTACCT_ASSIGNAR_WORKFLOW_BUNDLE';

/** Every source the workflow bundle can contain (workflows/ and the pure modules under src/ it imports). */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'sandbox' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...sourceFiles(path.join(ROOT, 'workflows')), ...sourceFiles(path.join(ROOT, 'src')), path.join(ROOT, 'package-lock.json')].sort()) {
    if (!fs.existsSync(file)) continue;
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Where bundles are cached: .tools/workflow-bundle/ in a writable checkout, else a per-user temp directory. */
function cacheDir(): string {
  const inTree = path.join(ROOT, '.tools', 'workflow-bundle');
  try {
    fs.mkdirSync(inTree, { recursive: true });
    fs.accessSync(inTree, fs.constants.W_OK);
    return inTree;
  } catch {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
    return path.join(os.tmpdir(), `intacct-assignar-workflow-bundle-${uid}`);
  }
}

/** The bundle named by WORKFLOW_BUNDLE_ENV: it must exist, since nothing is built in its place. */
function prebuilt(file: string): { codePath: string } {
  const codePath = path.resolve(file);
  try {
    fs.accessSync(codePath, fs.constants.R_OK);
  } catch {
    throw new ConfigError(`${WORKFLOW_BUNDLE_ENV} names ${codePath}, which cannot be read`, {
      hint: `Build it with \`npx tsx scripts/build-workflow-bundle.ts ${codePath}\` (the Dockerfile does so at build time), or unset ${WORKFLOW_BUNDLE_ENV} to bundle on start.`,
    });
  }
  return { codePath };
}

let bundle: Promise<{ codePath: string }> | undefined;

/**
 * The workflow bundle as a file. With WORKFLOW_BUNDLE_ENV set, the prebuilt one. Otherwise built once per
 * source version in a separate short-lived process (webpack costs a worker ~130 MB it would otherwise keep
 * for its whole life) and cached by a hash of the sources, so a changed workflow is rebundled and an
 * unchanged one never is.
 */
export function workflowBundle(env: NodeJS.ProcessEnv = process.env): Promise<{ codePath: string }> {
  const named = env[WORKFLOW_BUNDLE_ENV];
  if (named) return Promise.resolve().then(() => prebuilt(named));
  bundle ??= (async () => {
    const codePath = path.join(cacheDir(), `workflows-${sourceHash()}.js`);
    if (!fs.existsSync(codePath)) await buildWorkflowBundle(codePath);
    return { codePath };
  })();
  bundle.catch(() => {
    bundle = undefined;
  });
  return bundle;
}

/** Runs scripts/build-workflow-bundle.ts in its own process, writing the bundle to `codePath`. */
export async function buildWorkflowBundle(codePath: string): Promise<void> {
  const tsx = require.resolve('tsx/cli');
  await promisify(execFile)(process.execPath, [tsx, path.join(ROOT, 'scripts', 'build-workflow-bundle.ts'), codePath], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
}
