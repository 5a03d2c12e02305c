import type { SageCallOptions } from './client-types';
import { buildLookup, buildRead, MAX_KEYS_PER_FUNCTION } from './functions';
import type { SageGateway } from './gateway';
import { validateRecords, type SageRecordFor, type SageValidated } from './records';
import type { SageRawRecord } from './response';
import { chunk, malformed } from './result-values';

/** Reads by RECORDNO (`read`) and `lookup`. */
export class SageReads {
  constructor(private readonly g: SageGateway) {}

  /** `read` by RECORDNO. Keys that do not exist simply return no record. */
  async read<O extends string>(object: O, recordNos: readonly string[], fields?: readonly string[], opts: SageCallOptions = {}): Promise<SageValidated<SageRecordFor<O>>> {
    if (recordNos.length === 0) return { records: [], rejected: [] };
    const f = this.g.readFields(object, fields);
    // Up to 100 keys per function, all functions in one request.
    const results = await this.g.execute(chunk(recordNos, MAX_KEYS_PER_FUNCTION).map((c) => buildRead(object, c, f)), { uniqueId: false, signal: opts.signal });
    const raws: SageRawRecord[] = [];
    for (const r of results) {
      if (r.error) throw r.error;
      raws.push(...(r.data?.records ?? []));
    }
    return validateRecords(object, raws, this.g.requireOffset());
  }

  /** `lookup`: the object's definition (`<Type>` with Fields and Relationships) as parsed. */
  async lookup(object: string, opts: SageCallOptions = {}): Promise<SageRawRecord> {
    const r = await this.g.executeOne(buildLookup(object), { uniqueId: false }, { signal: opts.signal });
    const type = r.data?.records[0];
    if (!type) throw malformed(`lookup of ${object} returned no definition`);
    return type;
  }
}
