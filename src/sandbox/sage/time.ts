/**
 * Dates and times as Sage Intacct renders them. The sandbox stores timestamps as ISO-8601 UTC strings
 * (`2025-06-01T16:00:00.000Z`, whole seconds, so they sort as text) and dates as `MM/DD/YYYY`. On the wire a
 * timestamp is `MM/DD/YYYY HH:MM:SS` in the API user's fixed offset (no DST), and session times are
 * ISO-8601 with that offset.
 */

/** `-06:00` → -360 (minutes east of UTC). Throws on anything else. */
export function parseOffset(offset: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset.trim());
  if (!m) throw new Error(`Invalid time-zone offset '${offset}' (expected e.g. -06:00)`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[2]) > 14 || Number(m[3]) > 59) throw new Error(`Invalid time-zone offset '${offset}'`);
  return m[1] === '-' ? -minutes : minutes;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Epoch milliseconds truncated to the second, as the stored ISO form (`2025-06-01T16:00:00.000Z`). */
export function isoSeconds(ms: number): string {
  // Civil-from-days (H. Hinnant); several times faster than Date#toISOString, which matters for the large seed.
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const rem = secs - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 1000 || y > 9999) return new Date(secs * 1000).toISOString();
  const h = Math.floor(rem / 3600);
  const mi = Math.floor((rem % 3600) / 60);
  return `${y}-${TWO[m]}-${TWO[d]}T${TWO[h]}:${TWO[mi]}:${TWO[rem % 60]}.000Z`;
}

/** Stored ISO timestamp → `MM/DD/YYYY HH:MM:SS` in the user offset ('' stays ''). */
export function formatTimestamp(iso: string, offsetMinutes: number): string {
  if (!iso) return '';
  const d = new Date(Date.parse(iso) + offsetMinutes * 60_000);
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Epoch ms → ISO-8601 with the user offset, e.g. `2025-06-01T10:00:00-06:00` (session timestamps). */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function validYmd(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || y < 1000 || y > 9999) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** `MM/DD/YYYY` → `YYYYMMDD` (sortable), or undefined when it is not a real calendar date in that format. */
export function dateKey(value: string): string | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value.trim());
  if (!m) return undefined;
  const [mm, dd, yyyy] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return validYmd(yyyy, mm, dd) ? `${m[3]}${m[1]}${m[2]}` : undefined;
}

/** `MM/DD/YYYY` → epoch ms of that day at 00:00 UTC (for date arithmetic), or undefined. */
export function dateToUtcMs(value: string): number | undefined {
  const key = dateKey(value);
  if (!key) return undefined;
  return Date.UTC(Number(key.slice(0, 4)), Number(key.slice(4, 6)) - 1, Number(key.slice(6, 8)));
}

/** Epoch ms (00:00 UTC of a day) → `MM/DD/YYYY`. */
export function formatDateUtc(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`;
}

/**
 * A timestamp as a user writes it in a filter or record: `MM/DD/YYYY HH:MM:SS` or `MM/DD/YYYY` (midnight),
 * read in the user offset → stored ISO form. Undefined when malformed.
 */
export function parseUserTimestamp(value: string, offsetMinutes: number): string | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (!validYmd(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes * 60_000).toISOString();
}

/**
 * A timestamp given to the control API or a seed: ISO-8601 with `Z` or an offset, or the user format.
 * '' stays '' (an empty WHENMODIFIED is realistic). Undefined when malformed.
 */
export function parseStoredTimestamp(value: string, offsetMinutes: number): string | undefined {
  const v = value.trim();
  if (v === '') return '';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : isoSeconds(ms);
  }
  return parseUserTimestamp(v, offsetMinutes);
}
