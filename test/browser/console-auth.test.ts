import { isLoopback, operatorForToken, parseOperatorTokens, readCookie, tokenRequired } from '../../src/console/auth';
import { escapeHtml, html } from '../../src/console/html';

/** The console's pure decisions: who a token belongs to, which requests need one, and escaping. */

test('operator tokens: name:token pairs; short, unnamed, reserved or repeated ones are refused without echoing the token', () => {
  const tokens = parseOperatorTokens(' alice:alice-token-0001 , bob:bob-token-00002 ');
  expect(tokens.map((t) => t.name)).toEqual(['alice', 'bob']);
  expect(operatorForToken(tokens, 'bob-token-00002')).toBe('bob');
  expect(operatorForToken(tokens, 'bob-token-0000')).toBeUndefined();
  expect(operatorForToken(tokens, undefined)).toBeUndefined();
  expect(JSON.stringify(tokens)).not.toContain('alice-token-0001');
  expect(parseOperatorTokens(undefined)).toEqual([]);
  expect(() => parseOperatorTokens('alice:short')).toThrow(/alice.*shorter than 12/);
  expect(() => parseOperatorTokens(':abcdefghijklmnop')).toThrow(/pair 1 needs a name/);
  expect(() => parseOperatorTokens('local:abcdefghijklmnop')).toThrow(/reserved/);
  expect(() => parseOperatorTokens('a:abcdefghijklmnop,a:qrstuvwxyz012345')).toThrow(/given twice/);
  for (const bad of ['alice:tiny-secret', 'x y:abcdefghijklmnop']) {
    try {
      parseOperatorTokens(bad);
    } catch (err) {
      expect((err as Error).message).not.toContain(bad.split(':')[1]);
    }
  }
});

test('a token is needed on a non-loopback binding, and from any non-loopback peer', () => {
  expect(['127.0.0.1', '127.3.4.5', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true, true, true]);
  expect(['0.0.0.0', '::', '192.0.2.2', '::ffff:192.0.2.2', '128.0.0.1', '', undefined].map(isLoopback)).toEqual([false, false, false, false, false, false, false]);
  expect(tokenRequired('127.0.0.1', '127.0.0.1')).toBe(false);
  expect(tokenRequired('127.0.0.1', '::ffff:127.0.0.1')).toBe(false);
  expect(tokenRequired('127.0.0.1', '192.0.2.2')).toBe(true);
  expect(tokenRequired('0.0.0.0', '127.0.0.1')).toBe(true);
  expect(tokenRequired('192.0.2.2', '192.0.2.9')).toBe(true);
  expect(readCookie('a=1; ia_console=abc_-; b=2', 'ia_console')).toBe('abc_-');
  expect(readCookie(undefined, 'ia_console')).toBeUndefined();
});

test('html`` escapes every interpolated value and keeps nested markup', () => {
  const name = `<script>alert(1)</script>"'&\``;
  expect(escapeHtml(name)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&#96;');
  const inner = html`<b>${name}</b>`;
  expect(html`<p title="${name}">${inner}${[name, 1, null, undefined, false]}</p>`.text).toBe(
    `<p title="${escapeHtml(name)}"><b>${escapeHtml(name)}</b>${escapeHtml(name)}1</p>`,
  );
});
