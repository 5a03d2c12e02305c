import { controlIdOf, exportGroupKey } from '../../../src/export/group-key';

const base = { connection: 'demo', employeeId: 'E1001', weekStart: '2026-11-30', timesheets: [{ id: '7', version: '2026-12-01T08:00:00.000Z' }, { id: '9', version: '2026-12-02T08:00:00.000Z' }] };

test('the same timesheets give the same key whatever their order', () => {
  expect(exportGroupKey(base)).toBe(exportGroupKey({ ...base, timesheets: [...base.timesheets].reverse() }));
});

test('a late approval, a new version, another week or employee give another key', () => {
  const key = exportGroupKey(base);
  expect(exportGroupKey({ ...base, timesheets: [...base.timesheets, { id: '11', version: '2026-12-03T08:00:00.000Z' }] })).not.toBe(key);
  expect(exportGroupKey({ ...base, timesheets: [base.timesheets[0], { id: '9', version: '2026-12-04T08:00:00.000Z' }] })).not.toBe(key);
  expect(exportGroupKey({ ...base, weekStart: '2026-12-07' })).not.toBe(key);
  expect(exportGroupKey({ ...base, employeeId: 'E1002' })).not.toBe(key);
  expect(exportGroupKey({ ...base, connection: 'other' })).not.toBe(key);
});

test('controlids are stable, distinct per group and within the gateway limit', () => {
  const a = controlIdOf(exportGroupKey(base));
  expect(a).toBe(controlIdOf(exportGroupKey(base)));
  expect(a).not.toBe(controlIdOf(exportGroupKey({ ...base, weekStart: '2026-12-07' })));
  expect(a.length).toBeLessThanOrEqual(256);
  expect(a).toMatch(/^ts-[0-9a-f]{48}$/);
});
