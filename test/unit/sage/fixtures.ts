/**
 * Gateway responses in the shape the reference documents (§2.1–2.4), modelled on captured fixtures
 * (intacct-sdk-js tests, jfcote87/intacct testfiles). Pretty-printed like a real gateway's default
 * output, so the parser's whitespace handling is exercised too.
 */

export interface ErrorSpec {
  errorno: string;
  description?: string;
  description2?: string;
  correction?: string;
}

export function errormessage(errors: ErrorSpec[]): string {
  return `<errormessage>${errors
    .map(
      (e) =>
        `\n    <error>\n      <errorno>${e.errorno}</errorno>\n      <description>${e.description ?? ''}</description>\n      <description2>${e.description2 ?? ''}</description2>\n      <correction>${e.correction ?? ''}</correction>\n    </error>`,
    )
    .join('')}\n  </errormessage>`;
}

export function control(status = 'success', controlId = 'req-1', uniqueId = 'false'): string {
  return `<control>\n    <status>${status}</status>\n    <senderid>MySender</senderid>\n    <controlid>${controlId}</controlid>\n    <uniqueid>${uniqueId}</uniqueid>\n    <dtdversion>3.0</dtdversion>\n  </control>`;
}

export function authentication(opts: { status?: string; timestamp?: string; timeout?: string } = {}): string {
  const ts = opts.timestamp ?? '2025-06-01T10:00:00+00:00';
  const to = opts.timeout ?? '2025-06-02T10:00:00+00:00';
  return `<authentication>\n      <status>${opts.status ?? 'success'}</status>\n      <userid>ws_user</userid>\n      <companyid>ACME</companyid>\n      <locationid></locationid>\n      <sessiontimestamp>${ts}</sessiontimestamp>\n      <sessiontimeout>${to}</sessiontimeout>\n    </authentication>`;
}

export function result(fn: string, controlId: string, body: { status?: string; data?: string; errors?: ErrorSpec[]; key?: string } = {}): string {
  return `\n    <result>\n      <status>${body.status ?? (body.errors ? 'failure' : 'success')}</status>\n      <function>${fn}</function>\n      <controlid>${controlId}</controlid>${body.key !== undefined ? `\n      <key>${body.key}</key>` : ''}${body.data ?? ''}${body.errors ? errormessage(body.errors) : ''}\n    </result>`;
}

export function response(results: string[], opts: { auth?: string; controlId?: string } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  ${control('success', opts.controlId)}\n  <operation>\n    ${opts.auth ?? authentication()}${results.join('')}\n  </operation>\n</response>`;
}

export function controlFailure(errors: ErrorSpec[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  ${control('failure')}\n  ${errormessage(errors)}\n</response>`;
}

export function authenticationFailure(errors: ErrorSpec[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<response>\n  ${control('success')}\n  <operation>\n    <authentication>\n      <status>failure</status>\n      <userid>ws_user</userid>\n      <companyid>ACME</companyid>\n    </authentication>\n    ${errormessage(errors)}\n  </operation>\n</response>`;
}

/** `<data>` of a query: upper-case record elements. */
export function queryData(object: string, records: Record<string, string>[], attrs: { totalcount?: number; numremaining?: number; offset?: number } = {}): string {
  const recs = records.map((r) => `<${object}>${Object.entries(r).map(([k, v]) => (v === '' ? `<${k}/>` : `<${k}>${v}</${k}>`)).join('')}</${object}>`).join('');
  const total = attrs.totalcount ?? records.length;
  return `<data listtype="${object}" totalcount="${total}" offset="${attrs.offset ?? 0}" count="${records.length}" numremaining="${attrs.numremaining ?? 0}">${recs}</data>`;
}

export function sessionData(sessionId: string, endpoint: string): string {
  return `\n      <data>\n        <api>\n          <sessionid>${sessionId}</sessionid>\n          <endpoint>${endpoint}</endpoint>\n          <locationid></locationid>\n        </api>\n      </data>`;
}

// ---- Errors as the reference (§2.4) lists them ------------------------------------------------------

export const BAD_SENDER = controlFailure([{ errorno: 'XL03000006', description: 'Incorrect Intacct XML Partner ID or password.', correction: '' }]);
export const SENDER_NOT_AUTHORISED = controlFailure([
  { errorno: 'XL03000006', description: 'Invalid Web Services Authorization', description2: 'The sender ID MySender is not authorized to make Web Services requests to company ID ACME.' },
]);
export const XML_PARSE_ERROR = controlFailure([{ errorno: 'XL03000003', description: 'XML Parse error', description2: 'Opening and ending tag mismatch: content line 1 and operation' }]);
export const DEMO_EXPIRED = controlFailure([{ errorno: 'PL04000055', description: 'This company is a demo company and has expired.' }]);
export const OFFLINE = controlFailure([{ errorno: 'XL03000006', description: 'The Service is Temporarily Off-line', correction: 'Please Try Again Later' }]);
export const GATEWAY_RATE_LIMIT = controlFailure([{ errorno: 'GW-0010', description: 'Rate limit exceeded', description2: 'Too many concurrent requests' }]);
export const BAD_LOGIN = authenticationFailure([{ errorno: 'XL03000006', description: 'Sign-in information is incorrect' }]);
export const INVALID_SESSION = authenticationFailure([{ errorno: 'XL03000006', description: 'Invalid session', description2: 'Invalid session ID' }]);
export const DUPLICATE_KEY = [
  { errorno: 'BL34000061', description: 'Another Customer with the given value(s) C-100 already exists', correction: 'Use a unique value instead.' },
  { errorno: 'BL01001973', description: 'Could not create Customer record!' },
];
export const PERMISSION_DENIED = [{ errorno: 'PL04000005', description: 'You do not have permission for API operation READ on objects of type EMPLOYEE' }];
export const ALREADY_EXECUTED = [
  { errorno: 'XL03000007', description: "A function with control ID 'ts-42' was already executed in a previous request (uniqueid=true)" },
];
export const QUERY_FAILED = [{ errorno: 'Query Failed', description: 'Invalid fields list x', description2: 'The field x is not valid for EMPLOYEE [Support ID: EsppO%7EZEcj]' }];
export const ROLLED_BACK = [{ errorno: 'XL03000009', description: 'The entire transaction in this operation has been rolled back due to an error.' }];
