import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { raceAbort, type Now } from '../http/abort';
import { errorFromResponse, errorFromTransport, serverMessageOf } from './classify';
import { AssignarAuthError, AssignarMalformedResponseError } from './errors';

/**
 * OAuth2 client credentials exactly as Assignar documents them (reference/assignar-api.md §3.2):
 * `POST <tokenUrl>` with `Authorization: Basic base64(client_id:client_secret)`,
 * `Content-Type: application/x-www-form-urlencoded` and the body
 * `grant_type=client_credentials&scope=<the one fixed scope>`.
 *
 * The token is cached until shortly before it expires (`expires_in`, else the JWT's `exp`, else one hour),
 * concurrent callers share one in-flight token request, and `invalidate` drops a token the API refused.
 * The secret and the token live in private fields: they are never logged, serialised or put in a message.
 */
export interface TokenProviderOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  dispatcher: Dispatcher;
  /** Epoch milliseconds. */
  now: Now;
  timeoutMs: number;
  /** Told when a token is obtained again (renewed before expiry, or after the API refused the old one). */
  onRenewed?: () => void;
}

/** Used when the response has no `expires_in` and the token is not a JWT with `exp` (the docs say 1 h). */
export const DEFAULT_TOKEN_LIFETIME_MS = 60 * 60 * 1000;
/** Renew this long before expiry (or a tenth of the lifetime for short-lived tokens). */
export const TOKEN_REFRESH_MARGIN_MS = 60 * 1000;

const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)]).optional(),
});

interface CachedToken {
  value: string;
  expiresAt: number;
  refreshAt: number;
}

/** The `exp` claim (seconds since the epoch) of a JWT, without verifying it; undefined when absent. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = payload && typeof payload === 'object' ? (payload as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

export class ClientCredentialsTokenProvider {
  readonly #basic: string;
  readonly #opts: Omit<TokenProviderOptions, 'clientSecret'>;
  #cached?: CachedToken;
  #inflight?: Promise<CachedToken>;
  #requests = 0;
  #obtained = 0;

  constructor(opts: TokenProviderOptions) {
    const { clientSecret, ...rest } = opts;
    this.#opts = rest;
    this.#basic = `Basic ${Buffer.from(`${opts.clientId}:${clientSecret}`, 'utf8').toString('base64')}`;
  }

  /** Token requests sent so far. */
  get requests(): number {
    return this.#requests;
  }

  /** A valid access token: the cached one, or a fresh one shared by every concurrent caller. */
  async getToken(signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#opts.now() < cached.refreshAt) return cached.value;
    if (!this.#inflight) {
      const p = this.#fetch();
      this.#inflight = p;
      void p.then(
        (t) => {
          this.#cached = t;
          if (this.#obtained++ > 0) this.#opts.onRenewed?.();
          if (this.#inflight === p) this.#inflight = undefined;
        },
        () => {
          if (this.#inflight === p) this.#inflight = undefined;
        },
      );
    }
    try {
      // A caller that gives up does not cancel the shared request: others may still be waiting on it.
      const token = await raceAbort(this.#inflight, signal);
      return token.value;
    } catch (err) {
      // Renewal failed inside the refresh margin: the old token is still valid for a little while.
      const stillValid = this.#cached;
      if (!signal?.aborted && stillValid && this.#opts.now() < stillValid.expiresAt) return stillValid.value;
      throw err;
    }
  }

  /**
   * Forget `token` because the API refused it (401). Only that token: when a concurrent caller has
   * already renewed it, the newer token stays, so a burst of 401s triggers one renewal, not many.
   */
  invalidate(token: string): void {
    if (this.#cached?.value === token) this.#cached = undefined;
  }

  async #fetch(): Promise<CachedToken> {
    const { tokenUrl, scope, dispatcher, now, timeoutMs } = this.#opts;
    const path = new URL(tokenUrl).pathname;
    const ctx = { method: 'POST', path };
    const startedAt = now();
    const timeout = AbortSignal.timeout(timeoutMs);
    this.#requests++;
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const res = await request(tokenUrl, {
        method: 'POST',
        dispatcher,
        signal: timeout,
        headers: {
          authorization: this.#basic,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      });
      status = res.statusCode;
      headers = res.headers;
      text = await res.body.text();
    } catch (err) {
      const mapped = errorFromTransport(err, { ...ctx, idempotent: true, timedOut: timeout.aborted, timeoutMs });
      throw mapped ?? err;
    }
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (status === 400 || status === 401 || status === 403) {
      // invalid_client, invalid_scope, unauthorized_client …: a person has to fix the credentials.
      throw new AssignarAuthError('token request refused', { ...ctx, status, serverMessage: serverMessageOf(json, text) });
    }
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      // 404, 405 …: the token URL is wrong. No request of this connection can succeed until it is fixed.
      throw new AssignarAuthError('token request refused', {
        ...ctx,
        status,
        serverMessage: serverMessageOf(json, text),
        hint: `Check assignar.tokenUrl (${tokenUrl}): the token endpoint of the tenant's region.`,
      });
    }
    if (status < 200 || status >= 300) {
      throw errorFromResponse({ ...ctx, status, headers, json, text, nowMs: now(), idempotent: true });
    }
    const parsed = TokenResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new AssignarMalformedResponseError(['token response has no access_token'], { ...ctx, status });
    }
    const value = parsed.data.access_token;
    let expiresAt: number;
    if (parsed.data.expires_in !== undefined && Number(parsed.data.expires_in) > 0) {
      expiresAt = startedAt + Number(parsed.data.expires_in) * 1000;
    } else {
      const exp = jwtExpiry(value);
      expiresAt = exp !== undefined ? exp * 1000 : startedAt + DEFAULT_TOKEN_LIFETIME_MS;
    }
    const lifetime = Math.max(0, expiresAt - startedAt);
    const refreshAt = expiresAt - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetime / 10);
    return { value, expiresAt, refreshAt };
  }
}
