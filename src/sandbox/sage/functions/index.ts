/** The gateway functions the sandbox implements, by element name. */
import type { FunctionHandler } from './context';
import { inspect, lookup } from './lookup';
import { query } from './query';
import { read, readByName } from './read';
import { readByQuery, readMore } from './read-by-query';
import { getAPISession } from './session';
import { create, del, update } from './write';

export const FUNCTIONS: Readonly<Record<string, FunctionHandler>> = {
  getAPISession,
  query,
  readByQuery,
  readMore,
  read,
  readByName,
  create,
  update,
  delete: del,
  lookup,
  inspect,
};

export type { FunctionContext, FunctionOutput } from './context';
