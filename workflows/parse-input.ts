import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';

/** Validates a workflow input or signal payload; a bad one fails the run with a clear, non-retryable error. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
  throw ApplicationFailure.nonRetryable(`Invalid ${what} input: ${issues}`, 'InvalidInput');
}

/**
 * The state a run carried over continue-as-new (the workflow's second argument), or undefined on a fresh
 * start. Only a continued run may have one: a person starting the workflow cannot skip phases with it.
 */
export function readCarry<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> | undefined {
  if (raw === undefined) return undefined;
  if (!workflowInfo().continuedFromExecutionRunId) {
    throw ApplicationFailure.nonRetryable(`Invalid ${what} input: ${what} takes one argument (the input); its carried state is internal to continue-as-new`, 'InvalidInput');
  }
  return parseInput(schema, raw, `${what} carried state`);
}
