import {
  AssignarAuthError,
  AssignarBadRequestError,
  AssignarError,
  AssignarForeignKeyError,
  AssignarNotFoundError,
  AssignarRateLimitError,
  AssignarTransientError,
  AssignarUniqueConstraintError,
} from './errors';
import { parseRetryAfter } from '../http/backoff';

/**
 * Turns failed responses and transport failures into typed errors (reference/assignar-api.md §3.3):
 * 400 `{message: "[400] Unique Constraint Error - <field>"}` / `"[400] Foreign Key Constraint Error"`,
 * 404 `{errorType, errorMessage: "[404] Object Not Found - X (id)", trace}` (or `{message}`).
 */
export interface FailedResponse {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, when the body was JSON. */
  json: unknown;
  /** Raw body text (used only when it is not JSON). */
  text: string;
  nowMs: number;
  /** False for POST: a 5xx may mean the create happened. */
  idempotent: boolean;
}

const MAX_SERVER_MESSAGE = 500;

export function serverMessageOf(json: unknown, text: string): string | undefined {
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    for (const key of ['message', 'errorMessage', 'error_description', 'error']) {
      const v = o[key];
      if (typeof v === 'string' && v.trim() !== '') return truncate(v.trim());
    }
    return undefined;
  }
  const flat = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return flat === '' ? undefined : truncate(flat);
}

function truncate(s: string): string {
  return s.length > MAX_SERVER_MESSAGE ? `${s.slice(0, MAX_SERVER_MESSAGE)}…` : s;
}

const UNIQUE = /Unique Constraint Error(?:\s*-\s*([A-Za-z0-9_.]+))?/i;
const FOREIGN = /Foreign Key Constraint Error(?:\s*-\s*([A-Za-z0-9_.]+))?/i;

export function errorFromResponse(r: FailedResponse): AssignarError {
  const serverMessage = serverMessageOf(r.json, r.text);
  const ctx = { method: r.method, path: r.path, status: r.status, serverMessage };
  const s = r.status;

  if (s === 400 || s === 409 || s === 422) {
    const unique = serverMessage?.match(UNIQUE);
    if (unique) return new AssignarUniqueConstraintError(unique[1], ctx);
    const foreign = serverMessage?.match(FOREIGN);
    if (foreign) return new AssignarForeignKeyError(foreign[1], ctx);
    return new AssignarBadRequestError(ctx);
  }
  if (s === 401) return new AssignarAuthError('unauthorised (the access token was refused after renewal)', ctx);
  if (s === 403) {
    return new AssignarAuthError('forbidden (the API client lacks permission for this resource)', {
      ...ctx,
      hint: `Give the Assignar API client access to ${r.path} (Settings → API Access), or check that the API base matches the tenant.`,
    });
  }
  if (s === 404) return new AssignarNotFoundError(ctx);
  if (s === 429) return new AssignarRateLimitError(parseRetryAfter(r.headers['retry-after'], r.nowMs), ctx);
  if (s === 408 || s >= 500) {
    return new AssignarTransientError(s === 408 ? 'request timeout' : 'server error', {
      ...ctx,
      outcomeUnknown: !r.idempotent,
      retryAfterMs: parseRetryAfter(r.headers['retry-after'], r.nowMs),
    });
  }
  return new AssignarBadRequestError(ctx);
}

/** Error codes that mean the request never reached the server: safe to retry even a create. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** Error codes of a connection that failed while the request was in flight. */
const IN_FLIGHT = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

function codeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NOT_SENT.has(code) || IN_FLIGHT.has(code))) return code;
  }
  return undefined;
}

/**
 * A transport failure as a transient error, or undefined when it is not one we recognise (a bug, a mock
 * that did not match): those are rethrown unchanged rather than retried.
 */
export function errorFromTransport(
  err: unknown,
  ctx: { method: string; path: string; idempotent: boolean; timedOut: boolean; timeoutMs: number },
): AssignarTransientError | undefined {
  if (ctx.timedOut) {
    return new AssignarTransientError(`timed out after ${ctx.timeoutMs} ms`, {
      method: ctx.method,
      path: ctx.path,
      outcomeUnknown: !ctx.idempotent,
      cause: err,
    });
  }
  const code = codeOf(err);
  if (code === undefined) return undefined;
  return new AssignarTransientError(`connection failed (${code})`, {
    method: ctx.method,
    path: ctx.path,
    outcomeUnknown: !ctx.idempotent && !NOT_SENT.has(code),
    cause: err,
  });
}
