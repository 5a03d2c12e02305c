import { ValidationError } from '../../../src/errors';
import { equalTo } from '../../../src/sage';
import { advance, decodeCursor, encodeCursor, keysetQuery, peekTotalCount } from '../../../src/sage/paging';
import * as fx from './fixtures';
import { SageMalformedResponseError } from '../../../src/sage';

describe('keyset cursors', () => {
  it('start empty, encode to JSON strings and decode back', () => {
    const start = decodeCursor(undefined, 'recordno', 'EMPLOYEE');
    expect(start).toEqual({ v: 1, mode: 'recordno', object: 'EMPLOYEE', after: null });
    const next = advance(start, [{ RECORDNO: '5' }, { RECORDNO: '17' }], '+00:00');
    const s = encodeCursor(next);
    expect(typeof s).toBe('string');
    expect(decodeCursor(s, 'recordno', 'EMPLOYEE')).toEqual({ v: 1, mode: 'recordno', object: 'EMPLOYEE', after: '17' });
    expect(advance(next, [], '+00:00')).toBe(next);
  });

  it('refuse foreign or tampered cursors', () => {
    const s = encodeCursor({ v: 1, mode: 'recordno', object: 'EMPLOYEE', after: '1' });
    expect(() => decodeCursor(s, 'modified', 'EMPLOYEE')).toThrow(ValidationError);
    expect(() => decodeCursor(s, 'recordno', 'PROJECT')).toThrow(ValidationError);
    expect(() => decodeCursor('{"v":1,"mode":"recordno","object":"EMPLOYEE","after":"1 OR 1=1"}', 'recordno', 'EMPLOYEE')).toThrow(ValidationError);
    expect(() => decodeCursor('{', 'recordno', 'EMPLOYEE')).toThrow(ValidationError);
  });

  it('modified cursors keep WHENMODIFIED as UTC and RECORDNO of the last record', () => {
    const start = decodeCursor('', 'modified', 'TASK');
    const next = advance(start, [{ RECORDNO: '3', WHENMODIFIED: '06/01/2025 10:00:00' }], '-06:00');
    expect(next).toEqual({ v: 1, mode: 'modified', object: 'TASK', after: { t: '2025-06-01T16:00:00.000Z', r: '3' } });
    expect(() => advance(start, [{ RECORDNO: '3', WHENMODIFIED: '' }], '-06:00')).toThrow(SageMalformedResponseError);
    expect(() => advance(start, [{ WHENMODIFIED: '06/01/2025 10:00:00' }], '-06:00')).toThrow(SageMalformedResponseError);
  });
});

describe('keyset queries', () => {
  it('RECORDNO: RECORDNO > last, ordered by RECORDNO, RECORDNO always selected', () => {
    const q = keysetQuery({ v: 1, mode: 'recordno', object: 'EMPLOYEE', after: '42' }, { object: 'EMPLOYEE', filter: equalTo('STATUS', 'active') }, ['EMPLOYEEID'], 2000, '+00:00');
    expect(q.select).toEqual(['EMPLOYEEID', 'RECORDNO']);
    expect(q.orderBy).toEqual([{ field: 'RECORDNO' }]);
    expect(q.filter).toEqual({ op: 'and', filters: [equalTo('STATUS', 'active'), { op: 'greaterthan', field: 'RECORDNO', value: '42' }] });
    expect(q.pageSize).toBe(2000);
  });

  it('WHENMODIFIED: (WM > t) OR (WM = t AND RECORDNO > r) in the user offset, ordered by WM then RECORDNO', () => {
    const q = keysetQuery(
      { v: 1, mode: 'modified', object: 'EMPLOYEE', after: { t: '2025-06-01T16:00:00.000Z', r: '7' } },
      { object: 'EMPLOYEE', since: '2025-01-01T00:00:00Z' },
      ['RECORDNO'],
      500,
      '-06:00',
    );
    expect(q.select).toEqual(['RECORDNO', 'WHENMODIFIED']);
    expect(q.orderBy).toEqual([{ field: 'WHENMODIFIED' }, { field: 'RECORDNO' }]);
    expect(q.filter).toEqual({
      op: 'or',
      filters: [
        { op: 'greaterthan', field: 'WHENMODIFIED', value: '06/01/2025 10:00:00' },
        { op: 'and', filters: [{ op: 'equalto', field: 'WHENMODIFIED', value: '06/01/2025 10:00:00' }, { op: 'greaterthan', field: 'RECORDNO', value: '7' }] },
      ],
    });
  });
});

describe('peekTotalCount (offset paging reads totalcount before the body is parsed)', () => {
  const page = (attrs: string) => fx.response([fx.result('query', 'q1', { data: `<data listtype="EMPLOYEE"${attrs}><EMPLOYEE><RECORDNO>1</RECORDNO></EMPLOYEE></data>` })]);

  it('reads totalcount from the data start tag of a lone successful result', () => {
    expect(peekTotalCount(page(' count="1" totalcount="10000" numremaining="9999" offset="0"'))).toBe(10000);
    expect(peekTotalCount(page(" totalcount='7'"))).toBe(7);
    expect(peekTotalCount(`\uFEFF${page(' totalcount="3"')}`)).toBe(3);
  });

  it('gives up (undefined) on anything that is not plainly one success', () => {
    expect(peekTotalCount(page(' count="1"'))).toBeUndefined();
    expect(peekTotalCount(fx.response([fx.result('query', 'q1', { errors: fx.QUERY_FAILED })]))).toBeUndefined();
    expect(peekTotalCount(fx.response([fx.result('query', 'q1', { status: 'failure', data: '<data totalcount="5"></data>' })]))).toBeUndefined();
    expect(peekTotalCount(fx.GATEWAY_RATE_LIMIT)).toBeUndefined();
    expect(peekTotalCount(fx.INVALID_SESSION)).toBeUndefined();
    expect(peekTotalCount(page(' totalcount="5"').replace('<result>', '<!-- x --><result>'))).toBeUndefined();
    expect(peekTotalCount(`${' '.repeat(9000)}${page(' totalcount="5"')}`)).toBeUndefined();
    expect(peekTotalCount('')).toBeUndefined();
  });
});
