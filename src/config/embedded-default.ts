import { DEMO_ASSIGNAR_CREDENTIALS, DEMO_SAGE_CREDENTIALS, demoUrls } from './demo';

/** The configuration used when no file is given: one connection `demo` on the local sandboxes. */
export function embeddedDefaultConfig(): unknown {
  const urls = demoUrls();
  return {
    connections: [
      {
        id: 'demo',
        timeZone: 'America/Chicago',
        sandboxCredentials: true,
        sage: {
          endpoint: urls.sageEndpoint,
          senderId: DEMO_SAGE_CREDENTIALS.senderId,
          senderPassword: { env: 'SAGE_SENDER_PASSWORD' },
          userId: DEMO_SAGE_CREDENTIALS.userId,
          companyId: DEMO_SAGE_CREDENTIALS.companyId,
          userPassword: { env: 'SAGE_USER_PASSWORD' },
          userTimeZoneOffset: '-06:00',
        },
        assignar: {
          apiBase: urls.assignarApiBase,
          tokenUrl: urls.assignarTokenUrl,
          clientId: DEMO_ASSIGNAR_CREDENTIALS.clientId,
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
