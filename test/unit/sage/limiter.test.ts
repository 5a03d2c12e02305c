import { backoffDelayMs, companyLimiter, resetCompanyLimiters, Semaphore } from '../../../src/sage';

describe('Semaphore', () => {
  it('admits up to the limit and hands slots over in order', async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    expect(s.inUse).toBe(2);
    const third = s.acquire().then((r) => {
      order.push(3);
      return r;
    });
    const fourth = s.acquire().then((r) => {
      order.push(4);
      return r;
    });
    await Promise.resolve();
    expect(s.waiting).toBe(2);
    r1();
    r1(); // releasing twice is harmless
    const r3 = await third;
    expect(order).toEqual([3]);
    expect(s.inUse).toBe(2);
    r2();
    const r4 = await fourth;
    r3();
    r4();
    expect(s.inUse).toBe(0);
    expect(order).toEqual([3, 4]);
  });

  it('run() releases on failure', async () => {
    const s = new Semaphore(1);
    await expect(s.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(s.inUse).toBe(0);
  });

  it('lowering the limit takes effect as slots are released', async () => {
    const s = new Semaphore(3);
    const held = [await s.acquire(), await s.acquire(), await s.acquire()];
    s.lowerLimit(1);
    let admitted = false;
    const waiter = s.acquire().then((r) => {
      admitted = true;
      return r;
    });
    held[0]();
    held[1]();
    await Promise.resolve();
    expect(admitted).toBe(false);
    held[2]();
    (await waiter)();
    expect(admitted).toBe(true);
    expect(s.inUse).toBe(0);
  });
});

describe('company limiter registry', () => {
  beforeEach(() => resetCompanyLimiters());

  it('shares one semaphore per gateway host and company id', () => {
    const a = companyLimiter('https://api.intacct.com/ia/xml/xmlgw.phtml', 'ACME', 2);
    const b = companyLimiter('https://API.intacct.com/other/path', 'ACME', 2);
    const c = companyLimiter('https://api.intacct.com/ia/xml/xmlgw.phtml', 'OTHER', 2);
    const d = companyLimiter('http://127.0.0.1:7431/ia/xml/xmlgw.phtml', 'ACME', 2);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBe(d);
  });

  it('the strictest limit wins', () => {
    companyLimiter('https://h', 'X', 4);
    expect(companyLimiter('https://h', 'X', 2).limit).toBe(2);
    expect(companyLimiter('https://h', 'X', 5).limit).toBe(2);
  });
});

describe('backoff with full jitter', () => {
  it('draws uniformly below an exponential cap', () => {
    const opts = { baseMs: 500, maxMs: 30_000 };
    expect(backoffDelayMs(0, { ...opts, random: () => 0.999 })).toBe(499);
    expect(backoffDelayMs(3, { ...opts, random: () => 0.5 })).toBe(2000);
    expect(backoffDelayMs(20, { ...opts, random: () => 0.5 })).toBe(15_000);
    expect(backoffDelayMs(2, { ...opts, random: () => 0 })).toBe(0);
  });

  it('treats Retry-After as a floor, capped', () => {
    expect(backoffDelayMs(0, { baseMs: 500, maxMs: 30_000, random: () => 0 }, 3)).toBe(3000);
    expect(backoffDelayMs(0, { baseMs: 500, maxMs: 30_000, random: () => 0 }, 3600)).toBe(30_000);
  });
});
