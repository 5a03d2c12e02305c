/**
 * readByQuery cursors for readMore. A cursor holds the matching records as they were when the query ran
 * (records are immutable, so later writes do not disturb it) and hands out the next page on each readMore,
 * by `resultId` or — as the API also allows — by `object` (the latest cursor on that object).
 */
import type { FieldDef, ObjectDef } from './catalog';
import { Prng } from '../prng';
import type { Rec } from './store';

export interface ResultSet {
  id: string;
  def: ObjectDef;
  fields: readonly FieldDef[];
  rows: readonly Rec[];
  position: number;
  pageSize: number;
  owner: string;
}

const MAX_OPEN = 500;

export class ResultSets {
  private readonly sets = new Map<string, ResultSet>();
  private readonly latestByObject = new Map<string, string>();
  private readonly rng = new Prng(0x7e5017);

  open(owner: string, def: ObjectDef, fields: readonly FieldDef[], rows: readonly Rec[], pageSize: number): ResultSet {
    const id = `${this.rng.token(10)}-${this.rng.token(23)}`;
    const set: ResultSet = { id, def, fields, rows, position: 0, pageSize, owner };
    this.sets.set(id, set);
    this.latestByObject.set(`${owner}\u0001${def.name}`, id);
    while (this.sets.size > MAX_OPEN) this.close(this.sets.keys().next().value as string);
    return set;
  }

  get(id: string): ResultSet | undefined {
    return this.sets.get(id);
  }

  latestFor(owner: string, object: string): ResultSet | undefined {
    const id = this.latestByObject.get(`${owner}\u0001${object}`);
    return id ? this.sets.get(id) : undefined;
  }

  /** The next page of a cursor; a cursor that is used up is closed. */
  nextPage(set: ResultSet): { rows: readonly Rec[]; remaining: number } {
    const rows = set.rows.slice(set.position, set.position + set.pageSize);
    set.position += rows.length;
    const remaining = set.rows.length - set.position;
    if (remaining <= 0) this.close(set.id);
    return { rows, remaining };
  }

  close(id: string): void {
    const set = this.sets.get(id);
    this.sets.delete(id);
    if (set && this.latestByObject.get(`${set.owner}\u0001${set.def.name}`) === id) this.latestByObject.delete(`${set.owner}\u0001${set.def.name}`);
  }

  clear(): void {
    this.sets.clear();
    this.latestByObject.clear();
  }
}
