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

/**
 * One Sage Intacct TIMESHEET the export creates: an employee-week's (or one Assignar timesheet's) approved
 * lines, under a deterministic key (migration 0006).
 */
export interface ExportGroupsTable {
  connection: string;
  /** `exportGroupKey()`: sha256 hex of connection, employee, week and the timesheets with their versions. */
  group_key: string;
  /** Deterministic `controlid` of the Sage create function (sent with uniqueid=true). */
  control_id: string;
  /** Sage Intacct EMPLOYEEID. */
  employee_id: string;
  /** First day of the week, YYYY-MM-DD (the TIMESHEET's BEGINDATE). */
  week_start: string;
  /** planned | sent | confirmed | processed | failed | superseded */
  state: string;
  /** RECORDNO of the Sage Intacct TIMESHEET once confirmed (a replacement shares the one it replaced). */
  sage_record_no: string | null;
  /** JSON array of the lines, exactly as sent. */
  lines: string;
  total_minutes: number;
  /** The confirmed group whose Sage timesheet this correction replaces (an update is a complete replace). */
  replaces_group_key: string | null;
  /** Why it failed (or was superseded), for the operator. */
  reason: string | null;
  run_id: string | null;
  /** How many times it was sent. */
  attempts: number;
  created_at: string;
  updated_at: string;
}

/** Which Assignar timesheet, in which approved version, went into which export group (migration 0006). */
export interface ExportGroupTimesheetsTable {
  connection: string;
  group_key: string;
  assignar_timesheet_id: string;
  /** The approved version: Assignar's modified_time, as text exactly as the group key used it. */
  version: string;
  /** The timesheet's minutes in this group. */
  minutes: number;
}

/** An approved timesheet the export could not send, and why; gone once it exports (migration 0006). */
export interface HeldTimesheetsTable {
  connection: string;
  assignar_timesheet_id: string;
  version: string;
  reason: string;
  /** JSON value (e.g. both versions of a correction held for an operator). */
  details: string | null;
  run_id: string;
  /** When it was first held (kept while it stays held). */
  held_at: string;
  updated_at: string;
}

/** An approved timesheet one export run read and will plan (migration 0007); dropped when the run ends. */
export interface ExportCandidatesTable {
  connection: string;
  run_id: string;
  assignar_timesheet_id: string;
  /** '' when the timesheet names no worker. */
  assignar_user_id: string;
  version: string;
  /** approved | corrections */
  stream: string;
  /** JSON: the timesheet as read. */
  body: string;
  created_at: string;
}

/** One item of a connection's true-up plan (migration 0008; the shapes are src/contracts/trueup.ts). */
export interface TrueupItemsTable {
  connection: string;
  trueup_id: string;
  /** Deterministic per finding (`worker:link:<assignarId>:<recordNo>`): the same item on every re-diff. */
  item_id: string;
  kind: string;
  /** link | overwrite | accept | recreate | deactivate-duplicate | deactivate-orphan | create-in-sage | leave */
  action: string;
  /** proposed | approved | rejected | withdrawn | applied | verified | failed | resolved */
  state: string;
  /** 0–1 for matches; null where nothing is guessed. */
  confidence: number | null;
  sage_key: string | null;
  sage_id: string | null;
  assignar_id: string | null;
  /** One line for the operator. */
  summary: string;
  /** JSON array of Evidence (field, sage, assignar, same). */
  evidence: string;
  /** Hash of what the item would do; an approval is for this hash only. */
  content_hash: string;
  /** The hash the operator approved (kept when a re-diff withdraws the approval). */
  approved_hash: string | null;
  /** Why it failed, was withdrawn, rejected, resolved or is left. */
  reason: string | null;
  /** The last diff that saw the item. */
  generation: number;
  decided_by: string | null;
  decided_at: string | null;
  applied_at: string | null;
  verified_at: string | null;
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

/** One action an operator took from the console, with who and when (migration 0009). */
export interface ConsoleActionsTable {
  action_id: string;
  connection: string;
  /** The operator token's name; `local` on a loopback address. */
  who: string;
  action: string;
  /** JSON object: what was asked. */
  details: string;
  /** ok | failed */
  result: string;
  message: string | null;
  at: string;
}

/** One row per connection: the worker process polling its API task queue (migration 0011). */
export interface QueueLeasesTable {
  connection: string;
  holder: string;
  acquired_at: string;
  expires_at: string;
}

/** Sage Intacct API transactions per connection per UTC day (migration 0010). */
export interface SageUsageTable {
  connection: string;
  day: string;
  /** bigint: PostgreSQL returns it as a string. */
  transactions: number | string;
}

/** Webhook events already sent, one row each (migration 0010). */
export interface NotificationsSentTable {
  event_key: string;
  connection: string;
  event: string;
  sent_at: string;
}

export interface Database {
  links: LinksTable;
  failing_records: FailingRecordsTable;
  pending_deactivations: PendingDeactivationsTable;
  watermarks: WatermarksTable;
  runs: RunsTable;
  record_outcomes: RecordOutcomesTable;
  export_groups: ExportGroupsTable;
  export_group_timesheets: ExportGroupTimesheetsTable;
  held_timesheets: HeldTimesheetsTable;
  export_candidates: ExportCandidatesTable;
  trueup_items: TrueupItemsTable;
  writer_leases: WriterLeasesTable;
  queue_leases: QueueLeasesTable;
  console_actions: ConsoleActionsTable;
  sage_usage: SageUsageTable;
  notifications_sent: NotificationsSentTable;
}
