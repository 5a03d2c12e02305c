import { Agent, request, type Dispatcher } from 'undici';
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

export async function postXml(url: string, body: string, opts: { dispatcher?: Dispatcher; timeoutMs: number }): Promise<HttpReply> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  try {
    const res = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/xml; charset=utf-8', accept: 'application/xml, text/xml' },
      dispatcher: opts.dispatcher ?? defaultDispatcher(),
      signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text };
  } catch (err) {
    const code = errorCode(err);
    if (signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
      throw new SageTransientError(`Sage Intacct request timed out after ${opts.timeoutMs} ms`, { level: 'http', kind: 'timeout', cause: err });
    }
    const what = err instanceof Error ? err.message : String(err);
    if (code !== undefined && NOT_RETRYABLE_CODES.has(code)) {
      throw new SageRequestError(`Sage Intacct request could not be sent (${code}): ${what}`, { level: 'http', cause: err });
    }
    // Everything else is network-level: resets, refusals, DNS, sockets closed mid-response. The request may
    // or may not have reached the gateway, which writes handle with uniqueid + fixed function controlids.
    throw new SageTransientError(`Sage Intacct connection failed (${code ?? 'network error'}): ${what}`, { level: 'http', kind: 'network', cause: err });
  }
}
