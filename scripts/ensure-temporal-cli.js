#!/usr/bin/env node
// Finds or builds the Temporal CLI (which embeds the dev server) so nobody installs anything by hand.
// Order: $TEMPORAL_CLI_PATH, `temporal` on PATH, the project's .tools/bin/temporal, else build it there
// once with `go install` (about 5 minutes with an empty Go module cache). A lock directory keeps two
// processes (say, jest and `npm start`) from building at the same time; the second one waits.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const CLI_VERSION = 'v1.5.1'; // later tags carry replace directives and cannot be go-installed
const ROOT = path.resolve(__dirname, '..');
const TOOLS_BIN = path.join(ROOT, '.tools', 'bin');
const LOCAL_CLI = path.join(TOOLS_BIN, 'temporal');
const LOCK_DIR = path.join(ROOT, '.tools', 'temporal-build.lock');
const STALE_LOCK_MS = 30 * 60 * 1000;

function log(msg) {
  process.stderr.write(`[temporal-cli] ${msg}\n`);
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function findExisting() {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  return onPath('temporal') || (isExecutable(LOCAL_CLI) ? LOCAL_CLI : undefined);
}

function findGo() {
  const go = onPath('go') || (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) throw new Error('The Temporal CLI is not installed and Go (>= 1.25) was not found to build it. Install Go or set TEMPORAL_CLI_PATH.');
  return go;
}

function tryLock() {
  fs.mkdirSync(path.dirname(LOCK_DIR), { recursive: true });
  try {
    fs.mkdirSync(LOCK_DIR);
    fs.writeFileSync(path.join(LOCK_DIR, 'owner'), `${process.pid}\n`);
    return true;
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    const ownerFile = path.join(LOCK_DIR, 'owner');
    let stale = false;
    try {
      const pid = Number(fs.readFileSync(ownerFile, 'utf8').trim());
      try { process.kill(pid, 0); } catch { stale = true; }
    } catch {
      stale = Date.now() - fs.statSync(LOCK_DIR).mtimeMs > STALE_LOCK_MS;
    }
    if (stale) {
      fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      return tryLock();
    }
    return false;
  }
}

function build() {
  const go = findGo();
  const started = Date.now();
  log(`building the Temporal CLI ${CLI_VERSION} from source into ${path.relative(ROOT, TOOLS_BIN)}/ (first time only; about 5 minutes on 2 cores)…`);
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', `-ldflags=-s -w -X github.com/temporalio/cli/temporalcli.Version=${CLI_VERSION.slice(1)}`, `${CLI_MODULE}@${CLI_VERSION}`], {
      env: { ...process.env, GOBIN: TOOLS_BIN, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const ticker = setInterval(() => log(`still building… ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
    child.on('error', (e) => { clearInterval(ticker); reject(e); });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0 && isExecutable(LOCAL_CLI)) {
        log(`built in ${Math.round((Date.now() - started) / 1000)} s: ${LOCAL_CLI}`);
        resolve(LOCAL_CLI);
      } else {
        reject(new Error(`go install ${CLI_MODULE}@${CLI_VERSION} failed (exit ${code}):\n${stderr.split('\n').slice(-20).join('\n')}`));
      }
    });
  });
}

async function ensureTemporalCli() {
  const existing = findExisting();
  if (existing) return existing;
  let announced = false;
  for (;;) {
    if (tryLock()) {
      try {
        return findExisting() || (await build());
      } finally {
        fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      }
    }
    if (!announced) { log('another process is building the Temporal CLI; waiting for it…'); announced = true; }
    await new Promise((r) => setTimeout(r, 2000));
    const done = findExisting();
    if (done) return done;
  }
}

module.exports = { ensureTemporalCli, LOCAL_CLI };

if (require.main === module) {
  ensureTemporalCli().then(
    (p) => {
      try { log(execFileSync(p, ['--version'], { encoding: 'utf8' }).trim()); } catch { /* version is informational */ }
      process.stdout.write(`${p}\n`);
    },
    (err) => { log(err.message); process.exit(1); },
  );
}
