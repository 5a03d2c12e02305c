import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  and,
  buildCreate,
  buildDelete,
  buildGetAPISession,
  buildLookup,
  buildQuery,
  buildRead,
  buildRequest,
  buildUpdate,
  equalTo,
  escapeXml,
  escapeXmlAttribute,
  SageRequestError,
} from '../../../src/sage';

/** A spec-conforming reading of the request: the five XML entities plus numeric references. */
const reader = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => name === 'function' || name === 'field' || name === 'value',
});

const HOSTILE = `Tom & Jerry's <"Café"> ]]> 日本語 Ωμέγα 🚧 a\\b`;

const request = (fns: ReturnType<typeof buildQuery>[], opts: { transaction?: boolean; uniqueId?: boolean; session?: boolean } = {}) =>
  buildRequest({
    senderId: 'MySender',
    senderPassword: 's3nd&r<pw>',
    controlId: 'req-1',
    uniqueId: opts.uniqueId ?? false,
    authentication: opts.session === false ? { login: { userId: 'ws_user', companyId: 'ACME', password: 'p&ss', locationId: 'EAST' } } : { sessionId: 'sess-1' },
    functions: fns,
    transaction: opts.transaction,
  });

describe('request envelope', () => {
  it('writes the control block in XSD order with dtdversion 3.0 and includewhitespace false', () => {
    const xml = request([buildLookup('EMPLOYEE', 'f-1')]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain(
      '<control><senderid>MySender</senderid><password>s3nd&amp;r&lt;pw&gt;</password><controlid>req-1</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>',
    );
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it('uses session authentication, or login with the optional locationid last', () => {
    expect(request([buildLookup('EMPLOYEE', 'f-1')])).toContain('<authentication><sessionid>sess-1</sessionid></authentication>');
    expect(request([buildGetAPISession('EAST', 'f-1')], { session: false })).toContain(
      '<authentication><login><userid>ws_user</userid><companyid>ACME</companyid><password>p&amp;ss</password><locationid>EAST</locationid></login></authentication>',
    );
  });

  it('holds several functions, each with its own controlid, and the transaction attribute', () => {
    const xml = request([buildLookup('EMPLOYEE', 'f-1'), buildLookup('PROJECT', 'f-2')], { transaction: true, uniqueId: true });
    expect(xml).toContain('<operation transaction="true">');
    expect(xml).toContain('<uniqueid>true</uniqueid>');
    const doc = reader.parse(xml);
    const fns = doc.request.operation.content.function;
    expect(fns.map((f: Record<string, string>) => f['@_controlid'])).toEqual(['f-1', 'f-2']);
    expect(request([buildLookup('EMPLOYEE', 'f-1')])).toContain('<operation transaction="false">');
  });

  it('refuses duplicate or over-long controlids and empty requests', () => {
    expect(() => request([buildLookup('A', 'x'), buildLookup('B', 'x')])).toThrow(SageRequestError);
    expect(() => buildLookup('A', 'x'.repeat(257))).toThrow(SageRequestError);
    expect(() => buildLookup('A', '')).toThrow(SageRequestError);
    expect(() => request([])).toThrow(SageRequestError);
  });

  it('escapes a hostile controlid in the attribute', () => {
    const xml = request([buildLookup('EMPLOYEE', `ts-"a"&<b>'\n`)]);
    const doc = reader.parse(xml);
    expect(doc.request.operation.content.function[0]['@_controlid']).toBe(`ts-"a"&<b>'\n`);
  });

  it('gives a random UUID controlid by default', () => {
    const a = buildLookup('EMPLOYEE');
    const b = buildLookup('EMPLOYEE');
    expect(a.controlId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.controlId).not.toBe(b.controlId);
    expect(a.write).toBe(false);
    expect(buildCreate('CLASS', [{ CLASSID: 'X' }]).write).toBe(true);
  });
});

describe('escaping', () => {
  it('escapes & < > \' " so ]]> never appears, and keeps non-Latin text as is', () => {
    expect(escapeXml(HOSTILE)).toBe('Tom &amp; Jerry&apos;s &lt;&quot;Café&quot;&gt; ]]&gt; 日本語 Ωμέγα 🚧 a\\b');
    expect(escapeXml('a]]>b')).not.toContain(']]>');
  });

  it('keeps CR exact with a character reference, and tab/LF in attributes', () => {
    expect(escapeXml('a\r\nb\tc')).toBe('a&#13;\nb\tc');
    expect(escapeXmlAttribute('a\r\nb\tc')).toBe('a&#13;&#10;b&#9;c');
  });

  it('refuses characters XML 1.0 cannot carry', () => {
    expect(() => escapeXml('bell\u0007')).toThrow(SageRequestError);
    expect(() => escapeXml('lone \uD800 surrogate')).toThrow(SageRequestError);
    expect(escapeXml('pair 😀')).toBe('pair 😀');
  });

  it('round-trips hostile values through a standard XML parser', () => {
    const fn = buildQuery({ object: 'CUSTOMER', select: ['NAME'], filter: equalTo('NAME', HOSTILE + '\r\n') }, 'f-1');
    const doc = reader.parse(request([fn]));
    const q = doc.request.operation.content.function[0].query;
    expect(q.filter.equalto.value[0]).toBe(HOSTILE + '\r\n');
  });
});

describe('function builders', () => {
  it('query: object, select, filter, orderby, options, pagesize, offset in order', () => {
    const fn = buildQuery(
      {
        object: 'EMPLOYEE',
        select: ['RECORDNO', 'EMPLOYEEID', 'CONTACT.EMAIL1'],
        filter: and(equalTo('STATUS', 'active'), equalTo('DEPARTMENTID', 'D&1')),
        orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO', descending: true }],
        caseInsensitive: false,
        showPrivate: true,
        pageSize: 2000,
        offset: 0,
      },
      'f-1',
    );
    expect(fn.name).toBe('query');
    expect(fn.xml).toBe(
      '<query><object>EMPLOYEE</object><select><field>RECORDNO</field><field>EMPLOYEEID</field><field>CONTACT.EMAIL1</field></select>' +
        '<filter><and><equalto><field>STATUS</field><value>active</value></equalto><equalto><field>DEPARTMENTID</field><value>D&amp;1</value></equalto></and></filter>' +
        '<orderby><order><field>WHENMODIFIED</field><ascending/></order><order><field>RECORDNO</field><descending/></order></orderby>' +
        '<options><caseinsensitive>false</caseinsensitive><showprivate>true</showprivate></options><pagesize>2000</pagesize><offset>0</offset></query>',
    );
  });

  it('query: never `*`, never an empty select, page size 1–2000', () => {
    expect(() => buildQuery({ object: 'EMPLOYEE', select: ['*'] })).toThrow(SageRequestError);
    expect(() => buildQuery({ object: 'EMPLOYEE', select: [] })).toThrow(SageRequestError);
    expect(() => buildQuery({ object: 'EMPLOYEE', select: ['RECORDNO'], pageSize: 2001 })).toThrow(SageRequestError);
    expect(() => buildQuery({ object: 'EMPLOYEE', select: ['RECORDNO'], pageSize: 0 })).toThrow(SageRequestError);
    expect(() => buildQuery({ object: 'EMP<LOYEE', select: ['RECORDNO'] })).toThrow(SageRequestError);
    expect(() => buildQuery({ object: 'EMPLOYEE', select: ['RECORDNO</field><x>'] })).toThrow(SageRequestError);
    expect(buildQuery({ object: 'EMPLOYEE', select: ['RECORDNO'] }).xml).toBe('<query><object>EMPLOYEE</object><select><field>RECORDNO</field></select></query>');
  });

  it('read / delete take comma-separated keys, at most 100, none with a comma', () => {
    expect(buildRead('EMPLOYEE', ['1', '2'], ['RECORDNO', 'EMPLOYEEID'], 'f').xml).toBe(
      '<read><object>EMPLOYEE</object><keys>1,2</keys><fields>RECORDNO,EMPLOYEEID</fields></read>',
    );
    expect(buildRead('EMPLOYEE', ['E&1', '04'], ['RECORDNO'], 'f').xml).toBe('<read><object>EMPLOYEE</object><keys>E&amp;1,04</keys><fields>RECORDNO</fields></read>');
    expect(buildDelete('TIMESHEET', ['112'], 'f').xml).toBe('<delete><object>TIMESHEET</object><keys>112</keys></delete>');
    expect(() => buildRead('EMPLOYEE', ['A,B'], ['RECORDNO'])).toThrow(SageRequestError);
    expect(() => buildRead('EMPLOYEE', Array.from({ length: 101 }, (_, i) => String(i)), ['RECORDNO'])).toThrow(SageRequestError);
    expect(() => buildRead('EMPLOYEE', [], ['RECORDNO'])).toThrow(SageRequestError);
  });

  it('getAPISession with and without an entity', () => {
    expect(buildGetAPISession(undefined, 'f').xml).toBe('<getAPISession></getAPISession>');
    expect(buildGetAPISession('EAST', 'f').xml).toBe('<getAPISession><locationid>EAST</locationid></getAPISession>');
  });

  it('create / update write records with nested and repeated elements, skipping null/undefined', () => {
    const fn = buildCreate(
      'TIMESHEET',
      [
        {
          EMPLOYEEID: 'E1',
          BEGINDATE: '06/02/2025',
          DESCRIPTION: undefined,
          STATE: null,
          TIMESHEETENTRIES: { TIMESHEETENTRY: [{ ENTRYDATE: '06/02/2025', QTY: 7.5, BILLABLE: true }, { ENTRYDATE: '06/03/2025', QTY: '8', NOTES: 'A & <B>' }] },
        },
      ],
      'ts-1',
    );
    expect(fn.xml).toBe(
      '<create><TIMESHEET><EMPLOYEEID>E1</EMPLOYEEID><BEGINDATE>06/02/2025</BEGINDATE><TIMESHEETENTRIES>' +
        '<TIMESHEETENTRY><ENTRYDATE>06/02/2025</ENTRYDATE><QTY>7.5</QTY><BILLABLE>true</BILLABLE></TIMESHEETENTRY>' +
        '<TIMESHEETENTRY><ENTRYDATE>06/03/2025</ENTRYDATE><QTY>8</QTY><NOTES>A &amp; &lt;B&gt;</NOTES></TIMESHEETENTRY>' +
        '</TIMESHEETENTRIES></TIMESHEET></create>',
    );
    expect(buildUpdate('CUSTOMER', [{ RECORDNO: '8', NAME: '' }], 'u').xml).toBe('<update><CUSTOMER><RECORDNO>8</RECORDNO><NAME></NAME></CUSTOMER></update>');
    expect(() => buildCreate('CUSTOMER', [{ 'BAD NAME': 'x' }])).toThrow(SageRequestError);
    expect(() => buildCreate('CUSTOMER', [{ QTY: Number.NaN }])).toThrow(SageRequestError);
    expect(() => buildCreate('CUSTOMER', [])).toThrow(SageRequestError);
  });
});
