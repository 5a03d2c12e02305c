import {
  and,
  between,
  equalTo,
  filterToXml,
  greaterThan,
  greaterThanOrEqualTo,
  inList,
  isNotNull,
  isNull,
  lessThan,
  lessThanOrEqualTo,
  like,
  notEqualTo,
  notIn,
  notLike,
  or,
  SageRequestError,
  type SageFilter,
} from '../../../src/sage';

const cmp = (op: string, value: string) => `<${op}><field>F</field><value>${value}</value></${op}>`;

describe('filter builder', () => {
  it.each([
    ['equalto', equalTo],
    ['notequalto', notEqualTo],
    ['lessthan', lessThan],
    ['lessthanorequalto', lessThanOrEqualTo],
    ['greaterthan', greaterThan],
    ['greaterthanorequalto', greaterThanOrEqualTo],
    ['like', like],
    ['notlike', notLike],
  ] as const)('%s', (op, build) => {
    expect(filterToXml(build('F', 'v'))).toBe(cmp(op, 'v'));
  });

  it('escapes values and stringifies numbers and booleans', () => {
    expect(filterToXml(equalTo('F', `a&b<c>'d"]]>`))).toBe(cmp('equalto', 'a&amp;b&lt;c&gt;&apos;d&quot;]]&gt;'));
    expect(filterToXml(greaterThan('F', 42))).toBe(cmp('greaterthan', '42'));
    expect(filterToXml(equalTo('F', true))).toBe(cmp('equalto', 'true'));
    expect(filterToXml(like('F', 'Ω%'))).toBe(cmp('like', 'Ω%'));
    expect(() => equalTo('F', Number.POSITIVE_INFINITY)).toThrow(SageRequestError);
  });

  it('between takes the low value first', () => {
    expect(filterToXml(between('WHENMODIFIED', '06/01/2025 00:00:00', '06/30/2025 23:59:59'))).toBe(
      '<between><field>WHENMODIFIED</field><value>06/01/2025 00:00:00</value><value>06/30/2025 23:59:59</value></between>',
    );
  });

  it('in / notin take many values, at least one', () => {
    expect(filterToXml(inList('F', ['a', 'b', '04']))).toBe('<in><field>F</field><value>a</value><value>b</value><value>04</value></in>');
    expect(filterToXml(notIn('F', ['x']))).toBe('<notin><field>F</field><value>x</value></notin>');
    expect(() => inList('F', [])).toThrow(SageRequestError);
  });

  it('isnull / isnotnull have no value', () => {
    expect(filterToXml(isNull('WHENMODIFIED'))).toBe('<isnull><field>WHENMODIFIED</field></isnull>');
    expect(filterToXml(isNotNull('CONTACT.EMAIL1'))).toBe('<isnotnull><field>CONTACT.EMAIL1</field></isnotnull>');
  });

  it('and / or nest', () => {
    const f = and(equalTo('A', '1'), or(equalTo('B', '2'), and(equalTo('C', '3'), isNull('D'))));
    expect(filterToXml(f)).toBe(
      `<and>${cmp('equalto', '1').replace(/F/g, 'A')}<or>${cmp('equalto', '2').replace(/F/g, 'B')}<and>${cmp('equalto', '3').replace(/F/g, 'C')}<isnull><field>D</field></isnull></and></or></and>`,
    );
  });

  it('and / or with one child collapse to that child; missing children are skipped; none gives undefined', () => {
    expect(and(equalTo('A', '1'))).toEqual(equalTo('A', '1'));
    expect(or(undefined, equalTo('A', '1'), false, null)).toEqual(equalTo('A', '1'));
    expect(and()).toBeUndefined();
    expect(or(undefined)).toBeUndefined();
    // Same-operator children flatten.
    expect(and(equalTo('A', '1'), and(equalTo('B', '2'), equalTo('C', '3')))).toEqual({ op: 'and', filters: [equalTo('A', '1'), equalTo('B', '2'), equalTo('C', '3')] });
    // Hand-built single-child and/or objects collapse on the way out too; empty ones are refused.
    expect(filterToXml({ op: 'or', filters: [isNull('A')] })).toBe('<isnull><field>A</field></isnull>');
    expect(() => filterToXml({ op: 'and', filters: [] } as SageFilter)).toThrow(SageRequestError);
  });

  it('refuses field names that are not Sage field names', () => {
    expect(() => equalTo('*', 'x')).toThrow(SageRequestError);
    expect(() => equalTo('A B', 'x')).toThrow(SageRequestError);
    expect(() => isNull('A</field>')).toThrow(SageRequestError);
    expect(() => equalTo('A..B', 'x')).toThrow(SageRequestError);
  });
});
