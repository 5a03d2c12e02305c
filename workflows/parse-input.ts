import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';

/** Validates a workflow input or signal payload; a bad one fails the run with a clear, non-retryable error. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
  throw ApplicationFailure.nonRetryable(`Invalid ${what} input: ${issues}`, 'InvalidInput');
}
