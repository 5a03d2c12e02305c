import { defaultBurst, RequestLimiter } from '../../../src/assignar/limiter';
import { TokenBucket } from '../../../src/assignar/token-bucket';
import { FakeAssignar, VirtualClock, type RecordedRequest } from './helpers';

/** Largest number of timestamps in any half-open window [t, t + width). */
function maxInWindow(times: number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= width) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('TokenBucket', () => {
  it('paces a queue of callers one token at a time, first in first out', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, capacity: 1, now: clock.now, sleep: clock.sleep });
    const starts: Array<{ i: number; at: number }> = [];
    const all = Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        bucket.take().then(() => {
          starts.push({ i, at: clock.now() });
        }),
      ),
    );
    await clock.run(all);
    expect(starts.map((s) => s.i)).toEqual(Array.from({ length: 30 }, (_, i) => i)); // FIFO
    const times = starts.map((s) => s.at);
    expect(times[0]).toBe(0);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(10);
    // Consecutive grants are never closer than one token interval.
    for (let k = 1; k < times.length; k++) expect(times[k] - times[k - 1]).toBeGreaterThanOrEqual(100);
    // …and the bucket does not idle: 30 tokens at 10/s take about 2.9 virtual seconds.
    expect(times[29]).toBeLessThan(3000);
    expect(bucket.granted).toBe(30);
  });

  it('allows its capacity as an initial burst, then the refill rate', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 4, capacity: 3, now: clock.now, sleep: clock.sleep });
    const times: number[] = [];
    await clock.run(Promise.all(Array.from({ length: 7 }, () => bucket.take().then(() => times.push(clock.now())))));
    expect(times.slice(0, 3)).toEqual([0, 0, 0]);
    expect(times.slice(3).every((t) => t >= 250)).toBe(true);
    expect(times[6]).toBeGreaterThanOrEqual(1000);
  });

  it('issues nothing while paused', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 100, capacity: 5, now: clock.now, sleep: clock.sleep });
    bucket.pauseUntil(2000);
    bucket.pauseUntil(500); // an earlier pause does not shorten it
    const times: number[] = [];
    await clock.run(Promise.all(Array.from({ length: 3 }, () => bucket.take().then(() => times.push(clock.now())))));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(2000);
  });

  it('drops a waiter whose signal aborts, and serves the others', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 1, now: clock.now, sleep: clock.sleep });
    await bucket.take();
    const controller = new AbortController();
    const aborted = bucket.take(controller.signal);
    const served = bucket.take();
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    await clock.run(served);
    expect(bucket.granted).toBe(2);
    expect(clock.now()).toBe(1000); // the aborted waiter did not consume the token
  });
});

describe('RequestLimiter', () => {
  it('keeps every one-second window at or under requestsPerSecond, and sustains the full rate', async () => {
    const clock = new VirtualClock();
    const limiter = new RequestLimiter({ requestsPerSecond: 100, concurrency: 50, now: clock.now, sleep: clock.sleep });
    expect(limiter.burst).toBe(5);
    expect(limiter.refillPerSecond).toBe(100);
    const starts: number[] = [];
    const work = Array.from({ length: 400 }, () =>
      limiter.run(async () => {
        starts.push(clock.now());
        await clock.sleep(50); // 50 ms of "latency"
      }),
    );
    await clock.run(Promise.all(work));
    expect(starts).toHaveLength(400);
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(100);
    expect(starts.filter((t) => t === 0)).toHaveLength(5); // the burst
    // The full rate: 400 requests at 100/s end just under 4 virtual seconds (a bucket refilling at 96/s
    // took 4.1).
    expect(Math.max(...starts)).toBeLessThan(4000);
    expect(limiter.stats()).toMatchObject({ inFlight: 0, queued: 0, started: 400 });
  });

  it('keeps every second at the limit through its sliding log, whatever the burst', async () => {
    const clock = new VirtualClock();
    // A bucket refilling at the full rate with a burst of 20: alone it lets 119 out in the first second.
    const unlimited = new TokenBucket({ ratePerSecond: 100, capacity: 20, now: clock.now, sleep: clock.sleep });
    const windowed = new TokenBucket({ ratePerSecond: 100, capacity: 20, window: { limit: 100, ms: 1000 }, now: clock.now, sleep: clock.sleep });
    const times = { unlimited: [] as number[], windowed: [] as number[] };
    const t0 = clock.now();
    await clock.run(
      Promise.all([
        ...Array.from({ length: 300 }, () => unlimited.take().then(() => times.unlimited.push(clock.now() - t0))),
        ...Array.from({ length: 300 }, () => windowed.take().then(() => times.windowed.push(clock.now() - t0))),
      ]),
    );
    expect(maxInWindow(times.unlimited, 1000)).toBeGreaterThan(100);
    expect(maxInWindow(times.windowed, 1000)).toBeLessThanOrEqual(100);
    // …and still 100 a second: 300 tokens inside three seconds.
    expect(Math.max(...times.windowed)).toBeLessThan(3000);
  });

  it('caps requests in flight at concurrency', async () => {
    const clock = new VirtualClock();
    const limiter = new RequestLimiter({ requestsPerSecond: 1000, concurrency: 3, now: clock.now, sleep: clock.sleep });
    let inFlight = 0;
    let peak = 0;
    const work = Array.from({ length: 20 }, () =>
      limiter.run(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await clock.sleep(500);
        inFlight--;
      }),
    );
    await clock.run(Promise.all(work));
    expect(peak).toBe(3);
    expect(limiter.stats().peakInFlight).toBe(3);
  });

  it('releases the slot when the task fails', async () => {
    const clock = new VirtualClock();
    const limiter = new RequestLimiter({ requestsPerSecond: 1000, concurrency: 1, now: clock.now, sleep: clock.sleep });
    await expect(limiter.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(clock.run(limiter.run(async () => 'ok'))).resolves.toBe('ok');
  });

  it('picks a small burst for the rate', () => {
    expect(defaultBurst(1)).toBe(1);
    expect(defaultBurst(20)).toBe(1);
    expect(defaultBurst(100)).toBe(5);
    expect(defaultBurst(1000)).toBe(10);
  });

  it('paces real client requests: every request of one instance shares the limit', async () => {
    const clock = new VirtualClock();
    const fake = new FakeAssignar(clock.now);
    fake.api = (req: RecordedRequest) => ({ status: 200, body: { status: 200, data: { id: Number(req.pathname.split('/').pop()) } } });
    const client = fake.client(
      { requestsPerSecond: 10, concurrency: 4 },
      { now: clock.now, sleep: clock.sleep, burst: undefined },
    );
    const calls = [
      ...Array.from({ length: 15 }, (_, i) => client.users.get(i + 1)),
      ...Array.from({ length: 15 }, (_, i) => client.tasks.get(i + 1)),
    ];
    await clock.run(Promise.all(calls));
    const arrivals = fake.apiCalls.map((c) => c.at);
    expect(arrivals).toHaveLength(30);
    expect(maxInWindow(arrivals, 1000)).toBeLessThanOrEqual(10);
    expect(Math.max(...arrivals)).toBeGreaterThanOrEqual(2900); // 30 requests at 10/s
    expect(client.stats()).toMatchObject({ requests: 30, http429: 0, inFlight: 0 });
    expect(client.stats().peakInFlight).toBeLessThanOrEqual(4);
  });

  it('works on real timers with the default clock (counts only, no timing assertions)', async () => {
    const fake = new FakeAssignar();
    let n = 0;
    fake.api = (req) =>
      ++n === 2 ? { status: 429, body: {}, headers: { 'retry-after': '0' } } : { status: 200, body: { status: 200, data: { id: Number(req.pathname.split('/').pop()) } } };
    const client = fake.client({ requestsPerSecond: 200, concurrency: 3 }, { burst: undefined, backoff: { baseMs: 1 } });
    const got = await Promise.all(Array.from({ length: 12 }, (_, i) => client.users.get(i + 1)));
    expect(got.map((u) => u.id)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(client.stats()).toMatchObject({ requests: 13, retries: 1, http429: 1, inFlight: 0, queued: 0 });
    expect(client.stats().peakInFlight).toBeLessThanOrEqual(3);
  });
});
