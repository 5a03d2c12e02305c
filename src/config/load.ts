import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { ConfigFileSchema, type AppConfig, type ConnectionConfig } from './schema';
import { embeddedDefaultConfig } from './embedded-default';

export const CONFIG_ENV_VAR = 'INTACCT_ASSIGNAR_CONFIG';

/** Renders zod issues as "<file>: <field path>: <what is expected>", one per line. */
export function describeIssues(source: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
      return `${source}: ${field}: ${issue.message}`;
    })
    .join('\n');
}

export function parseConfig(raw: unknown, source: string): AppConfig {
  const result = ConfigFileSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`Invalid configuration:\n${describeIssues(source, result.error)}`, {
      hint: `Fix the fields named above in ${source} and run the command again.`,
    });
  }
  return result.data;
}

/**
 * Loads the configuration from `file`, else $INTACCT_ASSIGNAR_CONFIG, else the embedded default.
 * YAML and JSON are both accepted (JSON is YAML).
 */
export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const chosen = file ?? env[CONFIG_ENV_VAR];
  if (!chosen) return parseConfig(embeddedDefaultConfig(), 'embedded default configuration');
  const resolved = path.resolve(chosen);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read configuration file ${resolved}: ${(err as Error).message}`, { hint: 'Check the path given with --config or INTACCT_ASSIGNAR_CONFIG.' });
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigError(`${resolved}: not valid YAML/JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, resolved);
}

export function getConnection(config: AppConfig, id: string): ConnectionConfig {
  const found = config.connections.find((c) => c.id === id);
  if (!found) {
    throw new ConfigError(`Unknown connection "${id}"; configured: ${config.connections.map((c) => c.id).join(', ')}`, {
      hint: 'Pass --connection with one of the configured ids.',
    });
  }
  return found;
}
