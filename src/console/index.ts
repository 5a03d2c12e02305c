/** The operator console (issue 12): `intacct-assignar console`, and beside the Web UI under `npm start`. */
export { createConsoleServer, listenConsole, DEFAULT_CONSOLE_HOST, DEFAULT_CONSOLE_PORT, type ConsoleServerOptions } from './server';
export { parseOperatorTokens, TOKENS_ENV, LOCAL_OPERATOR } from './auth';
export type { ConsoleDeps } from './deps';
