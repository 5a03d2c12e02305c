import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { softDelete } from './crud';
import { ApiError } from './errors';
import { mergeFaults } from './faults';
import { RESOURCES } from './resources';
import { applyRecords, SEED_SCALES, upsertRecord, type SeedScale } from './seeds';
import { simulateTimesheets, type SimulateOptions } from './simulate';
import { simulateTimesheetEdits, type EditOptions } from './simulate-edits';
import type { SandboxState } from './state';
import { isResourceName, parseId, RESOURCE_NAMES, type ResourceName } from './store';

/**
 * The control API under /_sandbox/ (DESIGN.md §6), never rate-limited, faulted or counted:
 *   GET    /_sandbox/                      what this is, URLs, credentials
 *   GET    /_sandbox/stats                 counters;  DELETE /_sandbox/stats clears them
 *   POST   /_sandbox/reset                 data back to the start-up seed (or {"scale"|"seed": ...}), counters cleared;
 *                                          fault knobs and issued tokens stay (as in the Sage sandbox; DELETE faults)
 *   POST   /_sandbox/seed                  {"scale": "none"|"demo"|"existing-tenant"} replaces the data;
 *                                          {"records": {"users": [...], ...}, "replace"?: true} upserts explicit records
 *   GET    /_sandbox/faults                the knobs;  DELETE restores the start-up ones;  PUT merges {latencyMs, requestsPerSecond, burst,
 *                                          concurrencyCap, errorRate, timeoutRate, timeoutMode, timeoutMs, tokenTtlSeconds,
 *                                          maxPageSize, faultSeed, expireTokens: true}
 *   GET    /_sandbox/records/<type>[/<id>] every record with the API's JSON (inactive and deleted ones too)
 *   POST   /_sandbox/records/<type>        array of records: create, or update by `id` (as a person in the app; bumps modified_time)
 *   DELETE /_sandbox/records/<type>/<id>   delete as the app does (soft); `?hard=true` removes the row
 *   POST   /_sandbox/simulate/timesheets   field activity: {days | startDate+endDate, perWorkerPerDay, approveRatio, draftRatio,
 *                                          overnightRatio, hostileRatio, unusualPayCodeRatio, timeZones, workerIds, projectIds,
 *                                          seed, maxWorkers} → what was generated
 *   POST   /_sandbox/simulate/timesheet-edits  supervisors' corrections after approval: {ids | count, processed, kinds, at,
 *                                          unprocess, seed} → what changed
 */

interface Req {
  body: unknown;
  params: { resource: string; id: string };
  query: Record<string, string>;
}

class ControlError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function resourceOf(name: string): ResourceName {
  if (!isResourceName(name)) throw new ControlError(404, `unknown record type "${name}"; one of ${RESOURCE_NAMES.join(', ')}`);
  return name;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ControlError(400, 'expected a JSON object');
  return body as Record<string, unknown>;
}

export function registerControlRoutes(app: FastifyInstance, state: SandboxState, describe: () => Record<string, unknown>): void {
  const guard =
    (fn: (req: Req, reply: FastifyReply) => unknown | Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        return await fn(req as Req, reply);
      } catch (err) {
        if (err instanceof ControlError) return reply.code(err.statusCode).send({ error: err.message });
        if (err instanceof ApiError) return reply.code(err.statusCode).send({ error: err.message, ...err.body });
        return reply.code(400).send({ error: (err as Error).message });
      }
    };
  const render = (resource: ResourceName, row: { id: number } & Record<string, unknown>) => RESOURCES[resource].render(row, state.uiContext());
  const counts = () => Object.fromEntries(RESOURCE_NAMES.map((n) => [n, state.store.table(n).size]));

  app.get('/_sandbox', guard(async () => describe()));
  app.get('/_sandbox/stats', guard(async () => state.statsSnapshot()));
  app.delete(
    '/_sandbox/stats',
    guard(async () => {
      state.stats.reset();
      return state.statsSnapshot();
    }),
  );

  app.post(
    '/_sandbox/reset',
    guard(async (req) => {
      const body = objectBody(req.body);
      const scale = ((body.scale ?? body.seed) as SeedScale | undefined) ?? state.startSeed;
      if (!SEED_SCALES.includes(scale)) throw new ControlError(400, `scale must be one of ${SEED_SCALES.join(', ')}`);
      await state.reset(scale);
      return { ok: true, reset: true, scale, records: counts() };
    }),
  );

  app.post(
    '/_sandbox/seed',
    guard(async (req) => {
      const body = objectBody(req.body);
      if (body.records !== undefined) {
        if (!body.records || typeof body.records !== 'object' || Array.isArray(body.records)) throw new ControlError(400, 'records must be an object of arrays');
        if (body.replace === true || body.reset === true) await state.seed('none');
        const upserted = applyRecords(state.uiContext(), body.records as Record<string, unknown>);
        return { ok: true, upserted, records: counts() };
      }
      const scale = body.scale as SeedScale;
      if (!SEED_SCALES.includes(scale)) throw new ControlError(400, `scale must be one of ${SEED_SCALES.join(', ')}, or give records`);
      await state.seed(scale);
      return { ok: true, scale, records: counts() };
    }),
  );

  app.get('/_sandbox/faults', guard(async () => state.faults.settings));
  app.delete(
    '/_sandbox/faults',
    guard(async () => {
      state.resetFaults();
      return state.faults.settings;
    }),
  );
  app.put(
    '/_sandbox/faults',
    guard(async (req) => {
      const body = objectBody(req.body);
      const next = mergeFaults(state.faults.settings, body);
      if ('faultSeed' in body && (typeof body.faultSeed !== 'number' || !Number.isInteger(body.faultSeed))) throw new ControlError(400, 'faultSeed must be an integer');
      state.faults.update(next, body.faultSeed as number | undefined);
      state.tokens.ttlSeconds = next.tokenTtlSeconds;
      let expiredTokens = 0;
      if (body.expireTokens === true) expiredTokens = state.tokens.expireAll();
      return { ...next, expiredTokens };
    }),
  );

  app.get(
    '/_sandbox/records/:resource',
    guard(async (req) => {
      const resource = resourceOf(req.params.resource);
      return state.store
        .table(resource)
        .all()
        .map((r) => render(resource, r));
    }),
  );
  app.get(
    '/_sandbox/records/:resource/:id',
    guard(async (req) => {
      const resource = resourceOf(req.params.resource);
      const id = parseId(req.params.id);
      const row = id === undefined ? undefined : state.store.table(resource).get(id);
      if (!row) throw new ControlError(404, `${resource} ${req.params.id} not found`);
      return render(resource, row);
    }),
  );
  app.post(
    '/_sandbox/records/:resource',
    guard(async (req) => {
      const resource = resourceOf(req.params.resource);
      const list = Array.isArray(req.body) ? req.body : [objectBody(req.body)];
      const ctx = state.uiContext();
      return list.map((input) => {
        if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ControlError(400, 'each record must be a JSON object');
        return render(resource, upsertRecord(ctx, resource, input as Record<string, unknown>));
      });
    }),
  );
  app.delete(
    '/_sandbox/records/:resource/:id',
    guard(async (req) => {
      const resource = resourceOf(req.params.resource);
      const id = parseId(req.params.id);
      const table = state.store.table(resource);
      const row = id === undefined ? undefined : table.get(id);
      if (!row) throw new ControlError(404, `${resource} ${req.params.id} not found`);
      const hard = req.query.hard === 'true' || req.query.hard === '1';
      if (hard) table.delete(row.id);
      else if (resource === 'timesheets') table.update(row.id, { deleted_time: state.now(), modified_time: state.now() });
      else softDelete(RESOURCES[resource], state.uiContext(), row);
      return { ok: true, resource, id: row.id, hard };
    }),
  );

  app.post(
    '/_sandbox/simulate/timesheets',
    guard(async (req) => simulateTimesheets(state.store, objectBody(req.body) as SimulateOptions)),
  );
  app.post(
    '/_sandbox/simulate/timesheet-edits',
    guard(async (req) => simulateTimesheetEdits(state.store, objectBody(req.body) as EditOptions, () => state.now())),
  );
}
