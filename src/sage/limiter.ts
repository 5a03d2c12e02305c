import { Semaphore } from '../http/semaphore';

/**
 * The per-company concurrency limit (reference §5: most tenants allow 2 concurrent requests). One
 * semaphore per gateway host + company id, shared by every client instance in the process, so two
 * activities of the same worker never exceed the tenant's cap between them; the strictest configured
 * limit for a company wins.
 */
const registry = new Map<string, Semaphore>();

/** The key of a company's limit: the configured gateway host plus the company id. */
export function companyLimitKey(endpoint: string, companyId: string): string {
  let host = endpoint;
  try {
    host = new URL(endpoint).host.toLowerCase();
  } catch {
    // Keep the raw endpoint: config validation has already required a URL.
  }
  return `${host}|${companyId}`;
}

/** The process-wide semaphore for a company, created on first use. */
export function companyLimiter(endpoint: string, companyId: string, limit: number): Semaphore {
  const key = companyLimitKey(endpoint, companyId);
  let sem = registry.get(key);
  if (!sem) {
    sem = new Semaphore(limit);
    registry.set(key, sem);
  } else {
    sem.lowerLimit(limit);
  }
  return sem;
}

/** Tests only (isolation between cases): forget every company's semaphore. */
export function resetCompanyLimiters(): void {
  registry.clear();
}
