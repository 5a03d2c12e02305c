import { allocateHours } from '../../../src/export/hours';

const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) * 10_000) / 10_000;

describe('allocateHours', () => {
  test('lines add up to the rounded day total, not to the sum of rounded lines', () => {
    // Three 20-minute lines: rounding each gives 0.33 × 3 = 0.99; the day is 1.00 h.
    const hours = allocateHours([20, 20, 20], 2, 'nearest');
    expect(sum(hours)).toBe(1);
    expect(hours.sort()).toEqual([0.33, 0.33, 0.34]);
  });

  test('a day read back in minutes equals the approved minutes', () => {
    for (const day of [[7, 13, 29], [1, 1, 1, 1, 1, 1, 1], [455], [50, 50, 50, 50, 50, 50, 50, 50, 1], [59, 61, 17, 3]]) {
      const hours = allocateHours(day, 2, 'nearest');
      expect(Math.round(sum(hours) * 60)).toBe(day.reduce((a, b) => a + b, 0));
      for (const h of hours) expect(Number(h.toFixed(2))).toBe(h);
    }
  });

  test('up and down round the day total, once', () => {
    expect(sum(allocateHours([20], 1, 'up'))).toBe(0.4);
    expect(sum(allocateHours([20], 1, 'down'))).toBe(0.3);
    expect(sum(allocateHours([10, 10], 1, 'down'))).toBe(0.3);
    expect(sum(allocateHours([10, 10], 0, 'up'))).toBe(1);
  });

  test('exact quarters stay exact and ties go to the earlier line', () => {
    expect(allocateHours([15, 45, 90], 2, 'nearest')).toEqual([0.25, 0.75, 1.5]);
    expect(allocateHours([30, 30], 0, 'nearest')).toEqual([1, 0]);
  });
});
