import { Client, Connection } from '@temporalio/client';
import { temporalTarget, type TemporalTarget } from './connection';

export async function createTemporalClient(target: TemporalTarget = temporalTarget(), options: { connectTimeoutMs?: number } = {}): Promise<Client> {
  const connection = await Connection.connect({ address: target.address, ...(options.connectTimeoutMs ? { connectTimeout: options.connectTimeoutMs } : {}) });
  return new Client({ connection, namespace: target.namespace });
}
