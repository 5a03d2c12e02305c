import { XMLParser } from 'fast-xml-parser';
import { MockAgent } from 'undici';
import { escapeXml } from '../../../src/sage';
import * as fx from './fixtures';

/**
 * A tiny in-process stand-in for the gateway behind undici's MockAgent: it parses each request the way a
 * server would, records it, and lets a test answer. `sageLike()` answers getAPISession and `query` over an
 * in-memory table (enough for keyset paging); tests override any function.
 */

const OPS = ['and', 'or', 'equalto', 'notequalto', 'lessthan', 'lessthanorequalto', 'greaterthan', 'greaterthanorequalto', 'between', 'in', 'notin', 'like', 'notlike', 'isnull', 'isnotnull'];

const reader = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => ['function', 'field', 'value', 'order', ...OPS].includes(name),
});

export interface FakeFunction {
  controlId: string;
  name: string;
  /** The function element as parsed, e.g. { object, select: { field: [...] }, filter, … } */
  body: Record<string, unknown>;
}

export interface FakeRequest {
  url: string;
  raw: string;
  senderId: string;
  senderPassword: string;
  controlId: string;
  uniqueId: string;
  transaction: string;
  sessionId?: string;
  login?: { userid: string; companyid: string; password: string; locationid?: string };
  functions: FakeFunction[];
}

export type FakeReply = string | { status: number; body?: string; headers?: Record<string, string> };
export type Handler = (req: FakeRequest) => FakeReply;

export function parseRequest(url: string, raw: string): FakeRequest {
  const doc = reader.parse(raw).request;
  const op = doc.operation;
  const auth = op.authentication;
  return {
    url,
    raw,
    senderId: doc.control.senderid,
    senderPassword: doc.control.password,
    controlId: doc.control.controlid,
    uniqueId: doc.control.uniqueid,
    transaction: op['@_transaction'],
    ...(auth.sessionid !== undefined ? { sessionId: auth.sessionid } : {}),
    ...(auth.login ? { login: auth.login } : {}),
    functions: (op.content.function as Record<string, unknown>[]).map((f) => {
      const name = Object.keys(f).find((k) => !k.startsWith('@_')) as string;
      return { controlId: f['@_controlid'] as string, name, body: (f[name] || {}) as Record<string, unknown> };
    }),
  };
}

export class FakeGateway {
  readonly agent = new MockAgent();
  readonly requests: FakeRequest[] = [];

  constructor(origins: string[], private handler: Handler) {
    this.agent.disableNetConnect();
    for (const origin of origins) {
      this.agent
        .get(origin)
        .intercept({ path: () => true, method: 'POST' })
        .reply((opts) => {
          const req = parseRequest(`${origin}${opts.path}`, String(opts.body));
          this.requests.push(req);
          const reply = this.handler(req);
          const r = typeof reply === 'string' ? { status: 200, body: reply } : reply;
          return { statusCode: r.status, data: r.body ?? '', responseOptions: { headers: { 'content-type': 'text/xml; encoding="UTF-8"', ...r.headers } } };
        })
        .persist();
    }
  }

  setHandler(handler: Handler): void {
    this.handler = handler;
  }

  /** Requests that were not getAPISession. */
  get calls(): FakeRequest[] {
    return this.requests.filter((r) => r.functions[0]?.name !== 'getAPISession');
  }
  get logins(): FakeRequest[] {
    return this.requests.filter((r) => r.functions[0]?.name === 'getAPISession');
  }
}

// ---- a minimal query engine over an in-memory table --------------------------------------------------

type Row = Record<string, string>;

function sortable(field: string, v: string | undefined): string | number {
  if (v === undefined || v === '') return '';
  if (field === 'RECORDNO') return Number(v);
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(v);
  return m ? `${m[3]}${m[1]}${m[2]}${m[4]}${m[5]}${m[6]}` : v;
}

function evaluate(node: Record<string, unknown>, row: Row): boolean {
  return Object.entries(node).every(([op, operands]) =>
    (operands as Record<string, unknown>[]).every((o) => {
      if (op === 'and') return evaluate(o, row);
      if (op === 'or') return Object.entries(o).some(([k, v]) => (v as Record<string, unknown>[]).some((x) => evaluate({ [k]: [x] }, row)));
      const field = (o.field as string[])[0];
      const values = (o.value as string[] | undefined) ?? [];
      const a = sortable(field, row[field]);
      const b = sortable(field, values[0]);
      switch (op) {
        case 'equalto':
          return a === b;
        case 'notequalto':
          return a !== b;
        case 'greaterthan':
          return a !== '' && a > b;
        case 'greaterthanorequalto':
          return a !== '' && a >= b;
        case 'lessthan':
          return a !== '' && a < b;
        case 'lessthanorequalto':
          return a !== '' && a <= b;
        case 'isnull':
          return a === '';
        case 'isnotnull':
          return a !== '';
        case 'in':
          return values.includes(row[field]);
        default:
          throw new Error(`fake gateway: operator ${op} not implemented`);
      }
    }),
  );
}

export interface QueryLog {
  filter: unknown;
  orderBy: string[];
  select: string[];
  pageSize: number;
}

/** Answers a parsed `query` over rows, the way the gateway would (upper-case records, paging attributes). */
export function answerQuery(f: FakeFunction, rows: Row[], log?: QueryLog[]): string {
  const b = f.body as { object: string; select: { field: string[] }; filter?: Record<string, unknown>; orderby?: { order: Record<string, unknown>[] }; pagesize?: string; offset?: string };
  const select = b.select.field;
  const order = (b.orderby?.order ?? []).map((o) => ({ field: (o.field as string[])[0], desc: 'descending' in o }));
  const pageSize = Number(b.pagesize ?? 100);
  const offset = Number(b.offset ?? 0);
  log?.push({ filter: b.filter, orderBy: order.map((o) => o.field), select, pageSize });
  const matching = rows.filter((r) => (b.filter ? evaluate(b.filter, r) : true));
  matching.sort((x, y) => {
    for (const o of order) {
      const a = sortable(o.field, x[o.field]);
      const c = sortable(o.field, y[o.field]);
      if (a < c) return o.desc ? 1 : -1;
      if (a > c) return o.desc ? -1 : 1;
    }
    return 0;
  });
  const page = matching.slice(offset, offset + pageSize);
  const records = page.map((r) => Object.fromEntries(select.map((s) => [s, escapeXml(r[s] ?? '')])));
  return fx.response([
    fx.result('query', f.controlId, {
      data: fx.queryData(b.object, records, { totalcount: matching.length, numremaining: Math.max(0, matching.length - offset - page.length), offset }),
    }),
  ]);
}

export const SESSION_ENDPOINT = 'https://na12.intacct.test/ia/xml/xmlgw.phtml';

/** getAPISession → session `S<n>` bound to SESSION_ENDPOINT; everything else goes to `rest`. */
export function sageLike(rest: (req: FakeRequest, f: FakeFunction) => FakeReply, opts: { auth?: () => string } = {}): Handler {
  let sessions = 0;
  return (req) => {
    const f = req.functions[0];
    if (f.name === 'getAPISession') {
      sessions++;
      return fx.response([fx.result('getAPISession', f.controlId, { data: fx.sessionData(`S${sessions}`, SESSION_ENDPOINT) })], { auth: opts.auth?.() });
    }
    return rest(req, f);
  };
}
