import { abortReason } from '../http/abort';
import { AssignarError, AssignarUnexpectedError } from './errors';

/**
 * Many independent writes at once. Every item runs through the client's limiter (so the rate and
 * concurrency limits hold however many items there are); one item failing never stops the others; the
 * result for each item is its value or its typed error, in input order.
 */
export type BulkResult<R> =
  | { index: number; status: 'fulfilled'; value: R }
  | { index: number; status: 'rejected'; error: AssignarError };

export interface BulkOptions<R = unknown> {
  /**
   * Items started at once; default twice the connection's concurrency, enough to keep the limiter busy
   * without queueing thousands of promises. The limiter still caps requests in flight.
   */
  concurrency?: number;
  /** Stops starting new items; items already sent finish; then the call rejects with the abort reason. */
  signal?: AbortSignal;
  /** Called as each item settles (for activity heartbeats and progress). */
  onSettled?: (result: BulkResult<R>, settled: number, total: number) => void;
}

export async function runBulk<I, R>(
  items: readonly I[],
  worker: (item: I, index: number) => Promise<R>,
  options: BulkOptions<R> & { concurrency: number; label?: string },
): Promise<Array<BulkResult<R>>> {
  const results = new Array<BulkResult<R>>(items.length);
  const { signal } = options;
  const lanes = Math.max(1, Math.min(options.concurrency, items.length));
  let next = 0;
  let settled = 0;

  const lane = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      let result: BulkResult<R>;
      try {
        result = { index, status: 'fulfilled', value: await worker(items[index], index) };
      } catch (err) {
        if (signal?.aborted) return;
        const error =
          err instanceof AssignarError
            ? err
            : new AssignarUnexpectedError({ method: 'BULK', path: options.label ?? `item ${index}`, cause: err });
        result = { index, status: 'rejected', error };
      }
      results[index] = result;
      settled++;
      options.onSettled?.(result, settled, items.length);
    }
  };

  await Promise.all(Array.from({ length: lanes }, lane));
  if (signal?.aborted) throw abortReason(signal);
  return results;
}
