import { ValidationError } from '../../../src/errors';
import { equalTo } from '../../../src/sage';
import { advance, decodeCursor, encodeCursor, keysetQuery, peekTotalCount } from '../../../src/sage/paging';
import * as fx from './fixtures';
import { SageMalformedResponseError } from '../../../src/sage';

describe('keyset cursors', () => {
  it('start empty, encode to JSON strings and decode back', () => {
    const start = decodeCursor(undefined, 'EMPLOYEE');
    expect(start).toEqual({ v: 1, mode: 'recordno', object: 'EMPLOYEE', after: null });
    const next = advance(start, [{ RECORDNO: '5' }, { RECORDNO: '17' }]);
    const s = encodeCursor(next);
    expect(typeof s).toBe('string');
    expect(decodeCursor(s, 'EMPLOYEE')).toEqual({ v: 1, mode: 'recordno', object: 'EMPLOYEE', after: '17' });
    expect(advance(next, [])).toBe(next);
  });

  it('refuse foreign or tampered cursors', () => {
    const s = encodeCursor({ v: 1, mode: 'recordno', object: 'EMPLOYEE', after: '1' });
    expect(() => decodeCursor(s, 'PROJECT')).toThrow(ValidationError);
    expect(() => decodeCursor('{"v":1,"mode":"modified","object":"EMPLOYEE","after":null}', 'EMPLOYEE')).toThrow(ValidationError);
    expect(() => decodeCursor('{"v":1,"mode":"recordno","object":"EMPLOYEE","after":"1 OR 1=1"}', 'EMPLOYEE')).toThrow(ValidationError);
    expect(() => decodeCursor('{', 'EMPLOYEE')).toThrow(ValidationError);
  });

  it('advance past a record without a numeric RECORDNO is a malformed response', () => {
    const start = decodeCursor('', 'TASK');
    expect(() => advance(start, [{ TASKID: 'T-1' }])).toThrow(SageMalformedResponseError);
    expect(() => advance(start, [{ RECORDNO: '3a' }])).toThrow(SageMalformedResponseError);
  });
});

describe('keyset queries', () => {
  it('RECORDNO > last, ordered by RECORDNO, RECORDNO always selected', () => {
    const q = keysetQuery({ v: 1, mode: 'recordno', object: 'EMPLOYEE', after: '42' }, { object: 'EMPLOYEE', filter: equalTo('STATUS', 'active') }, ['EMPLOYEEID'], 2000);
    expect(q.select).toEqual(['EMPLOYEEID', 'RECORDNO']);
    expect(q.orderBy).toEqual([{ field: 'RECORDNO' }]);
    expect(q.filter).toEqual({ op: 'and', filters: [equalTo('STATUS', 'active'), { op: 'greaterthan', field: 'RECORDNO', value: '42' }] });
    expect(q.pageSize).toBe(2000);
  });

  it('the first page has only the caller filter, and RECORDNO is not selected twice', () => {
    const q = keysetQuery({ v: 1, mode: 'recordno', object: 'EMPLOYEE', after: null }, { object: 'EMPLOYEE' }, ['RECORDNO', 'EMPLOYEEID'], 500);
    expect(q.select).toEqual(['RECORDNO', 'EMPLOYEEID']);
    expect(q.filter).toBeUndefined();
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
