import { Agent, request, type Dispatcher } from 'undici';
import { abortReason, throwIfAborted } from '../http/abort';
import { SageRequestError, SageTransientError } from './errors';

/**
 * One HTTP POST of a request document. No retries here (the client owns them); network failures and
 * timeouts become SageTransientError. The URL is used as given, so the client can point at the real
 * gateway, a session's endpoint or a local sandbox alike.
 */

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let sharedAgent: Agent | undefined;

/** The process-wide keep-alive agent used when the caller gives no dispatcher. */
export function defaultDispatcher(): Dispatcher {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connect: { timeout: 30_000 } });
  return sharedAgent;
}

/** A URL or argument the HTTP stack refuses: retrying the same thing cannot help. */
const NOT_RETRYABLE_CODES = new Set(['ERR_INVALID_URL', 'UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']);

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * `signal` is the caller's cancellation: it aborts the request at once and rejects with the signal's
 * reason (not a Sage error: nothing is wrong with Sage Intacct, the answer is no longer wanted).
 */
export async function postXml(url: string, body: string, opts: { dispatcher?: Dispatcher; timeoutMs: number; signal?: AbortSignal }): Promise<HttpReply> {
  throwIfAborted(opts.signal);
  // One controller for the timeout and the caller's signal, detached afterwards: a page activity's signal
  // lives for many requests, and AbortSignal.any would keep a reference per request on it.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`timed out after ${opts.timeoutMs} ms`, 'TimeoutError'));
  }, opts.timeoutMs);
  const onCancel = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onCancel, { once: true });
  try {
    const res = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/xml; charset=utf-8', accept: 'application/xml, text/xml' },
      dispatcher: opts.dispatcher ?? defaultDispatcher(),
      signal: controller.signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text };
  } catch (err) {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    const code = errorCode(err);
    if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
      throw new SageTransientError(`Sage Intacct request timed out after ${opts.timeoutMs} ms`, { level: 'http', kind: 'timeout', cause: err });
    }
    const what = err instanceof Error ? err.message : String(err);
    if (code !== undefined && NOT_RETRYABLE_CODES.has(code)) {
      throw new SageRequestError(`Sage Intacct request could not be sent (${code}): ${what}`, { level: 'http', cause: err });
    }
    // Everything else is network-level: resets, refusals, DNS, sockets closed mid-response. The request may
    // or may not have reached the gateway, which writes handle with uniqueid + fixed function controlids.
    throw new SageTransientError(`Sage Intacct connection failed (${code ?? 'network error'}): ${what}`, { level: 'http', kind: 'network', cause: err });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCancel);
  }
}
