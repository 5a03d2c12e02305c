/**
 * The credentials the sandboxes accept out of the box and the ports they listen on by default: the
 * embedded `demo` connection's (src/config/demo.ts), so `dev` and the sandboxes always agree.
 */
import { DEMO_ASSIGNAR_CREDENTIALS, DEMO_PORTS, DEMO_SAGE_CREDENTIALS } from '../config/demo';

export { ASSIGNAR_SCOPE } from '../assignar/scope';
export const SANDBOX_DEFAULT_PORTS = DEMO_PORTS;
export const SAGE_SANDBOX_CREDENTIALS = DEMO_SAGE_CREDENTIALS;
export const ASSIGNAR_SANDBOX_CREDENTIALS = DEMO_ASSIGNAR_CREDENTIALS;
