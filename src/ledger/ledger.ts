import path from 'node:path';
import type { Kysely } from 'kysely';
import type { EntityKind } from '../config/schema';
import type { ApproveResult, TrueupCounts } from '../contracts/trueup';
import { openPostgres, openSqlite, type LedgerFlavor, type OpenedDatabase } from './database';
import * as links from './links';
import { appliedMigrations, migrateToLatest } from './migrate';
import * as outcomes from './outcomes';
import * as runs from './runs';
import type { Database } from './schema';
import type { RecordKind } from './values';
import * as exportGroups from './export-groups';
import * as candidates from './export-candidates';
import * as trueup from './trueup-items';
import * as watermarks from './watermarks';
import * as failing from './failing-records';
import * as deactivations from './pending-deactivations';
import * as leases from './writer-leases';
import * as queueLeases from './queue-leases';
import * as consoleActions from './console-actions';
import * as usage from './sage-usage';

export const DEFAULT_SQLITE_PATH = '.data/ledger.sqlite';

export interface OpenLedgerOptions {
  /** PostgreSQL URL; when set, the ledger lives there (callers pass `process.env.DATABASE_URL`). */
  databaseUrl?: string;
  /** SQLite file used without `databaseUrl` (default `.data/ledger.sqlite`, relative to the working directory; its directory is created). */
  sqlitePath?: string;
  /** PostgreSQL only: schema for the ledger's tables, created when missing (default: the connection's current schema). */
  schema?: string;
  /** PostgreSQL only: pool size (default 10). */
  maxConnections?: number;
}

/**
 * The service's own state (DESIGN.md §4): links, watermarks, runs and per-record outcomes, the
 * timesheet export ledger and true-up items, on SQLite or PostgreSQL alike. Every read and write takes
 * a page of records and costs one statement (or one transaction), not a round trip per record.
 * Timestamps come back as ISO-8601 UTC text.
 */
export interface Ledger {
  readonly flavor: LedgerFlavor;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;

  getLinksBySageKeys(connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<links.Link[]>;
  getLinksBySageIds(connection: string, kind: EntityKind, sageIds: readonly string[]): Promise<links.Link[]>;
  getFailingRecords(connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<failing.FailingRecord[]>;
  listFailingRecords(connection: string, options: failing.ListFailingOptions): Promise<failing.FailingRecord[]>;
  recordFailingRecords(rows: readonly failing.FailingRecordInput[]): Promise<void>;
  clearFailingRecords(connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<void>;

  stageDeactivations(rows: readonly deactivations.StageDeactivationInput[]): Promise<void>;
  listPendingDeactivations(connection: string, kind: EntityKind, runId: string): Promise<deactivations.PendingDeactivation[]>;
  holdDeactivations(connection: string, runId: string, kind: EntityKind, sageKeys: readonly string[]): Promise<void>;
  clearPendingDeactivations(connection: string, kind: EntityKind, sageKeys: readonly string[]): Promise<void>;
  dropStagedDeactivations(connection: string, runId: string, kind: EntityKind): Promise<void>;
  getLinksByAssignarIds(connection: string, kind: EntityKind, assignarIds: readonly string[]): Promise<links.Link[]>;
  upsertLinks(rows: readonly links.LinkInput[]): Promise<void>;
  listLinks(connection: string, kind: EntityKind, options: links.ListLinksOptions): Promise<links.Link[]>;
  markLinks(connection: string, kind: EntityKind, sageKeys: readonly string[], mark: links.LinkMark): Promise<number>;
  linkCounts(connection: string): Promise<links.LinkCounts>;

  getWatermark(connection: string, kind: string, stream: string): Promise<watermarks.Watermark | undefined>;
  setWatermark(input: watermarks.WatermarkInput): Promise<watermarks.Watermark>;
  setWatermarks(inputs: readonly watermarks.WatermarkInput[]): Promise<watermarks.Watermark[]>;
  listWatermarks(connection: string): Promise<watermarks.Watermark[]>;

  startRun(input: runs.StartRunInput): Promise<runs.Run>;
  finishRun(runId: string, input: runs.FinishRunInput): Promise<runs.Run>;
  getRun(runId: string): Promise<runs.Run | undefined>;
  listRuns(options?: runs.ListRunsOptions): Promise<runs.Run[]>;

  recordOutcomes(rows: readonly outcomes.RecordOutcomeInput[]): Promise<void>;
  outcomeCounts(runId: string): Promise<outcomes.OutcomeCounts>;
  listOutcomes(runId: string, options?: outcomes.ListOutcomesOptions): Promise<outcomes.RecordOutcome[]>;
  getOutcomes(runId: string, kind: RecordKind, recordKeys: readonly string[]): Promise<outcomes.RecordOutcome[]>;

  // One writer per connection, every run accounted for (issue #8 item 4).
  /** Ends a run that could not record its own end, only while it is still `running`; the run when it changed. */
  endStaleRun(runId: string, input: runs.FinishRunInput): Promise<runs.Run | undefined>;
  /** Each record's latest outcome across the connection's real runs, listed when it is one of `options.outcome` (default failed, held). */
  currentOutcomes(connection: string, options?: outcomes.CurrentOutcomesOptions): Promise<outcomes.CurrentOutcome[]>;
  currentOutcomeCounts(connection: string): Promise<outcomes.OutcomeCounts>;
  getWriterLease(connection: string): Promise<leases.WriterLease | undefined>;
  acquireWriterLease(input: leases.WriterLeaseInput): Promise<{ acquired: boolean; lease: leases.WriterLease }>;
  takeOverWriterLease(connection: string, fromRunId: string, to: leases.WriterLeaseInput): Promise<boolean>;
  releaseWriterLease(connection: string, runId: string): Promise<boolean>;

  // Several workers, one poller per connection's API task queue (issue #11).
  getQueueLease(connection: string): Promise<queueLeases.QueueLease | undefined>;
  claimQueueLease(input: queueLeases.QueueLeaseClaim): Promise<{ held: boolean; lease: queueLeases.QueueLease }>;
  releaseQueueLease(connection: string, holder: string): Promise<boolean>;

  // Timesheet export groups (issue 9): one row per Sage Intacct TIMESHEET, its timesheets, and the held timesheets.
  /** Records planned groups idempotently; every given group as stored now (an earlier plan's state, RECORDNO and attempts kept). */
  planExportGroups(plans: readonly exportGroups.ExportGroupPlan[]): Promise<exportGroups.ExportGroup[]>;
  getExportGroups(connection: string, groupKeys: readonly string[]): Promise<exportGroups.ExportGroup[]>;
  listExportGroups(connection: string, options: exportGroups.ListExportGroupsOptions): Promise<exportGroups.ExportGroup[]>;
  /** Compare-and-set to sent (counting an attempt), processed, failed or superseded; how many changed. */
  markExportGroups(connection: string, groupKeys: readonly string[], mark: exportGroups.ExportGroupMark): Promise<number>;
  /** sent → confirmed with each group's RECORDNO; a confirmed correction supersedes the group it replaces. How many changed. */
  confirmExportGroups(connection: string, confirmations: readonly exportGroups.ExportGroupConfirmation[], options?: { runId?: string | null }): Promise<number>;
  /** Every group any version of these timesheets went into, with its state. */
  exportsOfTimesheets(connection: string, assignarTimesheetIds: readonly string[]): Promise<exportGroups.TimesheetExportRecord[]>;
  holdTimesheets(rows: readonly exportGroups.HoldTimesheetInput[]): Promise<void>;
  /** How many of these were held. */
  releaseHeldTimesheets(connection: string, assignarTimesheetIds: readonly string[]): Promise<number>;
  listHeldTimesheets(connection: string, options: exportGroups.ListHeldTimesheetsOptions): Promise<exportGroups.HeldTimesheet[]>;
  /** An export run's staging of the timesheets it read (dropped when the run ends). */
  stageExportCandidates(rows: readonly candidates.ExportCandidateInput[]): Promise<void>;
  listCandidateWorkers(connection: string, runId: string, options: { afterUserId?: string | null; limit: number }): Promise<string[]>;
  getExportCandidates(connection: string, runId: string, assignarUserIds: readonly string[]): Promise<candidates.ExportCandidate[]>;
  /** Holds of timesheets the run did not read (no longer approved and unprocessed) are forgotten; how many. */
  releaseHoldsNotStaged(connection: string, runId: string): Promise<number>;
  clearExportCandidates(connection: string, which: { runId: string } | { exceptRunId: string }): Promise<void>;

  // The true-up plan (issue 10; shapes in src/contracts/trueup.ts).
  /** Records one diff's items in one transaction: new → proposed; a changed approved item is withdrawn; applied/verified items never change. */
  upsertTrueupPlan(connection: string, trueupId: string, generation: number, items: readonly trueup.TrueupPlanItemInput[]): Promise<trueup.TrueupPlanResult>;
  /** Items an older diff saw and diff `generation` did not, still undecided or unapplied, become resolved; how many. */
  resolveUnseenTrueupItems(connection: string, trueupId: string, generation: number): Promise<number>;
  /** Approves what the selector names (criteria ANDed); each listed item that cannot be approved is an error. */
  approveTrueupItems(connection: string, trueupId: string, selector: trueup.TrueupApproveSelector, by?: string): Promise<ApproveResult>;
  rejectTrueupItems(connection: string, trueupId: string, itemIds: readonly string[], by?: string, reason?: string): Promise<trueup.TrueupRejectResult>;
  listTrueupItems(connection: string, trueupId: string, options: trueup.ListTrueupItemsOptions): Promise<trueup.TrueupPlanItem[]>;
  getTrueupItems(connection: string, trueupId: string, itemIds: readonly string[]): Promise<trueup.TrueupPlanItem[]>;
  /** What may be applied: approved items whose approval is for their current content. */
  listApprovedTrueupItems(connection: string, trueupId: string, options: { afterItemId?: string; limit: number }): Promise<trueup.TrueupPlanItem[]>;
  /** Compare-and-set to applied, verified or failed; how many changed. */
  markTrueupItems(connection: string, trueupId: string, itemIds: readonly string[], mark: trueup.TrueupItemMark): Promise<number>;
  trueupCounts(connection: string, trueupId: string): Promise<TrueupCounts>;

  // The operator console's audit (issue 12): who did what, when.
  recordConsoleAction(input: consoleActions.ConsoleActionInput): Promise<consoleActions.ConsoleAction>;
  /** Newest first. */
  listConsoleActions(connection: string, options: consoleActions.ListConsoleActionsOptions): Promise<consoleActions.ConsoleAction[]>;

  // Observability (issue 11): metered Sage Intacct transactions per day, webhook events sent once.
  addSageUsage(rows: readonly usage.SageUsageInput[]): Promise<void>;
  listSageUsage(options: { fromDay: string; toDay: string; connection?: string }): Promise<usage.SageUsageDay[]>;
  /** The event keys this caller is to send (those not claimed before). */
  claimNotifications(claims: readonly usage.NotificationClaim[]): Promise<string[]>;
  releaseNotifications(eventKeys: readonly string[]): Promise<void>;

  /** Names of the schema migrations applied to this database, in order. */
  appliedMigrations(): Promise<string[]>;
  /** Releases the database (the last holder of a shared SQLite file closes it). Idempotent. */
  close(): Promise<void>;
}

interface Handle {
  opened: OpenedDatabase;
  release(): Promise<void>;
}

class LedgerImpl implements Ledger {
  readonly flavor: LedgerFlavor;
  readonly location: string;
  #handle: Handle | undefined;
  #closing: Promise<void> | undefined;

  constructor(handle: Handle) {
    this.#handle = handle;
    this.flavor = handle.opened.flavor;
    this.location = handle.opened.location;
  }

  /** Methods are async, so a closed ledger (or bad input) always surfaces as a rejected promise. */
  get #db(): Kysely<Database> {
    if (!this.#handle) throw new Error(`the ledger at ${this.location} is closed`);
    return this.#handle.opened.db;
  }

  async getLinksBySageKeys(connection: string, kind: EntityKind, sageKeys: readonly string[]) {
    return links.getLinksBySageKeys(this.#db, connection, kind, sageKeys);
  }

  async getLinksBySageIds(connection: string, kind: EntityKind, sageIds: readonly string[]) {
    return links.getLinksBySageIds(this.#db, connection, kind, sageIds);
  }

  async getFailingRecords(connection: string, kind: EntityKind, sageKeys: readonly string[]) {
    return failing.getFailingRecords(this.#db, connection, kind, sageKeys);
  }
  async listFailingRecords(connection: string, options: failing.ListFailingOptions) {
    return failing.listFailingRecords(this.#db, connection, options);
  }
  async recordFailingRecords(rows: readonly failing.FailingRecordInput[]) {
    return failing.recordFailingRecords(this.#db, rows);
  }
  async clearFailingRecords(connection: string, kind: EntityKind, sageKeys: readonly string[]) {
    return failing.clearFailingRecords(this.#db, connection, kind, sageKeys);
  }

  async stageDeactivations(rows: readonly deactivations.StageDeactivationInput[]) {
    return deactivations.stageDeactivations(this.#db, rows);
  }
  async listPendingDeactivations(connection: string, kind: EntityKind, runId: string) {
    return deactivations.listPendingDeactivations(this.#db, connection, kind, runId);
  }
  async holdDeactivations(connection: string, runId: string, kind: EntityKind, sageKeys: readonly string[]) {
    return deactivations.holdDeactivations(this.#db, connection, runId, kind, sageKeys);
  }
  async clearPendingDeactivations(connection: string, kind: EntityKind, sageKeys: readonly string[]) {
    return deactivations.clearPendingDeactivations(this.#db, connection, kind, sageKeys);
  }
  async dropStagedDeactivations(connection: string, runId: string, kind: EntityKind) {
    return deactivations.dropStagedDeactivations(this.#db, connection, runId, kind);
  }
  async getLinksByAssignarIds(connection: string, kind: EntityKind, assignarIds: readonly string[]) {
    return links.getLinksByAssignarIds(this.#db, connection, kind, assignarIds);
  }
  async upsertLinks(rows: readonly links.LinkInput[]) {
    return links.upsertLinks(this.#db, rows);
  }
  async listLinks(connection: string, kind: EntityKind, options: links.ListLinksOptions) {
    return links.listLinks(this.#db, connection, kind, options);
  }
  async markLinks(connection: string, kind: EntityKind, sageKeys: readonly string[], mark: links.LinkMark) {
    return links.markLinks(this.#db, connection, kind, sageKeys, mark);
  }
  async linkCounts(connection: string) {
    return links.linkCounts(this.#db, connection);
  }

  async getWatermark(connection: string, kind: string, stream: string) {
    return watermarks.getWatermark(this.#db, connection, kind, stream);
  }
  async setWatermark(input: watermarks.WatermarkInput) {
    const [written] = await watermarks.setWatermarks(this.#db, [input]);
    return written!;
  }
  async setWatermarks(inputs: readonly watermarks.WatermarkInput[]) {
    return watermarks.setWatermarks(this.#db, inputs);
  }
  async listWatermarks(connection: string) {
    return watermarks.listWatermarks(this.#db, connection);
  }

  async startRun(input: runs.StartRunInput) {
    return runs.startRun(this.#db, input);
  }
  async finishRun(runId: string, input: runs.FinishRunInput) {
    return runs.finishRun(this.#db, runId, input);
  }
  async getRun(runId: string) {
    return runs.getRun(this.#db, runId);
  }
  async listRuns(options?: runs.ListRunsOptions) {
    return runs.listRuns(this.#db, options);
  }

  async recordOutcomes(rows: readonly outcomes.RecordOutcomeInput[]) {
    return outcomes.recordOutcomes(this.#db, rows);
  }
  async outcomeCounts(runId: string) {
    return outcomes.outcomeCounts(this.#db, runId);
  }
  async listOutcomes(runId: string, options?: outcomes.ListOutcomesOptions) {
    return outcomes.listOutcomes(this.#db, runId, options);
  }

  async getOutcomes(runId: string, kind: RecordKind, recordKeys: readonly string[]) {
    return outcomes.getOutcomes(this.#db, runId, kind, recordKeys);
  }

  async endStaleRun(runId: string, input: runs.FinishRunInput) {
    return runs.endStaleRun(this.#db, runId, input);
  }
  async currentOutcomes(connection: string, options?: outcomes.CurrentOutcomesOptions) {
    return outcomes.currentOutcomes(this.#db, connection, options);
  }
  async currentOutcomeCounts(connection: string) {
    return outcomes.currentOutcomeCounts(this.#db, connection);
  }
  async getWriterLease(connection: string) {
    return leases.getWriterLease(this.#db, connection);
  }
  async acquireWriterLease(input: leases.WriterLeaseInput) {
    return leases.acquireWriterLease(this.#db, input);
  }
  async takeOverWriterLease(connection: string, fromRunId: string, to: leases.WriterLeaseInput) {
    return leases.takeOverWriterLease(this.#db, connection, fromRunId, to);
  }
  async releaseWriterLease(connection: string, runId: string) {
    return leases.releaseWriterLease(this.#db, connection, runId);
  }
  async getQueueLease(connection: string) {
    return queueLeases.getQueueLease(this.#db, connection);
  }
  async claimQueueLease(input: queueLeases.QueueLeaseClaim) {
    return queueLeases.claimQueueLease(this.#db, input);
  }
  async releaseQueueLease(connection: string, holder: string) {
    return queueLeases.releaseQueueLease(this.#db, connection, holder);
  }

  async planExportGroups(plans: readonly exportGroups.ExportGroupPlan[]) {
    return exportGroups.planExportGroups(this.#db, plans);
  }
  async getExportGroups(connection: string, groupKeys: readonly string[]) {
    return exportGroups.getExportGroups(this.#db, connection, groupKeys);
  }
  async listExportGroups(connection: string, options: exportGroups.ListExportGroupsOptions) {
    return exportGroups.listExportGroups(this.#db, connection, options);
  }
  async markExportGroups(connection: string, groupKeys: readonly string[], mark: exportGroups.ExportGroupMark) {
    return exportGroups.markExportGroups(this.#db, connection, groupKeys, mark);
  }
  async confirmExportGroups(connection: string, confirmations: readonly exportGroups.ExportGroupConfirmation[], options?: { runId?: string | null }) {
    return exportGroups.confirmExportGroups(this.#db, connection, confirmations, options);
  }
  async exportsOfTimesheets(connection: string, assignarTimesheetIds: readonly string[]) {
    return exportGroups.exportsOfTimesheets(this.#db, connection, assignarTimesheetIds);
  }
  async holdTimesheets(rows: readonly exportGroups.HoldTimesheetInput[]) {
    return exportGroups.holdTimesheets(this.#db, rows);
  }
  async releaseHeldTimesheets(connection: string, assignarTimesheetIds: readonly string[]) {
    return exportGroups.releaseHeldTimesheets(this.#db, connection, assignarTimesheetIds);
  }
  async listHeldTimesheets(connection: string, options: exportGroups.ListHeldTimesheetsOptions) {
    return exportGroups.listHeldTimesheets(this.#db, connection, options);
  }
  async stageExportCandidates(rows: readonly candidates.ExportCandidateInput[]) {
    return candidates.stageExportCandidates(this.#db, rows);
  }
  async listCandidateWorkers(connection: string, runId: string, options: { afterUserId?: string | null; limit: number }) {
    return candidates.listCandidateWorkers(this.#db, connection, runId, options);
  }
  async getExportCandidates(connection: string, runId: string, assignarUserIds: readonly string[]) {
    return candidates.getExportCandidates(this.#db, connection, runId, assignarUserIds);
  }
  async releaseHoldsNotStaged(connection: string, runId: string) {
    return candidates.releaseHoldsNotStaged(this.#db, connection, runId);
  }
  async clearExportCandidates(connection: string, which: { runId: string } | { exceptRunId: string }) {
    return candidates.clearExportCandidates(this.#db, connection, which);
  }

  async upsertTrueupPlan(connection: string, trueupId: string, generation: number, items: readonly trueup.TrueupPlanItemInput[]) {
    return trueup.upsertTrueupPlan(this.#db, this.flavor, connection, trueupId, generation, items);
  }
  async resolveUnseenTrueupItems(connection: string, trueupId: string, generation: number) {
    return trueup.resolveUnseenTrueupItems(this.#db, connection, trueupId, generation);
  }
  async approveTrueupItems(connection: string, trueupId: string, selector: trueup.TrueupApproveSelector, by?: string) {
    return trueup.approveTrueupItems(this.#db, connection, trueupId, selector, by);
  }
  async rejectTrueupItems(connection: string, trueupId: string, itemIds: readonly string[], by?: string, reason?: string) {
    return trueup.rejectTrueupItems(this.#db, connection, trueupId, itemIds, by, reason);
  }
  async listTrueupItems(connection: string, trueupId: string, options: trueup.ListTrueupItemsOptions) {
    return trueup.listTrueupItems(this.#db, connection, trueupId, options);
  }
  async getTrueupItems(connection: string, trueupId: string, itemIds: readonly string[]) {
    return trueup.getTrueupItems(this.#db, connection, trueupId, itemIds);
  }
  async listApprovedTrueupItems(connection: string, trueupId: string, options: { afterItemId?: string; limit: number }) {
    return trueup.listApprovedTrueupItems(this.#db, connection, trueupId, options);
  }
  async markTrueupItems(connection: string, trueupId: string, itemIds: readonly string[], mark: trueup.TrueupItemMark) {
    return trueup.markTrueupItems(this.#db, connection, trueupId, itemIds, mark);
  }
  async trueupCounts(connection: string, trueupId: string) {
    return trueup.trueupCounts(this.#db, connection, trueupId);
  }

  async recordConsoleAction(input: consoleActions.ConsoleActionInput) {
    return consoleActions.recordConsoleAction(this.#db, input);
  }
  async listConsoleActions(connection: string, options: consoleActions.ListConsoleActionsOptions) {
    return consoleActions.listConsoleActions(this.#db, connection, options);
  }

  async addSageUsage(rows: readonly usage.SageUsageInput[]) {
    return usage.addSageUsage(this.#db, rows);
  }
  async listSageUsage(options: { fromDay: string; toDay: string; connection?: string }) {
    return usage.listSageUsage(this.#db, options);
  }
  async claimNotifications(claims: readonly usage.NotificationClaim[]) {
    return usage.claimNotifications(this.#db, claims);
  }
  async releaseNotifications(eventKeys: readonly string[]) {
    return usage.releaseNotifications(this.#db, eventKeys);
  }

  async appliedMigrations() {
    if (!this.#handle) throw new Error(`the ledger at ${this.location} is closed`);
    return appliedMigrations(this.#handle.opened);
  }

  close(): Promise<void> {
    if (!this.#closing) {
      const handle = this.#handle;
      this.#handle = undefined;
      this.#closing = handle ? handle.release() : Promise.resolve();
    }
    return this.#closing;
  }
}

/**
 * One better-sqlite3 connection per file per process, shared by every Ledger opened on it. Two
 * connections in one thread would deadlock on SQLite's write lock (the synchronous driver blocks the
 * thread for the busy timeout while the lock holder waits for that same thread); one shared connection
 * serialises statements through Kysely instead. Other processes wait on the busy timeout as usual.
 */
const sharedSqlite = new Map<string, { refs: number; ready: Promise<OpenedDatabase> }>();

async function acquireSqlite(file: string): Promise<Handle> {
  if (file === ':memory:') {
    const opened = openSqlite(file);
    await migrateToLatest(opened).catch(async (err) => {
      await opened.destroy();
      throw err;
    });
    return { opened, release: () => opened.destroy() };
  }
  const key = path.resolve(file);
  let entry = sharedSqlite.get(key);
  if (!entry) {
    const ready = (async () => {
      const opened = openSqlite(key);
      try {
        await migrateToLatest(opened);
        return opened;
      } catch (err) {
        await opened.destroy();
        throw err;
      }
    })();
    entry = { refs: 0, ready };
    sharedSqlite.set(key, entry);
  }
  entry.refs += 1;
  const held = entry;
  const drop = async (): Promise<void> => {
    held.refs -= 1;
    if (held.refs > 0) return;
    if (sharedSqlite.get(key) === held) sharedSqlite.delete(key);
    await (await held.ready).destroy();
  };
  let opened: OpenedDatabase;
  try {
    opened = await held.ready;
  } catch (err) {
    held.refs -= 1;
    if (sharedSqlite.get(key) === held) sharedSqlite.delete(key);
    throw err;
  }
  return { opened, release: drop };
}

/**
 * Opens the ledger: PostgreSQL when `databaseUrl` is given, else SQLite at `sqlitePath`. Brings the
 * schema up to date first (safe when several processes open it at once).
 */
export async function openLedger(options: OpenLedgerOptions = {}): Promise<Ledger> {
  if (options.databaseUrl) {
    const opened = await openPostgres(options.databaseUrl, { schema: options.schema, maxConnections: options.maxConnections });
    try {
      await migrateToLatest(opened);
    } catch (err) {
      await opened.destroy();
      throw err;
    }
    return new LedgerImpl({ opened, release: () => opened.destroy() });
  }
  return new LedgerImpl(await acquireSqlite(options.sqlitePath ?? DEFAULT_SQLITE_PATH));
}

/**
 * The ledger options of the running service: DATABASE_URL when set (its tables in DATABASE_SCHEMA when that is
 * set, else the connection's current schema), else the configured SQLite file.
 */
export function ledgerOptionsFromEnv(config: { ledger: { sqlitePath: string } }, env: NodeJS.ProcessEnv = process.env): OpenLedgerOptions {
  if (!env.DATABASE_URL) return { sqlitePath: config.ledger.sqlitePath };
  return { databaseUrl: env.DATABASE_URL, ...(env.DATABASE_SCHEMA ? { schema: env.DATABASE_SCHEMA } : {}) };
}
