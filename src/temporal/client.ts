import { Client } from '@temporalio/client';
import { connectClient, temporalTarget, type TemporalTarget } from './connection';
import { connectionAttributeInterceptor } from './search-attributes';

export async function createTemporalClient(target: TemporalTarget = temporalTarget(), options: { connectTimeoutMs?: number } = {}): Promise<Client> {
  const connection = await connectClient(target, options.connectTimeoutMs ? { connectTimeout: options.connectTimeoutMs } : {});
  // Every workflow started through this client carries the `Connection` search attribute.
  return new Client({ connection, namespace: target.namespace, interceptors: { workflow: [connectionAttributeInterceptor] } });
}
