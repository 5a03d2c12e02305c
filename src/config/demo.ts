/**
 * The embedded `demo` connection's endpoints and credentials: the local simulators' ports and the
 * credentials they accept and print on start (src/sandbox/ reads them from here, never the other way
 * round). Not secrets: they open nothing but the local sandboxes.
 */
export const DEMO_PORTS = { sage: 7431, assignar: 7432 } as const;

export const DEMO_SAGE_CREDENTIALS = {
  senderId: 'demo-sender',
  senderPassword: 'demo-sender-password',
  userId: 'ws_assignar',
  companyId: 'DEMO-CONSTRUCTION',
  userPassword: 'demo-user-password',
} as const;

export const DEMO_ASSIGNAR_CREDENTIALS = {
  clientId: 'demo-client',
  clientSecret: 'demo-client-secret',
} as const;

/** The demo connection's URLs for sandboxes on `host` at the default ports. */
export function demoUrls(host = '127.0.0.1') {
  return {
    sageEndpoint: `http://${host}:${DEMO_PORTS.sage}/ia/xml/xmlgw.phtml`,
    assignarApiBase: `http://${host}:${DEMO_PORTS.assignar}/v2`,
    assignarTokenUrl: `http://${host}:${DEMO_PORTS.assignar}/oauth2/token`,
  };
}
