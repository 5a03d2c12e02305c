/**
 * Optional persistence (`dataFile`): the tenant's tables in one JSON file, so a second `npm start` sees
 * the same Assignar tenant. Loaded at start when the file exists (instead of seeding); saved shortly
 * after any API write (atomically: temp file + rename) and on close.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isResourceName, RESOURCE_NAMES, Store, type Row } from './store';

const FORMAT = 'assignar-sandbox/1';

interface DataFile {
  format: string;
  savedAt: string;
  tables: Record<string, Row[]>;
  sequences: { activityEntryIds: number; assetEntryIds: number; relatedAssetEntryIds: number };
}

export function loadStore(file: string): Store | undefined {
  if (!fs.existsSync(file)) return undefined;
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as DataFile;
  if (data.format !== FORMAT) throw new Error(`${file} is not an Assignar sandbox data file (format ${String(data.format)})`);
  const store = new Store(data.sequences);
  for (const [name, rows] of Object.entries(data.tables ?? {})) {
    if (!isResourceName(name)) continue;
    for (const row of rows) store.table(name).insert(row);
  }
  return store;
}

export function saveStore(file: string, store: Store): void {
  const data: DataFile = {
    format: FORMAT,
    savedAt: new Date().toISOString(),
    tables: Object.fromEntries(RESOURCE_NAMES.map((n) => [n, store.table(n).all()])),
    sequences: { activityEntryIds: store.activityEntryIds.current, assetEntryIds: store.assetEntryIds.current, relatedAssetEntryIds: store.relatedAssetEntryIds.current },
  };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data));
  fs.renameSync(tmp, file);
}

/** Saves `delayMs` after the last write request, coalescing bursts; `flush` saves now if anything is pending. */
export class SaveScheduler {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(private readonly save: () => void, private readonly delayMs = 500) {}

  changed(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    this.save();
  }
}
