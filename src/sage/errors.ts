import { SyncError } from '../errors';

/** One `<error>` of a Sage Intacct `<errormessage>` (reference §2.3). Texts are already redacted. */
export interface SageErrorDetail {
  /** Usually a code such as `BL01001973`, but free text is seen too (`Query Failed`). */
  errorno: string;
  description?: string;
  /** Usually the useful text, often with a `[Support ID: …]` suffix. */
  description2?: string;
  correction?: string;
}

/**
 * Where the failure was found: `client` (a value the client refuses to send), `http` (transport, status
 * code, unreadable body), or one of Sage Intacct's three levels: `control`, `authentication`, `result`.
 */
export type SageErrorLevel = 'client' | 'http' | 'control' | 'authentication' | 'result';

export interface SageErrorInit {
  level: SageErrorLevel;
  errors?: SageErrorDetail[];
  httpStatus?: number;
  /** The function (`query`, `create`, …) and its controlid, for result-level errors. */
  functionName?: string;
  controlId?: string;
  cause?: unknown;
  hint?: string;
}

/**
 * Base of every Sage Intacct error. Messages and details never contain passwords or session ids: the
 * client redacts them before the error is built (see `redactor` in client.ts).
 */
export abstract class SageError extends SyncError {
  readonly level: SageErrorLevel;
  readonly errors: SageErrorDetail[];
  readonly httpStatus?: number;
  readonly functionName?: string;
  readonly controlId?: string;

  constructor(message: string, init: SageErrorInit) {
    super(message, { cause: init.cause, hint: init.hint });
    this.level = init.level;
    this.errors = init.errors ?? [];
    this.httpStatus = init.httpStatus;
    this.functionName = init.functionName;
    this.controlId = init.controlId;
  }

  /** The first error number, when Sage Intacct gave one. */
  get errorno(): string | undefined {
    return this.errors[0]?.errorno;
  }
}

/** Which credential Sage Intacct refused: the Web Services sender (id/password) or the company user's sign-in. */
export type SageCredential = 'sender' | 'user';

/** Wrong sender or user credentials, sender not authorised for the company, company expired. A person must fix it. */
export class SageAuthenticationError extends SageError {
  readonly retryable = false;
  override readonly connectionWide = true;
  /** Set by the client, which knows the configuration: the credential to check. */
  readonly credential?: SageCredential;

  constructor(message: string, init: SageErrorInit & { credential?: SageCredential }) {
    super(message, init);
    this.credential = init.credential;
  }
}

/** The session id is unknown or expired. The client logs in again once by itself; retrying after a new login helps. */
export class SageSessionError extends SageError {
  readonly retryable = true;
}

/** GW-0010 / HTTP 429: too many concurrent requests for the company. */
export class SageRateLimitError extends SageError {
  readonly retryable = true;
  /** Seconds from a Retry-After header, when one came. */
  readonly retryAfterSeconds?: number;
  constructor(message: string, init: SageErrorInit & { retryAfterSeconds?: number }) {
    super(message, init);
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

export type SageTransientKind = 'http-5xx' | 'offline' | 'timeout' | 'network';

/** HTTP 5xx without XML, "The Service is Temporarily Off-line", request timeouts, connection resets. */
export class SageTransientError extends SageError {
  readonly retryable = true;
  readonly kind: SageTransientKind;
  constructor(message: string, init: SageErrorInit & { kind: SageTransientKind }) {
    super(message, init);
    this.kind = init.kind;
  }
}

/**
 * The response could not be read: not XML, truncated, a DOCTYPE, no `<response>` root, a result missing,
 * a count that does not match the records. Retryable: in practice this is a cut connection or an
 * intermediary's error page, reads are idempotent and writes carry `uniqueid=true` with a fixed function
 * controlid, so sending the same request again is safe and is the only cure. A persistent fault surfaces
 * after the retries run out (the client's, then the activity's retry policy).
 */
export class SageMalformedResponseError extends SageError {
  readonly retryable = true;
  override readonly connectionWide = true;
}

/** A business rule refused one function or record (validation, duplicate key, unknown field). Carries the errors. */
export class SageBusinessError extends SageError {
  readonly retryable = false;

  /** BL34000061 "Another … with the given value(s) … already exists": a duplicate key, not a duplicate controlid. */
  get isDuplicateKey(): boolean {
    return this.errors.some((e) => e.errorno === 'BL34000061' || /already exists/i.test(`${e.description ?? ''} ${e.description2 ?? ''}`));
  }
}

/**
 * `uniqueid=true` and this function's controlid was executed in an earlier request: the work is already
 * done. Not an error for an exactly-once writer — look the record up instead of creating it again.
 */
export class SageAlreadyDoneError extends SageError {
  readonly retryable = false;
}

/** PL04000005 / "You do not have permission …": the web-services user lacks a permission. */
export class SagePermissionError extends SageError {
  readonly retryable = false;
  override readonly connectionWide = true;
}

/** `transaction="true"` and another function failed: this one was rolled back (status `aborted`, XL03000009). */
export class SageTransactionAbortedError extends SageError {
  readonly retryable = false;
}

/**
 * The request itself is wrong: Sage Intacct could not parse it (XL03000003), an unknown control-level
 * failure, an HTTP 4xx other than 429, or a value the client refuses to send (a key with a comma, a
 * character XML 1.0 cannot carry). Retrying the same request cannot help.
 */
export class SageRequestError extends SageError {
  readonly retryable = false;
}
