import { AssignarAuthError, AssignarMalformedResponseError } from '../../../src/assignar';
import { isConnectionFailure } from '../../../src/errors';
import { FakeAssignar } from './helpers';

/**
 * How the client reports the failures that are the connection's rather than one record's, and a create
 * whose answer cannot be read: the record may well exist, so the error says the outcome is unknown.
 */

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

test('a create answered 2xx whose body fails the schema: malformed, connection-wide, outcome unknown (look it up)', async () => {
  const fake = new FakeAssignar();
  fake.api = () => ({ status: 200, body: { status: 201, data: { id: 'not-a-number', first_name: 'A' } } });
  const err = (await rejection(fake.client({ maxRetries: 0 }).users.create({ first_name: 'A', last_name: 'B', user_type_id: 2 }))) as AssignarMalformedResponseError;
  expect(err).toBeInstanceOf(AssignarMalformedResponseError);
  expect(err.outcomeUnknown).toBe(true);
  expect(isConnectionFailure(err)).toBe(true);
  expect(fake.apiCalls).toHaveLength(1); // not sent twice
});

test('a read whose body fails the schema: malformed, but nothing was written', async () => {
  const fake = new FakeAssignar();
  fake.api = () => ({ status: 200, body: { status: 200, data: { id: 'x' } } });
  const err = (await rejection(fake.client({ maxRetries: 0 }).users.get(1))) as AssignarMalformedResponseError;
  expect(err).toBeInstanceOf(AssignarMalformedResponseError);
  expect(err.outcomeUnknown).toBe(false);
});

test('a token endpoint that does not exist (404) is a refused token request naming assignar.tokenUrl', async () => {
  const fake = new FakeAssignar();
  fake.token = () => ({ status: 404, body: { message: 'Not Found' } });
  fake.api = () => ({ status: 200, body: { status: 200, data: [] } });
  const err = (await rejection(fake.client({ maxRetries: 3 }).users.listPage())) as AssignarAuthError;
  expect(err).toBeInstanceOf(AssignarAuthError);
  expect(err.retryable).toBe(false);
  expect(isConnectionFailure(err)).toBe(true);
  expect(err.hint).toContain('assignar.tokenUrl');
  expect(fake.tokenCalls).toHaveLength(1);
  expect(fake.apiCalls).toHaveLength(0);
});

test('a 403 is a connection-wide auth error that names the resource', async () => {
  const fake = new FakeAssignar();
  fake.api = () => ({ status: 403, body: { message: 'Forbidden' } });
  const err = (await rejection(fake.client({ maxRetries: 3 }).orders.listPage())) as AssignarAuthError;
  expect(err).toBeInstanceOf(AssignarAuthError);
  expect(isConnectionFailure(err)).toBe(true);
  expect(err.hint).toContain('/orders');
  expect(fake.apiCalls).toHaveLength(1);
});
