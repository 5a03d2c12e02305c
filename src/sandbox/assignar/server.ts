import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerApiRoutes, templateOf, type ServedRoute } from './api-routes';
import { registerControlRoutes } from './control-routes';
import { ApiError, badRequest, serverError, tooManyRequests } from './errors';
import type { SandboxState } from './state';

/**
 * The HTTP server: the API plane (`/oauth2/token`, `/v2/...`) behind the fault pipeline, and the
 * control plane (`/_sandbox/...`) beside it. Order of the pipeline on the API plane, per request:
 * count → concurrency cap (429) → rate limit (429) → latency → bearer check (401, /v2 only) →
 * injected 5xx → injected timeout → handler.
 */

interface Flags {
  api: boolean;
  v2: boolean;
  timeoutAfter?: boolean;
  left?: boolean;
}

const FLAGS = Symbol('sandbox-flags');
type FlaggedRequest = FastifyRequest & { [FLAGS]?: Flags; clientId?: string };

function flags(req: FastifyRequest): Flags {
  return ((req as FlaggedRequest)[FLAGS] ??= { api: false, v2: false });
}

/** Drops the connection without an answer (a request that timed out on the server side). */
function dropConnection(req: FastifyRequest, reply: FastifyReply): void {
  reply.raw.destroy();
  req.raw.socket?.destroy();
}

export function buildServer(state: SandboxState, describe: () => Record<string, unknown>): { app: FastifyInstance; routes: ServedRoute[] } {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    bodyLimit: 64 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(badRequest('Invalid JSON payload'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    const v2 = path === '/v2' || path.startsWith('/v2/');
    const api = v2 || path.startsWith('/oauth2/');
    if (!api) return;
    const f = flags(req);
    f.api = true;
    f.v2 = v2;
    const route = req.routeOptions.url;
    state.stats.request(`${req.method} ${route ? templateOf(route) : '(unmatched)'}`);
    const inFlight = state.stats.enter();
    reply.raw.once('close', () => {
      if (!f.left) {
        f.left = true;
        state.stats.leave();
      }
    });
    const s = state.faults.settings;
    if (v2 && s.concurrencyCap > 0 && inFlight > s.concurrencyCap) {
      state.stats.rejected('concurrency');
      throw tooManyRequests(1, `more than ${s.concurrencyCap} concurrent requests`);
    }
    if (v2 && s.requestsPerSecond > 0) {
      const taken = state.faults.bucket.take();
      if (!taken.ok) {
        state.stats.rejected('rate');
        throw tooManyRequests(taken.retryAfterSeconds, `rate limit of ${s.requestsPerSecond} requests per second exceeded`);
      }
    }
    if (s.latencyMs > 0) await state.sleeper.sleep(s.latencyMs);
    if (!v2) return;
    try {
      (req as FlaggedRequest).clientId = state.tokens.verify(req.headers.authorization).clientId;
    } catch (err) {
      state.stats.authFailed();
      throw err;
    }
    if (state.faults.draw(s.errorRate)) {
      state.stats.fault('error');
      throw serverError(state.faults.pickErrorStatus());
    }
    if (state.faults.draw(s.timeoutRate)) {
      state.stats.fault('timeout');
      if (s.timeoutMode === 'after') {
        f.timeoutAfter = true;
        return;
      }
      reply.hijack();
      await state.sleeper.sleep(s.timeoutMs);
      dropConnection(req, reply);
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const f = flags(req);
    if (f.timeoutAfter) {
      await state.sleeper.sleep(state.faults.settings.timeoutMs);
      dropConnection(req, reply);
    }
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    if (flags(req).api) state.stats.status(reply.statusCode);
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) {
      reply.headers(err.headers);
      return reply.code(err.statusCode).send(err.body);
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.code(400).send({ message: '[400] Missing payload.' });
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status < 500) return reply.code(status).send({ message: `[${status}] ${err.message}` });
    process.stderr.write(`[assignar-sandbox] ${req.method} ${req.url}: ${err.stack ?? err.message}\n`);
    return reply.code(500).send({ message: '[500] Internal Server Error' });
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    reply.code(404).send({ message: `[404] Route not found - ${req.method} ${path}` });
  });

  const routes = registerApiRoutes(app, state);
  registerControlRoutes(app, state, describe);
  return { app, routes };
}
