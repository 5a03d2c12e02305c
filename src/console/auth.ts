import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigError } from '../errors';

/**
 * Who may use the console. Operator tokens come from $INTACCT_ASSIGNAR_CONSOLE_TOKENS as comma-separated
 * `name:token` pairs (`alice:9f2…,bob:71c…`): the name is what the ledger records with each action, the
 * token is the secret. On a loopback address (the default, 127.0.0.1) only this machine can reach the
 * console, so requests need no token and act as `local` (a token given anyway names the operator). Bound to
 * any other address, every request needs a token: a bearer header, or the login form's HttpOnly cookie.
 */
export const TOKENS_ENV = 'INTACCT_ASSIGNAR_CONSOLE_TOKENS';
export const LOCAL_OPERATOR = 'local';
export const SESSION_COOKIE = 'ia_console';
/** A token shorter than this is refused: it would be guessable. */
export const MIN_TOKEN_LENGTH = 12;
const SESSION_HOURS = 12;

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

export interface OperatorToken {
  name: string;
  /** sha256 of the token: the token itself is not kept, so it cannot be logged by accident. */
  digest: Buffer;
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Parses `name:token,name:token`; each error names the pair by position, never the token. */
export function parseOperatorTokens(value: string | undefined): OperatorToken[] {
  if (!value || value.trim() === '') return [];
  const tokens: OperatorToken[] = [];
  value.split(',').forEach((pair, i) => {
    const trimmed = pair.trim();
    if (trimmed === '') return;
    const colon = trimmed.indexOf(':');
    const name = colon > 0 ? trimmed.slice(0, colon).trim() : '';
    const token = colon > 0 ? trimmed.slice(colon + 1).trim() : '';
    if (!NAME.test(name)) throw new ConfigError(`${TOKENS_ENV}: pair ${i + 1} needs a name (letters, digits, . _ @ -, at most 64) before the colon: name:token`);
    if (name === LOCAL_OPERATOR) throw new ConfigError(`${TOKENS_ENV}: pair ${i + 1}: the name "${LOCAL_OPERATOR}" is reserved for requests on a loopback address`);
    if (token.length < MIN_TOKEN_LENGTH) throw new ConfigError(`${TOKENS_ENV}: the token of "${name}" is shorter than ${MIN_TOKEN_LENGTH} characters`);
    if (tokens.some((t) => t.name === name)) throw new ConfigError(`${TOKENS_ENV}: "${name}" is given twice`);
    tokens.push({ name, digest: digest(token) });
  });
  return tokens;
}

/** The operator a token belongs to (constant-time comparison of digests), or undefined. */
export function operatorForToken(tokens: readonly OperatorToken[], token: string | undefined): string | undefined {
  if (!token) return undefined;
  const d = digest(token);
  let found: string | undefined;
  for (const t of tokens) if (timingSafeEqual(t.digest, d)) found ??= t.name;
  return found;
}

function unwrapMapped(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** 127.0.0.0/8, ::1 (and IPv4-mapped 127.x), or the name localhost. */
export function isLoopback(hostOrAddress: string | undefined): boolean {
  if (!hostOrAddress) return false;
  const a = unwrapMapped(hostOrAddress.replace(/^\[|\]$/g, ''));
  if (a === 'localhost') return true;
  if (isIP(a) === 4) return a.startsWith('127.');
  return a === '::1';
}

/**
 * Whether a request must carry a token: always when the console is bound to a non-loopback address (a
 * proxy on the same machine would make every request look local), and whenever the peer is not loopback.
 */
export function tokenRequired(boundHost: string, remoteAddress: string | undefined): boolean {
  return !isLoopback(boundHost) || !isLoopback(remoteAddress);
}

/** Login sessions (cookie value → operator), in memory: a restart asks for the token again. */
export class Sessions {
  #sessions = new Map<string, { name: string; expires: number }>();

  create(name: string): { id: string; maxAgeSeconds: number } {
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, { name, expires: Date.now() + SESSION_HOURS * 3600_000 });
    return { id, maxAgeSeconds: SESSION_HOURS * 3600 };
  }

  lookup(id: string | undefined): string | undefined {
    if (!id) return undefined;
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    if (s.expires < Date.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return s.name;
  }

  end(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }
}

/** Cookies of a Cookie header (no decoding beyond what the session id needs: it is base64url). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1] : undefined;
}
