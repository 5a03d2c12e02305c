/**
 * Runs `work` and calls `beat` every `everyMs` until it settles, so a caller that waits a long time on one
 * thing (a 120 s Sage Intacct request, a backoff sleep, a 429 pause, a semaphore) still shows it is alive.
 * A throwing `beat` is ignored: an exception in a timer callback would take the whole process down.
 */
export async function heartbeatWhile<T>(work: () => Promise<T>, beat: () => void, everyMs: number): Promise<T> {
  const timer = setInterval(() => {
    try {
      beat();
    } catch {
      // Not fatal: the next beat, or the work's own progress reports, will tell.
    }
  }, everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
