import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { currentLogKeys } from './log-context';

export type LogFormat = 'json' | 'pretty';
export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LoggerOptions {
  /** `json` (default): one JSON object per line, for log shippers. `pretty`: one readable line, for `dev`. */
  format?: LogFormat;
  level?: LogLevelName;
  /** Values that must never be written (the configured passwords and client secrets): replaced on the way out. */
  secrets?: readonly string[];
  /** Where lines go (default stdout). */
  out?: { write(chunk: string): unknown };
}

const REDACTED = '[redacted]';

/**
 * Secrets are never passed to the logger on purpose; this is the last line of defence for the ones that
 * could arrive by accident (an error message quoting a request, a URL with a token): every configured secret
 * value, raw or JSON-escaped, is replaced in the finished line.
 */
function scrubbing(out: { write(chunk: string): unknown }, secrets: readonly string[]): DestinationStream {
  const needles = [...new Set(secrets.filter((s) => s.length >= 4).flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]))].sort((a, b) => b.length - a.length);
  if (needles.length === 0) return { write: (line: string) => void out.write(line) };
  return {
    write(line: string) {
      let clean = line;
      for (const n of needles) if (clean.includes(n)) clean = clean.split(n).join(REDACTED);
      out.write(clean);
    },
  };
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Keys shown first, in this order, on a pretty line; the rest follow as key=value. */
const PRETTY_KEYS = ['connection', 'run', 'entity', 'page', 'record', 'trueup', 'workflowType', 'workflowId', 'activityType', 'attempt'];
const PRETTY_SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'sdkComponent', 'namespace', 'taskQueue', 'taskToken', 'activityId', 'workflowRunId', 'runId', 'isLocal']);

function prettyValue(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** `12:00:01 WARN  message connection=demo entity=worker …`, from the JSON line pino produced. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 19) : '';
  const level = (LEVEL_NAMES[Number(o.level)] ?? String(o.level)).padEnd(5);
  const keys = [...PRETTY_KEYS.filter((k) => k in o), ...Object.keys(o).filter((k) => !PRETTY_KEYS.includes(k) && !PRETTY_SKIP.has(k))];
  const rest = keys
    .filter((k) => o[k] !== undefined && k !== 'err')
    .map((k) => `${k}=${prettyValue(o[k])}`)
    .join(' ');
  const err = o.err as { message?: string; type?: string } | undefined;
  return `${time} ${level} ${String(o.msg ?? '')}${rest ? ` ${rest}` : ''}${err?.message ? ` error=${prettyValue(err.message)}` : ''}\n`;
}

/**
 * The service's logger (pino: one JSON object per line, cheap enough for a line per page and per retry,
 * and the format log shippers read). The log keys of the current activity (connection, run, entity, page)
 * are added to every line.
 */
export function createLogger(options: LoggerOptions = {}): PinoLogger {
  const out = options.out ?? process.stdout;
  const sink = scrubbing(options.format === 'pretty' ? { write: (line: string) => out.write(prettyLine(line)) } : out, options.secrets ?? []);
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      messageKey: 'msg',
      mixin: () => ({ ...currentLogKeys() }),
      // Belt and braces: fields that would carry a secret by name never print.
      redact: { paths: ['password', '*.password', 'clientSecret', '*.clientSecret', 'authorization', '*.authorization', 'headers.authorization', 'webhookUrl', '*.webhookUrl'], censor: REDACTED },
    },
    sink,
  );
}

export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env, fallback: LogFormat = 'json'): LogFormat {
  const v = env.LOG_FORMAT?.toLowerCase();
  return v === 'pretty' || v === 'json' ? v : fallback;
}

export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env, fallback: LogLevelName = 'info'): LogLevelName {
  const v = env.LOG_LEVEL?.toLowerCase();
  return v === 'trace' || v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : fallback;
}
