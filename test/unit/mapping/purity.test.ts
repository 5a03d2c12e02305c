import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Workflow code imports src/mapping: it may import only zod, type-only modules and pure siblings. */
describe('src/mapping stays pure', () => {
  const dir = join(__dirname, '../../../src/mapping');
  const allowedRelative = new Set(['../config/schema', '../sage/objects', '../assignar/openapi-types']);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    it(`${file} imports nothing with I/O`, () => {
      // Comments may mention what the code avoids; check the code only.
      const source = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const m of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
        const target = m[1];
        const ok = target === 'zod' || target.startsWith('./') || allowedRelative.has(target);
        expect({ file, target, ok }).toEqual({ file, target, ok: true });
      }
      expect(source).not.toMatch(/\brequire\(|\bprocess\.|Date\.now\(|Math\.random\(|new Date\(\)/);
    });
  }
});
