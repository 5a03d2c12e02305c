/**
 * The ledger's tables as Kysely sees them. Column conventions, identical on SQLite and PostgreSQL:
 * - Timestamps are ISO-8601 UTC text of one fixed shape (`2024-05-01T06:00:00.000Z`, as
 *   `Date#toISOString` writes it), never native date types: both databases then store, compare and sort
 *   them the same way (lexicographic order is chronological order), and values round-trip unchanged.
 * - JSON columns are text written with `JSON.stringify` and validated with zod when read back (see
 *   values.ts), so both databases return exactly what was written.
 * - Booleans are integers 0/1 (SQLite has no boolean type).
 * - On PostgreSQL every text column uses the "C" collation, so keyset paging on text keys orders bytewise
 *   exactly as SQLite's default BINARY collation does.
 * - Enumerations (statuses, outcomes) are checked in code, not with CHECK constraints: adding a value to
 *   a CHECK on SQLite means rebuilding the table.
 */

/** A Sage record whose last outcome was `failed`, re-read by every sync until it lands (migration 0004). */
export interface FailingRecordsTable {
  connection: string;
  kind: string;
  sage_key: string;
  sage_id: string | null;
  reason: string;
  /** 1 when Assignar refused the write for good (a 400). */
  refused: number;
  content_hash: string | null;
  depends_on: string | null;
  run_id: string;
  failed_at: string;
}

/** A deactivation staged by a run, or held by the mass-change guard for an operator. */
export interface PendingDeactivationsTable {
  connection: string;
  run_id: string;
  kind: string;
  sage_key: string;
  reason: string;
  /** staged | held */
  state: string;
  created_at: string;
}

/** A Sage Intacct record ↔ Assignar record pair. */
export interface LinksTable {
  connection: string;
  kind: string;
  /** Sage Intacct RECORDNO, as text. */
  sage_key: string;
  /** The readable Sage Intacct ID (EMPLOYEEID, CUSTOMERID, …; PROJECTID:TASKID for tasks). */
  sage_id: string;
  /** Assignar's id (an integer on the wire), as decimal text. */
  assignar_id: string;
  /** Canonical hash of the payload last written to Assignar; null when nothing was written yet. */
  content_hash: string | null;
  /** Assignar's modified_time observed right after our last write (drift = a later one). */
  assignar_modified_at: string | null;
  /** JSON of the payload last written to Assignar (see migration 0002). */
  payload: string | null;
  status: string;
  /** Why the link is held / drifted / deactivated, for the operator. */
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface WatermarksTable {
  connection: string;
  kind: string;
  /** Which change stream: 'modified', 'created', 'audit', … */
  stream: string;
  /** Position reached, ISO-8601 UTC. */
  watermark: string;
  /** Optional finer position (e.g. the last RECORDNO at `watermark`). */
  cursor: string | null;
  updated_at: string;
}

export interface RunsTable {
  run_id: string;
  connection: string;
  workflow_type: string;
  /** Temporal workflow id, when the run is a workflow run. */
  workflow_id: string | null;
  dry_run: number;
  started_at: string;
  finished_at: string | null;
  status: string;
  /** JSON object. */
  summary: string | null;
  error: string | null;
}

export interface RecordOutcomesTable {
  run_id: string;
  connection: string;
  kind: string;
  /** Sage key (RECORDNO) for Sage-side records; Assignar id for Assignar-side ones (timesheets, drift). */
  record_key: string;
  sage_id: string | null;
  assignar_id: string | null;
  outcome: string;
  reason: string | null;
  /** JSON value. */
  details: string | null;
  at: string;
}

export interface TimesheetExportsTable {
  connection: string;
  assignar_timesheet_id: string;
  /** The Sage Intacct timesheet this one is part of (e.g. employee + week). */
  group_key: string;
  /** Deterministic `controlid` of the Sage create function (sent with uniqueid=true). */
  control_id: string | null;
  /** RECORDNO of the Sage Intacct TIMESHEET once created. */
  sage_record_no: string | null;
  state: string;
  reason: string | null;
  run_id: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
}

export interface TrueupItemsTable {
  connection: string;
  trueup_id: string;
  item_id: string;
  kind: string;
  action: string;
  status: string;
  /** JSON value: what the item will change, as the plan shows it. */
  payload: string;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

/** The run chain allowed to write to a connection: at most one row per connection (migration 0005). */
export interface WriterLeasesTable {
  connection: string;
  workflow_id: string;
  workflow_type: string;
  /** The holder's ledger run id (the first Temporal run id of its chain). */
  run_id: string;
  acquired_at: string;
}

export interface Database {
  links: LinksTable;
  failing_records: FailingRecordsTable;
  pending_deactivations: PendingDeactivationsTable;
  watermarks: WatermarksTable;
  runs: RunsTable;
  record_outcomes: RecordOutcomesTable;
  timesheet_exports: TimesheetExportsTable;
  trueup_items: TrueupItemsTable;
  writer_leases: WriterLeasesTable;
}
