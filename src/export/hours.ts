/** How a day's hours are rounded to the configured decimals. */
export type Rounding = 'nearest' | 'up' | 'down';

/**
 * Hours (QTY) for the lines of one employee-day, so that the lines add up exactly to the day's approved
 * minutes / 60 rounded once (not each line rounded on its own, which drifts): the day's total is rounded
 * to `decimals` by `rounding`, each line gets its exact share rounded down, and the units left over go to
 * the lines with the largest remainders (ties: the earlier line). With 2 decimals a day's total is then
 * within 0.3 minutes of the approved minutes, so it reads back equal to the minute.
 */
export function allocateHours(minutes: readonly number[], decimals: number, rounding: Rounding): number[] {
  const scale = 10 ** decimals;
  const total = minutes.reduce((a, b) => a + b, 0);
  const exactTotal = (total * scale) / 60;
  const round = rounding === 'up' ? Math.ceil : rounding === 'down' ? Math.floor : Math.round;
  // Guard against float noise such as 0.1 * 3 before rounding up or down.
  const target = round(Number(exactTotal.toFixed(6)));
  const exact = minutes.map((m) => (m * scale) / 60);
  const units = exact.map((e) => Math.floor(Number(e.toFixed(6))));
  let left = target - units.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(Number(e.toFixed(6))) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) units[order[k].i] += 1;
  for (let k = order.length - 1; left < 0; k = (k - 1 + order.length) % order.length) {
    if (units[order[k].i] > 0) {
      units[order[k].i] -= 1;
      left++;
    }
  }
  return units.map((u) => u / scale);
}
