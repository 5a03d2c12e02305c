import type { ActivityInput, Next, WorkflowInterceptorsFactory, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';
import { logKeysOfInput } from './log-keys';

/**
 * Workflow interceptor module (bundled with the workflows: scripts/build-workflow-bundle.ts names it in
 * `workflowInterceptorModules`): every activity the workflows schedule gets a one-line summary in the event
 * history (SDK 1.24 user metadata, shown by the Web UI and `temporal workflow show`) saying which entity and
 * page it works on, e.g. `worker · page first` or `PROJECT · page 2000`. Metadata is not part of the command
 * matched on replay, so histories recorded without summaries replay unchanged.
 */
export function activitySummary(input: Pick<ActivityInput, 'args'>): string | undefined {
  const k = logKeysOfInput(input.args[0]);
  const parts = [k.entity, k.page === undefined ? undefined : `page ${k.page.length > 40 ? `${k.page.slice(0, 40)}…` : k.page}`].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

class ActivitySummaryInterceptor implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    if (input.options.summary !== undefined) return next(input);
    const summary = activitySummary(input);
    return next(summary ? { ...input, options: { ...input.options, summary } } : input);
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ outbound: [new ActivitySummaryInterceptor()] });
