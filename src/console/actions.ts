import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { rootCause } from '@temporalio/common';
import type { EntityKind } from '../config/schema';
import { ApproveResultSchema, ApproveSchema, RejectSchema, type ApproveInput, type ApproveResult, type RejectInput } from '../contracts/trueup';
import type { ConsoleActionKind, JsonObject } from '../ledger';
import { releaseLink, type ReleaseMode } from '../sync/release-link';
import type { ConsoleDeps } from './deps';

/**
 * Every console action, each through the path the CLI takes: the true-up's `approveItems` update and its
 * `reject`/`pause`/`resume`/`cancel` signals (as `intacct-assignar trueup …` sends them), and releaseLink (as
 * `intacct-assignar links release` calls it). Each is recorded in the ledger with who asked and how it went.
 */

/** A refusal the operator can act on (shown as the page's notice, not as a server error). */
export class ActionRefused extends Error {}

async function audited<T>(
  deps: ConsoleDeps,
  who: string,
  connection: string,
  action: ConsoleActionKind,
  details: JsonObject,
  run: () => Promise<{ value: T; message: string }>,
): Promise<{ value: T; message: string }> {
  try {
    const done = await run();
    await deps.ledger.recordConsoleAction({ connection, who, action, details, result: 'ok', message: done.message });
    return done;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await deps.ledger.recordConsoleAction({ connection, who, action, details, result: 'failed', message: message.slice(0, 4000) });
    if (err instanceof ActionRefused) throw err;
    throw new ActionRefused(message, { cause: err });
  }
}

function missing(err: unknown, connection: string): never {
  if (err instanceof WorkflowNotFoundError) throw new ActionRefused(`No true-up is running for connection ${connection}: start one with \`intacct-assignar trueup start\``);
  throw err;
}

export async function approveItems(deps: ConsoleDeps, who: string, connection: string, selector: Omit<ApproveInput, 'by'>): Promise<{ value: ApproveResult; message: string }> {
  const input = { ...selector, by: who };
  const parsed = ApproveSchema.safeParse(input);
  if (!parsed.success) throw new ActionRefused(`approve: ${parsed.error.issues[0]?.message ?? 'invalid selection'}`);
  return audited(deps, who, connection, 'trueup.approve', selector as JsonObject, async () => {
    let raw: unknown;
    try {
      raw = await deps.trueup.approve(connection, input);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new ActionRefused(`The true-up refused the approval: ${rootCause(err.cause) ?? err.message}`);
      missing(err, connection);
    }
    const value = ApproveResultSchema.parse(raw);
    const errors = value.errors.map((e) => `${e.itemId}: ${e.reason}`).join('; ');
    return { value, message: `${value.approved} item(s) approved${errors ? `; not approved: ${errors}` : ''}` };
  });
}

export async function rejectItems(deps: ConsoleDeps, who: string, connection: string, items: string[], reason: string | undefined): Promise<{ value: undefined; message: string }> {
  const input: RejectInput = { items, by: who, ...(reason ? { reason } : {}) };
  const parsed = RejectSchema.safeParse(input);
  if (!parsed.success) throw new ActionRefused(`reject: ${parsed.error.issues[0]?.message ?? 'invalid selection'}`);
  return audited(deps, who, connection, 'trueup.reject', { items, ...(reason ? { reason } : {}) }, async () => {
    await deps.trueup.reject(connection, input).catch((err) => missing(err, connection));
    return { value: undefined, message: `rejection of ${items.length} item(s) sent: they are never applied` };
  });
}

const CONTROL_TEXT = { pause: 'pause sent: nothing is applied until resume', resume: 'resume sent', cancel: 'cancel sent: items already applied stay applied' } as const;

export async function controlTrueup(deps: ConsoleDeps, who: string, connection: string, what: keyof typeof CONTROL_TEXT): Promise<{ value: undefined; message: string }> {
  return audited(deps, who, connection, `trueup.${what}`, {}, async () => {
    await deps.trueup.signal(connection, what).catch((err) => missing(err, connection));
    return { value: undefined, message: CONTROL_TEXT[what] };
  });
}

export async function releaseHeldLink(deps: ConsoleDeps, who: string, connection: string, kind: EntityKind, key: string, mode: ReleaseMode): Promise<{ value: undefined; message: string }> {
  return audited(deps, who, connection, 'link.release', { kind, key, mode }, async () => {
    const result = await releaseLink(
      { connection: deps.clients.connection(connection), ledger: deps.ledger, assignar: deps.clients.assignar(connection) },
      { kind, key, mode, by: `console ${who}` },
    );
    return { value: undefined, message: result.message };
  });
}
