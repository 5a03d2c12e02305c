import type { Weekday } from '../config/schema';

/** A calendar date `YYYY-MM-DD` (no time, no zone). */
export type LocalDate = string;

const DAY_MS = 86_400_000;
const WEEKDAYS: readonly Weekday[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Whether `timeZone` is one the runtime knows. Known zones are answered from the formatter cache (building an
 * Intl.DateTimeFormat per entry was most of a build batch's CPU); unknown ones are not cached, so hostile
 * input cannot grow it.
 */
export function isKnownTimeZone(timeZone: string): boolean {
  if (formatters.has(timeZone)) return true;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock parts of an instant in a time zone. */
function wallClock(instant: Date, timeZone: string): { date: LocalDate; minutesIntoDay: number } {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutesIntoDay: Number(parts.hour) * 60 + Number(parts.minute) + Number(parts.second) / 60 };
}

/** The local date of an instant in a time zone: the day the work happened for the people doing it. */
export function localDateOf(instant: Date | string, timeZone: string): LocalDate {
  return wallClock(typeof instant === 'string' ? new Date(instant) : instant, timeZone).date;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The first day of the week containing `date`, weeks starting on `weekStartsOn`. */
export function weekStartOf(date: LocalDate, weekStartsOn: Weekday): LocalDate {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  const back = (dow - WEEKDAYS.indexOf(weekStartsOn) + 7) % 7;
  return addDays(date, -back);
}

/**
 * The minutes of a shift per local date. Booked on the start date (default), or split at local midnight
 * when configured; the parts always add up to `minutes` exactly (the approved duration wins over clock
 * arithmetic, which breaks and DST changes can make differ).
 */
export function minutesByLocalDate(start: Date | string, minutes: number, timeZone: string, splitAtMidnight: boolean): Array<{ date: LocalDate; minutes: number }> {
  const begin = typeof start === 'string' ? new Date(start) : start;
  const first = wallClock(begin, timeZone);
  if (!splitAtMidnight || minutes <= 0) return [{ date: first.date, minutes }];
  const out: Array<{ date: LocalDate; minutes: number }> = [];
  let left = minutes;
  let date = first.date;
  let room = Math.round(24 * 60 - first.minutesIntoDay);
  while (left > 0) {
    const here = Math.min(left, Math.max(room, 0));
    if (here > 0) out.push({ date, minutes: here });
    left -= here;
    date = addDays(date, 1);
    room = 24 * 60;
  }
  return out;
}
