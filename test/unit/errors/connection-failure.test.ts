import {
  AssignarAuthError,
  AssignarBadRequestError,
  AssignarMalformedResponseError,
  AssignarNotFoundError,
  AssignarTransientError,
  AssignarUnexpectedError,
  AssignarUniqueConstraintError,
} from '../../../src/assignar';
import { errorFromResponse } from '../../../src/assignar/classify';
import { ConfigError, isConnectionFailure, ValidationError } from '../../../src/errors';
import {
  SageAuthenticationError,
  SageBusinessError,
  SageMalformedResponseError,
  SagePermissionError,
  SageRateLimitError,
  SageRequestError,
  SageTransientError,
} from '../../../src/sage';

/**
 * `isConnectionFailure`: whether an error is the connection's (every record would fail the same way, so
 * the sync fails the activity) or one record's (recorded as that record's failure, the page goes on).
 */

const ctx = { method: 'POST', path: '/users' };
const response = (status: number, message = 'x') => errorFromResponse({ ...ctx, status, headers: {}, json: { message }, text: '', nowMs: 0, idempotent: false });

describe('the connection is failing', () => {
  test.each([
    ['Assignar 401 after renewal', response(401)],
    ['Assignar 403', response(403)],
    ['Assignar token request refused', new AssignarAuthError('token request refused', { method: 'POST', path: '/oauth2/token', status: 401 })],
    ['Assignar malformed response', new AssignarMalformedResponseError(['data.id: expected number'], ctx)],
    ['Assignar unexpected failure', new AssignarUnexpectedError({ ...ctx, cause: new TypeError('bug') })],
    ['Sage authentication', new SageAuthenticationError('bad login', { level: 'authentication' })],
    ['Sage permission', new SagePermissionError('denied', { level: 'result' })],
    ['Sage malformed response', new SageMalformedResponseError('truncated', { level: 'http' })],
    ['configuration', new ConfigError('sage.endpoint is missing')],
  ])('%s', (_what, err) => {
    expect(isConnectionFailure(err)).toBe(true);
  });

  test('403 is an auth error whose hint names the resource to grant', () => {
    const err = response(403);
    expect(err).toBeInstanceOf(AssignarAuthError);
    expect(err.hint).toContain('/users');
  });
});

describe('one record failed (or the failure passes)', () => {
  test.each([
    ['Assignar unique constraint', response(400, '[400] Unique Constraint Error - email')],
    ['Assignar bad request', response(400, 'name is required')],
    ['Assignar not found', response(404)],
    ['Assignar 5xx', response(503)],
    ['Sage business rule', new SageBusinessError('duplicate', { level: 'result' })],
    ['Sage request refused', new SageRequestError('bad key', { level: 'client' })],
    ['Sage rate limit', new SageRateLimitError('GW-0010', { level: 'control' })],
    ['Sage transient', new SageTransientError('timeout', { level: 'http', kind: 'timeout' })],
    ['validation', new ValidationError('bad cursor')],
    ['a plain Error', new Error('bug')],
    ['not an error', 'oops'],
  ])('%s', (_what, err) => {
    expect(isConnectionFailure(err)).toBe(false);
  });

  test('the classes are what the classifier produces', () => {
    expect(response(400, '[400] Unique Constraint Error - email')).toBeInstanceOf(AssignarUniqueConstraintError);
    expect(response(400, 'name is required')).toBeInstanceOf(AssignarBadRequestError);
    expect(response(404)).toBeInstanceOf(AssignarNotFoundError);
    expect(response(503)).toBeInstanceOf(AssignarTransientError);
  });
});
