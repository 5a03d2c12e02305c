import { z } from 'zod';

export const PreflightInputSchema = z.object({ connection: z.string().min(1) }).strict();
export type PreflightInput = z.infer<typeof PreflightInputSchema>;

export const PreflightCheckSchema = z.object({
  /** Stable identifier, e.g. `sage.auth` or `sage.glgroup.Equipment`. */
  id: z.string(),
  system: z.enum(['sage', 'assignar']),
  status: z.enum(['ok', 'warn', 'fail']),
  title: z.string(),
  detail: z.string().optional(),
  /** What the operator should do when the check is not ok. */
  action: z.string().optional(),
});
export type PreflightCheck = z.infer<typeof PreflightCheckSchema>;

export const PreflightHalfSchema = z.object({
  checks: z.array(PreflightCheckSchema),
  /** Sage: active records each entity would bring over. Assignar: records already in the tenant. */
  counts: z.record(z.string(), z.number()),
});
export type PreflightHalf = z.infer<typeof PreflightHalfSchema>;

export const PreflightReportSchema = z.object({
  connection: z.string(),
  ok: z.boolean(),
  checkedAt: z.string(),
  sage: PreflightHalfSchema,
  assignar: PreflightHalfSchema,
});
export type PreflightReport = z.infer<typeof PreflightReportSchema>;
