import { z } from 'zod';
import { utf8Bytes } from './hash';

/** Trimmed text of a Sage value ('' when empty). Everything else passes through unchanged. */
export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return (typeof value === 'string' ? value : String(value)).trim();
}

const emailSchema = z.email();

export function isValidEmail(value: string): boolean {
  return emailSchema.safeParse(value).success;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function validYmd(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 9999) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/**
 * A Sage Intacct date (`MM/DD/YYYY`, as `query` returns it) as `YYYY-MM-DD`, as Assignar wants it.
 * Also accepts `YYYY-MM-DD` (so a constant override can be written the Assignar way). Returns null when
 * the text is not a real calendar date; callers treat '' separately as "no date".
 */
export function parseSageDate(value: string): string | null {
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (m) return validYmd(Number(m[3]), Number(m[1]), Number(m[2]));
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) return validYmd(Number(m[1]), Number(m[2]), Number(m[3]));
  return null;
}

/** The local calendar date (`YYYY-MM-DD`) of an ISO-8601 instant in an IANA time zone. */
export function localDate(isoInstant: string, timeZone: string): string | null {
  const ms = Date.parse(isoInstant);
  if (!Number.isFinite(ms)) return null;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Reserved TLD (RFC 2606/6761): never deliverable, obviously a placeholder. */
export const NO_EMAIL_DOMAIN = 'no-email.invalid';

/**
 * The username of a worker without an email: `<employee id>@no-email.invalid`, lower case, with every
 * character outside [a-z0-9-] written as `_` + its UTF-8 bytes in hex (so it is a valid email-shaped
 * login, unique per EMPLOYEEID and stable across renames).
 */
export function placeholderUsername(employeeId: string): string {
  let local = '';
  for (const ch of employeeId.trim().toLowerCase()) {
    if (/^[a-z0-9-]$/.test(ch)) local += ch;
    else for (const byte of utf8Bytes(ch)) local += `_${byte.toString(16).padStart(2, '0')}`;
  }
  return `${local || '_'}@${NO_EMAIL_DOMAIN}`;
}
