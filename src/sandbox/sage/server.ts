/**
 * The HTTP face of the sandbox (fastify): the gateway at `/ia/xml/xmlgw.phtml` (login only, plus
 * getAPISession) and at the session endpoint `/na1/ia/xml/xmlgw.phtml` (login and sessions), POST with
 * `application/xml` or `text/xml`; and the control API under `/_sandbox/`.
 *
 * Per gateway request, in order: content-type check (else HTTP 415 + GW-0011); the concurrency cap (one
 * more than the cap → HTTP 429 + GW-0010 at once, counted); an injected fault (HTTP 5xx with an empty body,
 * or a hang until the client gives up), before or after executing as configured; then HTTP 200 with the
 * gateway's XML for every business outcome.
 *
 * Latency is time to response, as a client sees it from a real gateway: it counts from the request's
 * arrival and includes the sandbox's own work, so a request is executed first and then held only for what
 * remains of `latencyMs` (a page that takes 40 ms to build at 200 ms latency is answered at 200 ms, not
 * 240). Each request waits on its own timer, so concurrent requests overlap their waits; the execution
 * itself is synchronous, so requests that arrive together are executed one after the other — which stays
 * inside the latency as long as their work fits in it. A request holds its concurrency slot from the cap
 * check until it is answered (or the client leaves).
 */
import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerControlApi, type ControlInfo } from './control-api';
import type { SageSandboxCore } from './core';
import { errors, type GatewayError } from './errors';
import { serialize } from './xml-write';

export const LOGIN_PATH = '/ia/xml/xmlgw.phtml';
export const SESSION_PATH = '/na1/ia/xml/xmlgw.phtml';

const XML_TYPE = 'text/xml; charset=UTF-8';

function gatewayErrorBody(error: GatewayError): string {
  return serialize(
    {
      name: 'response',
      children: [
        { name: 'control', children: [{ name: 'status', text: 'failure' }] },
        {
          name: 'errormessage',
          children: [{
            name: 'error',
            children: [
              { name: 'errorno', text: error.errorno }, { name: 'description', text: error.description ?? '' },
              { name: 'description2', text: error.description2 ?? '' }, { name: 'correction', text: error.correction ?? '' },
            ],
          }],
        },
      ],
    },
    false,
  );
}

export interface SandboxServer {
  app: FastifyInstance;
  close(): Promise<void>;
}

export function createServer(core: SageSandboxCore, info: () => ControlInfo, afterResponse?: () => void): SandboxServer {
  const app = Fastify({ logger: false, bodyLimit: 50 * 1024 * 1024, forceCloseConnections: true });
  if (afterResponse) app.addHook('onResponse', async () => afterResponse());
  // The control API takes JSON; an empty JSON body (a bare POST /_sandbox/reset) is just "no options".
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, raw, done) => {
    const text = String(raw);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(Object.assign(new Error(`Invalid JSON body: ${(err as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
  const hanging = new Set<() => void>();
  /** When each gateway request arrived (fastify's onRequest: headers read, body not yet). */
  const arrivals = new WeakMap<FastifyRequest, number>();
  let closing = false;


  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  /** One turn of the event loop: I/O already received (other requests' arrivals) is handled first. */
  const yieldToArrivals = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  /** Holds the request without answering until the client leaves, `hangMs` passes or the sandbox closes. */
  const hang = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.hijack();
    await new Promise<void>((resolve) => {
      const done = (): void => {
        hanging.delete(done);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, core.faults.settings.hangMs);
      hanging.add(done);
      reply.raw.once('close', done);
      if (closing) done();
    });
    req.raw.socket?.destroy();
  };

  const gateway = (onSessionPath: boolean) => async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const stats = core.stats;
    stats.requests++;
    const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/xml' && contentType !== 'text/xml') {
      stats.responses.badRequest++;
      return reply.code(415).type(XML_TYPE).send(gatewayErrorBody(errors.invalidRequest(`Content-Type must be application/xml (got '${contentType || 'none'}')`)));
    }
    const settings = core.faults.settings;
    if (stats.inFlight >= settings.concurrencyCap) {
      stats.rejectedForRate++;
      stats.responses.rateLimited++;
      return reply.code(429).type(XML_TYPE).send(gatewayErrorBody(errors.rateLimited(settings.concurrencyCap)));
    }
    stats.enter();
    let released = false;
    const release = (): void => {
      if (!released) {
        released = true;
        stats.leave();
      }
    };
    reply.raw.once('close', release);
    try {
      const decision = core.faults.decide();
      // Waits out what remains of the latency, counted from the request's arrival, so the sandbox's own
      // work is part of the latency, not added to it.
      const arrived = arrivals.get(req) ?? performance.now();
      const untilLatency = async (): Promise<void> => {
        const rest = settings.latencyMs - (performance.now() - arrived);
        if (rest > 0) await sleep(rest);
      };
      const fault = async (): Promise<unknown> => {
        if (decision === 'error') {
          stats.faultsInjected.serverErrors++;
          stats.responses.serverError++;
          release();
          return reply.code(core.faults.settings.errorStatus).type('text/html').send('');
        }
        stats.faultsInjected.timeouts++;
        stats.responses.timedOut++;
        await hang(req, reply);
        release();
        return reply;
      };
      if (decision && !core.faults.settings.faultsAfterExecute) {
        await untilLatency();
        return await fault();
      }
      // Let requests that arrived together all start their clocks before this one's synchronous work.
      if (settings.latencyMs > 0) await yieldToArrivals();
      const result = core.gateway(typeof req.body === 'string' ? req.body : '', onSessionPath);
      // Encoding the body is part of the work, inside the latency like the rest of it.
      const payload = Buffer.from(result.body, 'utf8');
      await untilLatency();
      if (decision) return await fault();
      if (result.outcome === 'offline') stats.faultsInjected.offline++;
      stats.responses[result.outcome]++;
      release();
      return reply.code(200).type(XML_TYPE).send(payload);
    } catch (err) {
      release();
      throw err;
    }
  };

  // The gateway sees every body as text (it answers a wrong content type itself); the control API keeps JSON.
  void app.register(async (gw) => {
    gw.addHook('onRequest', async (req) => {
      arrivals.set(req, performance.now());
    });
    gw.removeAllContentTypeParsers();
    gw.addContentTypeParser('*', { parseAs: 'string' }, (_req, b, done) => done(null, b));
    for (const [path, onSession] of [[LOGIN_PATH, false], [SESSION_PATH, true]] as const) {
      gw.post(path, gateway(onSession));
      gw.route({
        method: ['GET', 'PUT', 'DELETE', 'PATCH'],
        url: path,
        handler: async (_req, reply) => {
          core.stats.requests++;
          core.stats.responses.badRequest++;
          return reply.code(405).header('allow', 'POST').type(XML_TYPE).send(gatewayErrorBody(errors.invalidRequest('Only HTTP POST is supported')));
        },
      });
    }
  });
  registerControlApi(app, core, info);

  return {
    app,
    close: async () => {
      closing = true;
      for (const done of [...hanging]) done();
      await app.close();
    },
  };
}
