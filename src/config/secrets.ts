import { ConfigError } from '../errors';
import { DEMO_ASSIGNAR_CREDENTIALS, DEMO_SAGE_CREDENTIALS } from './demo';
import type { ConnectionConfig, SecretRef } from './schema';

/** Secret values of one connection. They live only in the worker's memory: never in payloads or logs. */
export interface ConnectionSecrets {
  sageSenderPassword: string;
  sageUserPassword: string;
  assignarClientSecret: string;
}

function resolve(ref: SecretRef, field: string, connection: ConnectionConfig, env: NodeJS.ProcessEnv, sandboxValue: string): string {
  const value = env[ref.env];
  if (value !== undefined && value !== '') return value;
  if (connection.sandboxCredentials) return sandboxValue;
  throw new ConfigError(`connections[${connection.id}].${field}: environment variable ${ref.env} is not set`, {
    hint: `Export ${ref.env} in the worker's environment.`,
  });
}

export function resolveSecrets(connection: ConnectionConfig, env: NodeJS.ProcessEnv = process.env): ConnectionSecrets {
  return {
    sageSenderPassword: resolve(connection.sage.senderPassword, 'sage.senderPassword', connection, env, DEMO_SAGE_CREDENTIALS.senderPassword),
    sageUserPassword: resolve(connection.sage.userPassword, 'sage.userPassword', connection, env, DEMO_SAGE_CREDENTIALS.userPassword),
    assignarClientSecret: resolve(connection.assignar.clientSecret, 'assignar.clientSecret', connection, env, DEMO_ASSIGNAR_CREDENTIALS.clientSecret),
  };
}
