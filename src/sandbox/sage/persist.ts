/**
 * Optional persistence (`dataFile`): the sandbox's records and uniqueid history in one JSON file, so a
 * second `npm start` sees the same tenant. Loaded at start when the file exists (instead of seeding);
 * saved shortly after any request that changed data (atomically: temp file + rename) and on close.
 */
import fs from 'node:fs';
import path from 'node:path';
import { objectDef } from './catalog';
import type { SageSandboxCore } from './core';

const FORMAT = 'sage-intacct-sandbox/1';

interface DataFile {
  format: string;
  savedAt: string;
  records: Record<string, Array<Record<string, string>>>;
  completedControlIds: string[];
}

export class Persistence {
  private savedVersion = -1;
  /** How many completed controlids the last save held (a uniqueid function may complete without a data change). */
  private savedControlIds = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly file: string, private readonly core: SageSandboxCore, private readonly delayMs = 300) {}

  /** Loads the file if it exists; returns whether it did. */
  load(): boolean {
    if (!fs.existsSync(this.file)) return false;
    const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as DataFile;
    if (data.format !== FORMAT) throw new Error(`${this.file} is not a Sage Intacct sandbox data file (format ${String(data.format)})`);
    this.core.reset();
    for (const [object, list] of Object.entries(data.records ?? {})) {
      if (!objectDef(object)) continue;
      for (const rec of list) this.core.store.load(object, rec);
    }
    for (const id of data.completedControlIds ?? []) this.core.completedControlIds.add(id);
    this.savedVersion = this.core.store.version;
    this.savedControlIds = this.core.completedControlIds.size;
    return true;
  }

  /** Call after a request: saves soon if the data changed since the last save. */
  changed(): void {
    if ((this.core.store.version === this.savedVersion && this.core.completedControlIds.size === this.savedControlIds) || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.delayMs);
    this.timer.unref();
  }

  save(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const version = this.core.store.version;
    const controlIds = this.core.completedControlIds.size;
    if (version === this.savedVersion && controlIds === this.savedControlIds) return;
    const data: DataFile = {
      format: FORMAT,
      savedAt: new Date().toISOString(),
      records: this.core.store.dump() as DataFile['records'],
      completedControlIds: [...this.core.completedControlIds],
    };
    fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, this.file);
    this.savedVersion = version;
    this.savedControlIds = controlIds;
  }
}
