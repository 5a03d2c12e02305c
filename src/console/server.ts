import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ENTITY_KINDS, type EntityKind } from '../config/schema';
import { TRUEUP_ACTIONS, type TrueupAction } from '../contracts/trueup';
import { RECORD_KINDS, type RecordKind } from '../ledger';
import { ActionRefused, approveItems, controlTrueup, rejectItems, releaseHeldLink } from './actions';
import { bearerToken, isLoopback, LOCAL_OPERATOR, operatorForToken, readCookie, SESSION_COOKIE, Sessions, tokenRequired } from './auth';
import type { ConsoleDeps } from './deps';
import { href, html, type Markup } from './html';
import { layout, type LayoutOptions } from './layout';
import { LIVE_SCRIPT } from './live';
import { connectionsPage } from './pages/connections';
import { RECORD_OUTCOMES, recordsPage, type RecordOutcomeFilter } from './pages/records';
import { progressOf, trueupPage, trueupView } from './pages/trueup';
import { timesheetsPage } from './pages/timesheets';

export const DEFAULT_CONSOLE_HOST = '127.0.0.1';
export const DEFAULT_CONSOLE_PORT = 8234;

export interface ConsoleServerOptions {
  /** The address the console listens on: a loopback one needs no token, any other needs one on every request. */
  host: string;
  port: number;
  /** One line per refusal or failure (never a token or a cookie). */
  log?: (line: string) => void;
}

type Form = Record<string, string[]>;

declare module 'fastify' {
  interface FastifyRequest {
    operator?: string;
    viaSession?: boolean;
  }
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/**
 * A form post from one of our own pages (or a non-browser client): the browser says so in Sec-Fetch-Site,
 * else its Origin must be this host. A page elsewhere posting to the console (even on localhost) is refused.
 */
function sameOriginPost(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function parseForm(body: string): Form {
  const form: Form = {};
  for (const [k, v] of new URLSearchParams(body)) (form[k] ??= []).push(v);
  return form;
}

const one = (form: Form, name: string): string | undefined => {
  const v = form[name]?.[0]?.trim();
  return v === '' ? undefined : v;
};

/** Flash notices survive one redirect (post → redirect → get), kept in memory for a minute. */
class Flashes {
  #flashes = new Map<string, { text: string; error: boolean; expires: number }>();
  put(text: string, error: boolean): string {
    const now = Date.now();
    for (const [k, f] of this.#flashes) if (f.expires < now) this.#flashes.delete(k);
    const id = `${now.toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    this.#flashes.set(id, { text, error, expires: now + 60_000 });
    return id;
  }
  take(id: string | undefined): { text: string; error: boolean } | undefined {
    if (!id) return undefined;
    const f = this.#flashes.get(id);
    this.#flashes.delete(id);
    return f;
  }
}

/**
 * The operator console (issue 12): server-rendered pages over the ledger and Temporal, and forms whose
 * actions go through the true-up's signals and update and the CLI's link release. See auth.ts for who may
 * use it.
 */
export async function createConsoleServer(deps: ConsoleDeps, opts: ConsoleServerOptions): Promise<FastifyInstance> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`[console] ${line}\n`));
  if (!isLoopback(opts.host) && deps.tokens.length === 0) {
    throw new Error(`The console on ${opts.host} (not a loopback address) needs operator tokens: set INTACCT_ASSIGNAR_CONSOLE_TOKENS=name:token,… (or bind to 127.0.0.1)`);
  }
  // Closing ends open keep-alive connections (a browser keeps them): Ctrl-C stops at once.
  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024, forceCloseConnections: true });
  const sessions = new Sessions();
  const flashes = new Flashes();
  const connections = deps.config.connections.map((c) => c.id);

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseForm(String(body))));

  const pickConnection = (requested: string | undefined): string => {
    if (requested && connections.includes(requested)) return requested;
    return connections[0]!;
  };

  const send = (reply: FastifyReply, status: number, page: Markup) => reply.code(status).headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(page.text);

  const page = (req: FastifyRequest, opts: Omit<LayoutOptions, 'operator' | 'session' | 'connections' | 'notice'>, content: Markup) => {
    const flash = flashes.take((req.query as Record<string, string | undefined>).flash);
    return layout({ ...opts, operator: req.operator, session: req.viaSession, connections, notice: flash }, content);
  };

  const loginPage = (message?: string) =>
    layout(
      { page: 'login', title: 'Sign in', notice: message ? { text: message, error: true } : undefined },
      html`<p>This console is reachable from other machines, so every request needs an operator token (from <code>INTACCT_ASSIGNAR_CONSOLE_TOKENS</code>).</p>
<form method="post" action="/login" class="card" style="max-width:420px">
<p><label for="token">Operator token</label><br><input id="token" name="token" type="password" autocomplete="current-password" required size="36"></p>
<p><button type="submit" class="primary">Sign in</button></p></form>`,
    );

  // Who is asking. Runs before every route; refusals are logged without any header value.
  app.addHook('onRequest', async (req, reply) => {
    const remote = req.socket.remoteAddress;
    const path = req.url.split('?')[0]!;
    // On a loopback binding, a Host that is not loopback means a page elsewhere resolved its name to us (DNS rebinding).
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (isLoopback(opts.host) && !isLoopback(hostName)) {
      log(`refused ${req.method} ${path} from ${remote}: Host is not a loopback name`);
      return send(reply, 403, html`Forbidden: use http://127.0.0.1 or http://localhost`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && !sameOriginPost(req)) {
      log(`refused ${req.method} ${path} from ${remote}: cross-site request`);
      return send(reply, 403, html`Forbidden: cross-site request`);
    }
    const bearer = bearerToken(req.headers.authorization);
    const byToken = operatorForToken(deps.tokens, bearer);
    const bySession = sessions.lookup(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (bearer && !byToken) {
      log(`refused ${req.method} ${path} from ${remote}: unknown bearer token`);
      return send(reply, req.method === 'GET' ? 401 : 403, html`Unknown operator token`);
    }
    req.operator = byToken ?? bySession;
    req.viaSession = !byToken && !!bySession;
    if (req.operator) return;
    if (!tokenRequired(opts.host, remote)) {
      req.operator = LOCAL_OPERATOR;
      return;
    }
    if (path === '/login') return;
    if (req.method === 'GET' || req.method === 'HEAD') return send(reply, 401, loginPage());
    log(`refused ${req.method} ${path} from ${remote}: no operator token`);
    return send(reply, 403, layout({ page: 'login', title: 'Refused' }, html`<p data-testid="refused">Refused: this action needs an operator token. <a href="/login">Sign in</a>.</p>`));
  });

  app.get('/login', async (req, reply) => (req.operator ? reply.redirect('/', 303) : send(reply, 200, loginPage())));
  app.post('/login', async (req, reply) => {
    const name = operatorForToken(deps.tokens, one((req.body as Form | undefined) ?? {}, 'token'));
    if (!name) {
      log(`refused a sign-in from ${req.socket.remoteAddress}: unknown token`);
      return send(reply, 403, loginPage('That token is not an operator token.'));
    }
    const s = sessions.create(name);
    reply.header('set-cookie', `${SESSION_COOKIE}=${s.id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${s.maxAgeSeconds}`);
    return reply.redirect('/', 303);
  });
  app.post('/logout', async (req, reply) => {
    sessions.end(readCookie(req.headers.cookie, SESSION_COOKIE));
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return reply.redirect('/login', 303);
  });

  app.get('/console.js', async (_req, reply) => reply.headers(SECURITY_HEADERS).type('text/javascript; charset=utf-8').send(LIVE_SCRIPT));

  app.get('/', async (req, reply) => send(reply, 200, page(req, { page: 'connections', title: 'Connections' }, await connectionsPage(deps))));

  app.get('/records', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const connection = pickConnection(q.connection);
    const kind = RECORD_KINDS.includes(q.kind as RecordKind) ? (q.kind as RecordKind) : undefined;
    const outcome = (RECORD_OUTCOMES as readonly string[]).includes(q.outcome ?? '') ? (q.outcome as RecordOutcomeFilter) : undefined;
    return send(reply, 200, page(req, { page: 'records', title: 'Records failing or held', connection }, await recordsPage(deps, { connection, kind, outcome })));
  });

  app.get('/trueup', async (req, reply) => {
    const connection = pickConnection((req.query as Record<string, string | undefined>).connection);
    return send(reply, 200, page(req, { page: 'trueup', title: 'True-up', connection, script: html`<script src="/console.js" defer></script>` }, await trueupPage(deps, connection)));
  });

  app.get('/trueup/status.json', async (req, reply) => {
    const connection = pickConnection((req.query as Record<string, string | undefined>).connection);
    const view = await trueupView(deps, connection);
    if (!view.status) return reply.code(404).headers(SECURITY_HEADERS).send({ error: view.note });
    const totals: Record<string, number> = {};
    for (const byState of Object.values(view.status.counts)) for (const [st, n] of Object.entries(byState ?? {})) totals[st] = (totals[st] ?? 0) + (n ?? 0);
    const { phase, paused, counts, withdrawn, generation } = view.status;
    return reply.headers(SECURITY_HEADERS).send({ phase, paused, counts, withdrawn, generation, progress: progressOf(totals) });
  });

  app.get('/timesheets', async (req, reply) => {
    const connection = pickConnection((req.query as Record<string, string | undefined>).connection);
    return send(reply, 200, page(req, { page: 'timesheets', title: 'Timesheets', connection }, await timesheetsPage(deps, connection)));
  });

  /** Runs an action and redirects back with its result as the notice (post → redirect → get). */
  async function act(req: FastifyRequest, reply: FastifyReply, back: string, connection: string, run: () => Promise<{ message: string }>) {
    let flash: string;
    try {
      flash = flashes.put((await run()).message, false);
    } catch (err) {
      if (!(err instanceof ActionRefused)) throw err;
      log(`${req.operator} ${req.method} ${req.url.split('?')[0]} on ${connection}: ${err.message}`);
      flash = flashes.put(err.message, true);
    }
    return reply.redirect(href(back, { connection: connections.length > 1 ? connection : undefined, flash }), 303);
  }

  const formOf = (req: FastifyRequest): Form => (req.body as Form | undefined) ?? {};

  app.post('/records/release', async (req, reply) => {
    const form = formOf(req);
    const connection = pickConnection(one(form, 'connection'));
    const kind = one(form, 'kind');
    const key = one(form, 'key');
    const mode = one(form, 'mode');
    return act(req, reply, '/records', connection, async () => {
      if (!kind || !(ENTITY_KINDS as readonly string[]).includes(kind)) throw new ActionRefused(`release: unknown kind "${kind ?? ''}"`);
      if (!key) throw new ActionRefused('release: which record?');
      if (mode !== 'overwrite' && mode !== 'accept') throw new ActionRefused('release: choose overwrite or accept');
      return releaseHeldLink(deps, req.operator!, connection, kind as EntityKind, key, mode);
    });
  });

  app.post('/trueup/approve', async (req, reply) => {
    const form = formOf(req);
    const connection = pickConnection(one(form, 'connection'));
    return act(req, reply, '/trueup', connection, async () => {
      const mode = one(form, 'mode');
      if (mode === 'all') return approveItems(deps, req.operator!, connection, { all: true });
      if (mode === 'group') {
        const items = [...new Set((one(form, 'itemList') ?? '').split('\n').map((s) => s.trim()).filter(Boolean))];
        if (items.length === 0) throw new ActionRefused('approve: the group has no items waiting');
        return approveItems(deps, req.operator!, connection, { items });
      }
      if (mode === 'confidence') {
        const percent = Number(one(form, 'minConfidence'));
        if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new ActionRefused('approve: the confidence is a percentage from 0 to 100');
        const action = one(form, 'action');
        if (action !== undefined && !(TRUEUP_ACTIONS as readonly string[]).includes(action)) throw new ActionRefused(`approve: unknown action "${action}"`);
        return approveItems(deps, req.operator!, connection, { minConfidence: percent / 100, ...(action ? { action: action as TrueupAction } : {}) });
      }
      throw new ActionRefused('approve: choose what to approve');
    });
  });

  app.post('/trueup/decide', async (req, reply) => {
    const form = formOf(req);
    const connection = pickConnection(one(form, 'connection'));
    return act(req, reply, '/trueup', connection, async () => {
      const items = [...new Set((form.items ?? []).map((s) => s.trim()).filter(Boolean))];
      if (items.length === 0) throw new ActionRefused('Select at least one item first.');
      const decision = one(form, 'decision');
      if (decision === 'approve') return approveItems(deps, req.operator!, connection, { items });
      if (decision === 'reject') return rejectItems(deps, req.operator!, connection, items, one(form, 'reason'));
      throw new ActionRefused('Choose approve or reject.');
    });
  });

  app.post('/trueup/control', async (req, reply) => {
    const form = formOf(req);
    const connection = pickConnection(one(form, 'connection'));
    const what = one(form, 'what');
    return act(req, reply, '/trueup', connection, async () => {
      if (what !== 'pause' && what !== 'resume' && what !== 'cancel') throw new ActionRefused('Choose pause, resume or cancel.');
      return controlTrueup(deps, req.operator!, connection, what);
    });
  });

  app.setNotFoundHandler((req, reply) => send(reply, 404, layout({ page: 'login', title: 'Not found', operator: req.operator }, html`<p><a href="/">Connections</a></p>`)));
  app.setErrorHandler((err, req, reply) => {
    log(`error on ${req.method} ${req.url.split('?')[0]}: ${err instanceof Error ? err.message : String(err)}`);
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return send(reply, status >= 400 && status < 600 ? status : 500, layout({ page: 'login', title: 'Something went wrong', operator: req.operator }, html`<p class="bad">${err instanceof Error ? err.message : String(err)}</p><p><a href="/">Connections</a></p>`));
  });
  return app;
}

/** Starts listening; the URL to print. */
export async function listenConsole(app: FastifyInstance, opts: ConsoleServerOptions): Promise<string> {
  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  return `http://${shown}:${port}/`;
}
