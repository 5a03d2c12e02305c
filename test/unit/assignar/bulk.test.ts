import {
  AssignarForeignKeyError,
  AssignarUnexpectedError,
  AssignarUniqueConstraintError,
  type BulkResult,
  type UserWrite,
} from '../../../src/assignar';
import { FakeAssignar, VirtualClock } from './helpers';

describe('Assignar bulk writes', () => {
  it('creates many records concurrently; one failure does not stop the others', async () => {
    const fake = new FakeAssignar();
    let nextId = 1000;
    fake.api = (req) => {
      const body = JSON.parse(req.body!) as UserWrite;
      if (body.email === 'dup@example.com') return { status: 400, body: { message: '[400] Unique Constraint Error - email' } };
      return { status: 200, body: { status: 201, data: { id: nextId++, ...body } } };
    };
    const client = fake.client({ concurrency: 4 });
    const bodies: UserWrite[] = Array.from({ length: 25 }, (_, i) => ({
      user_type_id: 2,
      first_name: `F${i}`,
      last_name: `L${i}`,
      email: i === 7 ? 'dup@example.com' : `w${i}@example.com`,
      employee_id: `E${i}`,
    }));
    const progress: number[] = [];
    const results = await client.users.createMany(bodies, { onSettled: (_r, settled) => progress.push(settled) });

    expect(results).toHaveLength(25);
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(failed[0].index).toBe(7);
    expect((failed[0] as Extract<BulkResult<number>, { status: 'rejected' }>).error).toBeInstanceOf(AssignarUniqueConstraintError);
    const ids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(new Set(ids).size).toBe(24);
    expect(progress).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(client.stats().peakInFlight).toBeLessThanOrEqual(4);
    expect(client.stats().requests).toBe(25);
  });

  it('updates many records and reports each outcome by id', async () => {
    const fake = new FakeAssignar();
    fake.api = (req) => (req.pathname.endsWith('/3') ? { status: 400, body: { message: '[400] Foreign Key Constraint Error' } } : { status: 204 });
    const client = fake.client();
    const results = await client.projects.updateMany([1, 2, 3, 4].map((id) => ({ id, body: { client_id: 9 } })));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : r.error.constructor.name))).toEqual([1, 2, 'AssignarForeignKeyError', 4]);
    expect((results[2] as { error: unknown }).error).toBeInstanceOf(AssignarForeignKeyError);
  });

  it('runs arbitrary writes through the same limiter with client.bulk', async () => {
    const clock = new VirtualClock();
    const fake = new FakeAssignar(clock.now);
    fake.api = () => ({ status: 204 });
    const client = fake.client({ requestsPerSecond: 20, concurrency: 2 }, { now: clock.now, sleep: clock.sleep, burst: undefined });
    const results = await clock.run(
      client.bulk(Array.from({ length: 40 }, (_, i) => i), async (i) => {
        if (i === 5) throw new TypeError('bug in the mapping');
        await client.assets.update(i, { name: `A${i}`, active: true });
        return i;
      }),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(39);
    expect((results[5] as { error: unknown }).error).toBeInstanceOf(AssignarUnexpectedError);
    const arrivals = fake.apiCalls.map((c) => c.at);
    // 39 requests at 20/s: never more than 20 in a second, and about two seconds in all.
    expect(arrivals.filter((t) => t < 1000).length).toBeLessThanOrEqual(20);
    expect(Math.max(...arrivals)).toBeGreaterThanOrEqual(1850);
  });

  it('stops starting items when the signal aborts and rejects with the reason', async () => {
    const fake = new FakeAssignar();
    const controller = new AbortController();
    let n = 0;
    fake.api = () => {
      if (++n === 3) controller.abort(new Error('cancelled'));
      return { status: 204 };
    };
    const client = fake.client({ concurrency: 1 });
    await expect(
      client.tasks.updateMany(
        Array.from({ length: 50 }, (_, i) => ({ id: i + 1, body: { name: 'x' } })),
        { signal: controller.signal, concurrency: 1 },
      ),
    ).rejects.toThrow('cancelled');
    expect(fake.apiCalls.length).toBeLessThan(5);
  });
});
