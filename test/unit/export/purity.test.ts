import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Activities and workflow code import src/export: only zod, type-only config, pure siblings and pure modules. */
describe('src/export stays pure', () => {
  const dir = join(__dirname, '../../../src/export');
  const allowedRelative = new Set(['../config/schema', '../mapping', '../assignar/schemas']);
  const pureDeps: Array<[string, string]> = [['../../../src/assignar/schemas.ts', 'src/assignar/schemas.ts']];

  const check = (file: string, path: string) => {
    const source = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      const target = m[1];
      const typeOnly = /^(?:import|export)\s+type\s/.test(m[0]);
      const ok = target === 'zod' || target.startsWith('./') || allowedRelative.has(target) || (typeOnly && target.startsWith('../'));
      expect({ file, target, ok }).toEqual({ file, target, ok: true });
    }
    // No clock, no randomness, no environment (Date.parse / new Date(value) are deterministic).
    expect(source).not.toMatch(/\brequire\(|\bprocess\.|Date\.now\(|Math\.random\(|new Date\(\)/);
  };

  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    it(`${file} imports nothing with I/O`, () => check(file, join(dir, file)));
  }
  for (const [rel, name] of pureDeps) {
    it(`${name} (imported for its zod schemas) imports only zod`, () => {
      const source = readFileSync(join(__dirname, rel), 'utf8');
      const targets = [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
      expect(targets).toEqual(['zod']);
      expect(source).not.toMatch(/\brequire\(|\bprocess\.|Date\.now\(|Math\.random\(|new Date\(\)/);
    });
  }
});
