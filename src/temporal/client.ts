import { Client } from '@temporalio/client';
import { connectClient, temporalTarget, type TemporalTarget } from './connection';

export async function createTemporalClient(target: TemporalTarget = temporalTarget()): Promise<Client> {
  const connection = await connectClient(target);
  return new Client({ connection, namespace: target.namespace });
}
