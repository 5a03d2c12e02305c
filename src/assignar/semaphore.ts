import { abortReason } from './clock';

/** A counting semaphore with a FIFO queue: at most `max` holders at once. */
export class Semaphore {
  private active = 0;
  private peak = 0;
  private readonly queue: Array<{ grant: () => void; cancel?: () => void }> = [];

  constructor(readonly max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError('max must be an integer >= 1');
  }

  get inUse(): number {
    return this.active;
  }

  get peakInUse(): number {
    return this.peak;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once a slot is free. Call it exactly once. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.max && this.queue.length === 0) return Promise.resolve(this.hold());
    return new Promise((resolve, reject) => {
      const entry: { grant: () => void; cancel?: () => void } = { grant: () => resolve(this.hold()) };
      if (signal) {
        const onAbort = () => {
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        entry.cancel = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(entry);
    });
  }

  private hold(): () => void {
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const next = this.queue.shift();
      if (next) {
        next.cancel?.();
        next.grant();
      }
    };
  }
}
