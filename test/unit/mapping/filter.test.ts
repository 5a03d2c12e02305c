import {
  and,
  evaluateFilter,
  FilterNodeSchema,
  filterFields,
  inScope,
  or,
  SAGE_FILTER_OPERATORS,
  FILTER_OPS,
  scopeFilter,
  toSageQueryFilter,
  type Filter,
} from '../../../src/mapping';
import { ENTITY_KINDS } from '../../../src/config/schema';
import { employee, item, makeConfig } from './fixtures';

describe('scopeFilter: configuration → filter AST', () => {
  it('defaults: STATUS = active for every kind, plus the GL group for items', () => {
    const config = makeConfig();
    for (const kind of ['client', 'project', 'costCode', 'worker', 'workOrder'] as const) {
      expect(scopeFilter(kind, config)).toEqual({ field: 'STATUS', op: 'eq', value: 'active' });
    }
    expect(scopeFilter('role', config)).toEqual({ and: [{ field: 'STATUS', op: 'eq', value: 'active' }, { field: 'GLGROUP', op: 'eq', value: 'Labor' }] });
    expect(scopeFilter('asset', config)).toEqual({ and: [{ field: 'STATUS', op: 'eq', value: 'active' }, { field: 'GLGROUP', op: 'eq', value: 'Equipment' }] });
  });

  it("status 'all' drops the status condition; configured GL group names are used", () => {
    const config = makeConfig({
      glGroups: { labor: 'Field Labour', equipment: 'Plant & Machinery' },
      entities: { client: { status: 'all' }, role: { status: 'all' }, asset: { status: 'all' } },
    });
    expect(scopeFilter('client', config)).toBeNull();
    expect(scopeFilter('role', config)).toEqual({ field: 'GLGROUP', op: 'eq', value: 'Field Labour' });
    expect(scopeFilter('asset', config)).toEqual({ field: 'GLGROUP', op: 'eq', value: 'Plant & Machinery' });
  });

  it('worker department / employee type / location lists become IN conditions', () => {
    const config = makeConfig({ entities: { worker: { departmentIds: ['OPS', 'CIVIL'], employeeTypes: ['Field'], locationIds: ['CHI', 'DEN'] } } });
    expect(scopeFilter('worker', config)).toEqual({
      and: [
        { field: 'STATUS', op: 'eq', value: 'active' },
        { field: 'DEPARTMENTID', op: 'in', values: ['OPS', 'CIVIL'] },
        { field: 'EMPLOYEETYPE', op: 'in', values: ['Field'] },
        { field: 'LOCATIONID', op: 'in', values: ['CHI', 'DEN'] },
      ],
    });
    const onlyLocation = makeConfig({ entities: { worker: { status: 'all', locationIds: ['CHI'] } } });
    expect(scopeFilter('worker', onlyLocation)).toEqual({ field: 'LOCATIONID', op: 'in', values: ['CHI'] });
  });

  it('extra filter conditions from configuration are ANDed last, one per op family', () => {
    const config = makeConfig({
      entities: {
        project: {
          filter: [
            { field: 'PROJECTSTATUS', op: 'ne', value: 'Completed' },
            { field: 'PARENTID', op: 'isnull' },
            { field: 'CUSTOMERID', op: 'notin', values: ['C999'] },
            { field: 'NAME', op: 'like', value: 'Riverside%' },
          ],
        },
        costCode: { status: 'all', filter: [{ field: 'ACCUMULATIONTYPE', op: 'in', values: ['Labor', 'Equipment'] }] },
      },
    });
    expect(scopeFilter('project', config)).toEqual({
      and: [
        { field: 'STATUS', op: 'eq', value: 'active' },
        { field: 'PROJECTSTATUS', op: 'ne', value: 'Completed' },
        { field: 'PARENTID', op: 'isnull' },
        { field: 'CUSTOMERID', op: 'notin', values: ['C999'] },
        { field: 'NAME', op: 'like', value: 'Riverside%' },
      ],
    });
    expect(scopeFilter('costCode', config)).toEqual({ field: 'ACCUMULATIONTYPE', op: 'in', values: ['Labor', 'Equipment'] });
  });

  it('item extras combine with the GL group and the status', () => {
    const config = makeConfig({ entities: { asset: { filter: [{ field: 'ITEMTYPE', op: 'eq', value: 'Non-Inventory' }] } } });
    expect(scopeFilter('asset', config)).toEqual({
      and: [
        { field: 'STATUS', op: 'eq', value: 'active' },
        { field: 'GLGROUP', op: 'eq', value: 'Equipment' },
        { field: 'ITEMTYPE', op: 'eq', value: 'Non-Inventory' },
      ],
    });
  });

  it('every built filter is valid, plain, JSON-serialisable data', () => {
    const config = makeConfig({ entities: { worker: { departmentIds: ['OPS'] }, client: { status: 'all' } } });
    for (const kind of ENTITY_KINDS) {
      const f = scopeFilter(kind, config);
      expect(FilterNodeSchema.nullable().parse(f)).toEqual(f);
      expect(JSON.parse(JSON.stringify(f))).toEqual(f);
    }
  });
});

describe('filter AST schema and builders', () => {
  it('accepts every op in its shape and rejects malformed nodes', () => {
    expect(FilterNodeSchema.parse({ field: 'WHENMODIFIED', op: 'between', values: ['01/01/2025 00:00:00', '02/01/2025 00:00:00'] })).toBeTruthy();
    expect(FilterNodeSchema.safeParse({ field: 'X', op: 'between', values: ['a'] }).success).toBe(false);
    expect(FilterNodeSchema.safeParse({ field: 'X', op: 'in', values: [] }).success).toBe(false);
    expect(FilterNodeSchema.safeParse({ field: 'X', op: 'eq' }).success).toBe(false);
    expect(FilterNodeSchema.safeParse({ field: 'X', op: 'isnull', value: 'a' }).success).toBe(false);
    expect(FilterNodeSchema.safeParse({ field: "X' OR 1=1", op: 'eq', value: 'a' }).success).toBe(false);
    expect(FilterNodeSchema.safeParse({ and: [{ field: 'X', op: 'isnull' }] }).success).toBe(false);
    expect(FilterNodeSchema.safeParse({ or: [{ field: 'X', op: 'isnull' }, { and: [{ field: 'Y', op: 'isnull' }, { field: 'Z', op: 'eq', value: '1' }] }] }).success).toBe(true);
  });

  it('names the Sage query element of every op', () => {
    expect(Object.keys(SAGE_FILTER_OPERATORS).sort()).toEqual([...FILTER_OPS].sort());
    expect(SAGE_FILTER_OPERATORS.gte).toBe('greaterthanorequalto');
  });

  it('and/or normalise: null = no condition, single child unwrapped, nested flattened', () => {
    const a = { field: 'A', op: 'isnull' } as const;
    const b = { field: 'B', op: 'isnull' } as const;
    const c = { field: 'C', op: 'isnull' } as const;
    expect(and()).toBeNull();
    expect(and(null, undefined)).toBeNull();
    expect(and(null, a)).toEqual(a);
    expect(and(and(a, b), c)).toEqual({ and: [a, b, c] });
    expect(or(a, or(b, c))).toEqual({ or: [a, b, c] });
    expect(or(a, null)).toBeNull();
    expect(and(or(a, b), c)).toEqual({ and: [{ or: [a, b] }, c] });
    expect(filterFields(and(or(a, b), c, { field: 'A', op: 'eq', value: '1' }))).toEqual(['A', 'B', 'C']);
    expect(filterFields(null)).toEqual([]);
  });
});

describe('evaluateFilter (Sage query semantics in memory)', () => {
  const rec = { RECORDNO: '120', ID: '04', NAME: "O'Brien & Sons", EMPTY: '', DATE: '03/15/2025', WHENMODIFIED: '2025-06-01T16:00:00.000Z' };
  const ev = (f: Filter, options = {}) => evaluateFilter(f, rec, options);

  it('eq/ne/in/notin compare exact, case-sensitive text (IDs stay text)', () => {
    expect(ev({ field: 'ID', op: 'eq', value: '04' })).toBe(true);
    expect(ev({ field: 'ID', op: 'eq', value: '4' })).toBe(false);
    expect(ev({ field: 'NAME', op: 'eq', value: "o'brien & sons" })).toBe(false);
    expect(ev({ field: 'NAME', op: 'ne', value: 'x' })).toBe(true);
    expect(ev({ field: 'ID', op: 'in', values: ['03', '04'] })).toBe(true);
    expect(ev({ field: 'ID', op: 'notin', values: ['03', '04'] })).toBe(false);
  });

  it('ordered comparisons: numbers numerically, Sage dates and ISO timestamps chronologically', () => {
    expect(ev({ field: 'RECORDNO', op: 'gt', value: '99' })).toBe(true);
    expect(ev({ field: 'RECORDNO', op: 'lt', value: '1000' })).toBe(true);
    expect(ev({ field: 'RECORDNO', op: 'lte', value: '120' })).toBe(true);
    expect(ev({ field: 'RECORDNO', op: 'gte', value: '121' })).toBe(false);
    expect(ev({ field: 'DATE', op: 'gt', value: '12/31/2024' })).toBe(true);
    expect(ev({ field: 'DATE', op: 'between', values: ['03/01/2025', '03/31/2025'] })).toBe(true);
    expect(ev({ field: 'DATE', op: 'between', values: ['04/01/2025', '04/30/2025'] })).toBe(false);
    expect(ev({ field: 'WHENMODIFIED', op: 'gte', value: '06/01/2025 16:00:00' })).toBe(true);
    expect(ev({ field: 'WHENMODIFIED', op: 'gt', value: '06/01/2025 16:00:00' })).toBe(false);
    // Sage timestamps in filters are in the web-services user's offset.
    expect(ev({ field: 'WHENMODIFIED', op: 'gt', value: '06/01/2025 11:00:00' }, { userTimeZoneOffset: '-06:00' })).toBe(false);
    expect(ev({ field: 'WHENMODIFIED', op: 'gt', value: '06/01/2025 09:59:59' }, { userTimeZoneOffset: '-06:00' })).toBe(true);
  });

  it('like/notlike with % and _ wildcards, and regex metacharacters taken literally', () => {
    expect(ev({ field: 'NAME', op: 'like', value: "O'Brien%" })).toBe(true);
    expect(ev({ field: 'NAME', op: 'like', value: "O_Brien & Son_" })).toBe(true);
    expect(ev({ field: 'NAME', op: 'like', value: 'O.*' })).toBe(false);
    expect(ev({ field: 'NAME', op: 'notlike', value: '%Sons' })).toBe(false);
    expect(evaluateFilter({ field: 'X', op: 'like', value: '(a+)[b]%' }, { X: '(a+)[b] and more' })).toBe(true);
  });

  it('empty fields are NULL: only isnull matches them', () => {
    for (const field of ['EMPTY', 'MISSING']) {
      expect(ev({ field, op: 'isnull' })).toBe(true);
      expect(ev({ field, op: 'isnotnull' })).toBe(false);
      expect(ev({ field, op: 'ne', value: 'x' })).toBe(false);
      expect(ev({ field, op: 'notin', values: ['x'] })).toBe(false);
      expect(ev({ field, op: 'notlike', value: 'x' })).toBe(false);
    }
    expect(ev({ field: 'NAME', op: 'isnotnull' })).toBe(true);
  });

  it('and / or / null', () => {
    const t = { field: 'ID', op: 'eq', value: '04' } as const;
    const f = { field: 'ID', op: 'eq', value: '05' } as const;
    expect(ev(null)).toBe(true);
    expect(ev({ and: [t, f] })).toBe(false);
    expect(ev({ or: [t, f] })).toBe(true);
    expect(ev({ or: [f, { and: [t, t] }] })).toBe(true);
  });
});

describe('inScope', () => {
  it('evaluates the configured scope: status, GL group, worker lists, extras', () => {
    const config = makeConfig({ entities: { worker: { departmentIds: ['OPS'], filter: [{ field: 'TITLE', op: 'notlike', value: '%Office%' }] } } });
    expect(inScope('worker', employee(), config)).toBe(true);
    expect(inScope('worker', employee({ STATUS: 'inactive' }), config)).toBe(false);
    expect(inScope('worker', employee({ DEPARTMENTID: 'ADMIN' }), config)).toBe(false);
    expect(inScope('worker', employee({ DEPARTMENTID: '' }), config)).toBe(false);
    expect(inScope('worker', employee({ TITLE: 'Office Manager' }), config)).toBe(false);

    expect(inScope('role', item(), config)).toBe(true);
    expect(inScope('asset', item(), config)).toBe(false);
    expect(inScope('role', item({ GLGROUP: 'Equipment' }), config)).toBe(false);
    expect(inScope('asset', item({ GLGROUP: 'Equipment' }), config)).toBe(true);
    expect(inScope('role', item({ GLGROUP: '' }), config)).toBe(false);
  });

  it("status 'all' keeps inactive records in scope (they are sent as inactive)", () => {
    const config = makeConfig({ entities: { worker: { status: 'all' } } });
    expect(inScope('worker', employee({ STATUS: 'inactive' }), config)).toBe(true);
  });

  it('a narrowed filter puts previously imported records out of scope', () => {
    const wide = makeConfig();
    const narrow = makeConfig({ entities: { worker: { locationIds: ['DEN'] } } });
    const chicago = employee({ LOCATIONID: 'CHI' });
    expect(inScope('worker', chicago, wide)).toBe(true);
    expect(inScope('worker', chicago, narrow)).toBe(false);
  });

  it("uses the connection's Sage user offset for timestamp extras", () => {
    const config = makeConfig({
      sage: {
        endpoint: 'http://127.0.0.1:7431/x', senderId: 's', senderPassword: { env: 'X' }, userId: 'u', companyId: 'c', userPassword: { env: 'Y' },
        userTimeZoneOffset: '-06:00',
      },
      entities: { client: { filter: [{ field: 'WHENCREATED', op: 'gte', value: '01/01/2025 00:00:00' }] } },
    });
    expect(inScope('client', { STATUS: 'active', WHENCREATED: '2025-01-01T05:59:59.000Z' }, config)).toBe(false);
    expect(inScope('client', { STATUS: 'active', WHENCREATED: '2025-01-01T06:00:00.000Z' }, config)).toBe(true);
  });
});

describe('toSageQueryFilter (the Sage client filter shape)', () => {
  it('translates every op and nesting', () => {
    expect(toSageQueryFilter(null)).toBeUndefined();
    expect(
      toSageQueryFilter({
        and: [
          { field: 'STATUS', op: 'eq', value: 'active' },
          { field: 'GLGROUP', op: 'ne', value: 'Labor' },
          { or: [{ field: 'DEPARTMENTID', op: 'in', values: ['OPS'] }, { field: 'DEPARTMENTID', op: 'isnull' }] },
          { field: 'WHENMODIFIED', op: 'between', values: ['01/01/2025 00:00:00', '02/01/2025 00:00:00'] },
          { field: 'NAME', op: 'notlike', value: '%test%' },
          { field: 'RECORDNO', op: 'gte', value: '10' },
        ],
      }),
    ).toEqual({
      op: 'and',
      filters: [
        { op: 'equalto', field: 'STATUS', value: 'active' },
        { op: 'notequalto', field: 'GLGROUP', value: 'Labor' },
        { op: 'or', filters: [{ op: 'in', field: 'DEPARTMENTID', values: ['OPS'] }, { op: 'isnull', field: 'DEPARTMENTID' }] },
        { op: 'between', field: 'WHENMODIFIED', from: '01/01/2025 00:00:00', to: '02/01/2025 00:00:00' },
        { op: 'notlike', field: 'NAME', value: '%test%' },
        { op: 'greaterthanorequalto', field: 'RECORDNO', value: '10' },
      ],
    });
  });
});
