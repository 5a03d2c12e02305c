import { canonicalJson, sha256Hex } from '../mapping';
import type { LocalDate } from './calendar';

export interface ExportGroupIdentity {
  connection: string;
  employeeId: string;
  /** First day of the Sage Intacct timesheet's week. */
  weekStart: LocalDate;
  /** The Assignar timesheets in the group, each with the version (modified time) that was approved. */
  timesheets: ReadonlyArray<{ id: string; version: string }>;
}

/**
 * The deterministic identity of one Sage Intacct timesheet: the same approved Assignar timesheets for the
 * same employee-week always give the same key, so a crashed or timed-out export re-sends the very same
 * function (`controlid` = this key, `uniqueid=true`) and Sage Intacct refuses a second create. A late
 * approval or a corrected version is a different set, hence a different key: never merged unseen into
 * a timesheet already created.
 */
export function exportGroupKey(g: ExportGroupIdentity): string {
  const timesheets = [...g.timesheets].map((t) => [t.id, t.version]).sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  return sha256Hex(canonicalJson({ connection: g.connection, employeeId: g.employeeId, weekStart: g.weekStart, timesheets }));
}

/** The function controlid of a group's create: short, printable, within the gateway's 1–256 characters. */
export function controlIdOf(groupKey: string): string {
  return `ts-${groupKey.slice(0, 48)}`;
}
