/**
 * Errors as the gateway reports them: `<error><errorno/><description/><description2/><correction/></error>`.
 * Codes seen on the real gateway are used where the reference names one (XL03000003 parse/schema,
 * XL03000006 sender/login/session, XL03000009 rollback, BL34000061 duplicate, BL01001973 business rule,
 * PL04000005 permission, GW-0010 rate limit). Where no public code is known the sandbox uses DL02000001
 * (query/field errors), XL03000007 (duplicate controlid under uniqueid) and says so in the text.
 */
export interface GatewayError {
  errorno: string;
  description?: string;
  description2?: string;
  correction?: string;
}

/** A function-level failure: the function's result gets `<status>failure</status>` and these errors. */
export class SageFunctionError extends Error {
  readonly errors: GatewayError[];

  constructor(errors: GatewayError | GatewayError[]) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map((e) => [e.errorno, e.description, e.description2].filter(Boolean).join(' ')).join('; '));
    this.errors = list;
  }
}

/** A control-level failure (the whole request is refused; no `<operation>` in the response). */
export class SageControlError extends Error {
  constructor(readonly error: GatewayError) {
    super(`${error.errorno} ${error.description ?? ''}`);
  }
}

const supportId = (): string => `[Support ID: sandbox-${Date.now().toString(36)}]`;

export const errors = {
  xmlParse: (detail: string): GatewayError => ({
    errorno: 'XL03000003', description: 'XML Parse schema error', description2: detail, correction: 'Fix the request XML and send it again.',
  }),
  badSender: (): GatewayError => ({
    errorno: 'XL03000006', description: 'Incorrect Intacct XML Partner ID or password.', description2: '', correction: '',
  }),
  badLogin: (): GatewayError => ({
    errorno: 'XL03000006', description: 'Sign-in information is incorrect', description2: '', correction: 'Check the user ID, company ID and password.',
  }),
  invalidSession: (detail = ''): GatewayError => ({
    errorno: 'XL03000006', description: 'Invalid session', description2: detail, correction: 'Start a new session with getAPISession.',
  }),
  offline: (): GatewayError => ({
    errorno: 'XL03000010', description: 'The Service is Temporarily Off-line', description2: supportId(), correction: 'Please Try Again Later',
  }),
  rateLimited: (cap: number): GatewayError => ({
    errorno: 'GW-0010', description: 'Rate limit exceeded', description2: `Too many concurrent requests for this company (limit ${cap}).`, correction: 'Back off and retry the request later.',
  }),
  invalidRequest: (detail: string): GatewayError => ({
    errorno: 'GW-0011', description: `Invalid Request ${supportId()}`, description2: detail, correction: '',
  }),
  rolledBack: (): GatewayError => ({
    errorno: 'XL03000009', description: 'The entire transaction in this operation has been rolled back due to an error.', description2: '', correction: '',
  }),
  duplicateControlId: (controlId: string): GatewayError => ({
    errorno: 'XL03000007',
    description: `A function with control ID '${controlId}' was already executed in a previous request (uniqueid=true)`,
    description2: 'The function was not executed again.',
    correction: 'Treat the earlier execution as done, or send a new control ID.',
  }),
  invalidObject: (object: string): GatewayError => ({
    errorno: 'DL02000001', description: 'Invalid object', description2: `There is no object named '${object}'.`, correction: 'Use a valid object name.',
  }),
  invalidFields: (object: string, fields: string[]): GatewayError => ({
    errorno: 'DL02000001', description: 'Invalid fields list', description2: `Invalid fields list ${fields.join(',')} for object ${object}`, correction: 'Use field names from lookup.',
  }),
  queryFailed: (detail: string): GatewayError => ({
    errorno: 'DL02000001', description: 'Query Failed', description2: detail, correction: 'Check the query and try again.',
  }),
  businessRule: (detail: string, description = 'Could not process the record', correction = ''): GatewayError => ({
    errorno: 'BL01001973', description, description2: detail, correction,
  }),
  duplicate: (object: string, value: string): GatewayError => ({
    errorno: 'BL34000061', description: `Another ${object} with the given value(s) ${value} already exists`, description2: '', correction: 'Use a unique value.',
  }),
  permission: (operation: string, object: string): GatewayError => ({
    errorno: 'PL04000005', description: 'Permission Denied', description2: `You do not have permission for API operation ${operation} on objects of type ${object}`, correction: '',
  }),
  unsupported: (what: string): GatewayError => ({
    errorno: 'XL03000003', description: 'Not supported by the sandbox', description2: what, correction: 'The Sage Intacct sandbox implements only the functions this service uses.',
  }),
};
