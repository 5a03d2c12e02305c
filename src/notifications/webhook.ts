import { z } from 'zod';

/** A Slack-compatible incoming-webhook body: `text` always (the fallback and the whole message), `blocks` for layout. */
export const WebhookMessageSchema = z.object({
  text: z.string().min(1),
  blocks: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type WebhookMessage = z.infer<typeof WebhookMessageSchema>;

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

/**
 * Posts one message. The URL is a credential (Slack's carries its token), so no error says it: only the
 * status or the kind of network failure. A 429 or 5xx is tried again after a short pause (three tries).
 */
export async function postWebhook(url: string, message: WebhookMessage, options: { timeoutMs?: number; attempts?: number } = {}): Promise<void> {
  const body = JSON.stringify(WebhookMessageSchema.parse(message));
  const attempts = options.attempts ?? 3;
  let last = 'not tried';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      last = `the webhook answered ${res.status}`;
      if (res.status !== 429 && res.status < 500) break;
    } catch (err) {
      last = `the webhook could not be reached (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.name) : 'error'})`;
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, 500 * attempt));
  }
  throw new WebhookError(last);
}
