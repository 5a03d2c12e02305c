/**
 * API sessions: opened by getAPISession, bound to the session endpoint path, with a sliding timeout that
 * every call through the session pushes forward. Forced expiry (control API) drops them all.
 */
import { Prng } from '../prng';

export interface Session {
  id: string;
  userId: string;
  companyId: string;
  locationId: string;
  createdAt: number;
  expiresAt: number;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly rng: Prng;
  opened = 0;

  constructor(private readonly clock: () => number) {
    // Seeded from the start time, so a restarted sandbox does not hand out the ids of its previous life.
    this.rng = new Prng(0x5e55_10a5 ^ (clock() % 0x1_0000_0000));
  }

  open(userId: string, companyId: string, locationId: string, timeoutSeconds: number): Session {
    const now = this.clock();
    let id: string;
    do id = `${this.rng.token(40)}..`;
    while (this.sessions.has(id));
    const session: Session = { id, userId, companyId, locationId, createdAt: now, expiresAt: now + timeoutSeconds * 1000 };
    this.sessions.set(id, session);
    this.opened++;
    return session;
  }

  /** The live session with this id, or undefined (unknown or expired — an expired one is forgotten). */
  get(id: string): Session | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (this.clock() >= s.expiresAt) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  /** Slides the timeout: the session now lives `timeoutSeconds` from this call. */
  touch(s: Session, timeoutSeconds: number): void {
    s.expiresAt = this.clock() + timeoutSeconds * 1000;
  }

  expireAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  get active(): number {
    const now = this.clock();
    let n = 0;
    for (const s of this.sessions.values()) if (now < s.expiresAt) n++;
    return n;
  }
}
