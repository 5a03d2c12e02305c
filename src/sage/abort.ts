/**
 * Cancellation for the Sage Intacct client: a caller's AbortSignal (a Temporal activity's
 * `cancellationSignal()`) ends the in-flight request, a backoff sleep or a wait for the company's
 * concurrency slot. The rejection is the signal's own reason, so a cancelled activity reports a
 * CancelledFailure rather than an API error.
 */

export function cancellation(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The Sage Intacct call was cancelled', 'AbortError');
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancellation(signal);
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (the promise itself keeps running). */
export function unlessCancelled<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancellation(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancellation(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Waits `ms`, or rejects when `signal` aborts first. */
export function cancellableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancellation(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancellation(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
