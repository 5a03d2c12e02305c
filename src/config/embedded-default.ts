import { ASSIGNAR_SANDBOX_CREDENTIALS, SAGE_SANDBOX_CREDENTIALS, SANDBOX_DEFAULT_PORTS } from '../sandbox/demo-credentials';

/** The configuration used when no file is given: one connection `demo` on the local sandboxes. */
export function embeddedDefaultConfig(): unknown {
  return {
    connections: [
      {
        id: 'demo',
        timeZone: 'America/Chicago',
        sandboxCredentials: true,
        sage: {
          endpoint: `http://127.0.0.1:${SANDBOX_DEFAULT_PORTS.sage}/ia/xml/xmlgw.phtml`,
          senderId: SAGE_SANDBOX_CREDENTIALS.senderId,
          senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
          userId: SAGE_SANDBOX_CREDENTIALS.userId,
          companyId: SAGE_SANDBOX_CREDENTIALS.companyId,
          userPassword: { env: 'SAGE_USER_PASSWORD' },
          userTimeZoneOffset: '-06:00',
        },
        assignar: {
          apiBase: `http://127.0.0.1:${SANDBOX_DEFAULT_PORTS.assignar}/v2`,
          tokenUrl: `http://127.0.0.1:${SANDBOX_DEFAULT_PORTS.assignar}/oauth2/token`,
          clientId: ASSIGNAR_SANDBOX_CREDENTIALS.clientId,
          clientSecret: { env: 'ASSIGNAR_CLIENT_SECRET' },
          requestsPerSecond: 50,
        },
      },
    ],
  };
}
