import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../contracts/search-attributes';

/**
 * A server must know the service's search attributes (src/temporal/search-attribute-keys.ts) before a
 * workflow sets them: `dev` and the tests start the dev server with them; on a cluster, register them once:
 *   temporal operator search-attribute create --name TrueupPhase --type Keyword
 */
export { SEARCH_ATTRIBUTES };

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
}

/**
 * Registers the service's search attributes on the namespace when missing (a dev server reused from an
 * older start, a fresh cluster namespace). Needs operator rights; idempotent.
 */
export async function ensureSearchAttributes(connection: Pick<ConnectionLike, 'operatorService'>, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((k) => !(customAttributes && k.name in customAttributes));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return missing.map((k) => k.name);
}
