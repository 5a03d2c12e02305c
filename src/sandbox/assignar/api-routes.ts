import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { create, getOne, list, remove, update, type HttpResult } from './crud';
import { notFound } from './errors';
import { codedWorkerTimes } from './pay-codes';
import { CRUD_RESOURCES, LOOKUP_RESOURCES } from './resources';
import type { ResourceDef } from './resources/types';
import type { SandboxState } from './state';
import { parseId } from './store';
import { processTimesheet, timesheetsResource, visibleTimesheet } from './timesheets';

/** A served API route: method and path exactly as the spec spells it (under /v2), or the token endpoint. */
export interface ServedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `/v2/users/{userId}`, `/oauth2/token`. */
  path: string;
  /** The spec's path template (`/users/{userId}`), undefined for the token endpoint. */
  specPath?: string;
}

/** Spec template → Fastify route (`/users/{userId}` → `/v2/users/:userId`). */
export function fastifyPath(specPath: string): string {
  return '/v2' + specPath.replace(/\{([^}]+)\}/g, ':$1');
}

/** Fastify route → spec-style template (`/v2/users/:userId` → `/v2/users/{userId}`). */
export function templateOf(route: string): string {
  return route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function send(reply: FastifyReply, result: HttpResult): FastifyReply {
  reply.code(result.status);
  return result.body === undefined ? reply.send() : reply.send(result.body);
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, unknown>; Body: unknown }>;

/** Registers the token endpoint and every /v2 route the sandbox serves; returns the list. */
export function registerApiRoutes(app: FastifyInstance, state: SandboxState): ServedRoute[] {
  const routes: ServedRoute[] = [];
  const clientIdOf = (req: FastifyRequest) => (req as FastifyRequest & { clientId?: string }).clientId ?? state.credentials.clientId;
  const ctx = (req: FastifyRequest) => state.apiContext(clientIdOf(req));
  const add = (method: ServedRoute['method'], specPath: string, handler: (req: Req, reply: FastifyReply) => unknown) => {
    routes.push({ method, path: '/v2' + specPath, specPath });
    app.route({ method, url: fastifyPath(specPath), handler: handler as never });
  };
  const maxPageSize = () => state.faults.settings.maxPageSize || undefined;

  routes.push({ method: 'POST', path: '/oauth2/token' });
  app.post('/oauth2/token', async (req, reply) => {
    let issued;
    try {
      const form = /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '') ? (req.body as Record<string, unknown>) : undefined;
      issued = state.tokens.issue(req.headers.authorization, form);
    } catch (err) {
      state.stats.tokenRejected();
      throw err;
    }
    state.stats.tokenIssued();
    reply.header('cache-control', 'no-store');
    return reply.send(issued);
  });

  const crud = (def: ResourceDef) => {
    const id = (req: Req) => req.params[def.idParam];
    add('GET', def.collectionPath, (req, reply) => send(reply, list(def, ctx(req), req.query, { maxPageSize: maxPageSize() })));
    add('GET', def.itemPath, (req, reply) => send(reply, getOne(def, ctx(req), parseId(id(req)), id(req))));
    if (def.readOnly) return;
    add('POST', def.collectionPath, (req, reply) => send(reply, create(def, ctx(req), req.body, state.stats)));
    add('PUT', def.itemPath, (req, reply) => send(reply, update(def, ctx(req), parseId(id(req)), id(req), req.body, state.stats)));
    add('DELETE', def.itemPath, (req, reply) => send(reply, remove(def, ctx(req), parseId(id(req)), id(req), state.stats)));
  };
  for (const def of CRUD_RESOURCES) crud(def);
  for (const def of LOOKUP_RESOURCES) crud(def);

  const ts = timesheetsResource;
  add('GET', ts.collectionPath, (req, reply) => send(reply, list(ts, ctx(req), req.query, { maxPageSize: maxPageSize(), visible: visibleTimesheet })));
  add('GET', ts.itemPath, (req, reply) => send(reply, getOne(ts, ctx(req), parseId(req.params.id), req.params.id, visibleTimesheet)));
  add('GET', '/timesheets/coded-worker-times', (req, reply) => send(reply, { status: 200, body: { status: 200, data: codedWorkerTimes(state.store, req.query) } }));
  add('PUT', '/timesheets/{timesheetId}/process', (req, reply) => {
    const raw = req.params.timesheetId;
    const id = parseId(raw);
    if (id === undefined) throw notFound('Timesheet', raw);
    const row = processTimesheet(ctx(req), id);
    state.stats.write('timesheets', 'processed');
    // The spec declares `200: Success` without a body schema; the sandbox answers the processing stamp.
    return reply.code(200).send({ status: 200, data: { id: row.id, is_processed: true, processed_at: row.processed_at, processed_by_id: row.processed_by_id } });
  });
  return routes;
}
