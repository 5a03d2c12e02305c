/**
 * The control API under `/_sandbox/` (DESIGN.md §6), JSON in and out:
 *   GET    /_sandbox/             what this sandbox is: URLs, credentials, offset, record counts
 *   GET    /_sandbox/stats        counters (see stats.ts);  DELETE /_sandbox/stats  zero them
 *   POST   /_sandbox/reset        clear data, counters, uniqueid history, cursors (sessions and faults stay)
 *   POST   /_sandbox/seed         {"scale":"demo"|"large"} (replaces data) or {"records":{"CUSTOMER":[…]}} (merges;
 *                                 "replace":true clears first)
 *   GET    /_sandbox/faults       the knobs;  PUT  /_sandbox/faults  change some (see faults.ts; plus
 *                                 "expireSessions":true);  DELETE /_sandbox/faults  back to start-up values
 *   GET    /_sandbox/records/:object          every record, fields as `query` returns them
 *   POST   /_sandbox/records/:object          [records] → create or update each by its ID field (a UI edit)
 *   DELETE /_sandbox/records/:object/:id      delete one (leaves AUDITHISTORY); ?PROJECTID=… for tasks,
 *                                             ?by=RECORDNO to name the record by number
 *   PUT    /_sandbox/timesheets/:recordNo/state  {"STATE":"Approved"} — a person approving (declining,
 *                                             submitting, reverting) a timesheet in the UI; lines follow
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ControlError, type SageSandboxCore } from './core';
import type { FaultUpdate } from './faults';
import type { SeedRecords } from './seed';

export interface ControlInfo {
  baseUrl: string;
  endpointUrl: string;
  sessionEndpointUrl: string;
  credentials: Record<string, string>;
  userTimeZoneOffset: string;
}

function send(reply: FastifyReply, fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ControlError) {
      void reply.code(err.status);
      return { error: err.message, ...(err.details ? { errors: err.details } : {}) };
    }
    throw err;
  }
}

function body(raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ControlError(400, 'The body must be a JSON object');
  return raw as Record<string, unknown>;
}

export function registerControlApi(app: FastifyInstance, core: SageSandboxCore, info: () => ControlInfo): void {
  app.get('/_sandbox', async () => ({ sandbox: 'sage-intacct', ...info(), records: core.store.counts() }));
  app.get('/_sandbox/', async () => ({ sandbox: 'sage-intacct', ...info(), records: core.store.counts() }));

  app.get('/_sandbox/stats', async () => core.statsSnapshot());
  app.delete('/_sandbox/stats', async () => {
    core.resetStats();
    return core.statsSnapshot();
  });

  app.post('/_sandbox/reset', async (req, reply) =>
    send(reply, () => {
      const b = body(req.body);
      core.reset();
      const seeded = b.seed === 'demo' || b.seed === 'large' ? core.seed(b.seed) : undefined;
      return { reset: true, ...(seeded ? { seeded } : {}), records: core.store.counts() };
    }),
  );

  app.post('/_sandbox/seed', async (req, reply) =>
    send(reply, () => {
      const b = body(req.body);
      const replace = typeof b.replace === 'boolean' ? b.replace : undefined;
      if (b.scale !== undefined) {
        if (b.scale !== 'demo' && b.scale !== 'large') throw new ControlError(400, `scale must be "demo" or "large" (got ${JSON.stringify(b.scale)})`);
        return { seeded: core.seed(b.scale, replace), records: core.store.counts() };
      }
      if (b.records && typeof b.records === 'object' && !Array.isArray(b.records)) {
        return { seeded: core.seed(b.records as SeedRecords, replace ?? false), records: core.store.counts() };
      }
      throw new ControlError(400, 'Send {"scale":"demo"|"large"} or {"records":{"<OBJECT>":[…]}}');
    }),
  );

  app.get('/_sandbox/faults', async () => ({ ...core.faults.settings }));
  app.put('/_sandbox/faults', async (req, reply) => send(reply, () => core.setFaults(body(req.body) as FaultUpdate)));
  app.delete('/_sandbox/faults', async () => {
    core.faults.resetToDefaults();
    return { ...core.faults.settings };
  });

  app.get<{ Params: { object: string } }>('/_sandbox/records/:object', async (req, reply) => send(reply, () => core.records(req.params.object)));
  app.post<{ Params: { object: string } }>('/_sandbox/records/:object', async (req, reply) => send(reply, () => core.upsertRecords(req.params.object, req.body)));
  app.put<{ Params: { recordNo: string } }>('/_sandbox/timesheets/:recordNo/state', async (req, reply) =>
    send(reply, () => {
      const b = body(req.body);
      const state = b.STATE ?? b.state;
      if (typeof state !== 'string' || state === '') throw new ControlError(400, 'Send {"STATE":"Approved"} (or another timesheet state)');
      return core.setTimesheetState(req.params.recordNo, state);
    }),
  );
  app.delete<{ Params: { object: string; id: string }; Querystring: { PROJECTID?: string; projectId?: string; by?: string } }>(
    '/_sandbox/records/:object/:id',
    async (req, reply) =>
      send(reply, () => ({ deleted: core.deleteRecord(req.params.object, req.params.id, { by: req.query.by, projectId: req.query.PROJECTID ?? req.query.projectId }) })),
  );
}
