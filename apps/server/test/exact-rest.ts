import { isDeepStrictEqual } from 'node:util';
import { RestClient } from '@decentra/client';
import { ROUTE_NAMES, ROUTES } from '@decentra/protocol';

/**
 * The SDK's client for tests about exactly what the server sends. `validate: true` parses each
 * answer with the contract's schema, and a plain zod object drops keys it does not know, so a
 * field that should never leave the server (an email in search results, a password) would be
 * stripped before the test saw it. This client checks each answer against the contract too, but
 * fails when the check would drop or change anything, and hands back the answer as sent.
 */
export function exactRestClient(baseUrl: string, token?: string): RestClient {
  const client = new RestClient({ baseUrl, ...(token === undefined ? {} : { token }) });
  const methods = client as unknown as Record<string, (input?: unknown) => Promise<unknown>>;
  for (const name of ROUTE_NAMES) {
    const send = methods[name];
    if (!send) throw new Error(`the client has no method ${name}`);
    methods[name] = async (input?: unknown) => {
      const answer = await send(input);
      if (ROUTES[name].status === 204) return answer;
      const kept = ROUTES[name].response.parse(answer);
      if (!isDeepStrictEqual(kept, answer))
        throw new Error(
          `${name} answered more than the contract holds: ${JSON.stringify(answer)}; the contract keeps ${JSON.stringify(kept)}`,
        );
      return answer;
    };
  }
  return client;
}
