import type { ConnectionLike, WorkflowClientInterceptor, WorkflowOptions } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CONNECTION, SEARCH_ATTRIBUTES } from '../contracts/search-attributes';

/**
 * A server must know the service's search attributes (src/contracts/search-attributes.ts) before a workflow
 * sets them: `dev` and the tests start the dev server with them (and `dev` adds any missing on a reused
 * server); on a self-hosted cluster, register them once per namespace:
 *   temporal operator search-attribute create --namespace <ns> --name Connection --type Keyword
 *   temporal operator search-attribute create --namespace <ns> --name RunPhase --type Keyword
 *   temporal operator search-attribute create --namespace <ns> --name TrueupPhase --type Keyword
 * On Temporal Cloud: `tcld namespace search-attributes add -n <ns>.<account> --sa "Connection=Keyword"` (and
 * the other two), or the namespace's page in the Cloud UI.
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

type TypedAttributes = WorkflowOptions['typedSearchAttributes'];

/** `typed` with `Connection` set to `connection` (kept when the caller set it already). */
export function withConnectionAttribute(typed: TypedAttributes, connection: string): TypedAttributes {
  if (typed instanceof TypedSearchAttributes) return typed.get(CONNECTION) !== undefined ? typed : typed.updateCopy([{ key: CONNECTION, value: connection }]);
  const pairs = (typed ?? []) as SearchAttributePair[];
  return pairs.some((p) => p.key.name === CONNECTION.name) ? pairs : [...pairs, { key: CONNECTION, value: connection }];
}

/** The connection a workflow is started for: every workflow of the service takes `{ connection }` first. */
function connectionOf(args: readonly unknown[]): string | undefined {
  const first = args[0];
  const connection = typeof first === 'object' && first !== null ? (first as { connection?: unknown }).connection : undefined;
  return typeof connection === 'string' && connection !== '' ? connection : undefined;
}

/**
 * Sets `Connection` on every workflow the client starts (start, signal-with-start), from the workflow's
 * input, so no start site can forget it. Schedules set it in their action (src/temporal/schedules.ts).
 */
export const connectionAttributeInterceptor: WorkflowClientInterceptor = {
  async startWithDetails(input, next) {
    const connection = connectionOf(input.options.args);
    return next(connection ? { ...input, options: { ...input.options, typedSearchAttributes: withConnectionAttribute(input.options.typedSearchAttributes, connection) } } : input);
  },
  async signalWithStart(input, next) {
    const connection = connectionOf(input.options.args);
    return next(connection ? { ...input, options: { ...input.options, typedSearchAttributes: withConnectionAttribute(input.options.typedSearchAttributes, connection) } } : input);
  },
};
