import { parseRetryAfter } from '../http/backoff';
import type { SageError, SageErrorDetail } from './errors';
import {
  SageAlreadyDoneError,
  SageAuthenticationError,
  SageBusinessError,
  SageMalformedResponseError,
  SagePermissionError,
  SageRateLimitError,
  SageRequestError,
  SageSessionError,
  SageTransactionAbortedError,
  SageTransientError,
} from './errors';
import type { ParsedResult } from './response';
import { parseResponse } from './response';

/**
 * Turns Sage Intacct error blocks (reference §2.3–2.4) and HTTP outcomes into typed errors.
 * The rules, in order, for an `<errormessage>` at a given level:
 *  1. "Temporarily Off-line" / "Please Try Again Later" → SageTransientError (any level).
 *  2. GW-0010 or a rate/concurrency-limit text → SageRateLimitError (any level).
 *  3. An invalid/expired session (XL03000006 mentioning "session" at the authentication level, or any
 *     error saying the session is invalid/expired) → SageSessionError.
 *  4. Result level: "already done" (see ALREADY_DONE) → SageAlreadyDoneError.
 *  5. PL04000005 or "You do not have permission" → SagePermissionError.
 *  6. Result level: status `aborted` or only XL03000009 → SageTransactionAbortedError; otherwise
 *     SageBusinessError. Authentication level: SageAuthenticationError. Control level: XL03000003 (our XML
 *     did not parse) → SageRequestError; bad sender / XL03000006 / GW-0011 / PL04000055 / "Invalid Web
 *     Services Authorization" → SageAuthenticationError; anything else → SageRequestError.
 */

const OFFLINE = /temporarily off-?line|try again later/i;
const RATE_LIMIT = /rate limit|too many (concurrent )?requests|concurrent request limit/i;
const SESSION_INVALID = /invalid session|session (has )?(expired|timed out|is (invalid|not valid|expired))|session ?id .*(invalid|expired|not valid)/i;
/**
 * Duplicate function controlid under `uniqueid=true`. The real gateway's wording is unverified (reference
 * §6), so detection is by text, not by one error number: any result error whose errorno/description/
 * description2 says it was already executed or processed, or names a duplicate control id. The local
 * sandbox answers `failure` with errorno XL03000007 and "A function with control ID '<id>' was already
 * executed in a previous request (uniqueid=true)", which this matches.
 */
export const ALREADY_DONE = /already (been )?(executed|processed)|duplicate.*control ?id/i;
const PERMISSION = /do(es)? not have (the )?permissions?\b|permission denied|insufficient permission/i;
const BAD_CREDENTIALS = /partner id|sender|web services authori[sz]ation|sign-?in information|password|credentials|log ?in failed|demo company/i;

function allText(errors: readonly SageErrorDetail[]): string {
  return errors.map((e) => [e.errorno, e.description, e.description2, e.correction].filter(Boolean).join(' ')).join(' | ');
}

/** `XL03000006: Sign-in information is incorrect — … (correction)`; errors joined with `; `. */
export function formatErrors(errors: readonly SageErrorDetail[]): string {
  return errors
    .map((e) => {
      const head = [e.errorno, e.description].filter(Boolean).join(': ');
      return `${head}${e.description2 ? ` — ${e.description2}` : ''}${e.correction ? ` (${e.correction})` : ''}`;
    })
    .join('; ');
}

export type Redact = (text: string) => string;
const noRedaction: Redact = (t) => t;

function redactErrors(errors: readonly SageErrorDetail[], redact: Redact): SageErrorDetail[] {
  return errors.map((e) => {
    const out: SageErrorDetail = { errorno: redact(e.errorno) };
    if (e.description !== undefined) out.description = redact(e.description);
    if (e.description2 !== undefined) out.description2 = redact(e.description2);
    if (e.correction !== undefined) out.correction = redact(e.correction);
    return out;
  });
}

export interface ClassifyContext {
  functionName?: string;
  controlId?: string;
  /** The result status (`failure`, `aborted`). */
  status?: string;
  httpStatus?: number;
  redact?: Redact;
}

export function classifyErrors(level: 'control' | 'authentication' | 'result', rawErrors: readonly SageErrorDetail[], ctx: ClassifyContext = {}): SageError {
  const errors = redactErrors(rawErrors, ctx.redact ?? noRedaction);
  const text = allText(errors);
  const codes = new Set(errors.map((e) => e.errorno.trim().toUpperCase()));
  const where = level === 'result' ? `${ctx.functionName ?? 'function'} (controlid ${ctx.controlId ?? '?'})` : `${level} level`;
  const message = `Sage Intacct ${where} failed: ${formatErrors(errors) || 'no error details'}`;
  const init = { level, errors, functionName: ctx.functionName, controlId: ctx.controlId, httpStatus: ctx.httpStatus };

  if (OFFLINE.test(text)) return new SageTransientError(message, { ...init, kind: 'offline', hint: 'Sage Intacct is temporarily off-line; the call is retried.' });
  if (codes.has('GW-0010') || RATE_LIMIT.test(text)) return new SageRateLimitError(message, { ...init, hint: 'Too many concurrent requests for the company; the call backs off and retries.' });
  if ((level === 'authentication' && codes.has('XL03000006') && /session/i.test(text)) || SESSION_INVALID.test(text)) {
    return new SageSessionError(message, { ...init, hint: 'The API session expired; the client signs in again.' });
  }
  if (level === 'result' && ALREADY_DONE.test(text)) {
    return new SageAlreadyDoneError(message, { ...init, hint: 'This function controlid already ran (uniqueid=true): look the record up instead of writing it again.' });
  }
  if (codes.has('PL04000005') || PERMISSION.test(text)) {
    return new SagePermissionError(message, { ...init, hint: 'Grant the Sage Intacct web-services user the permission named in the error.' });
  }
  switch (level) {
    case 'result':
      if (ctx.status === 'aborted' || (codes.size === 1 && codes.has('XL03000009'))) {
        return new SageTransactionAbortedError(message, { ...init, hint: 'Rolled back because another function of the transaction failed.' });
      }
      return new SageBusinessError(message, init);
    case 'authentication':
      return new SageAuthenticationError(message, { ...init, hint: 'Check the Sage Intacct user id, company id, user password and entity.' });
    case 'control':
      if (codes.has('XL03000003')) return new SageRequestError(message, { ...init, hint: 'Sage Intacct could not parse the request: a client bug.' });
      if (['XL03000006', 'GW-0011', 'PL04000055'].some((c) => codes.has(c)) || BAD_CREDENTIALS.test(text)) {
        return new SageAuthenticationError(message, {
          ...init,
          hint: 'Check the Web Services sender id and password, and that the company has authorised the sender.',
        });
      }
      return new SageRequestError(message, init);
  }
}

/** The error of one result, or undefined when it succeeded. */
export function resultError(result: ParsedResult, redact?: Redact): SageError | undefined {
  if (result.status === 'success') return undefined;
  const errors = result.errors.length > 0 ? result.errors : [{ errorno: '', description: `status ${result.status}` }];
  return classifyErrors('result', errors, { functionName: result.functionName, controlId: result.controlId, status: result.status, redact });
}


function retryAfterSeconds(value: string | string[] | undefined): number | undefined {
  const ms = parseRetryAfter(value, Date.now());
  return ms === undefined ? undefined : ms / 1000;
}

/** Error details from a non-2xx body, when it happens to be a gateway XML response. */
function bodyErrors(body: string): SageErrorDetail[] {
  try {
    const parsed = parseResponse(body);
    return [...parsed.controlErrors, ...parsed.authenticationErrors, ...parsed.results.flatMap((r) => r.errors)];
  } catch {
    return [];
  }
}

/**
 * Classifies an HTTP status other than 2xx: 429 → rate limit; 5xx and 408 → transient; 401 →
 * authentication; any other 4xx → the XML errors in the body at control level, else SageRequestError.
 */
export function classifyHttpStatus(status: number, headers: Record<string, string | string[] | undefined>, body: string, redact: Redact = noRedaction): SageError {
  const errors = redactErrors(bodyErrors(body), redact);
  const detail = errors.length > 0 ? `: ${formatErrors(errors)}` : '';
  const init = { level: 'http' as const, errors, httpStatus: status };
  if (status === 429) {
    return new SageRateLimitError(`Sage Intacct rate limit (HTTP 429)${detail}`, { ...init, retryAfterSeconds: retryAfterSeconds(headers['retry-after']) });
  }
  if (status >= 500) return new SageTransientError(`Sage Intacct HTTP ${status}${detail}`, { ...init, kind: 'http-5xx' });
  if (status === 408) return new SageTransientError(`Sage Intacct HTTP 408 (request timeout)${detail}`, { ...init, kind: 'timeout' });
  if (errors.length > 0) return classifyErrors('control', errors, { httpStatus: status });
  if (status === 401) return new SageAuthenticationError(`Sage Intacct HTTP 401${detail}`, init);
  return new SageRequestError(`Sage Intacct HTTP ${status}`, init);
}

export function isRetryableTransportError(err: unknown): boolean {
  return err instanceof SageRateLimitError || err instanceof SageTransientError || err instanceof SageMalformedResponseError;
}
