import { request } from 'node:https';

/**
 * A `fetch` over HTTPS that trusts exactly the given certificate (as a browser told to trust it
 * would), for the SDK's client (`new RestClient({ fetch: pinnedFetch(ca) })`) against a server
 * with a self-signed certificate. Only what the SDK uses: a URL string, method, headers, a string
 * body or an upload's bytes (sent whole, so with their Content-Length).
 */
export function pinnedFetch(ca: string): typeof fetch {
  const pinned = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) throw new Error('pinnedFetch takes a URL, not a Request');
    const body = init.body ?? undefined;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array))
      throw new Error('pinnedFetch sends string and byte-array bodies only');
    const headers = Object.fromEntries(new Headers(init.headers));
    return new Promise((resolve, reject) => {
      const req = request(String(input), { ca, method: init.method ?? 'GET', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const answered = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined) continue;
            for (const one of Array.isArray(value) ? value : [value]) answered.append(name, one);
          }
          const status = res.statusCode ?? 0;
          const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status, headers: answered }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  return pinned as typeof fetch;
}
