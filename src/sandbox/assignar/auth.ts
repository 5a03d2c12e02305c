import crypto from 'node:crypto';
import { ApiError, unauthorized } from './errors';

/**
 * The OAuth2 client-credentials token endpoint (`POST /oauth2/token`) and the bearer check on /v2:
 * Basic client credentials, form body `grant_type=client_credentials` and the one fixed scope; answers
 * a JWT-shaped access token (HS256, signed with a per-process key) with `exp`. A token is accepted
 * while it is unexpired and still in the issued set: `expireAll()` (the `expireTokens` fault) drops
 * every issued token, as if each had run out.
 */

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

function b64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function oauthError(status: number, error: string, description: string): ApiError {
  return new ApiError(status, { error, error_description: description });
}

export class TokenIssuer {
  private readonly key = crypto.randomBytes(32);
  /** jti → expiry (ms since epoch). */
  private readonly issued = new Map<string, number>();
  ttlSeconds: number;
  issuedCount = 0;

  constructor(
    private readonly credentials: Credentials,
    private readonly scope: string,
    private readonly issuer: () => string,
    ttlSeconds: number,
  ) {
    this.ttlSeconds = ttlSeconds;
  }

  /** Handles a token request: `authorization` header and the parsed form body. */
  issue(authorization: string | undefined, form: Record<string, unknown> | undefined): TokenResponse {
    const m = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    if (!m) throw oauthError(401, 'invalid_client', 'Client authentication failed: Basic credentials required');
    const decoded = Buffer.from(m[1].trim(), 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    const id = sep >= 0 ? decoded.slice(0, sep) : decoded;
    const secret = sep >= 0 ? decoded.slice(sep + 1) : '';
    if (id !== this.credentials.clientId || secret !== this.credentials.clientSecret) {
      throw oauthError(401, 'invalid_client', 'Client authentication failed');
    }
    if (!form || typeof form !== 'object') throw oauthError(400, 'invalid_request', 'Expected an application/x-www-form-urlencoded body');
    if (form.grant_type !== 'client_credentials') throw oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.scope !== this.scope) throw oauthError(400, 'invalid_scope', `scope must be ${this.scope}`);
    const nowMs = Date.now();
    const expiresAt = nowMs + this.ttlSeconds * 1000;
    const jti = crypto.randomUUID();
    const header = { alg: 'HS256', typ: 'JWT', kid: 'assignar-sandbox' };
    const payload = {
      sub: this.credentials.clientId,
      client_id: this.credentials.clientId,
      token_use: 'access',
      scope: this.scope,
      iss: this.issuer(),
      iat: Math.floor(nowMs / 1000),
      auth_time: Math.floor(nowMs / 1000),
      exp: Math.ceil(expiresAt / 1000),
      jti,
    };
    const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const sig = b64url(crypto.createHmac('sha256', this.key).update(body).digest());
    this.issued.set(jti, expiresAt);
    this.issuedCount++;
    this.prune(nowMs);
    return { access_token: `${body}.${sig}`, token_type: 'Bearer', expires_in: Math.max(0, Math.round(this.ttlSeconds)) };
  }

  /** Checks `Authorization: Bearer <token>`; throws 401 `{message}` as the API gateway does. */
  verify(authorization: string | undefined): { clientId: string } {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw unauthorized('Unauthorized');
    const parts = m[1].split('.');
    if (parts.length !== 3) throw unauthorized('Unauthorized');
    const expected = b64url(crypto.createHmac('sha256', this.key).update(`${parts[0]}.${parts[1]}`).digest());
    const a = Buffer.from(expected);
    const b = Buffer.from(parts[2]);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw unauthorized('Unauthorized');
    let payload: { jti?: string; client_id?: string };
    try {
      payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      throw unauthorized('Unauthorized');
    }
    const expiresAt = payload.jti ? this.issued.get(payload.jti) : undefined;
    if (expiresAt === undefined || expiresAt <= Date.now()) throw unauthorized('The incoming token has expired');
    return { clientId: payload.client_id ?? '' };
  }

  /** Every token issued so far stops working (the `expireTokens` fault). */
  expireAll(): number {
    const n = this.issued.size;
    this.issued.clear();
    return n;
  }

  private prune(nowMs: number): void {
    if (this.issued.size < 1000) return;
    for (const [jti, exp] of this.issued) if (exp <= nowMs) this.issued.delete(jti);
  }
}
