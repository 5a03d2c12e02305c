/**
 * The error bodies the real API sends: 400 `{ message: "[400] ..." }`, 404
 * `{ errorType, errorMessage: "[404] Object Not Found - <Resource> (id:<id>)", trace }`, 401 and 429
 * `{ message }` (the gateway's shape). Handlers throw ApiError; the server's error handler sends it.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : typeof body.errorMessage === 'string' ? body.errorMessage : `HTTP ${statusCode}`);
  }
}

export function badRequest(detail: string): ApiError {
  return new ApiError(400, { message: `[400] ${detail}` });
}

export function uniqueConstraint(field: string): ApiError {
  return badRequest(`Unique Constraint Error - ${field}`);
}

export function foreignKey(field: string): ApiError {
  return badRequest(`Foreign Key Constraint Error - ${field}`);
}

export function validationError(detail: string): ApiError {
  return badRequest(`Validation Error - ${detail}`);
}

/** `label` is the model name the API uses, e.g. `User`, `Project`, `Timesheet`. */
export function notFound(label: string, id: string | number): ApiError {
  return new ApiError(404, {
    errorType: 'ObjectNotFoundError',
    errorMessage: `[404] Object Not Found - ${label} (id:${id})`,
    trace: [],
  });
}

export function unauthorized(message = 'Unauthorized'): ApiError {
  return new ApiError(401, { message }, { 'www-authenticate': 'Bearer' });
}

export function tooManyRequests(retryAfterSeconds: number, reason: string): ApiError {
  return new ApiError(429, { message: `Too Many Requests - ${reason}` }, { 'retry-after': String(retryAfterSeconds) });
}

export function serverError(status: number): ApiError {
  const text: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
  return new ApiError(status, { message: `[${status}] ${text[status] ?? 'Server Error'}` });
}
