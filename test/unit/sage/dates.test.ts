import { ValidationError } from '../../../src/errors';
import { offsetOfTimestamp, parseUtcOffset, sageTimestampToIso, toSageTimestamp } from '../../../src/sage';

describe('Sage Intacct dates and timestamps', () => {
  it('reads offsets', () => {
    expect(parseUtcOffset('+00:00')).toBe(0);
    expect(parseUtcOffset('-06:00')).toBe(-360);
    expect(parseUtcOffset('+05:30')).toBe(330);
    expect(parseUtcOffset('Z')).toBe(0);
    expect(() => parseUtcOffset('CST')).toThrow(ValidationError);
  });

  it('reads MM/DD/YYYY HH:MM:SS in the user offset as ISO UTC', () => {
    expect(sageTimestampToIso('06/01/2025 10:00:00', '-06:00')).toBe('2025-06-01T16:00:00.000Z');
    expect(sageTimestampToIso('12/31/2024 22:30:15', '-06:00')).toBe('2025-01-01T04:30:15.000Z');
    expect(sageTimestampToIso('01/01/2025 03:00:00', '+05:30')).toBe('2024-12-31T21:30:00.000Z');
    expect(sageTimestampToIso('07/24/2017 15:19:46', '+00:00')).toBe('2017-07-24T15:19:46.000Z');
    expect(sageTimestampToIso('06/01/2025', '-06:00')).toBe('2025-06-01T06:00:00.000Z');
  });

  it('gives null for empty values and refuses garbage', () => {
    expect(sageTimestampToIso('', '-06:00')).toBeNull();
    expect(sageTimestampToIso('  ', '-06:00')).toBeNull();
    expect(sageTimestampToIso(undefined, '-06:00')).toBeNull();
    expect(() => sageTimestampToIso('2025-06-01 10:00:00', '+00:00')).toThrow(ValidationError);
    expect(() => sageTimestampToIso('02/30/2025 10:00:00', '+00:00')).toThrow(ValidationError);
    expect(() => sageTimestampToIso('06/01/2025 24:00:00', '+00:00')).toThrow(ValidationError);
  });

  it('writes a UTC instant as a timestamp in the user offset, for filters', () => {
    expect(toSageTimestamp(new Date('2025-06-01T16:00:00.000Z'), '-06:00')).toBe('06/01/2025 10:00:00');
    expect(toSageTimestamp('2025-01-01T04:30:15.999Z', '-06:00')).toBe('12/31/2024 22:30:15');
    expect(toSageTimestamp(Date.UTC(2024, 11, 31, 21, 30), '+05:30')).toBe('01/01/2025 03:00:00');
    expect(() => toSageTimestamp('yesterday', '+00:00')).toThrow(ValidationError);
  });

  it('round-trips in both directions with a non-zero offset', () => {
    for (const offset of ['-06:00', '+09:30', '-03:45']) {
      const iso = '2025-03-09T08:07:06.000Z';
      expect(sageTimestampToIso(toSageTimestamp(iso, offset), offset)).toBe(iso);
    }
  });
});

describe('offsetOfTimestamp (the offset a session timestamp is written in)', () => {
  it.each([
    ['2026-03-09T10:15:00-07:00', '-07:00'],
    ['2025-06-01T10:00:00+00:00', '+00:00'],
    ['2025-06-01T10:00:00Z', '+00:00'],
    ['2025-06-01T10:00:00.123+0530', '+05:30'],
    ['2025-06-01T10:00-08:00', '-08:00'],
  ])('%s → %s', (iso, offset) => {
    expect(offsetOfTimestamp(iso)).toBe(offset);
  });

  it.each([undefined, '', '2025-06-01T10:00:00', '06/01/2025 10:00:00', '2025-06-01T10:00:00+25:00'])('%p → undefined', (value) => {
    expect(offsetOfTimestamp(value)).toBeUndefined();
  });
});
