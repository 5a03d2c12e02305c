/**
 * The tenant's data: one table per resource, rows keyed by integer id assigned sequentially. Rows hold
 * the resource's columns as the API names them; relation sets live under `_`-prefixed keys
 * (`_tag_ids`, `_task_ids`, ...) and are never rendered directly.
 */

export const RESOURCE_NAMES = [
  'users',
  'tasks',
  'assets',
  'clients',
  'projects',
  'orders',
  'activities',
  'timesheets',
  'user-types',
  'employment-types',
  'asset-classes',
  'tags',
] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

export type Row = { id: number } & Record<string, unknown>;

/** First id minus one, per table: distinct ranges make an id used against the wrong resource stand out. */
const ID_BASE: Record<ResourceName, number> = {
  users: 1000,
  clients: 2000,
  projects: 3000,
  tasks: 4000,
  assets: 5000,
  activities: 6000,
  orders: 7000,
  timesheets: 80000,
  'user-types': 0,
  'employment-types': 0,
  'asset-classes': 0,
  tags: 300,
};

export class Table {
  private rows = new Map<number, Row>();
  private sorted: Row[] | undefined;
  private lastId: number;

  constructor(readonly name: ResourceName) {
    this.lastId = ID_BASE[name];
  }

  get size(): number {
    return this.rows.size;
  }

  get(id: number): Row | undefined {
    return this.rows.get(id);
  }

  /** Every row in id order (a fresh array; the rows themselves are live). */
  all(): Row[] {
    this.sorted ??= [...this.rows.values()].sort((a, b) => a.id - b.id);
    return [...this.sorted];
  }

  /** Every row, in no particular order, without copying. */
  values(): IterableIterator<Row> {
    return this.rows.values();
  }

  /** Inserts a row; keeps its id if it has one (advancing the sequence past it), else takes the next. */
  insert(values: Record<string, unknown>): Row {
    const wanted = typeof values.id === 'number' && Number.isInteger(values.id) && values.id > 0 ? values.id : undefined;
    const id = wanted ?? ++this.lastId;
    if (wanted !== undefined && wanted > this.lastId) this.lastId = wanted;
    const row = { ...values, id } as Row;
    if (this.sorted && !this.rows.has(id) && (this.sorted.length === 0 || this.sorted[this.sorted.length - 1].id < id)) this.sorted.push(row);
    else this.sorted = undefined;
    this.rows.set(id, row);
    return row;
  }

  /** Merges values into a row (in place) and returns it. */
  update(id: number, values: Record<string, unknown>): Row {
    const row = this.rows.get(id);
    if (!row) throw new Error(`${this.name} ${id} does not exist`);
    Object.assign(row, values, { id });
    return row;
  }

  delete(id: number): boolean {
    this.sorted = undefined;
    return this.rows.delete(id);
  }

  /** The next id insert() would assign (for tests that want to predict ids). */
  peekNextId(): number {
    return this.lastId + 1;
  }
}

/** Sequences for ids that are not rows of a table (timesheet activity and asset entries). */
export class Sequence {
  constructor(private last: number) {}
  next(): number {
    return ++this.last;
  }
  get current(): number {
    return this.last;
  }
}

export class Store {
  readonly tables: Record<ResourceName, Table>;
  readonly activityEntryIds: Sequence;
  readonly assetEntryIds: Sequence;
  readonly relatedAssetEntryIds: Sequence;

  constructor(sequences: { activityEntryIds?: number; assetEntryIds?: number; relatedAssetEntryIds?: number } = {}) {
    this.activityEntryIds = new Sequence(sequences.activityEntryIds ?? 100000);
    this.assetEntryIds = new Sequence(sequences.assetEntryIds ?? 200000);
    this.relatedAssetEntryIds = new Sequence(sequences.relatedAssetEntryIds ?? 300000);
    this.tables = Object.fromEntries(RESOURCE_NAMES.map((n) => [n, new Table(n)])) as Record<ResourceName, Table>;
  }

  table(name: ResourceName): Table {
    return this.tables[name];
  }
}

export function isResourceName(name: string): name is ResourceName {
  return (RESOURCE_NAMES as readonly string[]).includes(name);
}

/** The integer in a path segment, or undefined if it is not a plain positive integer. */
export function parseId(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw > 0 ? raw : undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}
