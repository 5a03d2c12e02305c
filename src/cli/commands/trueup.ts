import { userInfo } from 'node:os';
import { WorkflowIdConflictPolicy, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { rootCause } from '@temporalio/common';
import type { Command } from 'commander';
import type { z } from 'zod';
import { ENTITY_KINDS } from '../../config/schema';
import {
  ApproveResultSchema,
  ApproveSchema,
  RejectSchema,
  TRUEUP_ACTIONS,
  TrueupInputSchema,
  TrueupStatusSchema,
  type ApproveInput,
  type RejectInput,
  type TrueupInput,
} from '../../contracts/trueup';
import { temporalTarget } from '../../temporal/connection';
import { TASK_QUEUE, workflowId } from '../../temporal/constants';
import { approveUpdate, cancelSignal, pauseSignal, rejectSignal, resumeSignal, statusQuery } from '../../../workflows/trueup-messages';
import { cliContext, pickConnection, type CliContext } from '../context';
import { approveResultText, signalSentText, trueupMissingText, trueupStartText, trueupStatusText, workflowUrl } from '../render-trueup';

import { TRUEUP_WORKFLOW_TYPE } from '../trueup-operator';

export { TRUEUP_WORKFLOW_TYPE };

/** Where the Temporal Web UI is: $TEMPORAL_UI_URL, else the dev server's. */
const UI_BASE = () => process.env.TEMPORAL_UI_URL || 'http://localhost:8233';

// ---------------------------------------------------------------------------------------------------------
// Flags → message payloads (pure; every error is one line naming the flag).

/** `--items a,b,c`: trimmed, non-empty, de-duplicated, in the order given. */
export function parseItems(flag: string, value: string | undefined): string[] {
  if (value === undefined) throw new Error(`${flag}: required: a comma-separated list of item ids (as \`trueup status\` shows them)`);
  const items = [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
  if (items.length === 0) throw new Error(`${flag}: expected a comma-separated list of item ids (as \`trueup status\` shows them), got "${value}"`);
  return items;
}

/** `--min-confidence 0.9` or `90%`. */
export function parseConfidence(value: string): number {
  const percent = value.trim().endsWith('%');
  const n = Number(percent ? value.trim().slice(0, -1) : value.trim());
  const c = percent ? n / 100 : n;
  if (value.trim() === '' || !Number.isFinite(n) || c < 0 || c > 1) throw new Error(`--min-confidence: expected a number from 0 to 1 (or a percentage such as 90%), got "${value}"`);
  return c;
}

function parseWhole(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new Error(`${flag}: expected a non-negative whole number, got "${value}"`);
  return n;
}

const FLAG_BY_FIELD: Record<string, string> = {
  all: '--all',
  action: '--action',
  minConfidence: '--min-confidence',
  items: '--items',
  reason: '--reason',
  by: 'the user name (os.userInfo().username)',
  entities: '--entities',
  rediffSeconds: '--rediff-seconds',
  reminderSeconds: '--reminder-seconds',
  applyDelaySeconds: '--apply-delay-seconds',
  waveSize: '--wave-size',
  eventsPerRun: '--events-per-run',
  waitForWriterSeconds: '--wait-for-writer',
};

/** The first schema issue as one line naming the flag it came from. */
export function issueText(error: z.ZodError, whole: string): string {
  const issue = error.issues[0];
  const field = issue?.path[0];
  if (field === undefined) return whole;
  const flag = FLAG_BY_FIELD[String(field)] ?? `--${String(field)}`;
  return `${flag}: ${issue.message}`;
}

export interface ApproveFlags {
  all?: boolean;
  action?: string;
  minConfidence?: string;
  items?: string;
}

/** `approve (--all | --action A | --min-confidence C | --items ID,…)`, validated with ApproveSchema. */
export function approveInput(flags: ApproveFlags, by: string | undefined): ApproveInput {
  const input: Record<string, unknown> = {};
  if (flags.all) input.all = true;
  if (flags.action !== undefined) {
    if (!(TRUEUP_ACTIONS as readonly string[]).includes(flags.action)) throw new Error(`--action: expected one of ${TRUEUP_ACTIONS.join(', ')}; got "${flags.action}"`);
    input.action = flags.action;
  }
  if (flags.minConfidence !== undefined) input.minConfidence = parseConfidence(flags.minConfidence);
  if (flags.items !== undefined) input.items = parseItems('--items', flags.items);
  if (Object.keys(input).length === 0) throw new Error('approve: give at least one of --all, --action A, --min-confidence C or --items ID,…');
  if (by) input.by = by;
  const parsed = ApproveSchema.safeParse(input);
  if (!parsed.success) throw new Error(issueText(parsed.error, 'approve: give at least one of --all, --action A, --min-confidence C or --items ID,…'));
  return input as ApproveInput;
}

/** `reject --items ID,… [--reason TEXT]`, validated with RejectSchema. */
export function rejectInput(flags: { items?: string; reason?: string }, by: string | undefined): RejectInput {
  const input: Record<string, unknown> = { items: parseItems('--items', flags.items) };
  if (flags.reason !== undefined) {
    if (flags.reason.trim() === '') throw new Error('--reason: expected some text, got ""');
    input.reason = flags.reason;
  }
  if (by) input.by = by;
  const parsed = RejectSchema.safeParse(input);
  if (!parsed.success) throw new Error(issueText(parsed.error, 'reject: invalid input'));
  return input as RejectInput;
}

export interface StartFlags {
  entities?: string;
  rediffSeconds?: string;
  reminderSeconds?: string;
  applyDelaySeconds?: string;
  waveSize?: string;
  eventsPerRun?: string;
  waitForWriter?: string;
}

/**
 * `start`'s input: `{connection}` plus the flags given (validated with TrueupInputSchema; the workflow fills
 * in its defaults, so the input stays what a person would type into the Temporal CLI). `options` lists the
 * flags given, to say they were not applied when the start joins a running true-up.
 */
export function trueupStartInput(connection: string, flags: StartFlags): { input: TrueupInput; options: string[] } {
  const input: Record<string, unknown> = { connection };
  const options: string[] = [];
  if (flags.entities !== undefined) {
    const kinds = [...new Set(flags.entities.split(',').map((k) => k.trim()).filter(Boolean))];
    if (kinds.length === 0) throw new Error(`--entities: expected a comma-separated list of entity kinds (${ENTITY_KINDS.join(', ')}), got "${flags.entities}"`);
    const unknown = kinds.find((k) => !(ENTITY_KINDS as readonly string[]).includes(k));
    if (unknown) throw new Error(`--entities: unknown entity kind "${unknown}"; expected some of ${ENTITY_KINDS.join(', ')}`);
    input.entities = kinds;
    options.push('--entities');
  }
  const numeric: [keyof StartFlags, string, keyof TrueupInput][] = [
    ['rediffSeconds', '--rediff-seconds', 'rediffSeconds'],
    ['reminderSeconds', '--reminder-seconds', 'reminderSeconds'],
    ['applyDelaySeconds', '--apply-delay-seconds', 'applyDelaySeconds'],
    ['waveSize', '--wave-size', 'waveSize'],
    ['eventsPerRun', '--events-per-run', 'eventsPerRun'],
    ['waitForWriter', '--wait-for-writer', 'waitForWriterSeconds'],
  ];
  for (const [flag, name, field] of numeric) {
    const v = flags[flag];
    if (v === undefined) continue;
    input[field] = parseWhole(name, v);
    options.push(name);
  }
  const parsed = TrueupInputSchema.safeParse(input);
  if (!parsed.success) throw new Error(issueText(parsed.error, 'start: invalid input'));
  return { input: input as TrueupInput, options };
}

/** Who approves or rejects: the OS user (recorded with the decision); none when the OS cannot tell. */
export function operatorName(): string | undefined {
  try {
    const name = userInfo().username.trim();
    return name ? name.slice(0, 200) : undefined;
  } catch {
    const env = (process.env.USER ?? process.env.USERNAME ?? '').trim();
    return env ? env.slice(0, 200) : undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Temporal calls.

interface Target {
  ctx: CliContext;
  client: Client;
  connection: string;
  id: string;
  handle: WorkflowHandle;
}

async function withTrueup(command: Command, requested: string | undefined, run: (t: Target) => Promise<void>, opts: { running?: boolean } = {}): Promise<void> {
  const ctx = cliContext(command);
  try {
    const connection = pickConnection(ctx, requested);
    const client = await ctx.temporal();
    const id = workflowId(TRUEUP_WORKFLOW_TYPE, connection);
    try {
      await run({ ctx, client, connection, id, handle: client.workflow.getHandle(id) });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new Error(trueupMissingText(connection, id, opts.running));
      throw err;
    }
  } finally {
    await ctx.close();
  }
}

async function isRunning(handle: WorkflowHandle): Promise<string | undefined> {
  try {
    const d = await handle.describe();
    return d.status.name === 'RUNNING' ? d.runId : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

async function signal(command: Command, requested: string | undefined, name: 'pause' | 'resume' | 'cancel'): Promise<void> {
  const def = { pause: pauseSignal, resume: resumeSignal, cancel: cancelSignal }[name];
  await withTrueup(
    command,
    requested,
    async ({ connection, id, handle }) => {
      await handle.signal(def);
      process.stdout.write(`${signalSentText(name, connection, id)}\n`);
    },
    { running: true },
  );
}

const connectionOption = ['--connection <id>', 'connection id (default: the only one configured)'] as const;

export function registerTrueupCommand(program: Command): void {
  const trueup = program
    .command('trueup')
    .description('the operator-approved true-up of a connection (workflow trueUp/<connection>): plan, review, approve, apply, verify');

  trueup
    .command('start')
    .description('start (or join) the true-up of a connection; it plans and waits for approvals')
    .option(...connectionOption)
    .option('--entities <kinds>', `entity kinds to reconcile, comma-separated (default: every enabled kind; ${ENTITY_KINDS.join(', ')})`)
    .option('--rediff-seconds <n>', 'while waiting for approvals, diff both systems again this often (default 21600)')
    .option('--reminder-seconds <n>', 'record a reminder this often while items wait for a decision (default 86400)')
    .option('--apply-delay-seconds <n>', 'after an approval, wait this long for more before applying (default 30)')
    .option('--wave-size <n>', 'items per apply wave (default 500)')
    .option('--events-per-run <n>', 'waits per workflow run before continue-as-new (default 100)')
    .option('--wait-for-writer <seconds>', 'how long to wait for another import, sync or export of the connection to finish writing before applying (default 1800)')
    .action(async (opts, command: Command) => {
      const ctx = cliContext(command);
      try {
        const connection = pickConnection(ctx, opts.connection);
        const { input, options } = trueupStartInput(connection, opts);
        const client = await ctx.temporal();
        const id = workflowId(TRUEUP_WORKFLOW_TYPE, connection);
        const runningBefore = await isRunning(client.workflow.getHandle(id));
        const handle = await client.workflow.start(TRUEUP_WORKFLOW_TYPE, {
          taskQueue: TASK_QUEUE,
          workflowId: id,
          args: [input],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        });
        const runId = handle.firstExecutionRunId;
        const url = workflowUrl(UI_BASE(), temporalTarget().namespace, id);
        process.stdout.write(`${trueupStartText({ connection, workflowId: id, runId, joined: runningBefore !== undefined, options, url })}\n`);
      } finally {
        await ctx.close();
      }
    });

  trueup
    .command('status')
    .description('phase, counts by action and state, withdrawn approvals and the items waiting for a decision, with evidence')
    .option(...connectionOption)
    .option('--json', 'print the status as one JSON object', false)
    .action(async (opts, command: Command) => {
      await withTrueup(command, opts.connection, async ({ id, handle }) => {
        const raw = await handle.query(statusQuery);
        const parsed = TrueupStatusSchema.safeParse(raw);
        if (!parsed.success) throw new Error(`${id} answered a status that does not match TrueupStatusSchema: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
        process.stdout.write(opts.json ? `${JSON.stringify(parsed.data)}\n` : `${trueupStatusText(parsed.data)}\n`);
      });
    });

  trueup
    .command('approve')
    .description('approve items (the approveItems update): --all, --action A, --min-confidence C and/or --items ID,…; exit code 1 when a listed item could not be approved')
    .option(...connectionOption)
    .option('--all', 'every item waiting for a decision')
    .option('--action <action>', `every item proposing this action (${TRUEUP_ACTIONS.join(', ')})`)
    .option('--min-confidence <c>', 'every match at or above this confidence (0–1, or a percentage such as 90%)')
    .option('--items <ids>', 'these items, comma-separated (ids as `trueup status` shows them)')
    .action(async (opts, command: Command) => {
      const input = approveInput(opts, operatorName());
      await withTrueup(
        command,
        opts.connection,
        async ({ id, handle }) => {
          let raw: unknown;
          try {
            raw = await handle.executeUpdate(approveUpdate, { args: [input] });
          } catch (err) {
            if (err instanceof WorkflowUpdateFailedError) throw new Error(`${id} refused the approval: ${rootCause(err.cause) ?? err.message}`, { cause: err });
            throw err;
          }
          const result = ApproveResultSchema.parse(raw);
          process.stdout.write(`${approveResultText(result)}\n`);
          if (result.errors.length > 0) process.exitCode = 1;
        },
        { running: true },
      );
    });

  trueup
    .command('reject')
    .description('reject listed items: they are never applied and the true-up leaves them as they are')
    .option(...connectionOption)
    .option('--items <ids>', 'the items to reject, comma-separated (ids as `trueup status` shows them)')
    .option('--reason <text>', 'why (recorded with the rejection)')
    .action(async (opts, command: Command) => {
      const input = rejectInput(opts, operatorName());
      await withTrueup(
        command,
        opts.connection,
        async ({ connection, id, handle }) => {
          await handle.signal(rejectSignal, input);
          process.stdout.write(`${signalSentText('reject', connection, id, input.items)}\n`);
        },
        { running: true },
      );
    });

  trueup
    .command('pause')
    .description('pause the true-up: nothing is applied until resume')
    .option(...connectionOption)
    .action((opts, command: Command) => signal(command, opts.connection, 'pause'));
  trueup
    .command('resume')
    .description('resume a paused true-up')
    .option(...connectionOption)
    .action((opts, command: Command) => signal(command, opts.connection, 'resume'));
  trueup
    .command('cancel')
    .description('cancel the true-up (items already applied stay applied)')
    .option(...connectionOption)
    .action((opts, command: Command) => signal(command, opts.connection, 'cancel'));
}
