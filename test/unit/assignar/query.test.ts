import { ValidationError } from '../../../src/errors';
import { buildListQuery, FILTER_OPERATORS } from '../../../src/assignar';
import { fieldsParam, filterParams, sortParam } from '../../../src/assignar/query';

const decoded = (q: string) => [...new URLSearchParams(q).entries()];

describe('Assignar list query string', () => {
  it('puts filters, then sort, fields, page and page_size', () => {
    const q = buildListQuery({ filter: { active: true }, sort: 'name', fields: ['name', 'external_id'] }, 2, 100);
    expect(q).toBe('active=true&sort=name%2Cid&fields=id%2Cname%2Cexternal_id&page=2&page_size=100');
  });

  it('defaults to a stable sort by id and every field', () => {
    expect(decoded(buildListQuery({}, 1, 500))).toEqual([
      ['sort', 'id'],
      ['page', '1'],
      ['page_size', '500'],
    ]);
  });

  it('serialises every documented operator with the field__op suffix (eq is plain)', () => {
    const d = new Date('2025-01-02T03:04:05.000Z');
    const params = filterParams({
      a: { eq: 'x' },
      b: { gt: 1, gte: 2, lt: 3, lte: 4 },
      c: { ne: 'inactive', is: null, not: 'archived' },
      d: { in: ['admin', 'manager', 7], not_in: ['hr', 'legal'] },
      e: { substring: 'john', starts_with: 'adm', ends_with: '.com' },
      f: { between: ['2023-01-01', d], not_between: [18, 65] },
      g: { gt_col: 'processed_at', lt_col: 'created_at' },
    });
    expect(params).toEqual([
      ['a', 'x'],
      ['b__gt', '1'],
      ['b__gte', '2'],
      ['b__lt', '3'],
      ['b__lte', '4'],
      ['c__ne', 'inactive'],
      ['c__is', 'null'],
      ['c__not', 'archived'],
      ['d__in', 'admin,manager,7'],
      ['d__not_in', 'hr,legal'],
      ['e__substring', 'john'],
      ['e__starts_with', 'adm'],
      ['e__ends_with', '.com'],
      ['f__between', '2023-01-01,2025-01-02T03:04:05.000Z'],
      ['f__not_between', '18,65'],
      ['g__gt_col', 'processed_at'],
      ['g__lt_col', 'created_at'],
    ]);
    const used = new Set(params.map(([k]) => (k.includes('__') ? k.split('__')[1] : 'eq')));
    expect([...used].sort()).toEqual([...FILTER_OPERATORS].sort());
  });

  it('writes scalars as the API reads them', () => {
    expect(filterParams({ deleted_at: { is: null }, active: false, id: 12, modified_time: new Date(0) })).toEqual([
      ['deleted_at__is', 'null'],
      ['active', 'false'],
      ['id', '12'],
      ['modified_time', '1970-01-01T00:00:00.000Z'],
    ]);
  });

  it('percent-encodes values so they cannot inject parameters', () => {
    const q = buildListQuery({ filter: { name: 'A&B=C D', email: { starts_with: 'x+y@z' } } }, 1, 10);
    expect(q.startsWith('name=A%26B%3DC%20D&email__starts_with=x%2By%40z&')).toBe(true);
    expect(new URLSearchParams(q).get('name')).toBe('A&B=C D');
    expect(new URLSearchParams(q).get('email__starts_with')).toBe('x+y@z');
  });

  it('appends id as the tie-breaker unless the sort already has it', () => {
    expect(sortParam(undefined)).toBe('id');
    expect(sortParam('-modified_time')).toBe('-modified_time,id');
    expect(sortParam(['-active', 'company_name'])).toBe('-active,company_name,id');
    expect(sortParam('-id')).toBe('-id');
    expect(sortParam('name,id')).toBe('name,id');
  });

  it('always selects id when fields are given', () => {
    expect(fieldsParam(undefined)).toBeUndefined();
    expect(fieldsParam(['name'])).toBe('id,name');
    expect(fieldsParam(['name', 'id', 'name'])).toBe('id,name');
  });

  it.each([
    [{ filter: { 'bad field': 1 } }, /top-level field name/],
    [{ filter: { page: 2 } }, /reserved/],
    [{ filter: { id: { in: [] } } }, /at least one/],
    [{ filter: { id: { in: 3 as unknown as number[] } } }, /needs an array/],
    [{ filter: { id: { between: [1] as unknown as [number, number] } } }, /exactly two/],
    [{ filter: { name: { in: ['Smith, John'] } } }, /comma/],
    [{ filter: { id: { gt: [1] as unknown as number } } }, /one value/],
    [{ filter: { id: { like: 1 } as unknown as { eq: number } } }, /unknown operator/],
    [{ filter: { id: Number.NaN } }, /non-finite/],
    [{ sort: 'name;drop' }, /sort field/],
    [{ fields: ['a,b'] }, /field/],
  ])('refuses %j', (query, message) => {
    expect(() => buildListQuery(query, 1, 10)).toThrow(ValidationError);
    expect(() => buildListQuery(query, 1, 10)).toThrow(message);
  });

  it('refuses bad page numbers and sizes', () => {
    expect(() => buildListQuery({}, 0, 10)).toThrow(ValidationError);
    expect(() => buildListQuery({}, 1, 0)).toThrow(ValidationError);
    expect(() => buildListQuery({}, 1.5, 10)).toThrow(ValidationError);
  });
});
