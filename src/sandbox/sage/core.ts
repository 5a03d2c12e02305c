/**
 * The sandbox's state and the operations on it that do not depend on HTTP: the gateway, seeding, reset,
 * direct record access as a person in the Sage Intacct UI would have it, counters and fault knobs. The
 * HTTP server (server.ts) and the control API (control-api.ts) are thin layers over this.
 */
import { OBJECTS, SEEDED_OBJECTS, objectDef } from './catalog';
import { seededEmployeeView } from './contacts';
import { SageFunctionError } from './errors';
import { Faults, type FaultSettings, type FaultUpdate } from './faults';
import { handleGatewayRequest, type GatewayCredentials, type GatewayReply } from './gateway';
import { renderJson } from './records';
import { ResultSets } from './result-sets';
import { sageSeed, type SeedRecords, type SeedScale } from './seed';
import { SessionRegistry } from './sessions';
import { StatsCounter, type SageSandboxStats } from './stats';
import { SageStore, type Rec } from './store';
import { parseStoredTimestamp } from './time';
import { setTimesheetState } from './timesheet';
import { deleteRecord, upsertRecord, type WriteContext } from './writes';

/** Thrown by control operations for a bad request; `status` is the HTTP status to answer with. */
export class ControlError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown) {
    super(message);
  }
}

export interface CoreOptions {
  credentials: GatewayCredentials;
  offsetMinutes: number;
  clock: () => number;
  faults: FaultSettings;
  sessionEndpointUrl: () => string;
}

/** The user the control API's edits are attributed to (AUDITHISTORY USERID, as a UI user). */
const UI_USER = 'Admin';

export class SageSandboxCore {
  readonly store: SageStore;
  readonly sessions: SessionRegistry;
  readonly resultSets = new ResultSets();
  readonly stats = new StatsCounter();
  readonly faults: Faults;
  readonly completedControlIds = new Set<string>();

  constructor(private readonly opts: CoreOptions) {
    this.store = new SageStore(opts.clock);
    this.sessions = new SessionRegistry(opts.clock);
    this.faults = new Faults(opts.faults);
  }

  gateway(xml: string, onSessionPath: boolean): GatewayReply {
    return handleGatewayRequest(
      {
        store: this.store,
        sessions: this.sessions,
        resultSets: this.resultSets,
        stats: this.stats,
        faults: this.faults,
        credentials: this.opts.credentials,
        offsetMinutes: this.opts.offsetMinutes,
        clock: this.opts.clock,
        completedControlIds: this.completedControlIds,
        sessionEndpointUrl: this.opts.sessionEndpointUrl,
      },
      xml,
      onSessionPath,
    );
  }

  statsSnapshot(): SageSandboxStats {
    return this.stats.snapshot({
      cap: this.faults.settings.concurrencyCap,
      sessionsOpened: this.sessions.opened,
      activeSessions: this.sessions.active,
      records: this.store.counts(),
    });
  }

  /** Clears data, counters, uniqueid history and readByQuery cursors. Sessions and fault knobs stay. */
  reset(): void {
    this.store.clear();
    this.resultSets.clear();
    this.completedControlIds.clear();
    this.stats.reset(this.sessions.opened);
  }

  resetStats(): void {
    this.stats.reset(this.sessions.opened);
  }

  setFaults(update: FaultUpdate): { faults: FaultSettings; expiredSessions: number } {
    let settings: FaultSettings;
    try {
      settings = this.faults.update(update);
    } catch (err) {
      throw new ControlError(400, (err as Error).message);
    }
    const expiredSessions = update.expireSessions === true ? this.sessions.expireAll() : 0;
    return { faults: { ...settings }, expiredSessions };
  }

  /**
   * Loads a seed: a scale (replacing all data by default) or explicit records keyed by object (merged into
   * the data by default; `replace` clears first). Explicit records are taken as given — no business rules,
   * so a test can build any mess — with RECORDNO assigned when absent, WHENCREATED/WHENMODIFIED now when
   * absent ('' keeps them empty; ISO-8601 or MM/DD/YYYY HH:MM:SS in the user offset otherwise), STATUS
   * active/inactive (T/F accepted), and CUSTOMERNAME/PROJECTKEY derived when absent (and an EMPLOYEE's
   * CONTACTKEY and CONTACT.* fields from the CONTACT its CONTACT.CONTACTNAME names).
   */
  seed(input: SeedScale | SeedRecords, replace?: boolean): Record<string, number> {
    const records = typeof input === 'string' ? sageSeed(input) : input;
    if (replace ?? typeof input === 'string') this.reset();
    const names = Object.keys(records).map((n) => n.toUpperCase());
    for (const n of names) if (!objectDef(n)) throw new ControlError(400, `Unknown object '${n}' in seed records`);
    const ordered = [...SEEDED_OBJECTS.filter((o) => names.includes(o)), ...names.filter((n) => !(SEEDED_OBJECTS as readonly string[]).includes(n))];
    const byUpper = new Map(Object.entries(records).map(([k, v]) => [k.toUpperCase(), v]));
    const loaded: Record<string, number> = {};
    const now = this.store.now();
    this.store.begin();
    try {
      for (const object of ordered) {
        const list = byUpper.get(object);
        if (!Array.isArray(list)) throw new ControlError(400, `Seed records for ${object} must be an array`);
        list.forEach((raw, i) => this.store.load(object, this.seedRecord(object, raw, i, now)));
        loaded[object] = list.length;
      }
      this.store.commit();
    } catch (err) {
      this.store.rollback();
      throw err;
    }
    return loaded;
  }

  private seedRecord(object: string, raw: unknown, index: number, now: string): Record<string, string> {
    const def = OBJECTS[object];
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ControlError(400, `${object}[${index}] must be an object`);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      const name = k.toUpperCase();
      const field = def.fieldMap.get(name);
      if (!field) throw new ControlError(400, `${object}[${index}]: unknown field '${k}'`);
      let value = v === null || v === undefined ? '' : String(v);
      if (field.type === 'timestamp') {
        const parsed = parseStoredTimestamp(value, this.opts.offsetMinutes);
        if (parsed === undefined) throw new ControlError(400, `${object}[${index}].${name}: '${value}' is not a timestamp (ISO-8601 or MM/DD/YYYY HH:MM:SS)`);
        value = parsed;
      } else if (name === 'STATUS') {
        const map: Record<string, string> = { active: 'active', inactive: 'inactive', T: 'active', F: 'inactive', true: 'active', false: 'inactive' };
        if (value !== '' && !(value in map)) throw new ControlError(400, `${object}[${index}].STATUS must be active or inactive (got '${value}')`);
        value = map[value] ?? '';
      } else if (name === 'RECORDNO' && value !== '' && !/^\d+$/.test(value)) {
        throw new ControlError(400, `${object}[${index}].RECORDNO must be digits`);
      }
      out[name] = value;
    }
    if (def.idField !== 'RECORDNO' && !out[def.idField]) throw new ControlError(400, `${object}[${index}] needs ${def.idField}`);
    for (const k of def.uniqueKey) if (k !== 'RECORDNO' && !out[k]) throw new ControlError(400, `${object}[${index}] needs ${k}`);
    if (def.fieldMap.has('WHENCREATED') && !('WHENCREATED' in out)) out.WHENCREATED = now;
    if (def.fieldMap.has('WHENMODIFIED') && !('WHENMODIFIED' in out)) out.WHENMODIFIED = now;
    if (def.fieldMap.has('STATUS') && !out.STATUS) out.STATUS = 'active';
    if (object === 'PROJECT' && out.CUSTOMERID && !('CUSTOMERNAME' in out)) out.CUSTOMERNAME = this.store.findByKey('CUSTOMER', { CUSTOMERID: out.CUSTOMERID })?.NAME ?? '';
    if (object === 'TASK' && !('PROJECTKEY' in out)) out.PROJECTKEY = this.store.findByKey('PROJECT', { PROJECTID: out.PROJECTID })?.RECORDNO ?? '';
    if (object === 'EMPLOYEE' && out['CONTACT.CONTACTNAME']) {
      for (const [k, v] of Object.entries(seededEmployeeView(this, out['CONTACT.CONTACTNAME']) ?? {})) if (!(k in out)) out[k] = v;
    }
    return out;
  }

  private requireDef(object: string) {
    const def = objectDef(object);
    if (!def) throw new ControlError(404, `Unknown object '${object}' (known: ${Object.keys(OBJECTS).join(', ')})`);
    return def;
  }

  private render(object: string, rec: Rec): Record<string, string> {
    return renderJson(OBJECTS[object], rec, { offsetMinutes: this.opts.offsetMinutes, codes: false });
  }

  /** Every record of the object, fields as `query` returns them (STATUS active/inactive). */
  records(object: string): Array<Record<string, string>> {
    const def = this.requireDef(object);
    return this.store.all(def.name).map((r) => this.render(def.name, r));
  }

  private uiContext(): WriteContext {
    return {
      store: this.store,
      userId: UI_USER,
      source: 'U',
      timesheetPeriodDays: this.faults.settings.timesheetPeriodDays,
      timesheetQtyDecimals: this.faults.settings.timesheetQtyDecimals,
    };
  }

  /**
   * Sets a timesheet's STATE as a person in the UI would (approve, decline, submit, take back to Draft);
   * its lines follow. Approved/Declined and their partial forms need a Submitted timesheet.
   */
  setTimesheetState(recordNo: number | string, state: string): Record<string, string> {
    if (!/^\d+$/.test(String(recordNo))) throw new ControlError(400, `RECORDNO must be digits (got '${String(recordNo)}')`);
    if (!this.store.get('TIMESHEET', Number(recordNo))) throw new ControlError(404, `No TIMESHEET with RECORDNO '${String(recordNo)}'`);
    this.store.begin();
    try {
      const saved = setTimesheetState(this.uiContext(), Number(recordNo), state);
      this.store.commit();
      return this.render('TIMESHEET', saved);
    } catch (err) {
      this.store.rollback();
      if (err instanceof SageFunctionError) throw new ControlError(400, `TIMESHEET ${String(recordNo)}: ${err.message}`, err.errors);
      throw err;
    }
  }

  /** Creates or updates each record by its ID field, as a UI edit: business rules apply, WHENMODIFIED moves. */
  upsertRecords(object: string, input: unknown): Array<Record<string, string>> {
    const def = this.requireDef(object);
    const list = Array.isArray(input) ? input : [input];
    const saved: Rec[] = [];
    this.store.begin();
    try {
      list.forEach((raw, index) => {
        if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ControlError(400, `${def.name}[${index}] must be an object`);
        try {
          saved.push(upsertRecord(this.uiContext(), def.name, raw as Record<string, unknown>));
        } catch (err) {
          if (err instanceof SageFunctionError) throw new ControlError(400, `${def.name}[${index}]: ${err.message}`, err.errors);
          throw err;
        }
      });
      this.store.commit();
    } catch (err) {
      this.store.rollback();
      throw err;
    }
    return saved.map((r) => this.render(def.name, this.store.get(def.name, r.RECORDNO) ?? r));
  }

  /**
   * Deletes one record by its ID field (`by: 'RECORDNO'` to use the record number; a TASK ID needs its
   * PROJECTID when several projects use it), leaving an AUDITHISTORY row. Returns the deleted record.
   */
  deleteRecord(object: string, id: string, opts: { by?: string; projectId?: string } = {}): Record<string, string> {
    const def = this.requireDef(object);
    let matches: Rec[];
    if ((opts.by ?? '').toUpperCase() === 'RECORDNO' || def.idField === 'RECORDNO') {
      const rec = /^\d+$/.test(id) ? this.store.get(def.name, Number(id)) : undefined;
      matches = rec ? [rec] : [];
    } else {
      matches = this.store.findById(def.name, id);
      if (opts.projectId !== undefined) matches = matches.filter((r) => r.PROJECTID === opts.projectId);
    }
    if (matches.length === 0) throw new ControlError(404, `No ${def.name} with ${opts.by ?? def.idField} '${id}'`);
    if (matches.length > 1) throw new ControlError(409, `${matches.length} ${def.name} records have ${def.idField} '${id}'; add ?PROJECTID=… or ?by=RECORDNO`);
    const rendered = this.render(def.name, matches[0]);
    try {
      deleteRecord(this.uiContext(), def, Number(matches[0].RECORDNO));
    } catch (err) {
      if (err instanceof SageFunctionError) throw new ControlError(400, err.message, err.errors);
      throw err;
    }
    return rendered;
  }
}
