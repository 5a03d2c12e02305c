import { parseResponse, SageMalformedResponseError, validateRecords } from '../../../src/sage';
import { authentication, queryData, response, result } from './fixtures';

const only = (xml: string) => parseResponse(xml).results[0];

describe('response parsing', () => {
  it('reads control, authentication and a readByQuery page with lower-case records (JFC execProjectSuccess)', () => {
    const xml = response([
      result('readByQuery', 'f-1', {
        data: `
      <data listtype="project" count="2" totalcount="35" numremaining="33" resultId="7765623336W-ne68CoA4gAAEEhD7EAAAAP4">
        <project>
          <RECORDNO>989</RECORDNO>
          <PROJECTID>A17-ADVC</PROJECTID>
          <NAME>Advisory Council</NAME>
        </project>
        <project>
          <RECORDNO>990</RECORDNO>
          <PROJECTID>04</PROJECTID>
          <NAME></NAME>
        </project>
      </data>`,
      }),
    ]);
    const parsed = parseResponse(xml);
    expect(parsed.control).toEqual({ status: 'success', senderId: 'MySender', controlId: 'req-1', uniqueId: 'false', dtdVersion: '3.0' });
    expect(parsed.authentication).toMatchObject({ status: 'success', userId: 'ws_user', companyId: 'ACME', sessionTimeout: '2025-06-02T10:00:00+00:00' });
    expect(parsed.controlErrors).toEqual([]);
    expect(parsed.authenticationErrors).toEqual([]);
    const r = parsed.results[0];
    expect(r).toMatchObject({ status: 'success', functionName: 'readByQuery', controlId: 'f-1', errors: [] });
    expect(r.data?.attributes).toEqual({ listtype: 'project', count: '2', totalcount: '35', numremaining: '33', resultId: '7765623336W-ne68CoA4gAAEEhD7EAAAAP4' });
    expect(r.data?.records).toEqual([
      { RECORDNO: '989', PROJECTID: 'A17-ADVC', NAME: 'Advisory Council' },
      { RECORDNO: '990', PROJECTID: '04', NAME: '' },
    ]);
  });

  it('parses one record and many records alike (always a list)', () => {
    const one = only(response([result('query', 'f', { data: queryData('CUSTOMER', [{ RECORDNO: '1', CUSTOMERID: 'C1' }]) })]));
    const two = only(response([result('query', 'f', { data: queryData('CUSTOMER', [{ RECORDNO: '1', CUSTOMERID: 'C1' }, { RECORDNO: '2', CUSTOMERID: 'C2' }]) })]));
    const none = only(response([result('query', 'f', { data: queryData('CUSTOMER', []) })]));
    expect(one.data?.records).toEqual([{ RECORDNO: '1', CUSTOMERID: 'C1' }]);
    expect(two.data?.records).toHaveLength(2);
    expect(none.data?.records).toEqual([]);
  });

  it('keeps every value a string: IDs like 04, 1e5, 0x1F, true, 007.50', () => {
    const r = only(response([result('query', 'f', { data: queryData('ITEM', [{ RECORDNO: '7', ITEMID: '04', NAME: '1e5', PRODUCTLINEID: '0x1F', ONHOLD: 'true', STANDARD_COST: '007.50' }]) })]));
    expect(r.data?.records[0]).toEqual({ RECORDNO: '7', ITEMID: '04', NAME: '1e5', PRODUCTLINEID: '0x1F', ONHOLD: 'true', STANDARD_COST: '007.50' });
    expect(r.data?.attributes.count).toBe('1');
  });

  it('reads empty elements as empty strings and dotted field names as they are', () => {
    const r = only(
      response([
        result('query', 'f', {
          data: queryData('EMPLOYEE', [{ RECORDNO: '1', EMPLOYEEID: 'E1', 'CONTACT.EMAIL1': '', 'CONTACT.FIRSTNAME': 'Ana', 'PROJECT.CUSTOMER.CUSTOMERID': 'C1', WHENMODIFIED: '' }]),
        }),
      ]),
    );
    expect(r.data?.records[0]).toEqual({ RECORDNO: '1', EMPLOYEEID: 'E1', 'CONTACT.EMAIL1': '', 'CONTACT.FIRSTNAME': 'Ana', 'PROJECT.CUSTOMER.CUSTOMERID': 'C1', WHENMODIFIED: '' });
  });

  it('decodes hostile values exactly: & < \' ]]> numeric references, CDATA, non-Latin text, spaces', () => {
    const r = only(
      response([
        result('query', 'f', {
          data: queryData('CUSTOMER', [
            {
              RECORDNO: '1',
              CUSTOMERID: 'C&amp;1',
              NAME: 'O&#039;Brien &amp; Sons &lt;Ltd&gt; ]]&gt; &quot;q&quot; &apos;a&apos; &#x1F6A7;',
              'DISPLAYCONTACT.EMAIL1': '<![CDATA[a&amp;b<c>]]>',
              'DISPLAYCONTACT.MAILADDRESS.CITY': 'Zürich 東京 Αθήνα',
              'DISPLAYCONTACT.MAILADDRESS.ADDRESS1': '  two  spaces  ',
              'DISPLAYCONTACT.MAILADDRESS.ADDRESS2': '&amp;lt; stays &amp;lt;',
            },
          ]),
        }),
      ]),
    );
    expect(r.data?.records[0]).toEqual({
      RECORDNO: '1',
      CUSTOMERID: 'C&1',
      NAME: `O'Brien & Sons <Ltd> ]]> "q" 'a' 🚧`,
      'DISPLAYCONTACT.EMAIL1': 'a&amp;b<c>',
      'DISPLAYCONTACT.MAILADDRESS.CITY': 'Zürich 東京 Αθήνα',
      'DISPLAYCONTACT.MAILADDRESS.ADDRESS1': '  two  spaces  ',
      'DISPLAYCONTACT.MAILADDRESS.ADDRESS2': '&lt; stays &lt;',
    });
  });

  it('leaves HTML-only entities literal (no entity expansion beyond XML)', () => {
    const r = only(response([result('query', 'f', { data: queryData('CUSTOMER', [{ RECORDNO: '1', NAME: 'a &copy; b &nbsp;' }]) })]));
    expect(r.data?.records[0].NAME).toBe('a &copy; b &nbsp;');
  });

  it('refuses a DOCTYPE (no DTD, no entity expansion)', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE response [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><response><control><status>success</status></control><operation><result><status>success</status><function>query</function><controlid>f</controlid><data><x><NAME>&b;</NAME></x></data></result></operation></response>`;
    expect(() => parseResponse(bomb)).toThrow(SageMalformedResponseError);
    expect(() => parseResponse('<!doctype html><html><body>Bad gateway</body></html>')).toThrow(SageMalformedResponseError);
  });

  it('refuses non-XML, truncated and root-less bodies, and a count that does not match', () => {
    expect(() => parseResponse('Service Unavailable')).toThrow(SageMalformedResponseError);
    expect(() => parseResponse('')).toThrow(SageMalformedResponseError);
    const full = response([result('query', 'f', { data: queryData('CUSTOMER', [{ RECORDNO: '1' }, { RECORDNO: '2' }]) })]);
    expect(() => parseResponse(full.slice(0, full.indexOf('</CUSTOMER>') + 5))).toThrow(SageMalformedResponseError);
    expect(() => parseResponse('<html><body>Bad gateway</body></html>')).toThrow(SageMalformedResponseError);
    expect(() => parseResponse(full.replace(' count="2"', ' count="3"'))).toThrow(/count="3"/);
    expect(() => parseResponse(`<response><control><status>success</status></control></response>`)).toThrow(SageMalformedResponseError);
    expect(() => parseResponse(response(['<result><status>success</status></result>']))).toThrow(SageMalformedResponseError);
  });

  it('reads several results, a legacy <key>, a failed create with empty data, and a BOM', () => {
    const xml =
      '\uFEFF' +
      response([
        result('create_class', 'f-1', { key: '4711' }),
        result('create', 'f-2', { data: '<data listtype="objects" count="0"/>', errors: [{ errorno: 'BL01001973', description: 'Could not create Class record!' }] }),
        result('create', 'f-3', { data: '<data listtype="objects" count="1"><class><RECORDNO>12</RECORDNO><CLASSID>C1</CLASSID></class></data>' }),
        result('delete', 'f-4'),
      ]);
    const p = parseResponse(xml);
    expect(p.results.map((r) => [r.functionName, r.controlId, r.status])).toEqual([
      ['create_class', 'f-1', 'success'],
      ['create', 'f-2', 'failure'],
      ['create', 'f-3', 'success'],
      ['delete', 'f-4', 'success'],
    ]);
    expect(p.results[0].key).toBe('4711');
    expect(p.results[1].data?.records).toEqual([]);
    expect(p.results[1].errors).toEqual([{ errorno: 'BL01001973', description: 'Could not create Class record!' }]);
    expect(p.results[2].data?.records).toEqual([{ RECORDNO: '12', CLASSID: 'C1' }]);
    expect(p.results[3].data).toBeUndefined();
  });

  it('reads the getAPISession data and a response without whitespace', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status><senderid>S</senderid><controlid>c</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation>${authentication().replace(/\n\s*/g, '')}<result><status>success</status><function>getAPISession</function><controlid>f</controlid><data><api><sessionid>abc..</sessionid><endpoint>https://na12.intacct.com/ia/xml/xmlgw.phtml</endpoint><locationid></locationid></api></data></result></operation></response>`;
    expect(only(xml).data?.records).toEqual([{ sessionid: 'abc..', endpoint: 'https://na12.intacct.com/ia/xml/xmlgw.phtml', locationid: '' }]);
  });

  it('the fast record scanner and the generic parser agree (a comment forces the generic path)', () => {
    const records = [
      '<EMPLOYEE>\n  <RECORDNO>1</RECORDNO>\n  <EMPLOYEEID >04</EMPLOYEEID >\n  <CONTACT.EMAIL1/>\n  <CONTACT.LASTNAME>  O&#039;Brien &amp; &lt;Sons&gt; ]]&gt; 日本 &#x1F6A7; </CONTACT.LASTNAME>\n  <TITLE></TITLE>\n</EMPLOYEE>',
      '<EMPLOYEE/>',
      '<EMPLOYEE><RECORDNO>2</RECORDNO><NAME>a &copy; b</NAME></EMPLOYEE >',
    ].join('\n');
    const parse = (inner: string) => only(response([result('query', 'f', { data: `<data listtype="EMPLOYEE" count="3">${inner}</data>` })])).data?.records;
    const fast = parse(records);
    const generic = parse(records + '<!-- generic -->');
    expect(fast).toEqual(generic);
    expect(fast).toEqual([
      { RECORDNO: '1', EMPLOYEEID: '04', 'CONTACT.EMAIL1': '', 'CONTACT.LASTNAME': "  O'Brien & <Sons> ]]> 日本 🚧 ", TITLE: '' },
      {},
      { RECORDNO: '2', NAME: 'a &copy; b' },
    ]);
  });

  it('reads repeated fields and attributes through the generic path; dangerous names never pollute prototypes', () => {
    const data = `<data count="2"><X a="1"><F>1</F><F>2</F></X><X><toString>t</toString></X></data>`;
    const recs = only(response([result('read', 'f', { data })])).data?.records;
    expect(recs?.[0]).toEqual({ F: ['1', '2'] });
    expect(Object.getPrototypeOf(recs?.[1])).toBe(Object.prototype);
    const proto = `<data count="1"><X><__proto__><polluted>yes</polluted></__proto__></X></data>`;
    expect(() => only(response([result('read', 'f', { data: proto })]))).toThrow(SageMalformedResponseError);
    // fast-xml-parser refuses these names; the fast scanner hands them to it, so both paths refuse alike.
    expect(() => only(response([result('read', 'f', { data: '<data count="1"><X><__proto__>1</__proto__></X></data>' })]))).toThrow(SageMalformedResponseError);
    expect(() => only(response([result('read', 'f', { data: '<data count="1"><X><constructor>c</constructor></X></data>' })]))).toThrow(SageMalformedResponseError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps nested record elements (read of a TIMESHEET with entries)', () => {
    const data = `<data listtype="TIMESHEET" count="1"><TIMESHEET><RECORDNO>5</RECORDNO><TIMESHEETENTRIES><TIMESHEETENTRY><QTY>1</QTY></TIMESHEETENTRY><TIMESHEETENTRY><QTY>2</QTY></TIMESHEETENTRY></TIMESHEETENTRIES></TIMESHEET></data>`;
    expect(only(response([result('read', 'f', { data })])).data?.records[0]).toEqual({ RECORDNO: '5', TIMESHEETENTRIES: { TIMESHEETENTRY: [{ QTY: '1' }, { QTY: '2' }] } });
  });
});

describe('record validation', () => {
  it('converts audit timestamps to ISO UTC in the user offset and validates with the object schema', () => {
    const { records, rejected } = validateRecords(
      'EMPLOYEE',
      [
        { RECORDNO: '1', EMPLOYEEID: '04', STATUS: 'active', WHENCREATED: '01/02/2025 08:00:00', WHENMODIFIED: '06/01/2025 10:00:00', 'CONTACT.EMAIL1': '' },
        { RECORDNO: '2', EMPLOYEEID: 'E2', STATUS: 'inactive', WHENCREATED: '', WHENMODIFIED: '' },
      ],
      '-06:00',
    );
    expect(rejected).toEqual([]);
    expect(records[0]).toEqual({ RECORDNO: '1', EMPLOYEEID: '04', STATUS: 'active', WHENCREATED: '2025-01-02T14:00:00.000Z', WHENMODIFIED: '2025-06-01T16:00:00.000Z', 'CONTACT.EMAIL1': '' });
    expect(records[1].WHENMODIFIED).toBeNull();
    expect(records[1].WHENCREATED).toBeNull();
  });

  it('maps readByQuery STATUS T/F to active/inactive, and converts AUDITHISTORY ACCESSTIME', () => {
    const { records } = validateRecords('CUSTOMER', [{ RECORDNO: '1', CUSTOMERID: 'C1', STATUS: 'T' }, { RECORDNO: '2', CUSTOMERID: 'C2', STATUS: 'F' }], '+00:00');
    expect(records.map((r) => r.STATUS)).toEqual(['active', 'inactive']);
    const audit = validateRecords('AUDITHISTORY', [{ OBJECTTYPE: 'employee', OBJECTKEY: '123--REC', ACCESSMODE: 'D', ACCESSTIME: '06/01/2025 10:00:00' }], '+02:00');
    expect(audit.records[0].ACCESSTIME).toBe('2025-06-01T08:00:00.000Z');
  });

  it('rejects invalid records with a reason instead of dropping them', () => {
    const { records, rejected } = validateRecords(
      'CUSTOMER',
      [
        { RECORDNO: '1', CUSTOMERID: 'C1' },
        { RECORDNO: '2' },
        { RECORDNO: '3', CUSTOMERID: 'C3', WHENMODIFIED: 'yesterday' },
        { RECORDNO: 'x', CUSTOMERID: 'C4' },
      ],
      '+00:00',
    );
    expect(records.map((r) => r.RECORDNO)).toEqual(['1']);
    expect(rejected.map((r) => r.recordNo)).toEqual(['2', '3', 'x']);
    expect(rejected[0].reason).toMatch(/CUSTOMERID/);
    expect(rejected[1].reason).toMatch(/timestamp/);
  });

  it('passes records of objects without a schema through, normalised', () => {
    const { records } = validateRecords('CLASS', [{ RECORDNO: '1', CLASSID: 'C', WHENMODIFIED: '06/01/2025 10:00:00' }], '+00:00');
    expect(records[0]).toEqual({ RECORDNO: '1', CLASSID: 'C', WHENMODIFIED: '2025-06-01T10:00:00.000Z' });
  });
});
