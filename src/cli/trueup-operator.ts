import type { Client } from '@temporalio/client';
import type { ApproveInput, RejectInput } from '../contracts/trueup';
import { workflowId } from '../temporal/constants';
import { approveUpdate, cancelSignal, pauseSignal, rejectSignal, resumeSignal, statusQuery } from '../../workflows/trueup-messages';

export const TRUEUP_WORKFLOW_TYPE = 'trueUp';

/**
 * The true-up's messages as an operator sends them (`intacct-assignar trueup …` and the console): the
 * `status` query, the `approveItems` update and the `reject`/`pause`/`resume`/`cancel` signals of workflow
 * trueUp/<connection>. Temporal's errors pass through (WorkflowNotFoundError, WorkflowUpdateFailedError).
 */
export interface TrueupOperator {
  workflowId(connection: string): string;
  status(connection: string): Promise<unknown>;
  approve(connection: string, input: ApproveInput): Promise<unknown>;
  reject(connection: string, input: RejectInput): Promise<void>;
  signal(connection: string, what: 'pause' | 'resume' | 'cancel'): Promise<void>;
}

export function trueupOperator(client: Client): TrueupOperator {
  const id = (connection: string) => workflowId(TRUEUP_WORKFLOW_TYPE, connection);
  const handle = (connection: string) => client.workflow.getHandle(id(connection));
  return {
    workflowId: id,
    status: (connection) => handle(connection).query(statusQuery),
    approve: (connection, input) => handle(connection).executeUpdate(approveUpdate, { args: [input] }),
    reject: (connection, input) => handle(connection).signal(rejectSignal, input),
    signal: (connection, what) => handle(connection).signal({ pause: pauseSignal, resume: resumeSignal, cancel: cancelSignal }[what]),
  };
}
