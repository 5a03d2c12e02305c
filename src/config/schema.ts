import { z } from 'zod';

/** Secrets are never written in the file: it names the environment variable that holds each one. */
export const SecretRefSchema = z
  .object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as SAGE_USER_PASSWORD') })
  .strict()
  .describe('a reference { env: NAME } to an environment variable; secrets are never written in the file');
export type SecretRef = z.infer<typeof SecretRefSchema>;

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as America/Chicago');

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time HH:MM');
const weekday = z.enum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']);
export type Weekday = z.infer<typeof weekday>;

export const SageConfigSchema = z
  .object({
    /** The XML gateway URL; sessions then follow the endpoint Sage Intacct returns. */
    endpoint: z.url(),
    senderId: z.string().min(1),
    senderPassword: SecretRefSchema,
    userId: z.string().min(1),
    companyId: z.string().min(1),
    userPassword: SecretRefSchema,
    /** Entity (LOCATIONID) to log in to in a multi-entity company. */
    entityId: z.string().min(1).optional(),
    /** The web-services user's time-zone offset: Sage Intacct renders and reads timestamps in it. */
    userTimeZoneOffset: z.string().regex(/^[+-]([01]\d|2[0-3]):[0-5]\d$/, 'an offset such as -06:00').optional(),
    /** Concurrent requests allowed per company (most tenants: 2). */
    concurrency: z.int().min(1).max(20).default(2),
    requestTimeoutMs: z.int().min(1000).default(120_000),
    pageSize: z.int().min(1).max(2000).default(2000),
    maxRetries: z.int().min(0).max(20).default(6),
    /** Read AUDITHISTORY for deletions; when false (not permitted), a key reconciliation finds them. */
    auditHistory: z.boolean().default(true),
    /**
     * Sage Intacct bills API transactions by the month: preflight warns when the month's usage so far plus
     * the configured schedules would exceed this, and `intacct-assignar usage` shows the projection.
     */
    monthlyTransactionBudget: z.int().positive().optional(),
  })
  .strict();
export type SageConfig = z.infer<typeof SageConfigSchema>;

export const AssignarConfigSchema = z
  .object({
    /** API base including the version, e.g. https://api.assignar.com/v2 */
    apiBase: z.url(),
    tokenUrl: z.url(),
    clientId: z.string().min(1),
    clientSecret: SecretRefSchema,
    /** The tenant's request budget; the client stays under it instead of bouncing off it. */
    requestsPerSecond: z.number().positive().max(1000).default(20),
    concurrency: z.int().min(1).max(64).default(8),
    pageSize: z.int().min(1).max(1000).default(500),
    requestTimeoutMs: z.int().min(1000).default(60_000),
    maxRetries: z.int().min(0).max(20).default(6),
  })
  .strict();
export type AssignarConfig = z.infer<typeof AssignarConfigSchema>;

export const FilterConditionSchema = z
  .object({
    field: z.string().regex(/^[A-Za-z0-9_.]+$/, 'a Sage Intacct field name such as DEPARTMENTID'),
    op: z.enum(['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'notin', 'like', 'notlike', 'isnull', 'isnotnull']),
    value: z.string().optional(),
    values: z.array(z.string()).min(1).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const needsValues = c.op === 'in' || c.op === 'notin';
    const needsNone = c.op === 'isnull' || c.op === 'isnotnull';
    if (needsValues && !c.values) ctx.addIssue({ code: 'custom', message: `op ${c.op} needs "values": [..]`, path: ['values'] });
    if (!needsValues && !needsNone && c.value === undefined) ctx.addIssue({ code: 'custom', message: `op ${c.op} needs "value"`, path: ['value'] });
  });
export type FilterCondition = z.infer<typeof FilterConditionSchema>;

/** An Assignar field set from another Sage Intacct field, or to a constant. */
export const FieldOverrideSchema = z.union([
  z.object({ from: z.string().min(1) }).strict(),
  z.object({ value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).strict(),
]);

export const ENTITY_KINDS = ['client', 'project', 'role', 'asset', 'costCode', 'worker', 'workOrder'] as const;
export const EntityKindSchema = z.enum(ENTITY_KINDS);
export type EntityKind = z.infer<typeof EntityKindSchema>;

/** What to do when an Intacct-owned Assignar record was edited, deleted or duplicated in Assignar. */
export const DriftPolicySchema = z.enum(['overwrite', 'hold']);
export type DriftPolicy = z.infer<typeof DriftPolicySchema>;

const entity = (drift: DriftPolicy) =>
  z
    .object({
      enabled: z.boolean().default(true),
      /** `active` brings only active records (the default); `all` brings inactive ones too, as inactive. */
      status: z.enum(['active', 'all']).default('active'),
      /** Extra conditions ANDed into the Sage Intacct query. */
      filter: z.array(FilterConditionSchema).default([]),
      fieldOverrides: z.record(z.string(), FieldOverrideSchema).default({}),
      drift: DriftPolicySchema.default(drift),
    })
    .strict();

export const EntitiesConfigSchema = z
  .object({
    client: entity('overwrite').prefault({}),
    project: entity('overwrite').prefault({}),
    role: entity('overwrite').prefault({}),
    asset: entity('overwrite').prefault({}),
    costCode: entity('overwrite').prefault({}),
    worker: entity('hold')
      .extend({
        departmentIds: z.array(z.string().min(1)).default([]),
        employeeTypes: z.array(z.string().min(1)).default([]),
        locationIds: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    workOrder: entity('overwrite').prefault({}),
  })
  .strict();
export type EntitiesConfig = z.infer<typeof EntitiesConfigSchema>;

export const TimesheetConfigSchema = z
  .object({
    /** One Intacct timesheet per employee per week (default), or one per Assignar timesheet. */
    grouping: z.enum(['employee-week', 'timesheet']).default('employee-week'),
    weekStartsOn: weekday.default('MON'),
    hoursDecimals: z.int().min(0).max(4).default(2),
    rounding: z.enum(['nearest', 'up', 'down']).default('nearest'),
    /** Assignar pay code → Sage Intacct time type NAME. */
    timeTypes: z.record(z.string(), z.string()).default({}),
    defaultTimeType: z.string().min(1).optional(),
    /** COSTTYPEID used for equipment (asset) time. */
    equipmentCostType: z.string().min(1).default('EQUIPMENT'),
    /** State the timesheet is created in, in Sage Intacct. */
    state: z.enum(['Draft', 'Submitted']).default('Submitted'),
    /** A shift crossing local midnight is booked on its start date (false) or split at midnight (true). */
    splitAtMidnight: z.boolean().default(false),
    /**
     * The Assignar statuses that count as approved. Default: every status starting with APPROVED
     * (APPROVED, APPROVED_WITH_PAY_RATES, …; Assignar does not document the list).
     */
    approvedStatuses: z.array(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an Assignar status in upper snake case, e.g. APPROVED')).min(1).optional(),
  })
  .strict();
export type TimesheetConfig = z.infer<typeof TimesheetConfigSchema>;

const scheduleSpec = (times: string[], days: Weekday[]) =>
  z
    .object({
      enabled: z.boolean().default(true),
      times: z.array(clockTime).min(1).default(times),
      days: z.array(weekday).min(1).default(days),
      /** How late a missed run may still start (after an outage), e.g. "1 hour". */
      catchupWindow: z.string().min(1).default('1 hour'),
    })
    .strict();

export const SchedulesConfigSchema = z
  .object({
    incrementalSync: scheduleSpec(['06:00', '12:00', '18:00'], ['MON', 'TUE', 'WED', 'THU', 'FRI']).prefault({}),
    timesheetExport: scheduleSpec(['01:00'], ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']).prefault({}),
  })
  .strict();

export const ConnectionConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'),
    /** The company's local time zone: schedules and timesheet dates are in it. */
    timeZone: timeZone.default('UTC'),
    /**
     * When true, secrets whose environment variable is unset fall back to the local sandboxes' published
     * demo credentials. Only the embedded `demo` connection sets it.
     */
    sandboxCredentials: z.boolean().default(false),
    sage: SageConfigSchema,
    assignar: AssignarConfigSchema,
    glGroups: z.object({ labor: z.string().min(1).default('Labor'), equipment: z.string().min(1).default('Equipment') }).strict().prefault({}),
    entities: EntitiesConfigSchema.prefault({}),
    timesheets: TimesheetConfigSchema.prefault({}),
    schedules: SchedulesConfigSchema.prefault({}),
    sync: z
      .object({
        /** Sage Intacct is eventually consistent: re-read this far behind the watermark. */
        lookbackMinutes: z.int().min(0).max(7 * 24 * 60).default(120),
        /**
         * Mass-change guard: a run that would deactivate more than `maxShare` of a kind's linked records
         * (and at least `minRecords` of them) deactivates none and holds them for an operator
         * (`intacct-assignar sync --confirm-deactivations`).
         */
        deactivationGuard: z
          .object({
            maxShare: z.number().min(0).max(1).default(0.1),
            minRecords: z.int().min(1).default(20),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type ConnectionConfig = z.infer<typeof ConnectionConfigSchema>;

/** A Slack-compatible incoming webhook (`{text, blocks}`), called once per event (src/notifications/). */
export const NotificationsConfigSchema = z
  .object({
    /** The URL carries its own credential: name an environment variable ({ env: NAME }) rather than writing it here. */
    webhookUrl: z.union([SecretRefSchema, z.url()]),
    /** Which events are sent (default all). */
    events: z.array(z.enum(['run-failed', 'records-failed', 'records-held', 'trueup-awaiting-approval'])).min(1).optional(),
  })
  .strict();
export type NotificationsConfig = z.infer<typeof NotificationsConfigSchema>;

export const ConfigFileSchema = z
  .object({
    connections: z.array(ConnectionConfigSchema).min(1),
    notifications: NotificationsConfigSchema.optional(),
    ledger: z
      .object({
        /** SQLite file used when DATABASE_URL is not set. */
        sqlitePath: z.string().min(1).default('.data/ledger.sqlite'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.connections.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', message: `duplicate connection id "${c.id}"`, path: ['connections', i, 'id'] });
      seen.add(c.id);
    });
  });
export type AppConfig = z.infer<typeof ConfigFileSchema>;
