/**
 * `getAPISession`: alone in its request; answers `<api><sessionid/><endpoint/><locationid/></api>` where the
 * endpoint is the session endpoint (a different path on the same server), the only one that accepts the
 * session. Called with a session, it returns that same session. Not metered.
 */
import { errors, SageFunctionError } from '../errors';
import { childText, type XNode } from '../xml-parse';
import type { FunctionContext, FunctionOutput } from './context';

export function getAPISession(node: XNode, ctx: FunctionContext): FunctionOutput {
  if (ctx.functionsInRequest > 1) {
    throw new SageFunctionError(errors.businessRule('getAPISession must be the only function in its request', 'Get API Session Failed'));
  }
  void childText(node, 'locationid'); // entities are not simulated: every session is the top-level company session
  const { session, endpoint } = ctx.apiSession();
  return {
    data: {
      name: 'data',
      children: [{ name: 'api', children: [{ name: 'sessionid', text: session.id }, { name: 'endpoint', text: endpoint }, { name: 'locationid', text: session.locationId }] }],
    },
  };
}
