import { z } from 'zod';

/**
 * Who holds a connection's writer lease: one run chain (the first run id of a workflow, kept across
 * continue-as-new) of one workflow. Import, sync, export and the true-up's apply phase of a connection
 * take it before they write, so they never write at the same time.
 */
export const WriterHolderSchema = z.object({
  connection: z.string(),
  workflowId: z.string(),
  workflowType: z.string(),
  /** The ledger run id: the first Temporal run id of the holder's chain. */
  runId: z.string(),
  /** When the holder took the lease (ISO-8601 UTC). */
  since: z.string(),
});
export type WriterHolder = z.infer<typeof WriterHolderSchema>;

export const AcquireWriterResultSchema = z.discriminatedUnion('acquired', [
  z.object({ acquired: z.literal(true), holder: WriterHolderSchema }),
  z.object({ acquired: z.literal(false), holder: WriterHolderSchema }),
]);
export type AcquireWriterResult = z.infer<typeof AcquireWriterResultSchema>;

/** One line for people: which run holds the connection. */
export function describeHolder(h: WriterHolder): string {
  return `${h.workflowType} ${h.workflowId} (run ${h.runId}, writing since ${h.since})`;
}
