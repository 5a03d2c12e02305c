import { sageSeed } from '../../sage';

/**
 * The Sage Intacct sandbox's demo records, read through its exported `sageSeed` (contract: returns
 * `{EMPLOYEE:[...], CUSTOMER:[...], PROJECT:[...], ...}` with string values), so the existing-tenant
 * seed matches what the Sage sandbox serves without a copy of its data.
 */
export type SageRecords = Record<string, Array<Record<string, string>>>;

export function sageDemoRecords(): SageRecords {
  return sageSeed('demo');
}
