/**
 * The Assignar sandbox's wall-clock conversions (src/sandbox/assignar/time.ts) answer from a per-zone
 * offset cache; they must agree with Intl everywhere, DST transitions included.
 */
import { fromNaive, instantOfLocal, toNaive } from '../../src/sandbox/assignar/time';

const ZONES = ['America/Chicago', 'America/Los_Angeles', 'America/Denver', 'America/Phoenix', 'America/New_York', 'Australia/Sydney', 'Australia/Adelaide', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Europe/London', 'UTC'];

const formats = new Map<string, Intl.DateTimeFormat>();

function intlNaive(ms: number, timeZone: string): string {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

test('toNaive equals Intl at every 7 minutes 13 seconds of 2025 around the transitions, in zones with DST, half-hour and 45-minute offsets', () => {
  const windows = ['2025-03-08T00:00:00Z', '2025-03-30T00:00:00Z', '2025-04-05T00:00:00Z', '2025-10-04T00:00:00Z', '2025-10-25T00:00:00Z', '2025-11-01T00:00:00Z'];
  let checked = 0;
  const wrong: string[] = [];
  for (const tz of ZONES) {
    for (const w of windows) {
      const from = Date.parse(w);
      for (let ms = from; ms < from + 3 * 86_400_000; ms += 433_000) {
        const got = toNaive(new Date(ms), tz);
        const want = intlNaive(ms, tz);
        if (got !== want) wrong.push(`${tz} ${new Date(ms).toISOString()}: ${got} ≠ ${want}`);
        checked++;
      }
    }
  }
  expect(wrong.slice(0, 10)).toEqual([]);
  expect(checked).toBeGreaterThan(30_000);
  // Outside the cached range it still answers (through Intl).
  expect(toNaive(new Date(Date.UTC(1960, 0, 1, 12)), 'America/Chicago')).toBe(intlNaive(Date.UTC(1960, 0, 1, 12), 'America/Chicago'));
  expect(() => toNaive(new Date(0), 'Mars/Olympus_Mons')).toThrow(RangeError);
});

test('instantOfLocal is the inverse of toNaive, and agrees with fromNaive in DST gaps and overlaps', () => {
  const wrong: string[] = [];
  for (const tz of ZONES) {
    for (let ms = Date.parse('2025-03-01T00:00:00Z'); ms < Date.parse('2025-12-01T00:00:00Z'); ms += 3 * 3_600_000 + 17 * 60_000) {
      const naive = toNaive(new Date(ms), tz);
      const back = instantOfLocal(Date.parse(`${naive}Z`), tz);
      // Round trip, except for the later of two instants with the same wall time (overlap): then the earlier one.
      if (toNaive(new Date(back), tz) !== naive || back > ms) wrong.push(`${tz} ${naive}: ${new Date(back).toISOString()} for ${new Date(ms).toISOString()}`);
    }
  }
  expect(wrong).toEqual([]);
  // Overlap (01:30 happens twice in Chicago on 2 November 2025): the earlier instant, CDT.
  expect(new Date(instantOfLocal(Date.parse('2025-11-02T01:30:00Z'), 'America/Chicago')).toISOString()).toBe('2025-11-02T06:30:00.000Z');
  for (const [naive, tz] of [
    ['2025-03-09T02:30:00', 'America/Chicago'],
    ['2025-11-02T01:30:00', 'America/Chicago'],
    ['2025-10-05T02:30:00', 'Australia/Sydney'],
    ['2025-04-06T02:30:00', 'Australia/Sydney'],
    ['2025-03-03T07:00:00', 'Australia/Sydney'],
  ]) {
    expect(instantOfLocal(Date.parse(`${naive}Z`), tz)).toBe(fromNaive(naive, tz).getTime());
  }
  expect(new Date(instantOfLocal(Date.parse('2025-03-03T07:00:00Z'), 'Australia/Sydney')).toISOString()).toBe('2025-03-02T20:00:00.000Z');
});
