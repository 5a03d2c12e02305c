import { localDateOf, minutesByLocalDate, weekStartOf } from '../../../src/export/calendar';

describe('calendar', () => {
  test('the local date of work is the date where it happened, not the UTC date', () => {
    // 22:30 UTC on 3 March is 09:30 on 4 March in Sydney and 16:30 on 3 March in Chicago.
    expect(localDateOf('2026-03-03T22:30:00Z', 'Australia/Sydney')).toBe('2026-03-04');
    expect(localDateOf('2026-03-03T22:30:00Z', 'America/Chicago')).toBe('2026-03-03');
    expect(localDateOf('2026-03-04T02:00:00Z', 'America/Los_Angeles')).toBe('2026-03-03');
  });

  test('weeks start on the configured day', () => {
    expect(weekStartOf('2026-12-03', 'MON')).toBe('2026-11-30'); // a Thursday
    expect(weekStartOf('2026-11-30', 'MON')).toBe('2026-11-30');
    expect(weekStartOf('2026-12-03', 'SUN')).toBe('2026-11-29');
    expect(weekStartOf('2026-12-05', 'SAT')).toBe('2026-12-05');
    expect(weekStartOf('2027-01-01', 'MON')).toBe('2026-12-28');
  });

  test('an overnight shift is booked on its start date, or split at local midnight when configured', () => {
    // 20:00 local (Chicago, UTC-6 in December) for 8 hours.
    const start = '2026-12-03T02:00:00Z';
    expect(minutesByLocalDate(start, 480, 'America/Chicago', false)).toEqual([{ date: '2026-12-02', minutes: 480 }]);
    expect(minutesByLocalDate(start, 480, 'America/Chicago', true)).toEqual([
      { date: '2026-12-02', minutes: 240 },
      { date: '2026-12-03', minutes: 240 },
    ]);
    // A shift that ends before midnight is not split.
    expect(minutesByLocalDate('2026-12-03T14:00:00Z', 300, 'America/Chicago', true)).toEqual([{ date: '2026-12-03', minutes: 300 }]);
  });

  test('split parts always add up to the approved minutes', () => {
    const parts = minutesByLocalDate('2026-12-03T05:59:30Z', 1500, 'America/Chicago', true);
    expect(parts.reduce((a, p) => a + p.minutes, 0)).toBe(1500);
    expect(parts.map((p) => p.date)).toEqual(['2026-12-02', '2026-12-03', '2026-12-04']);
  });
});
