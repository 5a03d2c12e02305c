import type { Dispatcher } from 'undici';
import type { Now, Sleep } from '../http/abort';
import type { ApiEventSink } from '../observability/api-events';
import type { SageError } from './errors';
import type { SageQuery } from './functions';
import type { SageCursor } from './paging';
import type { SageRejectedRecord } from './records';
import type { ParsedData } from './response';

/** The Sage Intacct client's options, call options and results (src/sage/client.ts and its parts). */

export interface SageSecrets {
  senderPassword: string;
  userPassword: string;
}

export interface SageClientOptions {
  /** undici dispatcher (a MockAgent in tests); default a shared keep-alive Agent. */
  dispatcher?: Dispatcher;
  /** Clock for session expiry, epoch ms. */
  now?: Now;
  /** Wait used between retries (tests pass a no-op); should reject when `signal` aborts. */
  sleep?: Sleep;
  /** [0, 1) for backoff jitter. */
  random?: () => number;
  /** Backoff caps; default first retry ≤ 500 ms, none over 30 s. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Told before each backoff wait and each re-login (for logs/metrics; the error text is redacted). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: 'backoff' | 'session'; error: SageError }) => void;
  /** Where the client reports its requests, retries, rate limits, slot waits and sign-ins (default: nowhere). */
  events?: ApiEventSink;
  /** The connection id events carry; default the company id. */
  connection?: string;
}

/**
 * Per call: `signal` cancels the call — the in-flight request, a backoff wait, the wait for the company's
 * concurrency slot — rejecting with the signal's reason. Pass a Temporal activity's `cancellationSignal()`.
 */
export interface SageCallOptions {
  signal?: AbortSignal;
}

/** One function's outcome from `execute`. */
export interface SageFunctionResult {
  functionName: string;
  controlId: string;
  status: string;
  key?: string;
  data?: ParsedData;
  /** Set when status is not `success`; already classified (SageBusinessError, SageAlreadyDoneError, …). */
  error?: SageError;
}

export interface SageExecuteOptions extends SageCallOptions {
  /** Default: true when any function writes (create/update/delete), else false. */
  uniqueId?: boolean;
  transaction?: boolean;
}

export type SageQueryInput<O extends string> = Omit<SageQuery, 'object' | 'select'> & {
  object: O;
  /** Default: every field of the object's schema (objects.ts). Required for other objects. */
  select?: readonly string[];
};

export interface SageQueryResult<R> {
  records: R[];
  rejected: SageRejectedRecord[];
  count: number;
  totalCount: number;
  numRemaining: number;
  offset: number;
}

export interface SagePage<R> {
  records: R[];
  rejected: SageRejectedRecord[];
  /** Resume position after this page: heartbeat it, hand it back to continue. */
  cursor: SageCursor;
  /** No record remains after this page. */
  done: boolean;
  /** Records matching the page's query (this page and after), when Sage Intacct said. */
  totalCount?: number;
}

export interface SageWriteOptions extends SageCallOptions {
  /** Function controlid; deterministic ones make a retried write idempotent. Default a random UUID. */
  controlId?: string;
  /** Default true for writes. */
  uniqueId?: boolean;
}
