import { assignarControlBase } from '../../../src/cli/assignar-sandbox-control';

test("the sandbox's control API sits beside its /v2 API base", () => {
  expect(assignarControlBase('http://127.0.0.1:7432/v2')).toBe('http://127.0.0.1:7432');
  expect(assignarControlBase('http://127.0.0.1:7432/v2/')).toBe('http://127.0.0.1:7432');
  expect(assignarControlBase('https://sandbox.example/assignar/v2')).toBe('https://sandbox.example/assignar');
  expect(() => assignarControlBase('https://api.assignar.com/v3')).toThrow(/ending in \/v2/);
});
