import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { ConsoleActionsTable, Database } from './schema';
import { JsonObjectSchema, KeySchema, LimitSchema, nowIso, parseInput, readJson, writeJson, type JsonObject } from './values';

/** What the console lets an operator do; each is one signal, update or release. */
export const CONSOLE_ACTIONS = ['trueup.approve', 'trueup.reject', 'trueup.pause', 'trueup.resume', 'trueup.cancel', 'link.release'] as const;
export const ConsoleActionKindSchema = z.enum(CONSOLE_ACTIONS);
export type ConsoleActionKind = z.infer<typeof ConsoleActionKindSchema>;
export const ConsoleActionResultSchema = z.enum(['ok', 'failed']);

const InputSchema = z.object({
  connection: KeySchema,
  /** The operator token's name (`local` on a loopback address). */
  who: z.string().min(1).max(200),
  action: ConsoleActionKindSchema,
  details: JsonObjectSchema,
  result: ConsoleActionResultSchema,
  message: z.string().max(4000).nullable().optional(),
});
export type ConsoleActionInput = z.input<typeof InputSchema>;

/** One action an operator took from the console (migration 0009). */
export interface ConsoleAction {
  actionId: string;
  connection: string;
  who: string;
  action: ConsoleActionKind;
  details: JsonObject;
  result: z.infer<typeof ConsoleActionResultSchema>;
  message: string | null;
  at: string;
}

function toAction(row: Selectable<ConsoleActionsTable>): ConsoleAction {
  return {
    actionId: row.action_id,
    connection: row.connection,
    who: row.who,
    action: ConsoleActionKindSchema.parse(row.action),
    details: readJson(row.details, JsonObjectSchema, 'console_actions.details'),
    result: ConsoleActionResultSchema.parse(row.result),
    message: row.message,
    at: row.at,
  };
}

export async function recordConsoleAction(db: Kysely<Database>, input: ConsoleActionInput): Promise<ConsoleAction> {
  const a = parseInput(InputSchema, input, 'console action');
  const row = {
    action_id: randomUUID(),
    connection: a.connection,
    who: a.who,
    action: a.action,
    details: writeJson(a.details, 'console_actions.details'),
    result: a.result,
    message: a.message ?? null,
    at: nowIso(),
  };
  await db.insertInto('console_actions').values(row).execute();
  return toAction(row);
}

export interface ListConsoleActionsOptions {
  limit: number;
}

/** The connection's console actions, newest first. */
export async function listConsoleActions(db: Kysely<Database>, connection: string, options: ListConsoleActionsOptions): Promise<ConsoleAction[]> {
  const limit = parseInput(LimitSchema, options.limit, 'limit');
  const rows = await db.selectFrom('console_actions').selectAll().where('connection', '=', connection).orderBy('at', 'desc').orderBy('action_id', 'desc').limit(limit).execute();
  return rows.map(toAction);
}
