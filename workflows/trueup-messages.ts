import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApproveInput, ApproveResult, RejectInput, TrueupStatus } from '../src/contracts/trueup';

/**
 * The true-up's messages, shared by the workflow and its callers (CLI, console). Every payload is plain
 * JSON, so the Temporal CLI reaches them too:
 *   temporal workflow signal --workflow-id trueUp/demo --name approve --input '{"all":true}'
 */
export const approveSignal = defineSignal<[ApproveInput]>('approve');
export const rejectSignal = defineSignal<[RejectInput]>('reject');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal('cancel');
/** Diff again now (a sync that held records for the true-up sends it, by signal-with-start). */
export const rediffSignal = defineSignal<[{ reason?: string }?]>('rediff');
/** Approve and hear back: how many were approved and why each listed item that was not could not be. */
export const approveUpdate = defineUpdate<ApproveResult, [ApproveInput]>('approveItems');
export const statusQuery = defineQuery<TrueupStatus>('status');
