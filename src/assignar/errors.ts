import { SyncError } from '../errors';

/**
 * Typed failures of the Assignar API. Each says whether a retry can help (`retryable`) and, for writes,
 * whether Assignar may have applied the request although it failed (`outcomeUnknown`: a create that timed
 * out or got a 5xx may exist; look it up by `integration_id` before creating it again).
 *
 * Messages carry the method, the path (never the query string, never a header), the HTTP status and the
 * server's own message, truncated. They never contain the client secret or the access token.
 */
export type AssignarErrorKind =
  | 'unique_constraint'
  | 'foreign_key'
  | 'bad_request'
  | 'not_found'
  | 'auth'
  | 'rate_limit'
  | 'transient'
  | 'malformed_response'
  | 'unexpected';

export interface AssignarErrorContext {
  method: string;
  /** Path under the API base (or the token URL's path), without the query string. */
  path: string;
  /** HTTP status, or the envelope's `status` when a 200 response carried an error status. */
  status?: number;
  /** The server's message (`message` / `errorMessage`), truncated to 500 characters. */
  serverMessage?: string;
  /** True when the request may have been applied although it failed. */
  outcomeUnknown?: boolean;
  cause?: unknown;
  hint?: string;
}

export abstract class AssignarError extends SyncError {
  abstract readonly kind: AssignarErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly serverMessage?: string;
  readonly outcomeUnknown: boolean;

  constructor(summary: string, ctx: AssignarErrorContext) {
    const where = `Assignar ${ctx.method} ${ctx.path}`;
    const status = ctx.status === undefined ? '' : ` → ${ctx.status}`;
    const server = ctx.serverMessage ? `: ${ctx.serverMessage}` : '';
    super(`${where}${status} ${summary}${server}`, { cause: ctx.cause, hint: ctx.hint });
    this.method = ctx.method;
    this.path = ctx.path;
    this.status = ctx.status;
    this.serverMessage = ctx.serverMessage;
    this.outcomeUnknown = ctx.outcomeUnknown ?? false;
  }
}

/** 400 `[400] Unique Constraint Error - <field>`: a record with the same unique value exists. */
export class AssignarUniqueConstraintError extends AssignarError {
  readonly kind = 'unique_constraint';
  readonly retryable = false;
  /** The field the server named, e.g. `email` or `external_id` (undefined when it named none). */
  readonly field?: string;

  constructor(field: string | undefined, ctx: AssignarErrorContext) {
    super(`unique constraint conflict${field ? ` on "${field}"` : ''}`, {
      ...ctx,
      hint: ctx.hint ?? 'Another Assignar record already holds this value: link to it instead of creating a new one.',
    });
    this.field = field;
  }
}

/** 400 `[400] Foreign Key Constraint Error`: the body references a record that does not exist. */
export class AssignarForeignKeyError extends AssignarError {
  readonly kind = 'foreign_key';
  readonly retryable = false;
  readonly field?: string;

  constructor(field: string | undefined, ctx: AssignarErrorContext) {
    super(`foreign key conflict${field ? ` on "${field}"` : ''}`, {
      ...ctx,
      hint: ctx.hint ?? 'A referenced record (client, project, asset class, supplier …) does not exist in Assignar: sync it first.',
    });
    this.field = field;
  }
}

/** Any other 400 (and 405/409/413/415/422): the request is wrong and the same request will fail again. */
export class AssignarBadRequestError extends AssignarError {
  readonly kind = 'bad_request';
  readonly retryable = false;

  constructor(ctx: AssignarErrorContext) {
    super('request rejected', ctx);
  }
}

/** 404: the record (or path) does not exist. */
export class AssignarNotFoundError extends AssignarError {
  readonly kind = 'not_found';
  readonly retryable = false;

  constructor(ctx: AssignarErrorContext) {
    super('not found', ctx);
  }
}

/** 401 after one token renewal, 403, or the token endpoint refusing the client credentials. */
export class AssignarAuthError extends AssignarError {
  readonly kind = 'auth';
  readonly retryable = false;
  override readonly connectionWide = true;

  constructor(summary: string, ctx: AssignarErrorContext) {
    super(summary, {
      ...ctx,
      hint: ctx.hint ?? 'Check the Assignar client ID and secret (Settings → API Access) and that the API base matches the tenant region.',
    });
  }
}

/** 429: over the tenant's rate limit. `retryAfterMs` is the server's `Retry-After`, when it sent one. */
export class AssignarRateLimitError extends AssignarError {
  readonly kind = 'rate_limit';
  readonly retryable = true;
  readonly retryAfterMs?: number;

  constructor(retryAfterMs: number | undefined, ctx: AssignarErrorContext) {
    super(`rate limited${retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`}`, ctx);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx, 408, timeouts and connection failures: the same request may succeed later. */
export class AssignarTransientError extends AssignarError {
  readonly kind = 'transient';
  readonly retryable = true;
  /** `Retry-After` of a 503, when sent. */
  readonly retryAfterMs?: number;

  constructor(summary: string, ctx: AssignarErrorContext & { retryAfterMs?: number }) {
    super(summary, ctx);
    this.retryAfterMs = ctx.retryAfterMs;
  }
}

/** A success response whose body is not the documented envelope, or a record that fails its schema. */
export class AssignarMalformedResponseError extends AssignarError {
  readonly kind = 'malformed_response';
  readonly retryable = false;
  override readonly connectionWide = true;
  /** Where the body failed, e.g. `data[3].employee_id: expected string`. Never the offending values. */
  readonly issues: string[];

  constructor(issues: string[], ctx: AssignarErrorContext) {
    super(`malformed response (${issues.slice(0, 3).join('; ')}${issues.length > 3 ? `; +${issues.length - 3} more` : ''})`, ctx);
    this.issues = issues;
  }
}

/** Something that is not an API failure (a bug, an unknown transport error) surfaced in a bulk result. */
export class AssignarUnexpectedError extends AssignarError {
  readonly kind = 'unexpected';
  readonly retryable = false;
  override readonly connectionWide = true;

  constructor(ctx: AssignarErrorContext) {
    const detail = ctx.cause instanceof Error ? `${ctx.cause.name}: ${ctx.cause.message}` : String(ctx.cause);
    super(`failed unexpectedly (${detail.slice(0, 300)})`, ctx);
  }
}
