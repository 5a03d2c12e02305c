import { embeddedDefaultConfig } from '../../../src/config/embedded-default';
import { parseConfig } from '../../../src/config';
import { devConnection } from '../../../src/cli/dev-connection';

/** The embedded demo connection plus a production-like one, or only the latter. */
function config(withSandbox: boolean) {
  const raw = embeddedDefaultConfig() as { connections: Array<Record<string, unknown>> };
  const demo = raw.connections[0];
  const prod = { ...demo, id: 'acme', sandboxCredentials: false, sage: { ...(demo.sage as object), endpoint: 'https://api.intacct.com/ia/xml/xmlgw.phtml' } };
  return parseConfig({ connections: withSandbox ? [prod, demo] : [prod] }, 'test configuration');
}

test('dev picks the sandbox connection, never a real one, unless one is named', () => {
  expect(devConnection(config(true)).id).toBe('demo');
  expect(() => devConnection(config(false))).toThrow(/no configured connection is a sandbox one \(sandboxCredentials: true\): acme\. Name a connection with --connection/);
  expect(devConnection(config(false), 'acme').id).toBe('acme');
  expect(() => devConnection(config(true), 'nope')).toThrow(/Unknown connection "nope"; configured: acme, demo/);
});
