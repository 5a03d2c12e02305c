import type { NotificationsConfig } from '../config/schema';
import type { RecordKind } from '../contracts/outcomes';
import type { WebhookMessage } from './webhook';

/** The events a webhook can be sent for (`notifications.events` in the configuration). */
export type NotificationEvent = NonNullable<NotificationsConfig['events']>[number];

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string) => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

function message(text: string, command: string, detail?: string): WebhookMessage {
  return {
    text: `${text}${detail ? ` ${detail}` : ''} See: ${command}`,
    blocks: [section(text), ...(detail ? [section(detail)] : []), context(`See: \`${command}\``)],
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `report` narrowed to what the message is about (timesheets have their own listing). */
export function reportCommand(connection: string, kinds: readonly RecordKind[], outcome?: 'failed' | 'held'): string {
  const kind = kinds.length === 1 ? ` --kind ${kinds[0]}` : '';
  return `intacct-assignar report --connection ${connection}${kind}${outcome ? ` --outcome ${outcome}` : ''}`;
}

export function runFailedMessage(r: { connection: string; workflow: string; runId: string; error?: string }): WebhookMessage {
  return message(`:x: ${r.workflow} of ${r.connection} failed (run ${r.runId}).`, `intacct-assignar report --run ${r.runId} --connection ${r.connection}`, r.error ? `Error: ${r.error.slice(0, 500)}` : undefined);
}

export function recordsMessage(r: {
  connection: string;
  workflow: string;
  runId: string;
  outcome: 'failed' | 'held';
  newly: number;
  inRun: number;
  byKind: Partial<Record<RecordKind, number>>;
}): WebhookMessage {
  const kinds = Object.keys(r.byKind) as RecordKind[];
  const perKind = kinds.map((k) => `${k} ${r.byKind[k]}`).join(', ');
  const what = r.outcome === 'failed' ? 'newly failing' : 'newly held';
  return message(
    `:warning: ${r.workflow} of ${r.connection}: ${plural(r.newly, 'record')} ${what} (${perKind}); ${r.inRun} ${r.outcome} in run ${r.runId} in all.`,
    reportCommand(r.connection, kinds, r.outcome),
    r.outcome === 'failed' ? 'They are retried by every sync; most need a fix in Sage Intacct.' : 'Held records wait for an operator (a true-up, or a confirmed change).',
  );
}

export function trueupAwaitingMessage(r: { connection: string; trueupId: string; waiting: number; byAction: Record<string, number> }): WebhookMessage {
  const perAction = Object.entries(r.byAction)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${a} ${n}`)
    .join(', ');
  return message(`:hourglass: The true-up of ${r.connection} waits for approval: ${plural(r.waiting, 'item')}${perAction ? ` (${perAction})` : ''}.`, `intacct-assignar trueup status --connection ${r.connection}`);
}
