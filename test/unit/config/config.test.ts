import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../src/errors';
import { getConnection, loadConfig, resolveSecrets } from '../../../src/config';

function writeTemp(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('configuration', () => {
  test('without a file, the embedded demo connection points at the local sandboxes', () => {
    const config = loadConfig(undefined, {});
    const demo = getConnection(config, 'demo');
    expect(demo.sage.endpoint).toBe('http://127.0.0.1:7431/ia/xml/xmlgw.phtml');
    expect(demo.assignar.apiBase).toBe('http://127.0.0.1:7432/v2');
    expect(demo.entities.worker.drift).toBe('hold');
    expect(demo.entities.project.drift).toBe('overwrite');
    expect(demo.schedules.incrementalSync.times).toEqual(['06:00', '12:00', '18:00']);
    expect(demo.schedules.incrementalSync.days).toEqual(['MON', 'TUE', 'WED', 'THU', 'FRI']);
    expect(demo.glGroups).toEqual({ labor: 'Labor', equipment: 'Equipment' });
  });

  test('the example file is valid and its defaults are filled in', () => {
    const config = loadConfig(path.resolve(__dirname, '../../../config/example.yaml'), {});
    const acme = getConnection(config, 'acme');
    expect(acme.entities.worker.departmentIds).toEqual(['FIELD']);
    expect(acme.entities.client.status).toBe('active');
    expect(acme.timesheets.grouping).toBe('employee-week');
    expect(acme.sage.pageSize).toBe(2000);
  });

  test('a wrong value names the file, the field and what is expected', () => {
    const file = writeTemp('bad.yaml', [
      'connections:',
      '  - id: acme',
      '    timeZone: Mars/Olympus',
      '    sage: { endpoint: not-a-url, senderId: s, senderPassword: { env: A }, userId: u, companyId: c, userPassword: { env: B }, concurrency: 0 }',
      '    assignar: { apiBase: "https://x/v2", tokenUrl: "https://x/t", clientId: c, clientSecret: { env: C } }',
    ].join('\n'));
    let error: unknown;
    try {
      loadConfig(file, {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`${file}: connections[0].timeZone: an IANA time zone`);
    expect(message).toContain(`${file}: connections[0].sage.endpoint`);
    expect(message).toContain(`${file}: connections[0].sage.concurrency`);
    expect((error as ConfigError).retryable).toBe(false);
  });

  test('a secret written literally in the file is refused', () => {
    const file = writeTemp('literal.json', JSON.stringify({
      connections: [{
        id: 'acme',
        sage: { endpoint: 'https://x/gw', senderId: 's', senderPassword: 'hunter2', userId: 'u', companyId: 'c', userPassword: { env: 'B' } },
        assignar: { apiBase: 'https://x/v2', tokenUrl: 'https://x/t', clientId: 'c', clientSecret: { env: 'C' } },
      }],
    }));
    expect(() => loadConfig(file, {})).toThrow(/connections\[0\]\.sage\.senderPassword/);
    expect(() => loadConfig(file, {})).not.toThrow(/hunter2/);
  });

  test('duplicate connection ids and unknown fields are refused', () => {
    const conn = { id: 'a', sage: { endpoint: 'https://x/gw', senderId: 's', senderPassword: { env: 'A' }, userId: 'u', companyId: 'c', userPassword: { env: 'B' } }, assignar: { apiBase: 'https://x/v2', tokenUrl: 'https://x/t', clientId: 'c', clientSecret: { env: 'C' } } };
    expect(() => loadConfig(writeTemp('dup.json', JSON.stringify({ connections: [conn, conn] })), {})).toThrow(/connections\[1\]\.id: duplicate connection id "a"/);
    expect(() => loadConfig(writeTemp('extra.json', JSON.stringify({ connections: [{ ...conn, colour: 'blue' }] })), {})).toThrow(/colour/);
  });

  test('secrets come from the environment; a missing one names the variable', () => {
    const file = path.resolve(__dirname, '../../../config/example.yaml');
    const acme = getConnection(loadConfig(file, {}), 'acme');
    expect(() => resolveSecrets(acme, {})).toThrow(/SAGE_SENDER_PASSWORD is not set/);
    const secrets = resolveSecrets(acme, { SAGE_SENDER_PASSWORD: 'a', SAGE_USER_PASSWORD: 'b', ASSIGNAR_CLIENT_SECRET: 'c' });
    expect(secrets).toEqual({ sageSenderPassword: 'a', sageUserPassword: 'b', assignarClientSecret: 'c' });
  });

  test('the demo connection falls back to the sandbox credentials only when the variables are unset', () => {
    const demo = getConnection(loadConfig(undefined, {}), 'demo');
    expect(resolveSecrets(demo, {}).sageUserPassword).toBe('demo-user-password');
    expect(resolveSecrets(demo, { SAGE_USER_PASSWORD: 'real' }).sageUserPassword).toBe('real');
  });

  test('INTACCT_ASSIGNAR_CONFIG names the file when --config is absent; a missing file says so', () => {
    expect(() => loadConfig(undefined, { INTACCT_ASSIGNAR_CONFIG: '/nonexistent/x.yaml' })).toThrow(/Cannot read configuration file \/nonexistent\/x.yaml/);
  });
});
