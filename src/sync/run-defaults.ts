import type { AssignarClient } from '../assignar';
import type { ConnectionConfig, EntityKind } from '../config/schema';
import { FIELD_WORKER_USER_TYPE_ID, type MappingDefaults } from '../mapping';

const cache = new Map<string, Promise<MappingDefaults>>();

/**
 * Tenant values the mapping needs but Sage Intacct does not have. Work orders need an `order_owner`:
 * unless configured (`entities.workOrder.fieldOverrides.order_owner`), the first active office
 * (non-field-worker) user of the tenant, by id — a stable choice, so hashes do not churn between runs.
 */
export async function mappingDefaults(connection: ConnectionConfig, assignar: AssignarClient, kinds: readonly EntityKind[]): Promise<MappingDefaults> {
  if (!kinds.includes('workOrder') || connection.entities.workOrder.fieldOverrides.order_owner) return {};
  let found = cache.get(connection.id);
  if (!found) {
    found = (async () => {
      const page = await assignar.users.listPage({ filter: { user_type_id: { ne: FIELD_WORKER_USER_TYPE_ID }, active: true }, sort: 'id', pageSize: 1, fields: ['id'] });
      return page.items[0] ? { orderOwnerId: page.items[0].id } : {};
    })();
    cache.set(connection.id, found);
    found.catch(() => cache.delete(connection.id));
  }
  return found;
}
