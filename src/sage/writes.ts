import type { SageWriteOptions } from './client-types';
import type { SageFunction } from './envelope';
import { buildCreate, buildDelete, buildUpdate, MAX_KEYS_PER_FUNCTION, type SageWriteRecord } from './functions';
import type { SageGateway } from './gateway';
import type { SageRawRecord } from './response';
import { chunk } from './result-values';

/** The generic writes: `create`, `update`, `delete` (under `uniqueid=true` unless told otherwise). */
export class SageWrites {
  constructor(private readonly g: SageGateway) {}

  private async write(fn: SageFunction, opts: SageWriteOptions): Promise<SageRawRecord[]> {
    const r = await this.g.executeOne(fn, { uniqueId: opts.uniqueId ?? true }, { signal: opts.signal });
    return r.data?.records ?? [];
  }

  /** Generic `create`; returns what Sage Intacct sends back per record (RECORDNO and the ID field). */
  create(object: string, records: readonly SageWriteRecord[], opts: SageWriteOptions = {}): Promise<SageRawRecord[]> {
    return this.write(buildCreate(object, records, opts.controlId), opts);
  }

  /** Generic `update` (records carry RECORDNO or the ID field). */
  update(object: string, records: readonly SageWriteRecord[], opts: SageWriteOptions = {}): Promise<SageRawRecord[]> {
    return this.write(buildUpdate(object, records, opts.controlId), opts);
  }

  /** Generic `delete` by RECORDNO (more than 100 keys go as several functions, controlids suffixed `-N`). */
  async delete(object: string, recordNos: readonly string[], opts: SageWriteOptions = {}): Promise<void> {
    if (recordNos.length === 0) return;
    const chunks = chunk(recordNos, MAX_KEYS_PER_FUNCTION);
    const fns = chunks.map((c, i) => buildDelete(object, c, opts.controlId === undefined ? undefined : chunks.length === 1 ? opts.controlId : `${opts.controlId}-${i + 1}`));
    const results = await this.g.execute(fns, { uniqueId: opts.uniqueId ?? true, signal: opts.signal });
    for (const r of results) if (r.error) throw r.error;
  }
}
