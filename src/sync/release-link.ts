import type { AssignarClient } from '../assignar';
import type { ConnectionConfig, EntityKind } from '../config/schema';
import { ValidationError } from '../errors';
import type { JsonObject, Ledger, Link } from '../ledger';
import { assignarHash, comparable, comparableFields, descriptorFor } from '../mapping';
import { assignarRecordsById } from './assignar-by-id';

export type ReleaseMode = 'accept' | 'overwrite';

export interface ReleaseResult {
  link: Link;
  mode: ReleaseMode;
  /** What happens now, for the operator. */
  message: string;
}

/** Run id that release marks carry in the ledger (they are an operator's action, not a workflow run). */
export const RELEASE_RUN_ID = 'operator:links-release';

/**
 * Releases a held link (a record edited or deleted in Assignar, held for the true-up). `accept` makes
 * what Assignar holds now the new baseline: nothing is written, and later Sage Intacct changes flow again.
 * `overwrite` puts Sage Intacct's values back: the link forgets its baseline and is re-read by key on the
 * next sync, which writes (or recreates) the record. The CLI and the true-up both release through here.
 */
export async function releaseLink(
  deps: { connection: ConnectionConfig; ledger: Ledger; assignar: AssignarClient },
  input: { kind: EntityKind; key: string; mode: ReleaseMode; by?: string },
): Promise<ReleaseResult> {
  const { connection, ledger } = deps;
  const { kind, key, mode } = input;
  const [link] = [...(await ledger.getLinksBySageIds(connection.id, kind, [key])), ...(/^\d+$/.test(key) ? await ledger.getLinksBySageKeys(connection.id, kind, [key]) : [])];
  if (!link) throw new ValidationError(`No ${kind} link for "${key}" on connection ${connection.id}`, { hint: `Give the Sage Intacct ID (${descriptorFor(kind).sageIdField}) or RECORDNO of a linked ${kind}.` });
  if (link.status !== 'held') throw new ValidationError(`The ${kind} link ${link.sageId} is ${link.status}, not held: there is nothing to release`);
  const at = new Date().toISOString();
  const who = input.by ? ` by ${input.by}` : '';

  if (mode === 'overwrite') {
    await ledger.markLinks(connection.id, kind, [link.sageKey], { status: 'active', contentHash: null, reason: `released${who} at ${at}: Sage Intacct's values are written on the next sync`, fromStatus: ['held'] });
    // The next sync re-reads it by key, as it does every failing record, and writes it.
    await ledger.recordFailingRecords([{ connection: connection.id, kind, sageKey: link.sageKey, sageId: link.sageId, reason: `released${who} with --overwrite: waiting for the next sync`, runId: RELEASE_RUN_ID }]);
    const [after] = await ledger.getLinksBySageKeys(connection.id, kind, [link.sageKey]);
    return { link: after, mode, message: `${kind} ${link.sageId} released: the next sync writes Sage Intacct's values to Assignar ${kind} ${link.assignarId} (recreating it if it was deleted); run \`intacct-assignar sync\` to do it now` };
  }

  const records = await assignarRecordsById(deps.assignar, kind, [link.assignarId], comparableFields(kind, connection));
  const record = records.get(link.assignarId);
  if (!record) {
    throw new ValidationError(`Assignar ${kind} ${link.assignarId} (linked to ${link.sageId}) no longer exists, so its values cannot be accepted`, {
      hint: `Release it with --overwrite to recreate it from Sage Intacct.`,
    });
  }
  await acceptBaselines(ledger, connection, kind, [{ link, record }], who);
  const [after] = await ledger.getLinksBySageKeys(connection.id, kind, [link.sageKey]);
  return { link: after, mode, message: `${kind} ${link.sageId} released: Assignar's values are the new baseline; later Sage Intacct changes flow to Assignar ${kind} ${link.assignarId} again` };
}

/**
 * Makes what these Assignar records hold now the baseline of their links (one ledger write for all): the
 * links are active again, nothing is written to Assignar, and later Sage Intacct changes flow again.
 */
export async function acceptBaselines(
  ledger: Ledger,
  connection: ConnectionConfig,
  kind: EntityKind,
  pairs: ReadonlyArray<{ link: Link; record: Readonly<Record<string, unknown>> }>,
  who: string,
): Promise<void> {
  if (pairs.length === 0) return;
  const at = new Date().toISOString();
  await ledger.upsertLinks(
    pairs.map(({ link, record }) => ({
      ...link,
      payload: { ...(link.payload ?? {}), ...(comparable(record, kind, connection) as JsonObject) },
      contentHash: assignarHash(record, kind, connection),
      status: 'active' as const,
      reason: `released${who} at ${at}: Assignar's values accepted as the baseline`,
    })),
  );
  await ledger.clearFailingRecords(connection.id, kind, pairs.map((p) => p.link.sageKey));
}
