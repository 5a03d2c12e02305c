import type { ConnectionConfig } from '../config';
import type { PreflightCheck } from '../contracts/preflight';
import { parseUtcOffset, type SageClient } from '../sage';

const ID = 'sage.timezone';

function hoursApart(a: string, b: string): string {
  const h = Math.abs(parseUtcOffset(a) - parseUtcOffset(b)) / 60;
  return `${h} hour${h === 1 ? '' : 's'}`;
}

/**
 * Which time-zone offset Sage Intacct timestamps (WHENMODIFIED, filters on it) are read and written in,
 * and where it comes from: `sage.userTimeZoneOffset`, else the offset of the session timestamps Sage
 * Intacct sends for the web-services user (followed response by response, so daylight saving time too).
 * A configured offset the gateway contradicts is a warning: every change-since filter would be off by
 * the difference, missing changes for hours after each watermark or reading them twice.
 * Asked after sign-in, so the gateway has reported its offset; costs no request.
 */
export function timeZoneCheck(connection: ConnectionConfig, sage: SageClient): PreflightCheck {
  const s = connection.sage;
  const configured = s.userTimeZoneOffset;
  const reported = sage.gatewayTimeZoneOffset();
  const user = `web-services user "${s.userId}"`;
  if (configured === undefined && reported === undefined) {
    return {
      id: ID,
      system: 'sage',
      status: 'fail',
      title: 'The time-zone offset of Sage Intacct timestamps is unknown',
      detail: `sage.userTimeZoneOffset is not set and Sage Intacct sent no session timestamp to learn it from.`,
      action: `Set sage.userTimeZoneOffset in the configuration to the time-zone preference of ${user} (e.g. -06:00).`,
    };
  }
  if (configured === undefined) {
    return {
      id: ID,
      system: 'sage',
      status: 'ok',
      title: `Sage Intacct timestamps are read in UTC${reported}, the offset Sage Intacct reports for ${user}`,
      detail: 'sage.userTimeZoneOffset is not set: the offset of each response’s session timestamp is followed, daylight saving time included.',
    };
  }
  if (reported === undefined) {
    return {
      id: ID,
      system: 'sage',
      status: 'ok',
      title: `Sage Intacct timestamps are read in UTC${configured}, from sage.userTimeZoneOffset`,
      detail: 'Sage Intacct reported no offset to compare it with.',
    };
  }
  if (parseUtcOffset(configured) === parseUtcOffset(reported)) {
    return {
      id: ID,
      system: 'sage',
      status: 'ok',
      title: `Sage Intacct timestamps are read in UTC${configured}, from sage.userTimeZoneOffset (Sage Intacct reports the same)`,
    };
  }
  return {
    id: ID,
    system: 'sage',
    status: 'warn',
    title: `sage.userTimeZoneOffset (${configured}) differs from the offset Sage Intacct reports for ${user} (${reported})`,
    detail:
      `Timestamps are read and written in ${configured}, the configured offset, but Sage Intacct renders them for this user in ${reported}: ` +
      `changes since a watermark would be looked for ${hoursApart(configured, reported)} off, so some would be missed or read again.`,
    action:
      `Remove sage.userTimeZoneOffset from the configuration to follow the offset Sage Intacct reports (daylight saving time included), ` +
      `or set it to ${reported}; or, if ${configured} is right, correct the time-zone preference of ${user} in Sage Intacct.`,
  };
}
