import {
  classifyErrors,
  classifyHttpStatus,
  parseResponse,
  resultError,
  SageAlreadyDoneError,
  SageAuthenticationError,
  SageBusinessError,
  SageError,
  SageMalformedResponseError,
  SagePermissionError,
  SageRateLimitError,
  SageRequestError,
  SageSessionError,
  SageTransactionAbortedError,
  SageTransientError,
} from '../../../src/sage';
import { SyncError } from '../../../src/errors';
import * as fx from './fixtures';

/** What the client does with a parsed response: the first failing level wins. */
function classify(xml: string): SageError | undefined {
  const p = parseResponse(xml);
  if (p.controlErrors.length) return classifyErrors('control', p.controlErrors);
  if (p.authenticationErrors.length) return classifyErrors('authentication', p.authenticationErrors);
  return resultError(p.results[0]);
}

const failed = (errors: fx.ErrorSpec[], status = 'failure') => classify(fx.response([fx.result('create', 'ts-42', { status, errors })]));

describe('error classification', () => {
  it.each([
    ['bad sender credentials (control XL03000006)', fx.BAD_SENDER, SageAuthenticationError, false],
    ['sender not authorised for the company', fx.SENDER_NOT_AUTHORISED, SageAuthenticationError, false],
    ['demo company expired (PL04000055)', fx.DEMO_EXPIRED, SageAuthenticationError, false],
    ['request XML did not parse (XL03000003)', fx.XML_PARSE_ERROR, SageRequestError, false],
    ['Temporarily Off-line', fx.OFFLINE, SageTransientError, true],
    ['GW-0010 in the body', fx.GATEWAY_RATE_LIMIT, SageRateLimitError, true],
    ['bad login (auth XL03000006 Sign-in information is incorrect)', fx.BAD_LOGIN, SageAuthenticationError, false],
    ['invalid session (auth XL03000006 mentioning session)', fx.INVALID_SESSION, SageSessionError, true],
  ])('%s', (_name, xml, type, retryable) => {
    const err = classify(xml);
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(SyncError);
    expect(err?.retryable).toBe(retryable);
    expect(err?.name).toBe(type.name);
  });

  it('levels are recorded', () => {
    expect(classify(fx.BAD_SENDER)?.level).toBe('control');
    expect(classify(fx.BAD_LOGIN)?.level).toBe('authentication');
    expect(failed(fx.DUPLICATE_KEY)?.level).toBe('result');
  });

  it('business rule failure carries errorno, description, description2 and correction', () => {
    const err = failed(fx.DUPLICATE_KEY);
    expect(err).toBeInstanceOf(SageBusinessError);
    expect(err?.retryable).toBe(false);
    expect(err?.errorno).toBe('BL34000061');
    expect(err?.errors[0]).toEqual({ errorno: 'BL34000061', description: 'Another Customer with the given value(s) C-100 already exists', correction: 'Use a unique value instead.' });
    expect((err as SageBusinessError).isDuplicateKey).toBe(true);
    expect(err?.functionName).toBe('create');
    expect(err?.controlId).toBe('ts-42');
    expect(err?.message).toContain('BL01001973: Could not create Customer record!');
    const generic = failed([{ errorno: 'BL01001973', description: 'Could not create Timesheet record!', description2: 'Employee E9 is not active' }]);
    expect((generic as SageBusinessError).isDuplicateKey).toBe(false);
    expect(generic?.message).toContain('Employee E9 is not active');
  });

  it('free-text errorno (Query Failed) is a business error', () => {
    const err = failed(fx.QUERY_FAILED);
    expect(err).toBeInstanceOf(SageBusinessError);
    expect(err?.errors[0].description2).toContain('[Support ID: EsppO%7EZEcj]');
  });

  it('permission denied (PL04000005 / "You do not have permission")', () => {
    expect(failed(fx.PERMISSION_DENIED)).toBeInstanceOf(SagePermissionError);
    expect(failed([{ errorno: 'XX', description: 'You do not have permission for API operation CREATE on objects of type TIMESHEET' }])).toBeInstanceOf(SagePermissionError);
    expect(failed(fx.PERMISSION_DENIED)?.retryable).toBe(false);
  });

  it('duplicate controlid under uniqueid is "already done", whatever the errorno', () => {
    const err = failed(fx.ALREADY_EXECUTED);
    expect(err).toBeInstanceOf(SageAlreadyDoneError);
    expect(err?.retryable).toBe(false);
    expect(failed([{ errorno: 'XL03000002', description: 'Duplicate control ID ts-42 for this request' }])).toBeInstanceOf(SageAlreadyDoneError);
    expect(failed([{ errorno: 'BL01001973', description: '', description2: 'This function has already been processed' }])).toBeInstanceOf(SageAlreadyDoneError);
    expect(failed([{ errorno: 'X', description: 'duplicate controlid' }])).toBeInstanceOf(SageAlreadyDoneError);
  });

  it('transaction rollback: aborted results, and the failing one keeps its own error', () => {
    expect(failed(fx.ROLLED_BACK, 'aborted')).toBeInstanceOf(SageTransactionAbortedError);
    expect(failed([...fx.DUPLICATE_KEY, ...fx.ROLLED_BACK])).toBeInstanceOf(SageBusinessError);
  });

  it('transient and rate-limit texts win at result level too', () => {
    expect(failed([{ errorno: 'X', description: 'The Service is Temporarily Off-line', correction: 'Please Try Again Later' }])).toBeInstanceOf(SageTransientError);
    expect(failed([{ errorno: 'GW-0010', description: 'Rate limited' }])).toBeInstanceOf(SageRateLimitError);
  });

  it('a failure with no details is still an error', () => {
    const err = resultError({ status: 'failure', functionName: 'query', controlId: 'f', errors: [] });
    expect(err).toBeInstanceOf(SageBusinessError);
    expect(resultError({ status: 'success', functionName: 'query', controlId: 'f', errors: [] })).toBeUndefined();
  });

  it('redacts secrets from every text', () => {
    const err = classifyErrors('authentication', [{ errorno: 'XL03000006', description: 'Invalid session SESSION-123', description2: 'pw hunter2 rejected' }], {
      redact: (t) => t.replace(/SESSION-123|hunter2/g, '***'),
    });
    expect(err.message).not.toMatch(/SESSION-123|hunter2/);
    expect(JSON.stringify(err.errors)).not.toMatch(/SESSION-123|hunter2/);
  });
});

describe('HTTP classification', () => {
  it('429 is a rate limit with Retry-After', () => {
    const err = classifyHttpStatus(429, { 'retry-after': '3' }, fx.GATEWAY_RATE_LIMIT);
    expect(err).toBeInstanceOf(SageRateLimitError);
    expect((err as SageRateLimitError).retryAfterSeconds).toBe(3);
    expect(err.errorno).toBe('GW-0010');
    expect(err.httpStatus).toBe(429);
  });

  it('5xx without XML and 408 are transient', () => {
    for (const s of [500, 502, 503, 504, 524]) {
      const err = classifyHttpStatus(s, {}, '');
      expect(err).toBeInstanceOf(SageTransientError);
      expect((err as SageTransientError).kind).toBe('http-5xx');
    }
    expect((classifyHttpStatus(408, {}, '') as SageTransientError).kind).toBe('timeout');
  });

  it('4xx with a gateway error body is classified by its errors; without one it is a request error', () => {
    const gw11 = fx.controlFailure([{ errorno: 'GW-0011', description: 'Invalid Request [Request ID: abc]' }]);
    expect(classifyHttpStatus(400, {}, gw11)).toBeInstanceOf(SageAuthenticationError);
    expect(classifyHttpStatus(400, {}, 'Bad Request')).toBeInstanceOf(SageRequestError);
    expect(classifyHttpStatus(401, {}, '')).toBeInstanceOf(SageAuthenticationError);
    expect(classifyHttpStatus(404, {}, '<html/>')).toBeInstanceOf(SageRequestError);
  });

  it('malformed responses are retryable', () => {
    expect(() => parseResponse('<html>oops</html>')).toThrow(SageMalformedResponseError);
    try {
      parseResponse('not xml');
    } catch (err) {
      expect((err as SageMalformedResponseError).retryable).toBe(true);
    }
  });
});
