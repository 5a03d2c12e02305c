/**
 * A plain-text table: columns padded to their widest cell, two spaces apart; `right` columns (numbers) are
 * right-aligned. The last column is never padded, so a long reason does not widen every row.
 */
export function table(header: string[], cells: string[][], opts: { right?: readonly number[] } = {}): string {
  const last = header.length - 1;
  const right = new Set(opts.right ?? []);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    header
      .map((_, i) => {
        const v = c[i] ?? '';
        if (right.has(i)) return v.padStart(widths[i]);
        return i === last ? v : v.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
