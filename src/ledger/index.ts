/** The ledger's public surface: open it, use the Ledger interface, and the value types it takes and returns. */
export { openLedger, ledgerOptionsFromEnv, DEFAULT_SQLITE_PATH, type Ledger, type OpenLedgerOptions } from './ledger';
export type { LedgerFlavor } from './database';
export { LedgerConstraintError, LedgerMigrationError, LedgerNotFoundError } from './errors';
export { MIGRATION_NAMES } from './migrations';
export type { Link, LinkInput, LinkMark, ListLinksOptions, LinkCounts } from './links';
export type { Watermark, WatermarkInput } from './watermarks';
export type { FailingRecord, FailingRecordInput, ListFailingOptions } from './failing-records';
export type { PendingDeactivation, StageDeactivationInput } from './pending-deactivations';
export type { Run, StartRunInput, FinishRunInput, ListRunsOptions } from './runs';
export type { RecordOutcome, RecordOutcomeInput, ListOutcomesOptions, OutcomeCounts } from './outcomes';
export type {
  ExportGroup,
  ExportGroupMark,
  ExportGroupConfirmation,
  ExportGroupPlan,
  ExportGroupTimesheet,
  ExportLine,
  HeldTimesheet,
  HoldTimesheetInput,
  ListExportGroupsOptions,
  ListHeldTimesheetsOptions,
  TimesheetExportRecord,
} from './export-groups';
export { EXPORT_LINE_KINDS } from './export-groups';
export type { ExportCandidate, ExportCandidateInput } from './export-candidates';
export type { ConsoleAction, ConsoleActionInput, ConsoleActionKind, ListConsoleActionsOptions } from './console-actions';
export { CONSOLE_ACTIONS } from './console-actions';
export type { SageUsageDay, SageUsageInput, NotificationClaim } from './sage-usage';
export type {
  TrueupPlanItem,
  TrueupPlanItemInput,
  TrueupPlanResult,
  TrueupApproveSelector,
  TrueupRejectResult,
  TrueupItemMark,
  ListTrueupItemsOptions,
} from './trueup-items';
export {
  LINK_STATUSES,
  LinkStatusSchema,
  OUTCOMES,
  OutcomeSchema,
  RUN_STATUSES,
  RunStatusSchema,
  EXPORT_GROUP_STATES,
  ExportGroupStateSchema,
  RECORD_KINDS,
  RecordKindSchema,
  toIso,
  type LinkStatus,
  type Outcome,
  type RunStatus,
  type ExportGroupState,
  type RecordKind,
  type Json,
  type JsonObject,
  type Timestamp,
} from './values';
export type { QueueLease, QueueLeaseClaim } from './queue-leases';
