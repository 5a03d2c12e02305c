/**
 * The credentials the sandboxes accept out of the box, and the ports the embedded `demo` connection
 * looks for them on. These are not secrets: they only open the local simulators.
 */
export const SANDBOX_DEFAULT_PORTS = { sage: 7431, assignar: 7432 } as const;

export const SAGE_SANDBOX_CREDENTIALS = {
  senderId: 'demo-sender',
  senderPassword: 'demo-sender-password',
  userId: 'ws_assignar',
  companyId: 'DEMO-CONSTRUCTION',
  userPassword: 'demo-user-password',
} as const;

export const ASSIGNAR_SANDBOX_CREDENTIALS = {
  clientId: 'demo-client',
  clientSecret: 'demo-client-secret',
} as const;

/** The one fixed scope Assignar's token endpoint expects (reference/assignar-api.md §3.2). */
export const ASSIGNAR_SCOPE = 'target-entity:b816a5d3-40c3-477f-a551-1d066d7211cc:api_access';
