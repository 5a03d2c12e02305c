import { Semaphore } from '../../../src/http/semaphore';

/** The one semaphore of both clients: the Sage Intacct company limit and the Assignar connection's slots. */
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
  it('an aborted waiter leaves the line with the signal\'s reason and takes no slot', async () => {
    const s = new Semaphore(1);
    const held = await s.acquire();
    const controller = new AbortController();
    const waiting = s.acquire(controller.signal);
    const next = s.acquire();
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(s.waiting).toBe(1);
    held();
    (await next)();
    expect(s.inUse).toBe(0);
  });
});
