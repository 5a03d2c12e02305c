import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { activityLogKeysInterceptor } from '../observability/log-context';
import { keepAliveInterceptor } from './keepalive-interceptor';
import { retryabilityInterceptor } from './retryability-interceptor';

/**
 * Every activity runs inside these: retryability is decided from the error (a non-retryable SyncError fails
 * at once), activities with a heartbeat timeout heartbeat while they wait, and the SDK's activity log lines
 * carry the connection, run, entity and page.
 */
export function activityInterceptors(): ActivityInterceptorsFactory[] {
  return [retryabilityInterceptor, keepAliveInterceptor, activityLogKeysInterceptor];
}
