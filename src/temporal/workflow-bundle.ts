import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');
export const WORKFLOWS_PATH = path.join(ROOT, 'workflows', 'index.ts');
const CACHE_DIR = path.join(ROOT, '.tools', 'workflow-bundle');

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

let bundle: Promise<{ codePath: string }> | undefined;

/**
 * The workflow bundle as a file, built once per source version in a separate short-lived process: webpack
 * costs a worker ~130 MB it would otherwise keep for its whole life. Cached in .tools/workflow-bundle/ by a
 * hash of the sources, so a changed workflow is rebundled and an unchanged one never is.
 */
export function workflowBundle(): Promise<{ codePath: string }> {
  bundle ??= (async () => {
    const codePath = path.join(CACHE_DIR, `workflows-${sourceHash()}.js`);
    if (!fs.existsSync(codePath)) {
      const tsx = require.resolve('tsx/cli');
      await promisify(execFile)(process.execPath, [tsx, path.join(ROOT, 'scripts', 'build-workflow-bundle.ts'), codePath], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    }
    return { codePath };
  })();
  bundle.catch(() => {
    bundle = undefined;
  });
  return bundle;
}
