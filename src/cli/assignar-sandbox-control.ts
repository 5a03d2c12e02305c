import { z } from 'zod';

/**
 * The Assignar sandbox's control API (`/_sandbox/`), reached by URL like the API itself: the product never
 * imports the sandbox. Only `dev` uses it, to give a new tenant a week of field activity to export.
 */

const TIMEOUT_MS = 60_000;

const StatsSchema = z.object({ records: z.record(z.string(), z.number()) });

const SimulateResultSchema = z.object({
  created: z.number(),
  approved: z.number(),
  submitted: z.number(),
  draft: z.number(),
  workers: z.number(),
  unlinkedWorkers: z.number(),
  crews: z.number(),
  withAssetTime: z.number(),
  overnight: z.number(),
  withUnusualPayCode: z.number(),
  unusualPayCode: z.string(),
  days: z.array(z.string()),
  skipped: z.string().optional(),
});
export type SimulatedActivity = z.infer<typeof SimulateResultSchema>;

/** The sandbox's base URL from the connection's Assignar API base (`http://host:port/v2` → `http://host:port`). */
export function assignarControlBase(apiBase: string): string {
  const trimmed = apiBase.replace(/\/+$/, '');
  if (!/\/v2$/.test(trimmed)) throw new Error(`expected an Assignar API base ending in /v2, got ${apiBase}`);
  return trimmed.slice(0, -'/v2'.length);
}

async function call<T>(base: string, method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
  const url = `${base}/_sandbox/${path}`;
  const res = await fetch(url, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${url} answered ${res.status} with something other than JSON: ${text.slice(0, 100)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${method} ${url} answered something other than the Assignar sandbox's control API: ${parsed.error.message}`);
  return parsed.data;
}

/** How many timesheets the sandbox tenant holds (any status, deleted ones too). */
export async function sandboxTimesheetCount(base: string): Promise<number> {
  const stats = await call(base, 'GET', 'stats', StatsSchema);
  return stats.records.timesheets ?? 0;
}

/** Field activity: timesheets for the tenant's field workers over `days` working days (see the sandbox README). */
export async function simulateTimesheets(base: string, options: { days: number }): Promise<SimulatedActivity> {
  return call(base, 'POST', 'simulate/timesheets', SimulateResultSchema, options);
}
