import type { AssignarSandbox } from '../../src/sandbox/assignar';

/** Plain HTTP helpers for the Assignar sandbox tests (real requests with fetch, nothing mocked). */

/** Response bodies are read loosely in tests; the contract test checks their shape against the spec. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface HttpAnswer<T = Loose> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function http<T = Loose>(url: string, init: RequestInit = {}): Promise<HttpAnswer<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

export function basic(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

/** POST /oauth2/token as the reference describes it. */
export function requestToken(sb: AssignarSandbox, opts: { auth?: string; form?: string; contentType?: string } = {}): Promise<HttpAnswer> {
  return http(sb.tokenUrl, {
    method: 'POST',
    headers: {
      authorization: opts.auth ?? basic(sb.credentials.clientId, sb.credentials.clientSecret),
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
    },
    body: opts.form ?? `grant_type=client_credentials&scope=${encodeURIComponent(sb.scope)}`,
  });
}

export async function token(sb: AssignarSandbox): Promise<string> {
  const res = await requestToken(sb);
  if (res.status !== 200) throw new Error(`token: ${res.status} ${res.text}`);
  return res.body.access_token as string;
}

export type Call = <T = Loose>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<HttpAnswer<T>>;

/** A caller for /v2 with a bearer token (fetched once). */
export async function apiCaller(sb: AssignarSandbox, bearer?: string): Promise<Call> {
  const t = bearer ?? (await token(sb));
  return (method, path, body, headers = {}) =>
    http(sb.apiBase + path, {
      method,
      headers: { authorization: `Bearer ${t}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
}

/** A caller for /_sandbox/. */
export function controlCaller(sb: AssignarSandbox): Call {
  return (method, path, body) =>
    http(`${sb.baseUrl}/_sandbox/${path.replace(/^\//, '')}`, {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/** Creates the records a full tenant has after an import: a client, project, role, asset, activity, workers, an order. */
export async function importLikeTenant(call: Call, workers = 6): Promise<{ clientId: number; projectId: number; taskId: number; assetId: number; activityIds: number[]; userIds: number[]; orderId: number }> {
  const ok = (res: HttpAnswer, what: string) => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text}`);
    return res.body.data.id as number;
  };
  const clientId = ok(await call('POST', '/clients/', { name: 'Summit Builders', company_name: 'Summit Builders LLC', external_id: 'C-0100', integration_id: '100' }), 'client');
  const projectId = ok(
    await call('POST', '/projects/', { name: 'Harbor Point Office Tower', client_id: clientId, external_id: 'P-0100', integration_id: '200', state: 'IL' }),
    'project',
  );
  const taskId = ok(await call('POST', '/tasks', { name: 'Equipment Operator', external_id: 'LAB-OPER', integration_id: '300', req_machines: true }), 'task');
  const laborer = ok(await call('POST', '/tasks', { name: 'Laborer', external_id: 'LAB-GEN', integration_id: '301' }), 'task');
  const assetId = ok(await call('POST', '/assets', { name: 'Excavator 20t', external_id: 'EQ-EXC20', integration_id: '400', active: true, asset_class_id: 1 }), 'asset');
  const activityIds = [
    ok(await call('POST', '/activities', { name: 'Labor', external_id: 'LAB', integration_id: '500' }), 'activity'),
    ok(await call('POST', '/activities', { name: 'Equipment', external_id: 'EQP', integration_id: '501' }), 'activity'),
    ok(await call('POST', '/activities', { name: 'Labor Overtime', external_id: 'LAB-OT', integration_id: '502' }), 'activity'),
  ];
  const userIds: number[] = [];
  for (let i = 0; i < workers; i++) {
    userIds.push(
      ok(
        await call('POST', '/users', {
          user_type_id: 2,
          employee_id: `E${2001 + i}`,
          integration_id: String(600 + i),
          first_name: `Worker${i}`,
          last_name: 'Example',
          email: `worker${i}@example-builders.com`,
          username: `worker${i}@example-builders.com`,
          contact: '(312) 555-0000',
          employment_type: 1,
          active: true,
          tasks: [{ task_id: i % 3 === 0 ? taskId : laborer }],
        }),
        'user',
      ),
    );
  }
  const orderId = ok(
    await call('POST', '/orders', {
      client_id: clientId,
      project_id: projectId,
      order_owner: 1001,
      start_date: '2025-01-01',
      end_date: '2026-12-31',
      job_number: 'P-0100-03-FOUND',
      job_description: 'Foundations',
      integration_id: '700',
    }),
    'order',
  );
  return { clientId, projectId, taskId, assetId, activityIds, userIds, orderId };
}
