import { IllegalStateError } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { resolveSecrets, type AppConfig } from '../config';
import { createLogger, logFormatFromEnv, logLevelFromEnv, type LogFormat, type LogLevelName } from './logger';
import { freeLoopbackPort } from './metrics-server';
import { TemporalPinoLogger } from './temporal-logger';

export interface TelemetryOptions {
  /** Default LOG_FORMAT (json). `dev` passes `pretty`. */
  format?: LogFormat;
  /** Default LOG_LEVEL (info). */
  level?: LogLevelName;
  /** host:port for GET /metrics (default METRICS_ADDRESS; unset: no metrics endpoint). */
  metricsAddress?: string;
  env?: NodeJS.ProcessEnv;
  out?: { write(chunk: string): unknown };
}

export interface Telemetry {
  logger: PinoLogger;
  /** Where the service's /metrics listens (when configured). */
  metricsAddress?: string;
  /** The Temporal SDK's own Prometheus exporter (loopback), merged into /metrics. */
  sdkMetricsAddress?: string;
  /** False when something installed the Temporal Runtime first (then its logger and metrics stay as they were). */
  runtimeInstalled: boolean;
}

let installed: Promise<Telemetry> | undefined;

/** Every secret value the configuration resolves to in this environment (for the logger to scrub). */
export function configuredSecrets(config: AppConfig | undefined, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const connection of config?.connections ?? []) {
    try {
      out.push(...Object.values(resolveSecrets(connection, env)));
    } catch {
      // A missing secret fails the connection's first call with its own message, not the logger.
    }
  }
  const hook = config?.notifications?.webhookUrl;
  const url = typeof hook === 'string' ? hook : hook ? env[hook.env] : undefined;
  if (url) {
    out.push(url);
    // Its path too when long enough to be a credential (Slack's carries the token there).
    const pathname = URL.canParse(url) ? new URL(url).pathname : '';
    if (pathname.length >= 12) out.push(pathname);
  }
  return out;
}

/**
 * Once per process, before the first Temporal connection: the logger (pino; JSON lines, or readable lines in
 * `dev`) becomes the Temporal Runtime's, so the SDK's, the workflows' and the activities' lines come out the
 * same way, and the SDK's Prometheus exporter is started on a loopback port when metrics are asked for.
 * Later calls return the first result.
 */
export function installTelemetry(config: AppConfig | undefined, options: TelemetryOptions = {}): Promise<Telemetry> {
  installed ??= (async () => {
    const env = options.env ?? process.env;
    const logger = createLogger({ format: options.format ?? logFormatFromEnv(env), level: options.level ?? logLevelFromEnv(env), secrets: configuredSecrets(config, env), out: options.out });
    const metricsAddress = options.metricsAddress ?? (env.METRICS_ADDRESS || undefined);
    const sdkMetricsAddress = metricsAddress ? `127.0.0.1:${await freeLoopbackPort()}` : undefined;
    try {
      Runtime.install({
        logger: new TemporalPinoLogger(logger),
        telemetryOptions: {
          // The SDK core's own lines (connection trouble, nondeterminism) go through the same logger.
          logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
          ...(sdkMetricsAddress ? { metrics: { prometheus: { bindAddress: sdkMetricsAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } : {}),
        },
      });
      return { logger, metricsAddress, sdkMetricsAddress, runtimeInstalled: true };
    } catch (err) {
      if (!(err instanceof IllegalStateError)) throw err;
      return { logger, metricsAddress, runtimeInstalled: false };
    }
  })();
  installed.catch(() => (installed = undefined));
  return installed;
}
