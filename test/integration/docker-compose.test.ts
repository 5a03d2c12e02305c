/**
 * docker-compose.yml is valid and production-shaped. No Docker engine is needed: Debian's `docker-compose`
 * (v1) validates and renders a file without one. scripts/ensure-docker-compose.sh provides the command,
 * installing the Debian package on demand.
 *
 * Every run uses a controlled environment and its own env files (fake secrets), so a developer's real
 * ./.env or shell variables neither leak into the assertions nor change them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

const FAKE = {
  POSTGRES_PASSWORD: 'pg-superuser-Zq7x1',
  LEDGER_DB_PASSWORD: 'ledger-role-Vb3k9',
  SAGE_USER_PASSWORD: 'sage-user-Hn5t2',
  ASSIGNAR_CLIENT_SECRET: 'assignar-client-Wm8r4',
};

const EXPECTED_SERVICES = ['ledger-db-setup', 'postgresql', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'];

type Rendered = {
  services: Record<
    string,
    {
      image?: string;
      build?: { context: string; dockerfile?: string };
      ports?: Array<string | { target: number; published: number | string; host_ip?: string }>;
      environment?: Record<string, string | null>;
      volumes?: Array<string | { source?: string; target: string; read_only?: boolean }>;
      depends_on?: Record<string, { condition: string }>;
      command?: unknown;
    }
  >;
};

let composeBin: string;
let tmp: string;
let stackEnv: string;
let workerEnv: string;

function compose(args: string[], extraEnv: Record<string, string> = {}, envFile = stackEnv) {
  const r = spawnSync(composeBin, ['-f', COMPOSE_FILE, '--env-file', envFile, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    // Only what compose needs: no inherited POSTGRES_PASSWORD, COMPOSE_*, DATABASE_URL, …
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmp, WORKER_ENV_FILE: workerEnv, ...extraEnv },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function portsOf(rendered: Rendered, service: string): Array<{ target: number; published: number; hostIp?: string }> {
  return (rendered.services[service]?.ports ?? []).map((p) => {
    if (typeof p === 'string') {
      const m = /^(?:(.+):)?(\d+):(\d+)(?:\/\w+)?$/.exec(p);
      if (!m) throw new Error(`unparsed port ${p}`);
      return { hostIp: m[1], published: Number(m[2]), target: Number(m[3]) };
    }
    return { target: Number(p.target), published: Number(p.published), hostIp: p.host_ip };
  });
}

beforeAll(() => {
  const ensure = spawnSync(path.join(ROOT, 'scripts', 'ensure-docker-compose.sh'), [], { cwd: ROOT, encoding: 'utf8', timeout: 15 * 60_000 });
  if (ensure.status !== 0) {
    throw new Error(`scripts/ensure-docker-compose.sh could not provide docker-compose (exit ${ensure.status}):\n${ensure.stderr}${ensure.error ?? ''}`);
  }
  composeBin = ensure.stdout.trim().split('\n').pop()!;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-test-'));
  stackEnv = path.join(tmp, 'stack.env');
  workerEnv = path.join(tmp, 'worker.env');
  fs.writeFileSync(stackEnv, `POSTGRES_PASSWORD=${FAKE.POSTGRES_PASSWORD}\nLEDGER_DB_PASSWORD=${FAKE.LEDGER_DB_PASSWORD}\n`);
  fs.writeFileSync(workerEnv, `SAGE_USER_PASSWORD=${FAKE.SAGE_USER_PASSWORD}\nASSIGNAR_CLIENT_SECRET=${FAKE.ASSIGNAR_CLIENT_SECRET}\n`);
}, 16 * 60_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('docker-compose.yml', () => {
  it('validates with `docker-compose config -q`', () => {
    const r = compose(['config', '-q']);
    expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 0, stderr: '' });
  });

  it('has the expected services', () => {
    const r = compose(['config', '--services']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(EXPECTED_SERVICES);
  });

  it('wires Temporal on PostgreSQL, the UI on 8080, the ledger database and the worker', () => {
    const r = compose(['config']);
    expect(r.status).toBe(0);
    const rendered = YAML.parse(r.stdout) as Rendered;
    const s = rendered.services;

    expect(s.temporal!.image).toMatch(/^temporalio\/server:/);
    expect(s.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', POSTGRES_PWD: FAKE.POSTGRES_PASSWORD });
    expect(portsOf(rendered, 'temporal')).toEqual([{ target: 7233, published: 7233, hostIp: '127.0.0.1' }]);
    expect(s['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(s['temporal-ui']!.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(portsOf(rendered, 'temporal-ui')).toEqual([{ target: 8080, published: 8080, hostIp: '127.0.0.1' }]);
    expect(s.postgresql!.image).toMatch(/^postgres:/);
    expect(portsOf(rendered, 'postgresql')).toEqual([]); // the database is not published
    expect(s.temporal!.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });

    const worker = s.worker!;
    expect(path.resolve(worker.build!.context)).toBe(ROOT);
    expect(worker.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      DATABASE_URL: `postgres://ledger:${FAKE.LEDGER_DB_PASSWORD}@postgresql:5432/ledger`,
      INTACCT_ASSIGNAR_CONFIG: '/config/intacct-assignar.yaml',
      // From the worker env file, and only into the worker:
      SAGE_USER_PASSWORD: FAKE.SAGE_USER_PASSWORD,
      ASSIGNAR_CLIENT_SECRET: FAKE.ASSIGNAR_CLIENT_SECRET,
    });
    for (const [name, service] of Object.entries(s)) {
      if (name !== 'worker') expect(JSON.stringify(service)).not.toContain(FAKE.SAGE_USER_PASSWORD);
    }
    const mounts = (worker.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}${v.read_only ? ':ro' : ''}`));
    expect(mounts).toContain(`${path.join(ROOT, 'config')}:/config:ro`);
    expect(worker.depends_on).toMatchObject({
      'temporal-namespace': { condition: 'service_completed_successfully' },
      'ledger-db-setup': { condition: 'service_completed_successfully' },
    });
  });

  it('refuses to render without the stack passwords (no defaults hidden in the file)', () => {
    const empty = path.join(tmp, 'empty.env');
    fs.writeFileSync(empty, '');
    const r = compose(['config', '-q'], {}, empty);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/set (POSTGRES_PASSWORD|LEDGER_DB_PASSWORD) in \.env/);
  });

  it('holds no secret value literally: every password-like setting is an interpolation', () => {
    const text = fs.readFileSync(COMPOSE_FILE, 'utf8');
    for (const value of Object.values(FAKE)) expect(text).not.toContain(value);

    const raw = YAML.parse(text, { merge: true }) as { services: Record<string, { environment?: Record<string, unknown> | string[] }> };
    const secretName = /PASSWORD|PWD|SECRET|TOKEN|PRIVATE|API_?KEY/i;
    const offenders: string[] = [];
    for (const [name, service] of Object.entries(raw.services)) {
      const env = service.environment ?? {};
      const pairs: Array<[string, string]> = Array.isArray(env)
        ? env.map((e) => [e.split('=')[0]!, e.split('=').slice(1).join('=')])
        : Object.entries(env).map(([k, v]) => [k, String(v ?? '')]);
      for (const [key, value] of pairs) {
        if (secretName.test(key) && !/^\$\{[A-Z0-9_]+(:\?[^}]*)?\}$/.test(value)) offenders.push(`${name}.${key}=${value}`);
        // Passwords inside URLs (user:password@host) must be interpolations too.
        const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]+:([^@]+)@/i.exec(value);
        if (userinfo && !/^\$\{[A-Z0-9_]+(:\?[^}]*)?\}$/.test(userinfo[1]!)) offenders.push(`${name}.${key} (URL password)`);
      }
    }
    expect(offenders).toEqual([]);
    // No `${VAR:-default}` fallback for a secret either.
    expect(text).not.toMatch(/\$\{[A-Z_]*(PASSWORD|PWD|SECRET)[A-Z_]*:-/);
  });
});

describe('Dockerfile and .dockerignore', () => {
  it('builds the worker on a supported Node LTS with npm ci, bundles the workflows at build time and runs `worker`', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM node:(\d+)-bookworm-slim\b/gm)].map((m) => Number(m[1]));
    expect(bases.length).toBeGreaterThan(0);
    // Node 20 reached end of life in April 2026: 22 or a later even (LTS) release.
    expect(bases.every((major) => major >= 22 && major % 2 === 0)).toBe(true);
    // The workflow bundle is built into the image and named to the worker (see worker-readonly.test.ts).
    expect(dockerfile).toMatch(/^ENV INTACCT_ASSIGNAR_WORKFLOW_BUNDLE=\/app\/dist\/\S+\.js$/m);
    expect(dockerfile).toMatch(/^RUN .*scripts\/build-workflow-bundle\.ts "\$INTACCT_ASSIGNAR_WORKFLOW_BUNDLE"$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^CMD \["node", "bin\/intacct-assignar\.js", "worker"\]/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    // Nothing secret is set at build time.
    expect(dockerfile).not.toMatch(/^(ENV|ARG)\s+\S*(PASSWORD|SECRET|TOKEN)/im);
  });

  it('keeps env files, configuration, local data and host modules out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', '*.env', 'config/', 'node_modules', '.data', '.git']));
  });
});
