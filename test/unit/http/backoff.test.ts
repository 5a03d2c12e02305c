import { retryDelayMs } from '../../../src/http/backoff';

/** The one retry-wait policy of both clients. */
describe('backoff with full jitter', () => {
  it('draws uniformly below an exponential cap', () => {
    const opts = { baseMs: 500, capMs: 30_000 };
    expect(retryDelayMs(0, { ...opts, random: () => 0.999 })).toBe(499);
    expect(retryDelayMs(3, { ...opts, random: () => 0.5 })).toBe(2000);
    expect(retryDelayMs(20, { ...opts, random: () => 0.5 })).toBe(15_000);
    expect(retryDelayMs(2, { ...opts, random: () => 0 })).toBe(0);
  });

  it('treats Retry-After as a floor, capped', () => {
    expect(retryDelayMs(0, { baseMs: 500, capMs: 30_000, random: () => 0 }, 3000)).toBe(3000);
    expect(retryDelayMs(0, { baseMs: 500, capMs: 30_000, random: () => 0 }, 3_600_000)).toBe(30_000);
    expect(retryDelayMs(0, { baseMs: 500, capMs: 30_000, maxRetryAfterMs: 120_000, random: () => 0 }, 60_000)).toBe(60_000);
    expect(retryDelayMs(0, { baseMs: 500, capMs: 30_000, random: () => 0.999 }, 100)).toBe(499);
  });
});
