import { badRequest, notFound } from './errors';
import { Prng } from '../prng';
import { isActive } from './resources/common';
import { DEMO_ADMIN_ID } from './seeds/demo';
import type { Row, Store } from './store';
import { hhmm, toNaive } from './time';
import { isApproved, visibleTimesheet, type ActivityEntryRow, type AssetEntryRow } from './timesheets';

/**
 * `POST /_sandbox/simulate/timesheet-edits`: supervisors correcting timesheets after approval, as the
 * API then shows them. Each chosen approved timesheet (processed or not) is changed in one way (an
 * entry runs longer or shorter, an entry is added, an entry's activity is recoded, or its equipment
 * time changes) and approved again: it keeps its approved status, its changed entries get a new
 * `modified_at`, and the timesheet a new `modified_time` (after the previous one and after
 * `processed_at`). TimesheetExpanded has no version field, so `modified_time` is the only marker.
 *
 * Processing: the reference documents no way to undo `PUT /timesheets/{id}/process` and says nothing
 * about edits resetting it, so by default a processed timesheet stays processed (`is_processed`,
 * `processed_at` unchanged): the correction shows only as `modified_time` later than `processed_at`
 * (`is_processed=true&modified_time__gt_col=processed_at`). `unprocess: true` models a tenant where a
 * correction reopens the timesheet for export instead (is_processed false, processed_at/by cleared).
 *
 * Deterministic for a given seed, tenant data and `at`.
 */

export const EDIT_KINDS = ['extend', 'shorten', 'add-entry', 'recode', 'equipment'] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

export interface EditOptions {
  /** These timesheets (each must be visible and approved). */
  ids?: number[];
  /** Else this many approved timesheets, chosen by the seed; default 5. */
  count?: number;
  /** Only processed (true) or only unprocessed (false) candidates; default either. Not with ids. */
  processed?: boolean;
  /** The kinds of correction to choose from; default all. */
  kinds?: EditKind[];
  /** When the supervisor edits (ISO-8601); default now. Each modified_time is at least a minute after the previous one and processed_at. */
  at?: string;
  /** A processed timesheet that is edited becomes unprocessed again (default false: it stays processed). */
  unprocess?: boolean;
  /** PRNG seed; default 1. */
  seed?: number;
}

export interface EditRecord {
  id: number;
  user_id: number;
  /** The local work date (`submitted_date`; an edit never moves the start). */
  date: string;
  kind: EditKind;
  status: string;
  minutesBefore: number;
  minutesAfter: number;
  assetMinutesBefore: number;
  assetMinutesAfter: number;
  wasProcessed: boolean;
  is_processed: boolean;
  modified_time_before: string;
  modified_time: string;
}

export interface EditResult {
  edited: number;
  ids: number[];
  edits: EditRecord[];
}

const KEYS = new Set(['ids', 'count', 'processed', 'kinds', 'at', 'unprocess', 'seed']);
const WEIGHTS: Record<EditKind, number> = { extend: 35, shorten: 25, 'add-entry': 20, recode: 10, equipment: 10 };
const MINUTE = 60_000;

function check(input: EditOptions) {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw badRequest('options must be an object');
  for (const k of Object.keys(input)) if (!KEYS.has(k)) throw badRequest(`unknown option ${k}; one of ${[...KEYS].join(', ')}`);
  const { ids, count, processed, kinds, at, unprocess, seed } = input;
  if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0 || ids.length > 100_000 || !ids.every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0))) {
    throw badRequest('ids must be a non-empty array of timesheet ids');
  }
  if (ids !== undefined && (count !== undefined || processed !== undefined)) throw badRequest('give ids, or count/processed, not both');
  if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1_000_000)) throw badRequest('count must be an integer from 1 to 1000000');
  if (processed !== undefined && typeof processed !== 'boolean') throw badRequest('processed must be true or false');
  if (unprocess !== undefined && typeof unprocess !== 'boolean') throw badRequest('unprocess must be true or false');
  if (kinds !== undefined && (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => (EDIT_KINDS as readonly string[]).includes(k)))) {
    throw badRequest(`kinds must be a non-empty array of ${EDIT_KINDS.join(', ')}`);
  }
  if (at !== undefined && (typeof at !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(at) || Number.isNaN(Date.parse(at)))) {
    throw badRequest('at must be an ISO-8601 date-time with a zone (e.g. 2025-03-12T15:00:00Z)');
  }
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1)) throw badRequest('seed must be an integer from 0 to 2147483647');
  return { ids: ids ? [...new Set(ids)] : undefined, count: count ?? 5, processed, kinds: [...new Set(kinds ?? EDIT_KINDS)], at, unprocess: unprocess === true, seed: seed ?? 1 };
}

const iso = (ms: number) => new Date(ms).toISOString();
const sum = (xs: Array<{ duration: number }>) => xs.reduce((s, x) => s + x.duration, 0);

/**
 * Spreads each asset entry's minutes over the activity entries in start order (as the app links them),
 * keeping the ids of existing (entry, asset entry) links and stamping links whose minutes changed.
 */
function relink(entries: ActivityEntryRow[], assets: AssetEntryRow[], store: Store, stamp: string): void {
  const order = [...entries].sort((a, b) => Date.parse(a.start_at) - Date.parse(b.start_at));
  const old = new Map(entries.map((e) => [e.id, e.related]));
  for (const e of entries) e.related = [];
  for (const a of assets) {
    let left = a.duration;
    for (const e of order) {
      if (left <= 0) break;
      const used = e.related.reduce((s, r) => s + r.minutes, 0);
      const take = Math.min(left, e.duration - used);
      if (take <= 0) continue;
      left -= take;
      const prev = old.get(e.id)?.find((r) => r.asset_entry_id === a.id);
      e.related.push(
        prev
          ? { ...prev, minutes: take, modified_at: prev.minutes === take ? prev.modified_at : stamp }
          : { id: store.relatedAssetEntryIds.next(), asset_entry_id: a.id, minutes: take, created_at: stamp, modified_at: stamp },
      );
    }
  }
}

export function simulateTimesheetEdits(store: Store, input: EditOptions, now: () => string): EditResult {
  const o = check(input ?? {});
  const rng = new Prng(o.seed);
  const table = store.table('timesheets');
  let chosen: Row[];
  if (o.ids) {
    chosen = o.ids.map((id) => {
      const row = table.get(id);
      if (!row || !visibleTimesheet(row)) throw notFound('Timesheet', id);
      if (!isApproved(row.status)) throw badRequest(`Timesheet ${id} is not approved (${String(row.status)})`);
      if (!hasEntries(row)) throw badRequest(`Timesheet ${id} has no activity entries to edit`);
      return row;
    });
  } else {
    const candidates = table.all().filter((r) => visibleTimesheet(r) && isApproved(r.status) && hasEntries(r) && (o.processed === undefined || (r.is_processed === true) === o.processed));
    chosen = rng.shuffle(candidates).slice(0, o.count);
  }
  chosen.sort((a, b) => a.id - b.id);
  const activities = store.table('activities').all().filter(isActive);
  const machines = store.table('assets').all().filter(isActive);
  const atMs = Date.parse(o.at ?? now());
  const edits: EditRecord[] = [];

  for (const row of chosen) {
    const entries = ((row._activity_entries as ActivityEntryRow[] | undefined) ?? []).map((e) => ({ ...e, related: e.related.map((r) => ({ ...r })) }));
    const assets = ((row._asset_entries as AssetEntryRow[] | undefined) ?? []).map((a) => ({ ...a }));
    const before = { minutes: sum(entries), assets: sum(assets), modified: String(row.modified_time ?? ''), processed: row.is_processed === true };
    const floor = Math.max(Date.parse(before.modified) || 0, Date.parse(String(row.processed_at ?? '')) || 0) + MINUTE;
    const stampMs = Math.max(atMs, floor);
    const stamp = iso(stampMs);
    const approverId = typeof row._approver_id === 'number' ? row._approver_id : DEMO_ADMIN_ID;
    const approver = store.table('users').get(approverId);

    // What can be done to this sheet; a kind that cannot falls back to extend.
    const possible = (k: EditKind) =>
      k === 'extend' || k === 'add-entry'
        ? entries.length > 0 && (k === 'extend' || activities.length > 0)
        : k === 'shorten'
          ? entries.some((e) => e.duration >= 30)
          : k === 'recode'
            ? entries.length > 0 && activities.length > 1
            : entries.length > 0 && (assets.length > 0 || machines.length > 0);
    const allowed = o.kinds.filter(possible);
    const kind: EditKind = allowed.length ? rng.weighted(allowed.map((k) => [k, WEIGHTS[k]] as const)) : 'extend';
    const byEnd = [...entries].sort((a, b) => Date.parse(a.end_at) - Date.parse(b.end_at));
    const last = byEnd[byEnd.length - 1];
    const delta = rng.pick([15, 30, 45, 60]);

    switch (kind) {
      case 'extend':
        last.end_at = iso(Date.parse(last.end_at) + delta * MINUTE);
        last.duration += delta;
        last.modified_at = stamp;
        break;
      case 'shorten': {
        const e = rng.pick(entries.filter((x) => x.duration >= 30));
        const cut = Math.min(delta, e.duration - 15);
        e.end_at = iso(Date.parse(e.end_at) - cut * MINUTE);
        e.duration -= cut;
        e.modified_at = stamp;
        break;
      }
      case 'add-entry': {
        const minutes = rng.pick([30, 45, 60, 90, 120]);
        const start = Date.parse(last.end_at);
        entries.push({
          id: store.activityEntryIds.next(),
          activity_id: rng.pick(activities).id,
          start_at: iso(start),
          end_at: iso(start + minutes * MINUTE),
          tz: last.tz,
          duration: minutes,
          created_at: stamp,
          modified_at: stamp,
          created_by_id: approverId,
          related: [],
        });
        break;
      }
      case 'recode': {
        const e = rng.pick(entries);
        e.activity_id = rng.pick(activities.filter((a) => a.id !== e.activity_id)).id;
        e.modified_at = stamp;
        break;
      }
      case 'equipment': {
        const total = sum(entries);
        if (assets.length) {
          // The operator used the machine for part of the shift only, or longer than first booked.
          const a = assets[0];
          const canLonger = !a.uses_whole_shift && a.duration + delta <= total;
          const canShorter = a.duration - delta >= 15;
          const longer = canLonger && (!canShorter || rng.chance(0.5));
          if (longer || canShorter) a.duration += longer ? delta : -delta;
          a.uses_whole_shift = false;
          a.end_at = iso(Date.parse(a.start_at) + a.duration * MINUTE);
          a.modified_at = stamp;
        } else {
          const first = [...entries].sort((x, y) => Date.parse(x.start_at) - Date.parse(y.start_at))[0];
          const minutes = Math.min(total, rng.pick([60, 120, 180, 240]));
          assets.push({
            id: store.assetEntryIds.next(),
            asset_id: rng.pick(machines).id,
            start_at: first.start_at,
            end_at: iso(Date.parse(first.start_at) + minutes * MINUTE),
            tz: first.tz,
            duration: minutes,
            uses_whole_shift: false,
            created_at: stamp,
            modified_at: stamp,
            created_by_id: approverId,
          });
        }
        break;
      }
    }

    // Equipment time stays within the labour time: a whole-shift asset follows the shift.
    const order = [...entries].sort((a, b) => Date.parse(a.start_at) - Date.parse(b.start_at));
    const total = sum(entries);
    for (const a of assets) {
      const was = a.duration;
      if (a.uses_whole_shift) {
        a.start_at = order[0].start_at;
        a.end_at = byEndOf(entries).end_at;
        a.duration = total;
      } else if (a.duration > total) {
        a.duration = total;
        a.end_at = iso(Date.parse(a.start_at) + total * MINUTE);
      }
      if (a.duration !== was) a.modified_at = stamp;
    }
    relink(entries, assets, store, stamp);

    const lastEnd = byEndOf(entries);
    const tz = order[0].tz;
    const unprocess = o.unprocess && before.processed;
    table.update(row.id, {
      _activity_entries: entries,
      _asset_entries: assets,
      start_datetime: order[0].start_at,
      end_datetime: lastEnd.end_at,
      start_time: toNaive(new Date(order[0].start_at), tz).slice(11, 16),
      end_time: toNaive(new Date(lastEnd.end_at), lastEnd.tz).slice(11, 16),
      total_time: hhmm(total),
      modified_time: stamp,
      modified_by: String(approver?.username ?? row.modified_by ?? 'office.admin'),
      ...(unprocess ? { is_processed: false, processed_at: null, processed_by_id: null } : {}),
    });
    edits.push({
      id: row.id,
      user_id: row.user_id as number,
      date: String(row.submitted_date),
      kind,
      status: String(row.status),
      minutesBefore: before.minutes,
      minutesAfter: total,
      assetMinutesBefore: before.assets,
      assetMinutesAfter: sum(assets),
      wasProcessed: before.processed,
      is_processed: row.is_processed === true,
      modified_time_before: before.modified,
      modified_time: stamp,
    });
  }
  return { edited: edits.length, ids: edits.map((e) => e.id), edits };
}

function hasEntries(row: Row): boolean {
  return ((row._activity_entries as ActivityEntryRow[] | undefined) ?? []).length > 0;
}

function byEndOf(entries: ActivityEntryRow[]): ActivityEntryRow {
  return entries.reduce((a, b) => (Date.parse(b.end_at) > Date.parse(a.end_at) ? b : a));
}
