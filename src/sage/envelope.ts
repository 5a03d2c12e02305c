import { SageRequestError } from './errors';
import { el, escapeXmlAttribute, textEl } from './xml';

/** One function of a request: its name, its controlid and its XML (e.g. `<query>…</query>`). */
export interface SageFunction {
  readonly name: string;
  /** 1–256 characters; echoed on the result. Under `uniqueid=true` it is the idempotency key. */
  readonly controlId: string;
  readonly xml: string;
  /** create / update / delete: requests holding one default to `uniqueid=true`. */
  readonly write: boolean;
  /**
   * API transactions Sage Intacct bills when the function succeeds (reference §5): each record written 1,
   * each query or read 1, a sign-in or lookup nothing. Undefined counts as 1.
   */
  readonly metered?: number;
}

export interface SageLogin {
  userId: string;
  companyId: string;
  password: string;
  clientId?: string;
  /** Entity to sign in to in a multi-entity company. */
  locationId?: string;
}

export type SageAuthentication = { sessionId: string } | { login: SageLogin };

export interface SageRequest {
  senderId: string;
  senderPassword: string;
  /** Request-level correlation id (not checked for uniqueness by Sage Intacct). */
  controlId: string;
  /** true: each function controlid runs at most once (reference §6). */
  uniqueId: boolean;
  authentication: SageAuthentication;
  functions: readonly SageFunction[];
  /** true: all functions are one database transaction (`aborted` results on failure). */
  transaction?: boolean;
}

export function assertControlId(controlId: string): string {
  if (typeof controlId !== 'string' || controlId.length < 1 || controlId.length > 256) {
    throw new SageRequestError('A controlid must be 1 to 256 characters', { level: 'client' });
  }
  return controlId;
}

function authenticationXml(auth: SageAuthentication): string {
  if ('sessionId' in auth) return el('authentication', textEl('sessionid', auth.sessionId));
  const l = auth.login;
  // XSD order: userid, companyid, password, clientid?, locationid?
  return el(
    'authentication',
    el(
      'login',
      textEl('userid', l.userId),
      textEl('companyid', l.companyId),
      textEl('password', l.password),
      l.clientId !== undefined ? textEl('clientid', l.clientId) : '',
      l.locationId !== undefined ? textEl('locationid', l.locationId) : '',
    ),
  );
}

/**
 * The whole request document (reference §1.2): control block (senderid, password, controlid, uniqueid,
 * dtdversion 3.0, includewhitespace false), then one operation with the authentication and the functions.
 */
export function buildRequest(req: SageRequest): string {
  if (req.functions.length === 0) throw new SageRequestError('A request needs at least one function', { level: 'client' });
  const seen = new Set<string>();
  for (const f of req.functions) {
    assertControlId(f.controlId);
    if (seen.has(f.controlId)) throw new SageRequestError(`Two functions share the controlid ${JSON.stringify(f.controlId)}`, { level: 'client' });
    seen.add(f.controlId);
  }
  const control = el(
    'control',
    textEl('senderid', req.senderId),
    textEl('password', req.senderPassword),
    textEl('controlid', assertControlId(req.controlId)),
    textEl('uniqueid', String(req.uniqueId)),
    textEl('dtdversion', '3.0'),
    textEl('includewhitespace', 'false'),
  );
  const functions = req.functions.map((f) => `<function controlid="${escapeXmlAttribute(f.controlId)}">${f.xml}</function>`).join('');
  const operation = `<operation transaction="${req.transaction ? 'true' : 'false'}">${authenticationXml(req.authentication)}${el('content', functions)}</operation>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<request>${control}${operation}</request>`;
}
