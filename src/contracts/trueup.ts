import { z } from 'zod';
import { EntityKindSchema } from '../config/schema';

/**
 * The true-up (issue 10): a durable, operator-approved reconciliation of one connection. Its plan lives in
 * the ledger (`trueup_items`), never in workflow state, so a 10,000-worker tenant fits; the workflow
 * carries counts and cursors. These schemas are the contract between the workflow, its activities, the
 * CLI and (later) the console.
 */

/** What an item proposes. Proposals never write; only approved items are applied. */
export const TRUEUP_ACTIONS = [
  /** An Assignar record with no link matches a Sage Intacct record: link them (the next sync writes Sage's values). */
  'link',
  /** A linked record edited in Assignar: write Sage Intacct's values over it. */
  'overwrite',
  /** A held link: take Assignar's values as the new baseline (nothing written). */
  'accept',
  /** A Sage Intacct record missing in Assignar (never created, or deleted there): create it. */
  'recreate',
  /** A second Assignar record for a Sage Intacct record that has its match: deactivate it. */
  'deactivate-duplicate',
  /** An Assignar record whose Sage Intacct record is inactive, out of scope or gone: deactivate it. */
  'deactivate-orphan',
  /** An Assignar worker with no Sage Intacct employee (go-live): create the employee with its contact, then link. */
  'create-in-sage',
  /** Nothing can be done safely (conflicting keys, an office user, …): the reason says what a person must do. */
  'leave',
] as const;
export const TrueupActionSchema = z.enum(TRUEUP_ACTIONS);
export type TrueupAction = z.infer<typeof TrueupActionSchema>;

/**
 * An item's life: proposed → approved (or rejected) → applied → verified; failed (with the reason, retried
 * when approved again); withdrawn = its approval was taken back because a re-diff changed the item (the
 * operator is told and approves again); resolved = a re-diff no longer finds it (fixed elsewhere).
 */
export const TRUEUP_ITEM_STATES = ['proposed', 'approved', 'rejected', 'withdrawn', 'applied', 'verified', 'failed', 'resolved'] as const;
export const TrueupItemStateSchema = z.enum(TRUEUP_ITEM_STATES);
export type TrueupItemState = z.infer<typeof TrueupItemStateSchema>;

export const TRUEUP_PHASES = ['planning', 'awaiting-approval', 'applying', 'verifying', 'done', 'cancelled'] as const;
export const TrueupPhaseSchema = z.enum(TRUEUP_PHASES);
export type TrueupPhase = z.infer<typeof TrueupPhaseSchema>;

/** One field compared between the two systems. */
export const EvidenceSchema = z.object({
  field: z.string(),
  sage: z.string().nullable(),
  assignar: z.string().nullable(),
  same: z.boolean(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/** A plan item as the ledger keeps it and `status` shows it. */
export const TrueupItemSchema = z.object({
  /** Deterministic: the same finding gets the same id on every re-diff (`worker:link:<assignarId>:<recordNo>`). */
  itemId: z.string(),
  kind: EntityKindSchema,
  action: TrueupActionSchema,
  state: TrueupItemStateSchema,
  /** 0–1 for matches (link, duplicates); null where nothing is guessed. */
  confidence: z.number().min(0).max(1).nullable(),
  sageKey: z.string().nullable(),
  sageId: z.string().nullable(),
  assignarId: z.string().nullable(),
  /** One line for the operator: what the item does and why. */
  summary: z.string(),
  evidence: z.array(EvidenceSchema),
  /** Hash of what the item would do (action, keys, evidence): an approval is for this hash only. */
  contentHash: z.string(),
  approvedHash: z.string().nullable(),
  /** Why it failed, was withdrawn, or is left. */
  reason: z.string().nullable(),
});
export type TrueupItem = z.infer<typeof TrueupItemSchema>;

const itemIds = z.array(z.string().min(1)).min(1).max(10_000);

/** `approve`: everything proposed, every item of one action, every match at or above a confidence, or listed items. */
export const ApproveSchema = z
  .object({
    all: z.literal(true).optional(),
    action: TrueupActionSchema.optional(),
    minConfidence: z.number().min(0).max(1).optional(),
    items: itemIds.optional(),
    /** Who approved (the console's token name, the CLI user); recorded with the approval. */
    by: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((a) => [a.all, a.action, a.minConfidence, a.items].filter((x) => x !== undefined).length >= 1, 'give one of all, action, minConfidence or items');
export type ApproveInput = z.input<typeof ApproveSchema>;

export const RejectSchema = z.object({ items: itemIds, by: z.string().min(1).max(200).optional(), reason: z.string().max(500).optional() }).strict();
export type RejectInput = z.input<typeof RejectSchema>;

/** What the `approveItems` update answers: how many were approved, and each listed item that could not be. */
export const ApproveResultSchema = z.object({
  approved: z.number().int().nonnegative(),
  errors: z.array(z.object({ itemId: z.string(), reason: z.string() })),
});
export type ApproveResult = z.infer<typeof ApproveResultSchema>;

export const TrueupInputSchema = z
  .object({
    connection: z.string().min(1),
    /** Entity kinds to reconcile, workers first; default every enabled kind. */
    entities: z.array(EntityKindSchema).min(1).optional(),
    /** While waiting for the operator, diff both systems again this often. */
    rediffSeconds: z.number().int().min(1).default(6 * 3600),
    /** Record a reminder outcome this often while items wait for a decision. */
    reminderSeconds: z.number().int().min(1).default(24 * 3600),
    /** After an approval, wait this long for more before applying (approvals in a burst apply together). */
    applyDelaySeconds: z.number().int().min(0).default(30),
    /** Items per apply wave (one activity). */
    waveSize: z.number().int().min(1).max(2000).default(500),
    /** Waits (re-diffs, reminders, waves) per workflow run before continue-as-new. */
    eventsPerRun: z.number().int().min(1).max(1000).default(100),
    waitForWriterSeconds: z.number().int().min(0).max(24 * 3600).default(1800),
  })
  .strict();
export type TrueupInput = z.input<typeof TrueupInputSchema>;

/** Counts per action per state, as `status` shows them. */
export const TrueupCountsSchema = z.record(z.string(), z.partialRecord(TrueupItemStateSchema, z.number().int().nonnegative()));
export type TrueupCounts = z.infer<typeof TrueupCountsSchema>;

export const TrueupStatusSchema = z.object({
  workflow: z.literal('trueUp'),
  connection: z.string(),
  trueupId: z.string(),
  phase: TrueupPhaseSchema,
  paused: z.boolean(),
  startedAt: z.string(),
  /** The diff the plan reflects (1, 2, … one per re-diff). */
  generation: z.number().int().nonnegative(),
  lastDiffAt: z.string().nullable(),
  counts: TrueupCountsSchema,
  /** Items whose approval a re-diff withdrew since the operator last looked: approve them again. */
  withdrawn: z.number().int().nonnegative(),
  /** The first items waiting for a decision (proposed or withdrawn), with evidence. */
  page: z.array(TrueupItemSchema),
  notices: z.array(z.string()),
});
export type TrueupStatus = z.infer<typeof TrueupStatusSchema>;
