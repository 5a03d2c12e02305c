import { ValidationError } from '../errors';

/**
 * Sage Intacct dates and timestamps (reference §3.5). Dates are `MM/DD/YYYY` with no time zone.
 * Timestamps are `MM/DD/YYYY HH:MM:SS` (24-hour) rendered in the API user's fixed time-zone offset; the
 * service carries them as ISO-8601 UTC strings and converts back into the user offset for filters.
 */

/** `+HH:MM` / `-HH:MM` (or `Z`) → minutes east of UTC. */
export function parseUtcOffset(offset: string): number {
  if (offset === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!m || Number(m[2]) > 23 || Number(m[3]) > 59) throw new ValidationError(`Invalid time-zone offset ${JSON.stringify(offset)} (expected e.g. -06:00)`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The UTC offset an ISO-8601 timestamp is written in (`2026-03-09T10:15:00-07:00` → `-07:00`, `Z` →
 * `+00:00`), or undefined when it carries none or is not a timestamp. Sage Intacct writes the session
 * timestamps of every response in the web-services user's offset.
 */
export function offsetOfTimestamp(iso: string | undefined): string | undefined {
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/.exec(iso?.trim() ?? '');
  if (!m) return undefined;
  if (m[1]) return '+00:00';
  if (Number(m[3]) > 23 || Number(m[4]) > 59) return undefined;
  return `${m[2]}${m[3]}:${m[4]}`;
}

const TIMESTAMP = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** Wall-clock parts → epoch ms as if UTC, or NaN when a part is out of range (31 Feb, 25:00…). */
function wallClockMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return NaN;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return NaN;
  return ms;
}

/**
 * `MM/DD/YYYY HH:MM:SS` in the user offset → ISO-8601 UTC (`2025-06-01T16:00:00.000Z`); null when empty.
 * A date without a time is read as midnight. Throws ValidationError on anything else.
 */
export function sageTimestampToIso(value: string | null | undefined, userOffset: string): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const m = TIMESTAMP.exec(value.trim());
  const ms = m ? wallClockMs(Number(m[3]), Number(m[1]), Number(m[2]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)) : NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`Invalid Sage Intacct timestamp ${JSON.stringify(value)} (expected MM/DD/YYYY HH:MM:SS)`);
  return new Date(ms - parseUtcOffset(userOffset) * 60_000).toISOString();
}

function toDate(value: Date | string | number, what: string): Date {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`Invalid ${what} ${JSON.stringify(String(value))}`);
  return d;
}

/**
 * A UTC instant (Date, ISO string or epoch ms) → `MM/DD/YYYY HH:MM:SS` in the user offset, for `query`
 * filters. Sub-second precision is dropped (Sage Intacct timestamps have whole seconds).
 */
export function toSageTimestamp(value: Date | string | number, userOffset: string): string {
  const local = new Date(toDate(value, 'timestamp').getTime() + parseUtcOffset(userOffset) * 60_000);
  return (
    `${pad(local.getUTCMonth() + 1)}/${pad(local.getUTCDate())}/${pad(local.getUTCFullYear(), 4)} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  );
}
