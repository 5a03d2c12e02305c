import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import type { Logger as PinoLogger } from 'pino';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** Temporal's activity-info names, shortened to the service's log keys where they mean the same thing. */
function fields(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (v === undefined || k === 'taskToken') continue;
    // pino's error serializer (type, message, stack) applies to `err`.
    if (k === 'error' || k === 'failure') out.err = v;
    else out[k] = v;
  }
  return out;
}

/**
 * The Temporal Runtime's logger, writing through pino: the SDK's own lines, the workflow logger's (`log` from
 * @temporalio/workflow, delivered through the SDK's sink after each activation, never on replay) and the
 * activity logger's (`log` from @temporalio/activity), each with the workflow or activity it came from.
 */
export class TemporalPinoLogger implements Logger {
  constructor(private readonly pino: PinoLogger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    // A connection's API task queue is served by an activity-only worker on purpose (src/temporal/connection-queues.ts).
    const expected = level === 'WARN' && message.startsWith('No workflows registered');
    this.pino[expected ? 'debug' : (PINO_LEVEL[level] ?? 'info')](fields(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
