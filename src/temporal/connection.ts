import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** Where Temporal is: TEMPORAL_ADDRESS (default localhost:7233) and TEMPORAL_NAMESPACE (default `default`). */
export function temporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  return { address: env.TEMPORAL_ADDRESS || 'localhost:7233', namespace: env.TEMPORAL_NAMESPACE || 'default' };
}

export async function connectClient(target: TemporalTarget = temporalTarget()): Promise<Connection> {
  return Connection.connect({ address: target.address });
}

export async function connectWorker(target: TemporalTarget = temporalTarget()): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address });
}
