import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SPEC_PATH } from './openapi';

/**
 * src/assignar/openapi-types.ts is generated from spec/assignar-openapi.yaml; this fails when someone
 * changes one without the other. To regenerate:
 *   npx openapi-typescript spec/assignar-openapi.yaml -o src/assignar/openapi-types.ts
 */
const ROOT = path.resolve(__dirname, '../../..');
const GENERATED = path.join(ROOT, 'src/assignar/openapi-types.ts');
const PKG = path.join(ROOT, 'node_modules/openapi-typescript/package.json');
const CLI = path.join(path.dirname(PKG), (JSON.parse(readFileSync(PKG, 'utf8')) as { bin: Record<string, string> }).bin['openapi-typescript']);

describe('generated OpenAPI types', () => {
  it('src/assignar/openapi-types.ts is up to date with spec/assignar-openapi.yaml', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'assignar-types-'));
    try {
      const out = path.join(dir, 'openapi-types.ts');
      execFileSync(process.execPath, [CLI, path.relative(ROOT, SPEC_PATH), '-o', out], { cwd: ROOT, stdio: 'pipe' });
      const fresh = readFileSync(out, 'utf8');
      const committed = readFileSync(GENERATED, 'utf8');
      if (fresh !== committed) {
        throw new Error('src/assignar/openapi-types.ts is stale: run `npx openapi-typescript spec/assignar-openapi.yaml -o src/assignar/openapi-types.ts`');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
