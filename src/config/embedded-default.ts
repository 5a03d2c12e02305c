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
        // The sandbox codes approved time with a typical award's pay codes; WET (inclement weather, a
        // supervisor's override) is deliberately left unmapped, so its timesheets are held until mapped.
        timesheets: {
          timeTypes: { ORD: 'Regular', NIGHT: 'Night', OT15: 'Overtime 1.5', OT20: 'Overtime 2.0' },
          equipmentCostType: 'EQP',
        },
      },
    ],
  };
}
