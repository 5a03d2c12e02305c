/**
 * Crash points for the reliability tests: with `INTACCT_ASSIGNAR_FAILPOINTS=name[,name…]` in its
 * environment, a worker kills itself (SIGKILL, no clean-up, as a power cut would) the first time it
 * reaches a named point, so a test can prove recovery from a crash at an exact step — between the Sage
 * Intacct create and the ledger commit, say — rather than at a random moment. Without the variable (in
 * production) it does nothing.
 */
export const FAILPOINTS = {
  /** Sage Intacct answered an export's creates; nothing of it is in the ledger yet. */
  afterSageCreate: 'export-after-sage-create',
  /** Export groups are confirmed in the ledger; their timesheets are not yet marked processed in Assignar. */
  beforeMarkProcessed: 'export-before-mark-processed',
} as const;

export function failpoint(name: (typeof FAILPOINTS)[keyof typeof FAILPOINTS]): void {
  const armed = process.env.INTACCT_ASSIGNAR_FAILPOINTS;
  if (armed && armed.split(',').map((s) => s.trim()).includes(name)) process.kill(process.pid, 'SIGKILL');
}
