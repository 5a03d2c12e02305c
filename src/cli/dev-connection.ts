import type { AppConfig, ConnectionConfig } from '../config';

/**
 * The connection dev works on. A sandbox connection is one with `sandboxCredentials: true` (its secrets fall
 * back to the sandboxes' published credentials, which only the sandboxes accept); the endpoint alone proves
 * nothing (a localhost URL may be a tunnel). Another connection only when named with --connection.
 */
export function devConnection(config: AppConfig, requested?: string): ConnectionConfig {
  if (requested) {
    const named = config.connections.find((c) => c.id === requested);
    if (!named) throw new Error(`Unknown connection "${requested}"; configured: ${config.connections.map((c) => c.id).join(', ')}`);
    return named;
  }
  const sandboxes = config.connections.filter((c) => c.sandboxCredentials);
  if (sandboxes.length === 0) {
    throw new Error(
      `dev imports into the local sandboxes and no configured connection is a sandbox one (sandboxCredentials: true): ${config.connections.map((c) => c.id).join(', ')}. Name a connection with --connection to run dev on it anyway.`,
    );
  }
  return sandboxes.find((c) => c.id === 'demo') ?? sandboxes[0];
}
