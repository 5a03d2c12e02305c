/**
 * Wall-clock ↔ UTC conversion for IANA time zones with nothing but Intl, and the date helpers the
 * timesheet model and generator need. Local wall times are 'YYYY-MM-DDTHH:MM:SS' strings.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall time of an instant in a time zone, asked of Intl (slow: a few microseconds). */
function exactNaive(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * UTC offsets (ms) per zone per 15-minute UTC slot. Since 1970 every zone changes its offset on a
 * quarter hour of UTC, so one Intl lookup per slot answers every instant in it; the generator and the
 * timesheet renderer convert hundreds of thousands of instants, which Intl alone makes take seconds.
 */
const SLOT_MS = 15 * 60_000;
const MAX_FAST_MS = Date.UTC(9999, 0, 1);
const offsets = new Map<string, Map<number, number>>();

function offsetMs(ms: number, timeZone: string): number {
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  const slot = Math.floor(ms / SLOT_MS);
  let off = zone.get(slot);
  if (off === undefined) {
    const start = slot * SLOT_MS;
    off = naiveAsUtcMs(exactNaive(new Date(start), timeZone)) - start;
    if (zone.size >= 100_000) zone.clear();
    zone.set(slot, off);
  }
  return off;
}

/** The wall time of an instant in a time zone, as 'YYYY-MM-DDTHH:MM:SS'. */
export function toNaive(instant: Date, timeZone: string): string {
  const ms = instant.getTime();
  if (!(ms >= 0 && ms < MAX_FAST_MS)) return exactNaive(instant, timeZone);
  return new Date(ms + offsetMs(ms, timeZone)).toISOString().slice(0, 19);
}

function naiveAsUtcMs(naive: string): number {
  return Date.parse(`${naive.length === 16 ? naive + ':00' : naive}Z`);
}

/**
 * The instant (ms) at which a time zone's wall clock shows the wall time `naiveMs` (the wall time read as
 * if it were UTC): the earlier one in a DST overlap, the later one in a gap (as fromNaive).
 */
export function instantOfLocal(naiveMs: number, timeZone: string): number {
  if (!(naiveMs >= 2 * 86_400_000 && naiveMs < MAX_FAST_MS)) return fromNaive(new Date(naiveMs).toISOString().slice(0, 19), timeZone).getTime();
  let guess = naiveMs;
  for (let i = 0; i < 3; i++) {
    const diff = naiveMs - (guess + offsetMs(guess, timeZone));
    if (diff === 0) break;
    guess += diff;
  }
  return guess;
}

/** The instant at which a time zone's wall clock shows `naive` (the earlier one in a DST overlap). */
export function fromNaive(naive: string, timeZone: string): Date {
  const target = naiveAsUtcMs(naive);
  let guess = target;
  for (let i = 0; i < 3; i++) {
    const shown = naiveAsUtcMs(toNaive(new Date(guess), timeZone));
    const diff = target - shown;
    if (diff === 0) break;
    guess += diff;
  }
  return new Date(guess);
}

/** 'YYYY-MM-DD' + n days. */
export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The Monday of the week before the one containing `now` (UTC), as 'YYYY-MM-DD'. */
export function mondayOfPreviousWeek(now: Date): string {
  const today = now.toISOString().slice(0, 10);
  const dow = weekday(today);
  return addDays(today, -((dow + 6) % 7) - 7);
}

/** Minutes → 'HH:MM'. */
export function hhmm(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

export function isoUtc(d: Date | number): string {
  return new Date(d).toISOString();
}

export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
