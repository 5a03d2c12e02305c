import { XMLParser } from 'fast-xml-parser';
import type { SageErrorDetail } from './errors';
import { SageMalformedResponseError } from './errors';

/**
 * Reads a gateway response (reference §2) into plain objects. Every value stays a string (`04` stays
 * `04`); a single record and many records come out alike (record lists are always arrays); no DTD is
 * read and no entity other than the five XML ones and numeric character references is expanded.
 */

/** A record as parsed: field → text; a nested element → object; a repeated element → array. */
export type SageRawRecord = Record<string, unknown>;

export interface ParsedControl {
  status: string;
  senderId?: string;
  controlId?: string;
  uniqueId?: string;
  dtdVersion?: string;
}

export interface ParsedAuthentication {
  status: string;
  userId?: string;
  companyId?: string;
  locationId?: string;
  /** ISO-8601 with offset, as sent. */
  sessionTimestamp?: string;
  sessionTimeout?: string;
}

export interface ParsedData {
  /** `listtype`, `count`, `totalcount`, `numremaining`, `offset`, `resultId`, … as sent. */
  attributes: Record<string, string>;
  /** Every child element of `<data>`, in order (records, `<api>`, `<Type>`, …). */
  records: SageRawRecord[];
}

export interface ParsedResult {
  /** `success`, `failure` or `aborted`. */
  status: string;
  functionName: string;
  controlId: string;
  /** Legacy create functions return the new key here. */
  key?: string;
  data?: ParsedData;
  errors: SageErrorDetail[];
}

export interface ParsedResponse {
  control: ParsedControl;
  /** `response/errormessage`: a control-level failure (nothing ran). */
  controlErrors: SageErrorDetail[];
  authentication?: ParsedAuthentication;
  /** `operation/errormessage`: an authentication failure (no function ran). */
  authenticationErrors: SageErrorDetail[];
  results: ParsedResult[];
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function codePoint(ref: string, original: string): string {
  const n = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
  const valid = Number.isInteger(n) && (n === 0x9 || n === 0xa || n === 0xd || (n >= 0x20 && n <= 0xd7ff) || (n >= 0xe000 && n <= 0xfffd) || (n >= 0x10000 && n <= 0x10ffff));
  return valid ? String.fromCodePoint(n) : original;
}

/**
 * The only entity decoding done: `&amp; &lt; &gt; &quot; &apos;` and `&#NN;`/`&#xHH;` (Sage Intacct sends
 * `&#039;`). Entities declared in a DOCTYPE are never registered (and a DOCTYPE is refused before parsing
 * anyway); unknown named references stay literal.
 */
const xmlOnlyEntityDecoder = {
  setExternalEntities(): void {},
  addInputEntities(): void {},
  reset(): void {},
  setXmlVersion(): void {},
  decode(text: string): string {
    if (!text.includes('&')) return text;
    return text.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos);/g, (m, ref: string) =>
      ref[0] === '#' ? codePoint(ref, m) : XML_ENTITIES[ref],
    );
  },
};

const ATTR = '@_';
const TEXT = '#text';

function isForcedArray(name: string, path: string[], isAttribute: boolean): boolean {
  if (isAttribute) return false;
  const d = path.length;
  if (d === 2 && path[0] === 'response' && name === 'operation') return true;
  if (d === 3 && path[0] === 'response' && path[1] === 'operation' && name === 'result') return true;
  if (name === 'error' && path[d - 2] === 'errormessage') return true;
  return false;
}

const COMMON_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  parseTagValue: false,
  parseAttributeValue: false,
  // Values are kept exactly (leading/trailing spaces included); whitespace between elements is dropped below.
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  entityDecoder: xmlOnlyEntityDecoder,
  ignoreDeclaration: true,
  ignorePiTags: true,
  jPath: false,
} as const;

const pathOf = (matcher: unknown): string[] => (typeof matcher === 'string' ? matcher.split('.') : (matcher as { toArray(): string[] }).toArray());

/**
 * The envelope parser. `<data>` is a stop node: its content comes back raw and is read by `readRecords`
 * (a strict scanner for the usual flat records, about 20× faster than a generic tree on a 2,000-record
 * page, falling back to `dataParser` for anything else).
 */
const parser = new XMLParser({
  ...COMMON_OPTIONS,
  stopNodes: ['response.operation.result.data'],
  isArray: (name, matcher, _isLeaf, isAttribute) => isForcedArray(name, pathOf(matcher), isAttribute === true),
});

/** Generic reading of a `<data>` element's content: every child is a record (always a list). */
const dataParser = new XMLParser({
  ...COMMON_OPTIONS,
  isArray: (_name, matcher, _isLeaf, isAttribute) => isAttribute !== true && pathOf(matcher).length === 2,
});

function malformed(message: string, cause?: unknown): SageMalformedResponseError {
  return new SageMalformedResponseError(`Malformed Sage Intacct response: ${message}`, { level: 'http', cause });
}

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text of an element: a string, `{#text}` with attributes, or '' for an empty/attribute-only element. */
export function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return textOf(v[0]);
  if (isNode(v)) {
    const t = v[TEXT];
    return typeof t === 'string' ? t : '';
  }
  return String(v);
}

function childKeys(n: Node): string[] {
  return Object.keys(n).filter((k) => k !== TEXT && !k.startsWith(ATTR));
}

/** A record or nested element as plain data: attributes dropped, whitespace between child elements dropped. */
function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (!isNode(v)) return v;
  const keys = childKeys(v);
  if (keys.length === 0) return textOf(v);
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = toPlain(v[k]);
  return out;
}

function toRecord(v: unknown): SageRawRecord {
  const plain = toPlain(v);
  // An empty record element (<project/>) or one holding only text.
  return isNode(plain) ? plain : {};
}

function attributesOf(n: Node): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(n)) if (k.startsWith(ATTR) && typeof v === 'string') out[k.slice(ATTR.length)] = v;
  return out;
}

function errorsOf(errormessage: unknown): SageErrorDetail[] {
  if (errormessage === undefined) return [];
  const em = Array.isArray(errormessage) ? errormessage[0] : errormessage;
  if (!isNode(em)) return [{ errorno: '', description: textOf(em) ?? '' }];
  const list = em.error === undefined ? [] : Array.isArray(em.error) ? em.error : [em.error];
  const errors = list.map((e): SageErrorDetail => {
    if (!isNode(e)) return { errorno: '', description: textOf(e) ?? '' };
    const detail: SageErrorDetail = { errorno: textOf(e.errorno) ?? '' };
    for (const k of ['description', 'description2', 'correction'] as const) {
      const t = textOf(e[k]);
      if (t !== undefined && t !== '') detail[k] = t;
    }
    return detail;
  });
  // An <errormessage> with no <error> inside still means failure.
  return errors.length > 0 ? errors : [{ errorno: '', description: 'errormessage without details' }];
}

function str(n: Node, key: string): string | undefined {
  return textOf(n[key]);
}

// A record open tag without attributes (`<EMPLOYEE>` or `<EMPLOYEE/>`), and a leaf field (`<F>text</F>` or `<F/>`).
const RECORD_OPEN = /\s*<([A-Za-z_][\w.-]*)\s*(\/)?>/y;
const LEAF_FIELD = /\s*<([A-Za-z_][\w.-]*)\s*(?:\/>|>([^<]*)<\/\1\s*>)/y;
const UNSAFE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Reads the usual `<data>` content — a list of records whose children are all leaf fields without
 * attributes — straight from the (already validated) text. Returns undefined for anything else (nested
 * elements, attributes, CDATA, comments, a field repeated) so the generic parser handles it.
 */
function scanFlatRecords(raw: string): SageRawRecord[] | undefined {
  const records: SageRawRecord[] = [];
  let i = 0;
  for (;;) {
    RECORD_OPEN.lastIndex = i;
    const open = RECORD_OPEN.exec(raw);
    if (!open) break;
    i = RECORD_OPEN.lastIndex;
    const record: SageRawRecord = {};
    if (!open[2]) {
      for (;;) {
        LEAF_FIELD.lastIndex = i;
        const field = LEAF_FIELD.exec(raw);
        if (!field) break;
        const name = field[1];
        if (UNSAFE_NAMES.has(name) || Object.prototype.hasOwnProperty.call(record, name)) return undefined;
        record[name] = field[2] === undefined ? '' : xmlOnlyEntityDecoder.decode(field[2]);
        i = LEAF_FIELD.lastIndex;
      }
      while (i < raw.length && raw.charCodeAt(i) <= 32) i++;
      const close = `</${open[1]}`;
      if (!raw.startsWith(close, i)) return undefined;
      i += close.length;
      while (i < raw.length && raw.charCodeAt(i) <= 32) i++;
      if (raw[i] !== '>') return undefined;
      i++;
    }
    records.push(record);
  }
  while (i < raw.length && raw.charCodeAt(i) <= 32) i++;
  return i === raw.length ? records : undefined;
}

function parseRecords(raw: string): SageRawRecord[] {
  const fast = scanFlatRecords(raw);
  if (fast) return fast;
  let doc: unknown;
  try {
    doc = dataParser.parse(`<data>${raw}</data>`, true);
  } catch (err) {
    throw malformed('unreadable <data> content', err);
  }
  const node = isNode(doc) ? doc.data : undefined;
  const records: SageRawRecord[] = [];
  if (!isNode(node)) return records;
  for (const k of childKeys(node)) {
    const items = node[k];
    for (const item of Array.isArray(items) ? items : [items]) records.push(toRecord(item));
  }
  return records;
}

function dataOf(v: unknown): ParsedData | undefined {
  if (v === undefined) return undefined;
  const node = Array.isArray(v) ? v[0] : v;
  const raw = typeof node === 'string' ? node : isNode(node) && typeof node[TEXT] === 'string' ? node[TEXT] : '';
  const attributes = isNode(node) ? attributesOf(node) : {};
  const records = raw.trim() === '' ? [] : parseRecords(raw);
  if (attributes.count !== undefined && /^\d+$/.test(attributes.count) && Number(attributes.count) !== records.length) {
    throw malformed(`data count="${attributes.count}" but ${records.length} record(s) arrived (truncated?)`);
  }
  return { attributes, records };
}

function resultOf(v: unknown): ParsedResult {
  if (!isNode(v)) throw malformed('an empty <result>');
  const status = str(v, 'status');
  const functionName = str(v, 'function');
  const controlId = str(v, 'controlid');
  if (!status || functionName === undefined || controlId === undefined) throw malformed('a <result> without status, function or controlid');
  const key = str(v, 'key');
  return {
    status,
    functionName,
    controlId,
    ...(key !== undefined ? { key } : {}),
    data: dataOf(v.data),
    errors: errorsOf(v.errormessage),
  };
}

/**
 * Parses and checks a response body. Throws SageMalformedResponseError when it is not a complete,
 * well-formed `<response>` document (HTML error pages, truncated bodies, a DOCTYPE).
 */
export function parseResponse(body: string): ParsedResponse {
  const xml = body.replace(/^\uFEFF/, '');
  if (!/^\s*</.test(xml)) throw malformed('the body is not XML');
  // No DTDs: a real gateway never sends one, and refusing it closes off entity-expansion attacks.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw malformed('the body contains a DOCTYPE or ENTITY declaration');
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (err) {
    throw malformed(`not well-formed XML (${err instanceof Error ? err.message.slice(0, 200) : 'parse error'})`, err);
  }
  if (!isNode(doc) || !isNode(doc.response)) throw malformed('no <response> root element');
  const response = doc.response;
  if (!isNode(response.control)) throw malformed('no <control> block');
  const c = response.control;
  const control: ParsedControl = { status: str(c, 'status') ?? '' };
  if (!control.status) throw malformed('no control status');
  const optional: [keyof ParsedControl, string][] = [
    ['senderId', 'senderid'],
    ['controlId', 'controlid'],
    ['uniqueId', 'uniqueid'],
    ['dtdVersion', 'dtdversion'],
  ];
  for (const [prop, tag] of optional) {
    const t = str(c, tag);
    if (t !== undefined) control[prop] = t;
  }

  const parsed: ParsedResponse = { control, controlErrors: errorsOf(response.errormessage), authenticationErrors: [], results: [] };
  if (control.status !== 'success' && parsed.controlErrors.length === 0) {
    // GW-0011 style: a failed control block with nothing else.
    parsed.controlErrors = [{ errorno: '', description: `control status ${control.status}` }];
  }
  const operations = response.operation === undefined ? [] : (response.operation as unknown[]);
  for (const op of operations) {
    if (!isNode(op)) throw malformed('an empty <operation>');
    if (isNode(op.authentication)) {
      const a = op.authentication;
      const auth: ParsedAuthentication = { status: str(a, 'status') ?? '' };
      const fields: [keyof ParsedAuthentication, string][] = [
        ['userId', 'userid'],
        ['companyId', 'companyid'],
        ['locationId', 'locationid'],
        ['sessionTimestamp', 'sessiontimestamp'],
        ['sessionTimeout', 'sessiontimeout'],
      ];
      for (const [prop, tag] of fields) {
        const t = str(a, tag);
        if (t !== undefined) auth[prop] = t;
      }
      parsed.authentication = auth;
    }
    parsed.authenticationErrors.push(...errorsOf(op.errormessage));
    if (parsed.authentication && parsed.authentication.status !== 'success' && parsed.authenticationErrors.length === 0) {
      parsed.authenticationErrors.push({ errorno: '', description: `authentication status ${parsed.authentication.status}` });
    }
    for (const r of (op.result as unknown[] | undefined) ?? []) parsed.results.push(resultOf(r));
  }
  if (control.status === 'success' && parsed.controlErrors.length === 0 && operations.length === 0) throw malformed('no <operation> in a successful response');
  return parsed;
}
