// Pure (no Node.js APIs): the workflow bundle uses it for activity summaries (src/observability/activity-summary.ts).

/**
 * The keys an operator filters activity log lines on. They come from the activity's input, so a line says
 * which connection, run, entity and page it belongs to without each call site repeating them.
 */
export interface LogKeys {
  connection?: string;
  run?: string;
  entity?: string;
  page?: string;
  record?: string;
  trueup?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The log keys of an activity input (activities take one object argument): `connection`, `runId`, the entity
 * (`kind`, a Sage `object`, or the kinds), the page (`cursor`; `first` for a first page) and the true-up.
 */
export function logKeysOfInput(input: unknown): LogKeys {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return {};
  const a = input as Record<string, unknown>;
  const keys: LogKeys = {};
  const connection = text(a.connection);
  if (connection) keys.connection = connection;
  const run = text(a.runId);
  if (run) keys.run = run;
  const entity = text(a.kind) ?? text(a.object) ?? text(a.stream) ?? (Array.isArray(a.kinds) && a.kinds.every((k) => typeof k === 'string') ? (a.kinds as string[]).join(',') || undefined : undefined);
  if (entity) keys.entity = entity;
  if ('cursor' in a) keys.page = text(a.cursor) ?? (a.cursor === null ? 'first' : undefined);
  if (keys.page === undefined) delete keys.page;
  const trueup = text(a.trueupId);
  if (trueup) keys.trueup = trueup;
  return keys;
}
