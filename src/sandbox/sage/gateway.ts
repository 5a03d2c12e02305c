/**
 * The XML gateway proper: one request document in, one response document out (transport, latency, limits
 * and injected faults are server.ts's business). The three failure levels of the real gateway:
 * - control: malformed XML or schema (XL03000003), wrong sender (XL03000006), service off-line — the
 *   response has `<control><status>failure</status>…` and `response/errormessage`, no `<operation>`;
 * - authentication: bad login or unknown/expired session, or a session used away from its endpoint —
 *   `<operation><authentication><status>failure…` + `operation/errormessage`, no results;
 * - function: `<result><status>failure…` with `result/errormessage`; under `transaction="true"` the whole
 *   operation rolls back and the other results are `aborted` (XL03000009).
 * `uniqueid` (true when omitted, as documented): a function controlid that completed successfully in an
 * earlier request (or earlier in the same operation) is refused with XL03000007 and not executed again; the
 * request's own controlid plays no part.
 */
import type { GatewayError } from './errors';
import { errors, SageFunctionError } from './errors';
import type { Faults } from './faults';
import { FUNCTIONS, type FunctionContext } from './functions';
import type { ResultSets } from './result-sets';
import type { Session, SessionRegistry } from './sessions';
import type { MeterEntry, StatsCounter } from './stats';
import type { SageStore } from './store';
import { isoWithOffset } from './time';
import { child, childrenNamed, parseXml, XmlParseError, type XNode } from './xml-parse';
import { serialize, type ONode } from './xml-write';

export interface GatewayCredentials {
  senderId: string;
  senderPassword: string;
  userId: string;
  companyId: string;
  userPassword: string;
}

export interface GatewayDeps {
  store: SageStore;
  sessions: SessionRegistry;
  resultSets: ResultSets;
  stats: StatsCounter;
  faults: Faults;
  credentials: GatewayCredentials;
  offsetMinutes: number;
  clock: () => number;
  /** Function controlids that completed successfully (uniqueid bookkeeping). */
  completedControlIds: Set<string>;
  /** The URL getAPISession hands out; sessions are accepted only on its path. */
  sessionEndpointUrl: () => string;
}

export type GatewayOutcome = 'ok' | 'controlFailure' | 'authFailure' | 'offline';

export interface GatewayReply {
  body: string;
  outcome: GatewayOutcome;
}

const el = (name: string, text = ''): ONode => ({ name, text });

function errorMessage(list: readonly GatewayError[]): ONode {
  return {
    name: 'errormessage',
    children: list.map((e) => ({
      name: 'error',
      children: [el('errorno', e.errorno), el('description', e.description ?? ''), el('description2', e.description2 ?? ''), el('correction', e.correction ?? '')],
    })),
  };
}

interface ControlEcho {
  senderid?: string;
  controlid?: string;
  uniqueid?: string;
  dtdversion?: string;
}

function controlNode(status: 'success' | 'failure', echo: ControlEcho): ONode {
  const children: ONode[] = [el('status', status)];
  for (const k of ['senderid', 'controlid', 'uniqueid', 'dtdversion'] as const) if (echo[k] !== undefined) children.push(el(k, echo[k]));
  return { name: 'control', children };
}

function controlFailure(echo: ControlEcho, error: GatewayError, pretty: boolean, outcome: GatewayOutcome = 'controlFailure'): GatewayReply {
  return { body: serialize({ name: 'response', children: [controlNode('failure', echo), errorMessage([error])] }, pretty), outcome };
}

/** Control-level schema problems found before anything runs. */
class SchemaError extends Error {}

interface FunctionCall {
  controlId: string;
  name: string;
  node: XNode;
}

function checkOperation(op: XNode): { auth: XNode; calls: FunctionCall[] } {
  const auth = child(op, 'authentication');
  if (!auth) throw new SchemaError('<operation> requires <authentication>');
  if (!child(auth, 'login') && !child(auth, 'sessionid')) throw new SchemaError('<authentication> requires <login> or <sessionid>');
  const calls: FunctionCall[] = [];
  for (const content of childrenNamed(op, 'content')) {
    for (const fn of content.children) {
      if (fn.name !== 'function') throw new SchemaError(`Element '${fn.name}' is not allowed in <content> (expected <function>)`);
      const controlId = fn.attrs.controlid;
      if (controlId === undefined || controlId === '') throw new SchemaError("<function> requires a non-empty 'controlid' attribute");
      if (controlId.length > 256) throw new SchemaError("The function 'controlid' attribute is longer than 256 characters");
      if (fn.children.length !== 1) throw new SchemaError(`<function controlid="${controlId}"> must hold exactly one function element`);
      calls.push({ controlId, name: fn.children[0].name, node: fn.children[0] });
    }
  }
  return { auth, calls };
}

interface AuthOk {
  userId: string;
  companyId: string;
  locationId: string;
  session?: Session;
}

function authenticate(deps: GatewayDeps, auth: XNode, onSessionPath: boolean): AuthOk | { failure: GatewayError; userId: string; companyId: string } {
  const login = child(auth, 'login');
  if (login) {
    const userId = child(login, 'userid')?.text ?? '';
    const companyId = child(login, 'companyid')?.text ?? '';
    const password = child(login, 'password')?.text ?? '';
    const c = deps.credentials;
    if (userId !== c.userId || companyId.toUpperCase() !== c.companyId.toUpperCase() || password !== c.userPassword) {
      return { failure: errors.badLogin(), userId, companyId };
    }
    return { userId: c.userId, companyId: c.companyId, locationId: child(login, 'locationid')?.text ?? '' };
  }
  const sessionId = (child(auth, 'sessionid')?.text ?? '').trim();
  const session = sessionId ? deps.sessions.get(sessionId) : undefined;
  if (!session) return { failure: errors.invalidSession(sessionId ? 'The session is unknown or has expired.' : 'No session ID was given.'), userId: '', companyId: '' };
  if (!onSessionPath) {
    return {
      failure: errors.invalidSession(`Sessions are accepted only at the endpoint getAPISession returned (${deps.sessionEndpointUrl()}).`),
      userId: '',
      companyId: '',
    };
  }
  deps.sessions.touch(session, deps.faults.settings.sessionTimeoutSeconds);
  return { userId: session.userId, companyId: session.companyId, locationId: session.locationId, session };
}

/** How many completed function controlids the uniqueid check remembers (oldest forgotten first). */
const MAX_REMEMBERED_CONTROL_IDS = 200_000;

function remember(ids: Set<string>, controlId: string): void {
  ids.delete(controlId);
  ids.add(controlId);
  if (ids.size > MAX_REMEMBERED_CONTROL_IDS) ids.delete(ids.values().next().value as string);
}

interface CallResult {
  call: FunctionCall;
  status: 'success' | 'failure' | 'aborted';
  data?: ONode;
  errors?: GatewayError[];
  meter: MeterEntry[];
}

function resultNode(r: CallResult): ONode {
  const children: ONode[] = [el('status', r.status), el('function', r.call.name), el('controlid', r.call.controlId)];
  if (r.data) children.push(r.data);
  else if (r.status !== 'success' && (r.call.name === 'create' || r.call.name === 'update')) {
    children.push({ name: 'data', attrs: [['listtype', 'objects'], ['count', 0]], children: [] });
  }
  if (r.errors && r.errors.length > 0) children.push(errorMessage(r.errors));
  return { name: 'result', children };
}

function runOperation(deps: GatewayDeps, op: XNode, auth: AuthOk, calls: FunctionCall[], uniqueId: boolean): { results: CallResult[]; session?: Session } {
  const { store, stats } = deps;
  const transaction = op.attrs.transaction === 'true';
  let session = auth.session;
  const results: CallResult[] = [];
  // Function controlids that completed earlier in this operation: a repeat is refused like one from an
  // earlier request (the check is per function controlid, whatever request carries it).
  const doneHere = new Set<string>();
  if (transaction) store.begin();
  let failed = false;
  for (const call of calls) {
    if (transaction && failed) {
      results.push({ call, status: 'aborted', errors: [errors.rolledBack()], meter: [] });
      continue;
    }
    const meter: MeterEntry[] = [];
    if (uniqueId && (deps.completedControlIds.has(call.controlId) || doneHere.has(call.controlId))) {
      results.push({ call, status: 'failure', errors: [errors.duplicateControlId(call.controlId)], meter });
      stats.called(call.name, false);
      failed = true;
      continue;
    }
    const handler = Object.prototype.hasOwnProperty.call(FUNCTIONS, call.name) ? FUNCTIONS[call.name] : undefined;
    const ctx: FunctionContext = {
      store,
      resultSets: deps.resultSets,
      faults: deps.faults,
      owner: session ? session.id : `login:${auth.userId}`,
      userId: auth.userId,
      companyId: auth.companyId,
      locationId: auth.locationId,
      offsetMinutes: deps.offsetMinutes,
      meter,
      functionsInRequest: calls.length,
      session,
      apiSession: () => {
        if (!session) session = deps.sessions.open(auth.userId, auth.companyId, auth.locationId, deps.faults.settings.sessionTimeoutSeconds);
        return { session, endpoint: deps.sessionEndpointUrl() };
      },
      writeContext: () => ({
        store,
        userId: auth.userId,
        source: 'W',
        timesheetPeriodDays: deps.faults.settings.timesheetPeriodDays,
        timesheetQtyDecimals: deps.faults.settings.timesheetQtyDecimals,
      }),
    };
    store.begin();
    try {
      if (!handler) throw new SageFunctionError(errors.unsupported(`Function '${call.name}' is not supported by the sandbox`));
      const out = handler(call.node, ctx);
      store.commit();
      doneHere.add(call.controlId);
      results.push({ call, status: 'success', data: out.data, meter });
      stats.called(call.name, true);
    } catch (err) {
      store.rollback();
      const list = err instanceof SageFunctionError
        ? err.errors
        : [{ errorno: 'XL03000001', description: 'Internal error in the sandbox', description2: err instanceof Error ? err.message : String(err), correction: '' }];
      results.push({ call, status: 'failure', errors: [...list], meter: [] });
      stats.called(call.name, false);
      failed = true;
    }
  }
  if (transaction) {
    if (failed) {
      store.rollback();
      for (const r of results) {
        if (r.status === 'success') {
          r.status = 'aborted';
          r.data = undefined;
          r.errors = [errors.rolledBack()];
        } else if (r.status === 'failure') {
          r.errors = [...(r.errors ?? []), errors.rolledBack()];
        }
        r.meter = [];
      }
    } else {
      store.commit();
    }
  }
  for (const r of results) {
    if (r.status !== 'success') continue;
    stats.meter(r.meter);
    remember(deps.completedControlIds, r.call.controlId);
  }
  return { results, session };
}

/** Processes one request document received on the login endpoint or the session endpoint. */
export function handleGatewayRequest(deps: GatewayDeps, xml: string, onSessionPath: boolean): GatewayReply {
  let root: XNode;
  try {
    root = parseXml(xml);
  } catch (err) {
    const msg = err instanceof XmlParseError ? err.message : String(err);
    return controlFailure({}, errors.xmlParse(msg), true);
  }
  if (root.name !== 'request') return controlFailure({}, errors.xmlParse(`The root element must be <request>, not <${root.name}>`), true);
  const control = child(root, 'control');
  const text = (n: string): string | undefined => child(control, n)?.text;
  const echo: ControlEcho = { senderid: text('senderid'), controlid: text('controlid'), uniqueid: text('uniqueid'), dtdversion: text('dtdversion') };
  const pretty = (text('includewhitespace') ?? 'true').trim().toLowerCase() !== 'false';
  if (!control) return controlFailure(echo, errors.xmlParse('<request> requires <control>'), pretty);
  for (const required of ['senderid', 'controlid'] as const) {
    if (!echo[required]) return controlFailure(echo, errors.xmlParse(`<control> requires <${required}>`), pretty);
  }
  const uniqueRaw = (echo.uniqueid ?? 'true').trim().toLowerCase();
  if (uniqueRaw !== 'true' && uniqueRaw !== 'false') return controlFailure(echo, errors.xmlParse(`<uniqueid> must be true or false (got '${echo.uniqueid}')`), pretty);
  const dtd = (echo.dtdversion ?? '3.0').trim();
  if (dtd !== '3.0') return controlFailure(echo, errors.xmlParse(`dtdversion '${dtd}' is not supported by the sandbox (use 3.0)`), pretty);
  const responseEcho: ControlEcho = { senderid: echo.senderid, controlid: echo.controlid, uniqueid: uniqueRaw, dtdversion: dtd };

  if (deps.faults.settings.offline) return controlFailure(responseEcho, errors.offline(), pretty, 'offline');
  const operations = childrenNamed(root, 'operation');
  if (echo.senderid !== deps.credentials.senderId || (text('password') ?? '') !== deps.credentials.senderPassword) {
    if (operations.some((op) => child(child(op, 'authentication'), 'login'))) deps.stats.signIns.failed++;
    return controlFailure(responseEcho, errors.badSender(), pretty);
  }

  if (operations.length === 0) return controlFailure(responseEcho, errors.xmlParse('<request> requires <operation>'), pretty);
  let checked: Array<{ op: XNode; auth: XNode; calls: FunctionCall[] }>;
  try {
    checked = operations.map((op) => ({ op, ...checkOperation(op) }));
  } catch (err) {
    if (err instanceof SchemaError) return controlFailure(responseEcho, errors.xmlParse(err.message), pretty);
    throw err;
  }

  let outcome: GatewayOutcome = 'ok';
  const opNodes: ONode[] = [];
  for (const { op, auth, calls } of checked) {
    const who = authenticate(deps, auth, onSessionPath);
    if (child(auth, 'login')) deps.stats.signIns['failure' in who ? 'failed' : 'succeeded']++;
    if ('failure' in who) {
      outcome = 'authFailure';
      opNodes.push({
        name: 'operation',
        children: [
          { name: 'authentication', children: [el('status', 'failure'), el('userid', who.userId), el('companyid', who.companyId), el('locationid', '')] },
          errorMessage([who.failure]),
        ],
      });
      continue;
    }
    const { results, session } = runOperation(deps, op, who, calls, uniqueRaw === 'true');
    const now = deps.clock();
    const timeout = session ? session.expiresAt : now + deps.faults.settings.sessionTimeoutSeconds * 1000;
    opNodes.push({
      name: 'operation',
      children: [
        {
          name: 'authentication',
          children: [
            el('status', 'success'), el('userid', who.userId), el('companyid', who.companyId), el('locationid', who.locationId),
            el('sessiontimestamp', isoWithOffset(now, deps.offsetMinutes)), el('sessiontimeout', isoWithOffset(timeout, deps.offsetMinutes)),
          ],
        },
        ...results.map(resultNode),
      ],
    });
  }
  return { body: serialize({ name: 'response', children: [controlNode('success', responseEcho), ...opNodes] }, pretty), outcome };
}
