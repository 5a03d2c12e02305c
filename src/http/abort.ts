/**
 * Cancellation and time for the API clients. A caller's AbortSignal (a Temporal activity's
 * `cancellationSignal()`) ends the in-flight request, a backoff sleep or a wait for a slot; the rejection is
 * the signal's own reason, so a cancelled activity reports a CancelledFailure rather than an API error.
 */

/** Milliseconds on some clock; only differences matter to the limiters, the epoch matters to tokens. */
export type Now = () => number;

/** Waits `ms`; rejects with the signal's reason when aborted. Injectable so tests run in virtual time. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (the promise itself keeps running). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
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

/** Waits `ms` on real timers, or rejects when `signal` aborts first. */
export const realSleep: Sleep = (ms, signal) => {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
};
