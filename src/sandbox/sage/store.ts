/**
 * The sandbox's in-memory database: one table per object, records keyed by RECORDNO with a unique-key index,
 * stored lean (empty fields omitted, timestamps as ISO UTC strings) and immutable (an update replaces the
 * object, so a readByQuery cursor holding records sees a consistent snapshot). Writes go through a journal
 * so a function or a `transaction="true"` operation can be rolled back; deletes leave an AUDITHISTORY row.
 */
import { OBJECTS, type ObjectDef } from './catalog';
import { isoSeconds } from './time';

/** A stored record: field → value, '' values omitted; RECORDNO always present. */
export type Rec = Readonly<Record<string, string>>;

interface Table {
  def: ObjectDef;
  rows: Map<number, Rec>;
  keyIndex: Map<string, number>;
  nextRecordNo: number;
  sorted: Rec[] | null;
}

interface JournalEntry {
  table: Table;
  recordNo: number;
  before: Rec | undefined;
  nextRecordNo: number;
}

export class SageStore {
  private readonly tables = new Map<string, Table>();
  private journal: JournalEntry[] = [];
  private marks: number[] = [];
  /** Bumped on every change (persistence saves when it moves). */
  version = 0;

  constructor(private readonly clock: () => number = Date.now) {
    this.clear();
  }

  now(): string {
    return isoSeconds(this.clock());
  }

  clear(): void {
    this.tables.clear();
    for (const def of Object.values(OBJECTS)) {
      this.tables.set(def.name, { def, rows: new Map(), keyIndex: new Map(), nextRecordNo: 1, sorted: null });
    }
    this.journal = [];
    this.marks = [];
    this.version++;
  }

  /** Every stored record by object (lean form), for persistence. */
  dump(): Record<string, Rec[]> {
    return Object.fromEntries([...this.tables.values()].map((t) => [t.def.name, this.all(t.def.name) as Rec[]]));
  }

  private table(object: string): Table {
    const t = this.tables.get(object);
    if (!t) throw new Error(`Unknown object ${object}`);
    return t;
  }

  /** The unique-key string of a record (e.g. `P-0001\u0001T-1` for a TASK). */
  keyOf(object: string, rec: Readonly<Record<string, string>>): string {
    return this.table(object).def.uniqueKey.map((k) => rec[k] ?? '').join('\u0001');
  }

  // ---- transactions -------------------------------------------------------------------------------

  /** Starts a (possibly nested) unit of work. */
  begin(): void {
    this.marks.push(this.journal.length);
  }

  commit(): void {
    this.marks.pop();
    if (this.marks.length === 0) this.journal = [];
  }

  rollback(): void {
    const mark = this.marks.pop() ?? 0;
    while (this.journal.length > mark) {
      const e = this.journal.pop()!;
      this.setRow(e.table, e.recordNo, e.before, false);
      e.table.nextRecordNo = e.nextRecordNo;
    }
  }

  private setRow(t: Table, recordNo: number, rec: Rec | undefined, journal = true): void {
    const before = t.rows.get(recordNo);
    if (journal && this.marks.length > 0) this.journal.push({ table: t, recordNo, before, nextRecordNo: t.nextRecordNo });
    if (before) {
      const key = this.keyOf(t.def.name, before);
      if (t.keyIndex.get(key) === recordNo) t.keyIndex.delete(key);
    }
    if (rec) {
      t.rows.set(recordNo, rec);
      t.keyIndex.set(this.keyOf(t.def.name, rec), recordNo);
    } else {
      t.rows.delete(recordNo);
    }
    t.sorted = null;
    this.version++;
  }

  // ---- reads --------------------------------------------------------------------------------------

  /** Every record of the object, by RECORDNO ascending (cached until the next write). */
  all(object: string): readonly Rec[] {
    const t = this.table(object);
    if (!t.sorted) t.sorted = [...t.rows.values()].sort((a, b) => Number(a.RECORDNO) - Number(b.RECORDNO));
    return t.sorted;
  }

  count(object: string): number {
    return this.table(object).rows.size;
  }

  get(object: string, recordNo: number | string): Rec | undefined {
    return this.table(object).rows.get(Number(recordNo));
  }

  /** The record with this unique key (field values of the object's uniqueKey). */
  findByKey(object: string, keyValues: Readonly<Record<string, string>>): Rec | undefined {
    const t = this.table(object);
    const no = t.keyIndex.get(this.keyOf(object, keyValues));
    return no === undefined ? undefined : t.rows.get(no);
  }

  /** Records whose ID field equals the value (several for TASK, whose TASKID is unique per project only). */
  findById(object: string, id: string): Rec[] {
    const t = this.table(object);
    if (t.def.uniqueKey.length === 1 && t.def.uniqueKey[0] === t.def.idField) {
      const rec = t.def.idField === 'RECORDNO' ? t.rows.get(Number(id)) : this.findByKey(object, { [t.def.idField]: id });
      return rec ? [rec] : [];
    }
    return this.all(object).filter((r) => (r[t.def.idField] ?? '') === id);
  }

  // ---- writes -------------------------------------------------------------------------------------

  private lean(fields: Readonly<Record<string, string>>, recordNo: number): Rec {
    const rec: Record<string, string> = { RECORDNO: String(recordNo) };
    for (const [k, v] of Object.entries(fields)) if (k !== 'RECORDNO' && v !== '' && v !== undefined && v !== null) rec[k] = v;
    return Object.freeze(rec);
  }

  /** Inserts a new record with the next RECORDNO, stamping WHENCREATED/WHENMODIFIED (if the object has them). */
  insert(object: string, fields: Readonly<Record<string, string>>): Rec {
    const t = this.table(object);
    const recordNo = t.nextRecordNo;
    const stamped = { ...fields };
    if (t.def.fieldMap.has('WHENCREATED')) stamped.WHENCREATED = this.now();
    if (t.def.fieldMap.has('WHENMODIFIED')) stamped.WHENMODIFIED = this.now();
    const rec = this.lean(stamped, recordNo);
    this.setRow(t, recordNo, rec);
    t.nextRecordNo = recordNo + 1;
    return rec;
  }

  /** Loads a record as given (seeds): keeps its RECORDNO (or assigns one) and its timestamps. */
  load(object: string, fields: Readonly<Record<string, string>>): Rec {
    const t = this.table(object);
    const recordNo = fields.RECORDNO ? Number(fields.RECORDNO) : t.nextRecordNo;
    const existing = this.findByKey(object, fields);
    if (existing && Number(existing.RECORDNO) !== recordNo) this.setRow(t, Number(existing.RECORDNO), undefined);
    const rec = this.lean(fields, recordNo);
    this.setRow(t, recordNo, rec);
    t.nextRecordNo = Math.max(t.nextRecordNo, recordNo + 1);
    return rec;
  }

  /** Replaces a record's fields (an update), bumping WHENMODIFIED. */
  replace(object: string, recordNo: number, fields: Readonly<Record<string, string>>): Rec {
    const t = this.table(object);
    const stamped = { ...fields };
    if (t.def.fieldMap.has('WHENMODIFIED')) stamped.WHENMODIFIED = this.now();
    const rec = this.lean(stamped, recordNo);
    this.setRow(t, recordNo, rec);
    return rec;
  }

  /** Changes derived fields without counting as an edit of the record (WHENMODIFIED stays): a join's view. */
  patchQuietly(object: string, recordNo: number, fields: Readonly<Record<string, string>>): void {
    const t = this.table(object);
    const existing = t.rows.get(recordNo);
    if (existing) this.setRow(t, recordNo, this.lean({ ...existing, ...fields }, recordNo));
  }

  /**
   * Deletes a record and (unless `audit` is false, as for a timesheet's own lines) writes its AUDITHISTORY
   * row: OBJECTTYPE the lower-case object, OBJECTKEY `<RECORDNO>--REC`, ACCESSMODE D, ACCESSTIME now.
   */
  remove(object: string, recordNo: number, userId: string, source: 'W' | 'U', audit = true): Rec | undefined {
    const t = this.table(object);
    const before = t.rows.get(recordNo);
    if (!before) return undefined;
    this.setRow(t, recordNo, undefined);
    if (audit && object !== 'AUDITHISTORY') {
      this.insert('AUDITHISTORY', {
        OBJECTTYPE: object.toLowerCase(),
        OBJECTKEY: `${recordNo}--REC`,
        OBJECTDESC: t.def.idField === 'RECORDNO' ? String(recordNo) : before[t.def.idField] ?? '',
        ACCESSMODE: 'D',
        ACCESSTIME: this.now(),
        USERID: userId,
        SOURCE: source,
      });
    }
    return before;
  }

  /** Record counts per object. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.tables.values()].map((t) => [t.def.name, t.rows.size]));
  }
}
